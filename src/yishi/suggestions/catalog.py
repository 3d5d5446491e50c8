"""What the intake is set up with: categories, each street's deadlines per track, the towns and
communities, and the observation points (民情民意观测点) whose posters carry the QR code."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from yishi.core import audit
from yishi.core.errors import InvalidInput, NotFound
from yishi.core.i18n import _
from yishi.places import services as places
from yishi.suggestions import rules
from yishi.suggestions.enums import DEFAULT_CATEGORIES, DEFAULT_TRACK_DAYS, Track
from yishi.suggestions.tables import Category, ObservationPoint, Suggestion, TrackSetting


def _now() -> datetime:
    return datetime.now(UTC)


# --- categories and deadlines ------------------------------------------------------------------

async def ensure_categories() -> None:
    """The issue's eight categories, created the first time they are needed."""
    if await Category.exists().run():
        return
    await Category.insert(
        *[Category(name=name, position=i, active=True) for i, name in enumerate(DEFAULT_CATEGORIES)]
    ).run()


async def categories(*, active_only: bool = True) -> list[dict]:
    await ensure_categories()
    query = Category.select().order_by(Category.position).order_by(Category.id)
    if active_only:
        query = query.where(Category.active == True)  # noqa: E712
    return await query.run()


async def add_category(name: str, *, actor: Any) -> int:
    name = (name or "").strip()
    if not name or len(name) > 20:
        raise InvalidInput(_("类别名称应为 1 到 20 个字。"), "name")
    await ensure_categories()
    if await Category.exists().where(Category.name == name):
        raise InvalidInput(_("类别“{name}”已经有了。").format(name=name), "name")
    count = await Category.count()
    row = Category(name=name, position=count, active=True)
    await row.save()
    await audit.record("suggestion.category.added", actor=actor, object_type="suggestion_category",
                       object_id=row.id, name=name)
    return row.id


async def set_category_active(category_id: int, active: bool, *, actor: Any) -> None:
    changed = await Category.update({Category.active: active}).where(Category.id == category_id).returning(
        Category.id).run()
    if not changed:
        raise NotFound(_("找不到这个类别。"))
    await audit.record("suggestion.category." + ("enabled" if active else "disabled"), actor=actor,
                       object_type="suggestion_category", object_id=category_id)


async def track_days(town_id: int) -> dict[Track, int]:
    days = dict(DEFAULT_TRACK_DAYS)
    for row in await TrackSetting.select().where(TrackSetting.town == town_id).run():
        days[Track(row["track"])] = row["days"]
    return days


async def set_track_days(town_id: int, days: dict[Track, int], *, actor: Any) -> None:
    for track, n in days.items():
        if not 1 <= n <= 365:
            raise InvalidInput(_("“{track}”的办理时限应在 1 到 365 天之间。").format(track=track.label),
                               track.value)
    async with TrackSetting._meta.db.transaction():
        await TrackSetting.delete().where(TrackSetting.town == town_id).run()
        await TrackSetting.insert(*[TrackSetting(town=town_id, track=t, days=n) for t, n in days.items()]).run()
        await audit.record("suggestion.deadlines.changed", actor=actor, object_type="town", object_id=town_id,
                           days={t.value: n for t, n in days.items()})


# --- 点位 ---------------------------------------------------------------------------------------

SPOT_CHOICES = 60


async def known_spots(town_id: int, community_id: int | None = None) -> list[str]:
    """The 点位 already named in a street (or one community), the most named first: offered as
    choices where 点位 is typed, so that one compound is not counted under three spellings. The
    place tree stops at the community (places has no compounds), so these are what people typed."""
    query = Suggestion.select(Suggestion.spot, Count(alias="n")).where(
        (Suggestion.town == town_id) & (Suggestion.spot != ""))
    if community_id is not None:
        query = query.where(Suggestion.community == community_id)
    rows = await query.group_by(Suggestion.spot).run()
    rows.sort(key=lambda r: (-r["n"], r["spot"]))
    return [r["spot"] for r in rows[:SPOT_CHOICES]]


# --- places and observation points -------------------------------------------------------------

@dataclass(frozen=True)
class TownRef:
    id: int
    name: str
    district_id: int


async def town_ref(town_id: int) -> TownRef:
    row = await places.town(town_id)
    if row is None:
        raise NotFound(_("找不到该镇（街道）。"))
    return TownRef(id=row["id"], name=row["name"], district_id=row["district"])


@dataclass(frozen=True)
class PointView:
    id: int
    code: str
    name: str
    address: str
    active: bool
    community_id: int
    community_name: str
    town_id: int
    town_name: str
    district_id: int


def _point_view(row: dict) -> PointView:
    return PointView(id=row["id"], code=row["code"], name=row["name"], address=row["address"],
                     active=row["active"], community_id=row["community"],
                     community_name=row["community_name"], town_id=row["town_id"],
                     town_name=row["town_name"], district_id=row["district_id"])


def _point_query():
    return ObservationPoint.select(
        *ObservationPoint.all_columns(),
        ObservationPoint.community.name.as_alias("community_name"),
        ObservationPoint.community.town.as_alias("town_id"),
        ObservationPoint.community.town.name.as_alias("town_name"),
        ObservationPoint.community.town.district.as_alias("district_id"),
    )


async def get_point(point_id: int) -> PointView:
    row = await _point_query().where(ObservationPoint.id == point_id).first().run()
    if row is None:
        raise NotFound(_("找不到这个观测点。"))
    return _point_view(row)


async def point_by_code(raw: str) -> PointView:
    code = rules.normalise_code(raw)
    row = await _point_query().where(ObservationPoint.code == code).first().run() if code else None
    if row is None or not row["active"]:
        raise NotFound(_("这个二维码已失效或不存在。您仍可以在下面的表格里直接提交建议。"))
    return _point_view(row)


async def points_of_town(town_id: int) -> list[PointView]:
    rows = await _point_query().where(ObservationPoint.community.town == town_id).order_by(
        ObservationPoint.id).run()
    return [_point_view(r) for r in rows]


async def create_point(*, community_id: int, name: str, address: str, actor: Any) -> int:
    name = (name or "").strip()
    address = (address or "").strip()
    if not name:
        raise InvalidInput(_("请填写观测点名称。"), "name")
    if len(name) > 60:
        raise InvalidInput(_("观测点名称不能超过 60 个字。"), "name")
    if len(address) > 120:
        raise InvalidInput(_("地址不能超过 120 个字。"), "address")
    if not await places.community_exists(community_id):
        raise InvalidInput(_("所选社区不存在。"), "community")
    for _attempt in range(10):
        code = rules.new_code(rules.POINT_CODE_LENGTH)
        if not await ObservationPoint.exists().where(ObservationPoint.code == code):
            break
    row = ObservationPoint(community=community_id, name=name, address=address, code=code, active=True,
                           created_at=_now())
    await row.save()
    await audit.record("suggestion.point.created", actor=actor, object_type="observation_point",
                       object_id=row.id, name=name, code=code)
    return row.id


async def set_point_active(point_id: int, active: bool, *, actor: Any) -> None:
    await ObservationPoint.update({ObservationPoint.active: active}).where(ObservationPoint.id == point_id).run()
    await audit.record("suggestion.point." + ("enabled" if active else "disabled"), actor=actor,
                       object_type="observation_point", object_id=point_id)
