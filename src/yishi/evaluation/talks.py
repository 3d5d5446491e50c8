"""约谈: the district's talk with the head of a unit its monthly ranking flagged (末位, or 接诉量
前列), with what was agreed; the month after, the district records how it was followed up, beside
the unit's rates after the talk (seed 003: 前有约谈、中有调度、后有跟进). Each step is audited
on the unit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from yishi.accounts.tables import Unit
from yishi.core import audit
from yishi.core.dates import today
from yishi.core.errors import Conflict, InvalidInput, NotFound
from yishi.core.i18n import _
from yishi.evaluation import case_ranking, case_rules
from yishi.evaluation.rules import change_points, month_bounds
from yishi.evaluation.tables import UnitTalk

TEXT_MAX = 2000
NAME_MAX = 60


@dataclass(frozen=True)
class TalkInput:
    unit_id: int | None
    held_on: date | None
    head: str
    talked_by: str
    agreed: str


def _text(value: str, field: str, required: str, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(required, field)
    if len(value) > limit:
        raise InvalidInput(_("不能超过 {n} 个字。").format(n=limit), field)
    return value


def reason_of(row: case_ranking.Row) -> str:
    return "both" if row.ranked.bottom and row.ranked.top_volume else ("bottom" if row.ranked.bottom else "volume")


def reason_label(reason: str) -> str:
    return {"both": _("末位、接诉量前列"), "bottom": _("末位"), "volume": _("接诉量前列")}.get(reason, reason)


async def record(district_id: int, month: str, data: TalkInput, *, actor: Any, now: datetime | None = None) -> int:
    """Record a talk with a unit flagged in the month's ranking. Returns the talk's id."""
    if data.unit_id is None:
        raise InvalidInput(_("请选择被约谈的单位。"), "unit")
    unit = await Unit.select(Unit.id, Unit.name).where(
        (Unit.id == data.unit_id) & (Unit.district == district_id)).first().run()
    if unit is None:
        raise InvalidInput(_("所选单位不在本区单位名录中。"), "unit")
    if data.held_on is None:
        raise InvalidInput(_("请填写约谈日期。"), "held_on")
    now = now or datetime.now(UTC)
    if data.held_on > today(now) or data.held_on < month_bounds(month)[0]:
        raise InvalidInput(_("约谈日期应在排名月份开始之后，且不晚于今天。"), "held_on")
    head = _text(data.head, "head", _("请填写被约谈的单位负责人。"), NAME_MAX)
    talked_by = _text(data.talked_by, "talked_by", _("请填写约谈人。"), NAME_MAX)
    agreed = _text(data.agreed, "agreed", _("请写明约谈中约定的整改事项。"))
    row = (await case_ranking.ranking(district_id, month, now)).unit(data.unit_id)
    if row is None or not row.ranked.flagged:
        raise Conflict(_("“{unit}”在 {month} 的排名中没有被标为末位或接诉量前列，不在约谈之列。").format(
            unit=unit["name"], month=month))
    slot = f"{district_id}:{data.unit_id}:{month}"
    if await UnitTalk.exists().where(UnitTalk.slot == slot):
        raise Conflict(_("“{unit}”{month} 的约谈已经记录过了。").format(unit=unit["name"], month=month))
    reason = reason_of(row)
    rows = await UnitTalk.insert(UnitTalk(
        district=district_id, unit=data.unit_id, unit_name=unit["name"], month=month, reason=reason,
        held_on=data.held_on, head=head, talked_by=talked_by, agreed=agreed, recorded_by=getattr(actor, "id", None),
        recorded_at=now, slot=slot)).returning(UnitTalk.id).run()
    await audit.record("evaluation.talk.recorded", actor=actor, object_type="unit", object_id=data.unit_id,
                       talk=rows[0]["id"], month=month, reason=reason, held_on=data.held_on.isoformat(), head=head,
                       talked_by=talked_by, agreed=agreed, score=row.ranked.score, rank=row.ranked.rank)
    return rows[0]["id"]


async def follow_up(district_id: int, talk_id: int, note: str, *, actor: Any, now: datetime | None = None) -> None:
    """跟进: what came of the talk, recorded from the month after it on (written again replaces it,
    and both stay in the audit trail)."""
    talk = await UnitTalk.select().where((UnitTalk.id == talk_id) & (UnitTalk.district == district_id)).first().run()
    if talk is None:
        raise NotFound(_("找不到这次约谈。"))
    note = _text(note, "follow_up", _("请填写跟进情况。"))
    now = now or datetime.now(UTC)
    if today(now) < month_bounds(case_rules.next_month(talk["month"]))[0]:
        raise Conflict(_("跟进情况要在排名月份之后（下个月起）记录，才能看到约谈后的变化。"))
    await UnitTalk.update({UnitTalk.follow_up: note, UnitTalk.followed_by: getattr(actor, "id", None),
                           UnitTalk.followed_at: now}).where(UnitTalk.id == talk_id).run()
    await audit.record("evaluation.talk.followed_up", actor=actor, object_type="unit", object_id=talk["unit"],
                       talk=talk_id, month=talk["month"], note=note)


async def talks_of(district_id: int, *, month: str | None = None, limit: int = 100) -> list[dict]:
    """The district's talks, newest ranking month first (or one month's), with who recorded them."""
    q = UnitTalk.select(*UnitTalk.all_columns(), UnitTalk.recorded_by.display_name.as_alias("recorded_by_name"),
                        UnitTalk.followed_by.display_name.as_alias("followed_by_name")).where(
        UnitTalk.district == district_id)
    if month is not None:
        q = q.where(UnitTalk.month == month)
    return await q.order_by(UnitTalk.month, ascending=False).order_by(UnitTalk.id, ascending=False).limit(limit).run()


@dataclass(frozen=True)
class FollowUp:
    """A talk of the month before the page's, with the unit's score then and in the page's month."""

    talk: dict
    score_then: float | None
    score_now: float | None

    @property
    def change(self) -> float | None:
        return change_points(self.score_now, self.score_then)


def follow_ups(talks: list[dict], ranking: case_ranking.Ranking) -> list[FollowUp]:
    """The talks recorded on last month's ranking, read against this month's `ranking`: each unit's
    row carries both months' figures (`before` is the talk's month)."""
    out = []
    for t in talks:
        row = ranking.unit(t["unit"])
        then = case_ranking.unit_score(row.before, row.meeting_before) if row else None
        out.append(FollowUp(t, then, row.ranked.score if row else None))
    return out
