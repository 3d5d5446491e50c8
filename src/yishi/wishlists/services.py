"""The wish list (民生微事服务期望清单) of a round: compiled while in draft, frozen after."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from yishi.core import audit
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _
from yishi.places import services as places
from yishi.wishlists.enums import ItemKind, RoundStatus
from yishi.wishlists.tables import Round, WishItem

MAX_ITEMS = 200


@dataclass(frozen=True)
class RoundView:
    id: int
    title: str
    town_id: int
    town_name: str
    district_id: int
    district_name: str
    budget_fen: int
    max_ticks: int
    status: RoundStatus
    opened_at: datetime | None
    closed_at: datetime | None
    adopted_at: datetime | None = None

    @property
    def list_editable(self) -> bool:
        """Items may change only in draft and before a council meeting adopted the list."""
        return self.status is RoundStatus.draft and self.adopted_at is None


async def get_round(round_id: int) -> RoundView:
    row = (
        await Round.select(
            *Round.all_columns(),
            Round.town.name.as_alias("town_name"),
            Round.town.district.as_alias("district_id"),
            Round.town._.district.name.as_alias("district_name"),
        )
        .where(Round.id == round_id)
        .first()
        .run()
    )
    if row is None:
        raise NotFound(_("找不到该批次。"))
    return RoundView(
        id=row["id"],
        title=row["title"],
        town_id=row["town"],
        town_name=row["town_name"],
        district_id=row["district_id"],
        district_name=row["district_name"],
        budget_fen=row["budget_fen"],
        max_ticks=row["max_ticks"],
        status=RoundStatus(row["status"]),
        opened_at=row["opened_at"],
        closed_at=row["closed_at"],
        adopted_at=row["adopted_at"],
    )


async def list_rounds(*, town_id: int | None = None, district_id: int | None = None) -> list[dict]:
    query = Round.select(
        Round.id, Round.title, Round.status, Round.budget_fen, Round.created_at,
        Round.town, Round.town.name.as_alias("town_name"),
    ).order_by(Round.id, ascending=False)
    if town_id is not None:
        query = query.where(Round.town == town_id)
    if district_id is not None:
        query = query.where(Round.town.district == district_id)
    return await query.run()


async def items_of(round_id: int) -> list[dict]:
    return (
        await WishItem.select()
        .where(WishItem.round == round_id)
        .order_by(WishItem.position)
        .order_by(WishItem.id)
        .run()
    )


def _check_title(title: str, what: str, limit: int) -> str:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("请填写{what}。").format(what=what))
    if len(title) > limit:
        raise DomainError(_("{what}不能超过 {n} 个字。").format(what=what, n=limit))
    return title


def _check_max_ticks(max_ticks: int) -> int:
    if max_ticks < 0 or max_ticks > MAX_ITEMS:
        raise DomainError(_("最多可勾选项数应在 0 到 {n} 之间（0 表示不限）。").format(n=MAX_ITEMS))
    return max_ticks


async def create_round(
    *, town_id: int, title: str, budget_fen: int, max_ticks: int, actor: Any
) -> int:
    title = _check_title(title, _("批次名称"), 80)
    _check_max_ticks(max_ticks)
    if not await places.town_exists(town_id):
        raise DomainError(_("所选镇（街道）不存在。"))
    row = Round(
        town=town_id,
        title=title,
        budget_fen=budget_fen,
        max_ticks=max_ticks,
        status=RoundStatus.draft,
        created_by=getattr(actor, "id", None),
        created_at=datetime.now(UTC),
    )
    await row.save()
    await audit.record("wishlist.round.created", actor=actor, object_type="round",
                       object_id=row.id, title=title)
    return row.id


def _frozen() -> Conflict:
    return Conflict(_("清单已发布供群众勾选，不能再修改。如需调整，请新建批次。"))


def _adopted() -> Conflict:
    return Conflict(_("清单已由议事组在民主恳谈会上定稿，不能再修改。如需调整，请新建批次。"))


def ensure_editable(round_: RoundView) -> None:
    """The freeze guard of the round's rules: once ticking opens, they stay as residents saw them."""
    if round_.status is not RoundStatus.draft:
        raise _frozen()


def ensure_list_editable(round_: RoundView) -> None:
    """The freeze guard of the list itself: frozen once the council adopted it (定稿), and of
    course once ticking opens."""
    ensure_editable(round_)
    if round_.adopted_at is not None:
        raise _adopted()


async def _hold_draft(round_id: int) -> None:
    """The freeze guard against the database, inside the edit's transaction: the view a request
    started with may be stale (another request may have opened or adopted the list since). The
    no-op update also locks the row on PostgreSQL, so opening or adopting waits for the edit."""
    changed = (
        await Round.update({Round.status: RoundStatus.draft})
        .where((Round.id == round_id) & (Round.status == RoundStatus.draft) & Round.adopted_at.is_null())
        .returning(Round.id)
        .run()
    )
    if not changed:
        current = await get_round(round_id)
        raise _frozen() if current.status is not RoundStatus.draft else _adopted()


