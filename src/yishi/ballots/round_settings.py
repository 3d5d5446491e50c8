"""The round settings of the ticking (勾选设置): when it opens and closes, whether a code stands
for one resident or one household (户), and which communities take part.

Set while the round is a draft; opening the ticking freezes them (one guard, save(), refuses any
change after). The window and the communities are enforced where a code is spent
(services._cast_sqlite / services._CAST_PG); a round past its closing time is closed by
close_due_rounds, from a background task (start_closer, in app startup) and whenever staff open
the round page. Opening stays a staff action (it freezes the list and these settings): a set
opening time only keeps ballots out until then.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

from yishi.ballots.tables import BallotCode, RoundSetting
from yishi.core import audit
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.places.tables import Community
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

log = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8))
RESIDENT, HOUSEHOLD = "resident", "household"
VOTER_UNITS = (RESIDENT, HOUSEHOLD)
# Who closes a round when its closing time has passed: the audit trail's actor.
SYSTEM = SimpleNamespace(id=None, display_name="system")
CLOSER_INTERVAL = 30.0


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class RoundSettings:
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    voter_unit: str = RESIDENT
    # Community ids taking part; empty means every community of the town.
    communities: frozenset[int] = field(default_factory=frozenset)

    @property
    def per_household(self) -> bool:
        return self.voter_unit == HOUSEHOLD

    @property
    def unit_label(self) -> str:
        return _("每户一票") if self.per_household else _("每人一票")

    def takes_part(self, community_id: int) -> bool:
        return not self.communities or community_id in self.communities


def parse_communities(text: str | None) -> frozenset[int]:
    return frozenset(int(p) for p in (text or "").split(",") if p.strip().isdigit())


def takes_part(communities_text: str | None, community_id: int) -> bool:
    """For the cast path's raw rows: the stored text, empty (or no settings row) meaning all."""
    ids = parse_communities(communities_text)
    return not ids or community_id in ids


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


async def get(round_id: int) -> RoundSettings:
    row = await RoundSetting.select().where(RoundSetting.round == round_id).first()
    if row is None:
        return RoundSettings()
    return RoundSettings(aware(row["opens_at"]), aware(row["closes_at"]), row["voter_unit"] or RESIDENT,
                         parse_communities(row["communities"]))


def parse_local(text: Any, label: str) -> datetime | None:
    """A `datetime-local` field (China time, 'YYYY-MM-DDTHH:MM') -> an aware UTC datetime; blank is None."""
    raw = str(text or "").strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=CHINA).astimezone(timezone.utc)
        except ValueError:
            continue
    raise DomainError(_("{label}的格式不对，请按“年-月-日 时:分”填写。").format(label=label))


def _frozen() -> Conflict:
    return Conflict(_("群众勾选已开放，勾选设置已冻结，不能再修改。"))


async def save(round_: wishlists.RoundView, *, opens_at: datetime | None, closes_at: datetime | None,
               voter_unit: str, communities: list[int], actor: Any, now: datetime | None = None) -> None:
    """Set the round's ticking settings; only while the round is a draft (the freeze guard)."""
    if round_.status is not RoundStatus.draft:
        raise _frozen()
    now = now or now_utc()
    if voter_unit not in VOTER_UNITS:
        raise DomainError(_("请选择投票单位：每人一票或每户一票。"))
    if opens_at and closes_at and closes_at <= opens_at:
        raise DomainError(_("截止时间必须晚于开始时间。"))
    if closes_at and closes_at <= now:
        raise DomainError(_("截止时间已经过去，请填写以后的时间。"))
    town = {c["id"]: c["name"] for c in await Community.select(Community.id, Community.name)
            .where(Community.town == round_.town_id)}
    chosen = sorted(set(communities))
    if not chosen:
        raise DomainError(_("请至少选择一个参加勾选的社区。"))
    if not set(chosen) <= set(town):
        raise DomainError(_("所选社区不属于本镇（街道）。"))
    async with RoundSetting._meta.db.transaction():
        # The guard against the database: the no-op update holds the round row (PostgreSQL), so
        # opening waits for this to commit, or this sees the round opened and changes nothing.
        if not await wishlists.set_status(round_.id, RoundStatus.draft, RoundStatus.draft):
            raise _frozen()
        issued = {r["community"] for r in await BallotCode.select(BallotCode.community).distinct()
                  .where(BallotCode.round == round_.id)}
        dropped = sorted(issued - set(chosen))
        if dropped:
            raise DomainError(_("{names}已经生成了选票码，不能取消其参加勾选。").format(
                names="、".join(town.get(c, str(c)) for c in dropped)))
        values = {RoundSetting.opens_at: opens_at, RoundSetting.closes_at: closes_at,
                  RoundSetting.voter_unit: voter_unit,
                  RoundSetting.communities: ",".join(str(c) for c in chosen)}
        if await RoundSetting.exists().where(RoundSetting.round == round_.id):
            await RoundSetting.update(values).where(RoundSetting.round == round_.id)
        else:
            await RoundSetting.insert(RoundSetting(round=round_.id, **{c._meta.name: v for c, v in values.items()}))
    await audit.record("ballot.round.settings_changed", actor=actor, object_type="round", object_id=round_.id,
                       opens_at=opens_at.isoformat() if opens_at else None,
                       closes_at=closes_at.isoformat() if closes_at else None,
                       voter_unit=voter_unit, communities=chosen)


# --- closing by itself ------------------------------------------------------------------------

async def due_rounds(now: datetime | None = None) -> list[int]:
    now = now or now_utc()
    rows = await RoundSetting.select(RoundSetting.round).where(
        (RoundSetting.round.status == RoundStatus.voting) & RoundSetting.closes_at.is_not_null()
        & (RoundSetting.closes_at <= now))
    return sorted(r["round"] for r in rows)


async def close_if_due(round_id: int, now: datetime | None = None) -> bool:
    """Close one round whose closing time has passed (through close_voting, as "system").
    False when it is not due, or another request closed it first, or it cannot close yet
    (paper ballots held: tried again on the next tick)."""
    from yishi.ballots import services

    now = now or now_utc()
    settings = await get(round_id)
    if settings.closes_at is None or settings.closes_at > now:
        return False
    round_ = await wishlists.get_round(round_id)
    if round_.status is not RoundStatus.voting:
        return False
    try:
        await services.close_voting(round_, actor=SYSTEM)
    except DomainError as exc:
        log.warning("round %s is past its closing time but was not closed: %s", round_id, exc.message)
        return False
    return True


async def close_due_rounds(now: datetime | None = None) -> list[int]:
    closed = []
    for round_id in await due_rounds(now):
        if await close_if_due(round_id, now):
            closed.append(round_id)
    return closed


async def _closer_loop(interval: float) -> None:
    # Waits before the first tick: start-up has enough to do, and a round page opened meanwhile
    # closes a due round by itself (close_if_due).
    while True:
        await asyncio.sleep(interval)
        try:
            await close_due_rounds()
        except asyncio.CancelledError:
            raise
        except Exception:  # a bad tick must not stop the next one
            log.exception("closing due rounds failed")


def start_closer(interval: float = CLOSER_INTERVAL) -> asyncio.Task:
    return asyncio.get_running_loop().create_task(_closer_loop(interval), name="yishi-round-closer")


async def stop_closer(task: asyncio.Task | None) -> None:
    if task is None:
        return
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, Exception):
        pass

