"""接诉即办's rules as pure functions over plain data: time limits, the 蓝黄红 colour of a case
and why, and who may do what in which state. No database, no web: tested directly
(tests/cases/test_rules.py).

Time limits (四级响应, seed 003), per district:
- 签收: a unit accepts within `accept_hours` of the dispatch (`urgent_accept_hours` for 紧急 and
  特急 cases), clock hours;
- 办理: 特急 within `critical_hours`, 紧急 within `urgent_hours`, clock hours from the dispatch;
  一般 by the end of the n-th working day after the day of the dispatch, n by track and kind
  (`workdays`), on the national calendar with the district's own days (projects.rules.Calendar).
Every dispatch starts the clock again: a unit answers for the time it held the case.

Colours, the worst wins and says why:
- blue: 一般 due within `blue_within` working days (today included); 特急/紧急 in the last quarter
  of its hours;
- yellow: the acceptance time passed unaccepted, or the case is overdue;
- red: overdue by more than `red_after` working days (特急/紧急: by more than its hours again).
Answered and closed cases are not supervised.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import Enum
from typing import Any

from yishi.cases.enums import CaseKind, CaseState, Urgency
from yishi.core.dates import CHINA, in_china, month_day
from yishi.core.i18n import _, ngettext
from yishi.projects.enums import Colour
from yishi.projects.rules import Calendar, Supervision
from yishi.suggestions.enums import Track


def _days(now: int, deadline: int, study: int) -> dict[str, int]:
    return {"now": now, "deadline": deadline, "study": study}


# Working days by track (rows) and kind: a question is answered sooner than a complaint is settled.
DEFAULT_WORKDAYS: dict[str, dict[str, int]] = {
    Track.now.value: {CaseKind.consult.value: 1, CaseKind.help.value: 2, CaseKind.complaint.value: 3,
                      CaseKind.suggestion.value: 3},
    Track.deadline.value: {CaseKind.consult.value: 5, CaseKind.help.value: 7, CaseKind.complaint.value: 10,
                           CaseKind.suggestion.value: 15},
    Track.study.value: {CaseKind.consult.value: 10, CaseKind.help.value: 15, CaseKind.complaint.value: 20,
                        CaseKind.suggestion.value: 30},
}


@dataclass(frozen=True)
class Limits:
    accept_hours: int = 24
    urgent_accept_hours: int = 1
    urgent_hours: int = 24
    critical_hours: int = 2
    workdays: dict[str, dict[str, int]] = field(
        default_factory=lambda: {t: dict(k) for t, k in DEFAULT_WORKDAYS.items()})
    blue_within: int = 1
    red_after: int = 3

    def days_for(self, track: Track, kind: CaseKind) -> int:
        return self.workdays.get(track.value, {}).get(kind.value) or DEFAULT_WORKDAYS[track.value][kind.value]

    def hours_for(self, urgency: Urgency) -> int | None:
        return {Urgency.urgent: self.urgent_hours, Urgency.critical: self.critical_hours}.get(urgency)


DEFAULTS = Limits()


def end_of_day(day: Any) -> datetime:
    """Midnight at the end of a China date: a case due on a day may be answered all that day."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA)


@dataclass(frozen=True)
class Clock:
    accept_by: datetime
    due_at: datetime


def clock(dispatched_at: datetime, *, urgency: Urgency, track: Track, kind: CaseKind, limits: Limits,
          calendar: Calendar) -> Clock:
    hours = limits.hours_for(urgency)
    if hours is not None:
        return Clock(dispatched_at + timedelta(hours=limits.urgent_accept_hours),
                     dispatched_at + timedelta(hours=hours))
    day = in_china(dispatched_at).date()
    due = end_of_day(calendar.add_workdays(day, limits.days_for(track, kind)))
    return Clock(dispatched_at + timedelta(hours=limits.accept_hours), due)


def limit_text(*, urgency: Urgency, track: Track, kind: CaseKind, limits: Limits) -> str:
    """What the dispatch form says the unit has: '2 小时内办结' or '3 个工作日内办结'."""
    hours = limits.hours_for(urgency)
    if hours is not None:
        return _("{u}：{a} 小时内签收，{n} 小时内办结").format(u=urgency.label, a=limits.urgent_accept_hours, n=hours)
    return _("{t}·{k}：{a} 小时内签收，{n} 个工作日内办结").format(
        t=track.label, k=kind.label, a=limits.accept_hours, n=limits.days_for(track, kind))


def due_text(due_at: datetime, urgency: Urgency) -> str:
    """How a due moment reads: the day for a case counted in working days (due by the end of
    it, '2026-12-01（当天内）'), the hour and minute for one counted in hours."""
    if urgency.in_hours:
        return in_china(due_at).strftime("%Y-%m-%d %H:%M")
    return _("{d}（当天内）").format(d=in_china(due_at - timedelta(microseconds=1)).date().isoformat())