async def adopt_list(round_: RoundView) -> datetime:
    """Freeze the list as the council adopted it; refused if it is empty or no longer a draft."""
    ensure_list_editable(round_)
    if not await WishItem.exists().where(WishItem.round == round_.id):
        raise DomainError(_("清单还是空的，不能定稿。请先添加项目。"))
    now = datetime.now(UTC)
    changed = (
        await Round.update({Round.adopted_at: now})
        .where((Round.id == round_.id) & (Round.status == RoundStatus.draft) & Round.adopted_at.is_null())
        .returning(Round.id)
        .run()
    )
    if not changed:
        raise _adopted()
    return now


async def update_round_rules(
    round_: RoundView, *, title: str, budget_fen: int, max_ticks: int, actor: Any
) -> None:
    """A draft round's name, budget and maximum ticks (a clerk who typed 30000 for 300000),
    until the list is published: residents tick under the rules they were shown."""
    ensure_editable(round_)
    title = _check_title(title, _("批次名称"), 80)
    _check_max_ticks(max_ticks)
    changed = (
        await Round.update({Round.title: title, Round.budget_fen: budget_fen, Round.max_ticks: max_ticks})
        .where((Round.id == round_.id) & (Round.status == RoundStatus.draft))
        .returning(Round.id)
        .run()
    )
    if not changed:
        raise _frozen()
    before = {"title": round_.title, "budget_fen": round_.budget_fen, "max_ticks": round_.max_ticks}
    after = {"title": title, "budget_fen": budget_fen, "max_ticks": max_ticks}
    diff = {k: v for k, v in after.items() if before[k] != v}
    await audit.record("wishlist.round.rules_changed", actor=actor, object_type="round", object_id=round_.id,
                       before={k: before[k] for k in diff}, after=diff)


def _item_fields(title: str, description: str, lead_unit: str) -> tuple[str, str, str]:
    title = _check_title(title, _("项目名称"), 80)
    description = (description or "").strip()
    if len(description) > 2000:
        raise DomainError(_("项目说明不能超过 2000 个字。"))
    lead_unit = (lead_unit or "").strip()
    if len(lead_unit) > 80:
        raise DomainError(_("牵头单位不能超过 80 个字。"))
    return title, description, lead_unit


async def add_item(
    round_: RoundView, *, title: str, description: str, cost_fen: int, kind: ItemKind, actor: Any,
    lead_unit: str = "",
) -> int:
    ensure_list_editable(round_)
    title, description, lead_unit = _item_fields(title, description, lead_unit)
    async with WishItem._meta.db.transaction():
        await _hold_draft(round_.id)
        count = await WishItem.count().where(WishItem.round == round_.id)
        if count >= MAX_ITEMS:
            raise DomainError(_("一份清单最多 {n} 项。").format(n=MAX_ITEMS))
        item = WishItem(
            round=round_.id,
            position=count + 1,
            title=title,
            description=description,
            cost_fen=cost_fen,
            kind=kind,
            lead_unit=lead_unit,
        )
        await item.save()
    await audit.record("wishlist.item.added", actor=actor, object_type="round",
                       object_id=round_.id, item_id=item.id, title=title)
    return item.id


async def update_item(
    round_: RoundView, item_id: int, *, title: str, description: str, cost_fen: int, kind: ItemKind, actor: Any,
    lead_unit: str = "",
) -> None:
    """Edit an item's wording, cost, type or lead unit while the list is still a draft."""
    ensure_list_editable(round_)
    title, description, lead_unit = _item_fields(title, description, lead_unit)
    async with WishItem._meta.db.transaction():
        await _hold_draft(round_.id)
        before = await WishItem.select().where(
            (WishItem.id == item_id) & (WishItem.round == round_.id)).first().run()
        if before is None:
            raise NotFound(_("清单中没有这一项。"))
        await WishItem.update({WishItem.title: title, WishItem.description: description, WishItem.cost_fen: cost_fen,
                               WishItem.kind: kind, WishItem.lead_unit: lead_unit}).where(WishItem.id == item_id)
    changed = {k: v for k, v in {"title": title, "description": description, "cost_fen": cost_fen,
                                 "kind": kind.value, "lead_unit": lead_unit}.items() if before[k] != v}
    await audit.record("wishlist.item.edited", actor=actor, object_type="round", object_id=round_.id,
                       item_id=item_id, before={k: before[k] for k in changed}, after=changed)


async def remove_item(round_: RoundView, item_id: int, *, actor: Any) -> None:
    ensure_list_editable(round_)
    async with WishItem._meta.db.transaction():
        await _hold_draft(round_.id)
        deleted = (
            await WishItem.delete()
            .where((WishItem.id == item_id) & (WishItem.round == round_.id))
            .returning(WishItem.id)
            .run()
        )
        if not deleted:
            raise NotFound(_("清单中没有这一项。"))
    await audit.record("wishlist.item.removed", actor=actor, object_type="round",
                       object_id=round_.id, item_id=item_id)


async def set_status(round_id: int, expected: RoundStatus, new: RoundStatus, **stamps: Any) -> bool:
    """Move a round from one status to the next; False if another request got there first."""
    values: dict[Any, Any] = {Round.status: new}
    for name, value in stamps.items():
        values[getattr(Round, name)] = value
    changed = (
        await Round.update(values)
        .where((Round.id == round_id) & (Round.status == expected))
        .returning(Round.id)
        .run()
    )
    return bool(changed)
