"""The round settings of the ticking (勾选设置): when it opens and closes, whether a code stands
for one resident or one household (户), and which communities take part.

Set while the round is a draft; opening the ticking freezes them (one guard, save(), refuses any
change after). The window and the communities are enforced where a code is spent
(casting._cast_sqlite / casting._CAST_PG). Opening stays a staff action (it freezes the list and
these settings): a set opening time only keeps ballots out until then.

The closing time ends the casting: online ballots are refused from that minute on, and no more
paper ballots are handed out or collected. What happens next depends on paper:

- A round that never used paper (no paper ballot printed or entered) is counted and its result
  published at once, by lifecycle.close_due_rounds: from a background task (lifecycle.start_closer,
  in app startup) and whenever staff open the round page.
- A round that used paper waits, still `voting` but past its closing time, shown as
  “勾选已截止，纸质选票录入中”: the paper ballots handed in by the closing time may still be
  entered (each twice) and held ones decided; staff then confirm that the entry is complete
  (lifecycle.confirm_count), and only then is the round counted and its result published, once.
  So a published result never changes, and no paper ballot returned in time is lost.

Staff ending the ticking by hand (lifecycle.close_voting) does the same, with "now" as the
closing time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, overload

from piccolo.query.functions.aggregate import Count

from yishi.ballots.tables import BallotCode, PaperBallot, RoundSetting
from yishi.core import audit
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.places import services as places
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

RESIDENT, HOUSEHOLD = "resident", "household"
VOTER_UNITS = (RESIDENT, HOUSEHOLD)
# Who closes a round when its closing time has passed: the audit trail's actor.
SYSTEM = SimpleNamespace(id=None, display_name="system")
CLOSER_INTERVAL = 30.0


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RoundSettings:
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    voter_unit: str = RESIDENT
    # Community ids taking part; empty means every community of the town.
    communities: frozenset[int] = field(default_factory=frozenset)
    # Where paper stands, read with the settings (the closing rule depends on it): when paper
    # ballots were first printed, how many were returned (entered at least once), how many
    # wait for their second entry, and how many for a supervisor.
    paper_printed_at: datetime | None = None
    paper_returned: int = 0
    paper_pending: int = 0
    paper_conflict: int = 0

    @property
    def casting_ended(self) -> bool:
        """The closing time has come: no online ballot, no new paper ballot handed out."""
        return self.closes_at is not None and self.closes_at <= now_utc()

    @property
    def uses_paper(self) -> bool:
        """Paper ballots were printed or entered: counting waits for staff to confirm the entry."""
        return self.paper_printed_at is not None or self.paper_returned > 0

    @property
    def awaiting_paper(self) -> bool:
        """Casting has ended and the round used paper: it waits for the paper entry to finish."""
        return self.casting_ended and self.uses_paper

    @property
    def paper_waiting(self) -> int:
        """Paper ballots entered once, or held for a supervisor: counting waits for them."""
        return self.paper_pending + self.paper_conflict

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


@overload
def aware(value: datetime) -> datetime: ...


@overload
def aware(value: None) -> None: ...


def aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


async def get(round_id: int) -> RoundSettings:
    row = await RoundSetting.select().where(RoundSetting.round == round_id).first()
    paper = {r["status"]: r["n"] for r in await PaperBallot.select(PaperBallot.status, Count(alias="n")).where(
        PaperBallot.round == round_id).group_by(PaperBallot.status)}
    counts = {"paper_returned": sum(paper.values()), "paper_pending": paper.get("pending", 0),
              "paper_conflict": paper.get("conflict", 0)}
    if row is None:
        return RoundSettings(**counts)
    return RoundSettings(aware(row["opens_at"]), aware(row["closes_at"]), row["voter_unit"] or RESIDENT,
                         parse_communities(row["communities"]), aware(row["paper_printed_at"]), **counts)


async def _upsert(round_id: int, values: dict) -> None:
    """Write some columns of the round's settings row, making the row if there is none yet."""
    where = RoundSetting.round == round_id
    if await RoundSetting.update(values).where(where).returning(RoundSetting.id):
        return
    try:
        await RoundSetting.insert(RoundSetting(round=round_id, **{c._meta.name: v for c, v in values.items()}))
    except Exception:  # another request made the row meanwhile (one row per round): update it
        if not await RoundSetting.update(values).where(where).returning(RoundSetting.id):
            raise


async def mark_paper_printed(round_id: int) -> None:
    """Remember that paper ballots went out (the first time): from now on the round waits, after
    its closing time, for staff to confirm the paper entry before it is counted."""
    if await RoundSetting.exists().where(RoundSetting.round == round_id):
        await RoundSetting.update({RoundSetting.paper_printed_at: now_utc()}).where(
            (RoundSetting.round == round_id) & RoundSetting.paper_printed_at.is_null())
    else:
        await _upsert(round_id, {RoundSetting.paper_printed_at: now_utc()})


async def end_casting(round_id: int, *, actor: Any, now: datetime | None = None) -> bool:
    """Staff end the ticking before its closing time: the closing time becomes now, which the
    cast path enforces (online ballots refused from this moment on). False if it had passed."""
    now = now or now_utc()
    async with RoundSetting._meta.db.transaction():
        # Holds the round row (a no-op update): a count racing this either finished first, and
        # the round is no longer being ticked, or waits; a counted round's times never change.
        if not await wishlists.set_status(round_id, RoundStatus.voting, RoundStatus.voting):
            raise Conflict(_("该批次当前不在勾选中，无法结束勾选。"))
        current = await get(round_id)
        if current.closes_at is not None and current.closes_at <= now:
            return False
        await _upsert(round_id, {RoundSetting.closes_at: now})
    await audit.record("ballot.round.casting_ended", actor=actor, object_type="round", object_id=round_id,
                       closes_at=now.isoformat(),
                       planned_closes_at=current.closes_at.isoformat() if current.closes_at else None,
                       paper_waiting=current.paper_waiting)
    return True


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
    town = {c["id"]: c["name"] for c in await places.communities_of(round_.town_id)}
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
        joined = ",".join(str(c) for c in chosen)
        if await RoundSetting.exists().where(RoundSetting.round == round_.id):
            await RoundSetting.update({RoundSetting.opens_at: opens_at, RoundSetting.closes_at: closes_at,
                                       RoundSetting.voter_unit: voter_unit, RoundSetting.communities: joined}
                                      ).where(RoundSetting.round == round_.id)
        else:
            await RoundSetting.insert(RoundSetting(round=round_.id, opens_at=opens_at, closes_at=closes_at,
                                                   voter_unit=voter_unit, communities=joined))
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