def _hours(delta: timedelta) -> int:
    """Whole hours, rounded up: '还剩 1 小时' until the last minute."""
    seconds = delta.total_seconds()
    return max(int(-(-seconds // 3600)), 0)


def colour(*, state: CaseState, urgency: Urgency, now: datetime, accept_by: datetime | None,
           due_at: datetime | None, limits: Limits, calendar: Calendar, exact: bool = True) -> Supervision:
    """蓝黄红 for one case at `now`, with the reasons for the worst colour, most pressing first.
    `exact=False` when only the colour is wanted (the counts over every open case): the working
    days overdue are then counted no further than the red line, and the reason may understate them."""
    if state is CaseState.closed:
        return Supervision(Colour.none, (_("已办结"),))
    if state is CaseState.answered:
        return Supervision(Colour.none, (_("单位已答复，待办结"),))
    found: list[tuple[Colour, int, str]] = []
    if state is CaseState.dispatched and accept_by is not None and now > accept_by:
        late = _hours(now - accept_by)
        found.append((Colour.yellow, 200 + late, ngettext(
            "超过签收时限 {n} 小时未签收", "超过签收时限 {n} 小时未签收", late).format(n=late)))
    if due_at is not None:
        hours = limits.hours_for(urgency)
        if hours is not None:
            if now > due_at:
                overdue = now - due_at
                worst = Colour.red if overdue > timedelta(hours=hours) else Colour.yellow
                found.append((worst, 1000 + _hours(overdue), ngettext(
                    "{u}件已超时 {n} 小时", "{u}件已超时 {n} 小时", _hours(overdue)).format(
                    u=urgency.label, n=_hours(overdue))))
            elif due_at - now <= timedelta(hours=hours) / 4:
                found.append((Colour.blue, 100, ngettext(
                    "{u}件还剩 {n} 小时", "{u}件还剩 {n} 小时", _hours(due_at - now)).format(
                    u=urgency.label, n=_hours(due_at - now))))
        else:
            today = in_china(now).date()
            due_day = in_china(due_at - timedelta(microseconds=1)).date()
            if now >= due_at:
                late = calendar.workdays_after(due_day, today, limit=None if exact else limits.red_after)
                worst = Colour.red if late > limits.red_after else Colour.yellow
                text = (ngettext("已逾期 {n} 个工作日", "已逾期 {n} 个工作日", late).format(n=late) if late
                        else _("已于 {d} 到期，尚未答复").format(d=month_day(due_day)))
                found.append((worst, 1000 + late, text))
            else:
                left = calendar.workdays_after(today, due_day, limit=limits.blue_within)
                if due_day == today:
                    found.append((Colour.blue, 100, _("今天到期")))
                elif limits.blue_within and left <= limits.blue_within:
                    found.append((Colour.blue, 100 - left, ngettext(
                        "还有 {n} 个工作日到期", "还有 {n} 个工作日到期", left).format(n=left)))
    if not found:
        if state in (CaseState.returned, CaseState.escalated):
            return Supervision(Colour.green, (_("待重新派单") if state is CaseState.returned else _("待区级交办"),))
        return Supervision(Colour.green, (_("按期办理中") if state is CaseState.accepted else _("待签收"),))
    worst = max((c for c, _u, _t in found), key=lambda c: c.rank)
    reasons = tuple(t for _c, _u, t in sorted((f for f in found if f[0] is worst), key=lambda f: -f[1]))
    return Supervision(worst, reasons)


# --- who may act in which state ------------------------------------------------------------------

class Actor(Enum):
    """How the person at hand stands to the case (cases.permissions works it out)."""

    street = "street"  # staff of the case's street
    district = "district"  # the district reviewer of the case's district
    lead_unit = "lead_unit"  # clerk of the unit the case is dispatched to as 主办 (or its owner)
    assist_unit = "assist_unit"  # clerk of a 协办 unit
    admin = "admin"
    other = "other"


class Action(Enum):
    dispatch = "dispatch"  # 派单, or 重新派单 after a 退单
    accept = "accept"  # 签收
    send_back = "send_back"  # 退单
    reply = "reply"  # 答复 (the unit's result)
    escalate = "escalate"  # 提级 to the district
    close = "close"  # 办结


def allowed(action: Action, actor: Actor, state: CaseState | None, *, owned: bool = False,
            escalated: bool = False) -> bool:
    """Whether `actor` may do `action` on a case in `state` (None: the suggestion has no case yet).
    `owned`: a unit has accepted it (首接负责制: no 退单, no dispatch elsewhere, until closed);
    `escalated`: it went up to the district (from then on the district dispatches and closes)."""
    if action is Action.dispatch:
        if owned:
            return False
        if state is None or state is CaseState.returned:
            return actor in (Actor.street, Actor.admin) if not escalated else actor in (Actor.district, Actor.admin)
        if state is CaseState.escalated:
            return actor in (Actor.district, Actor.admin)
        return False
    if action is Action.accept:
        return state is CaseState.dispatched and actor is Actor.lead_unit
    if action is Action.send_back:
        return state is CaseState.dispatched and actor is Actor.lead_unit and not owned
    if action is Action.reply:
        return state is CaseState.accepted and actor is Actor.lead_unit
    if action is Action.escalate:
        return (not escalated and actor in (Actor.street, Actor.admin)
                and state in (None, CaseState.returned, CaseState.dispatched, CaseState.accepted))
    if action is Action.close:
        if state is not CaseState.answered:
            return False
        return actor in ((Actor.district, Actor.admin) if escalated else (Actor.street, Actor.admin))
    return False
