"""蓝黄红 supervision colours (seed 002), as pure functions over plain data.

Working days come from `chinese-calendar` (the State Council's holidays and 调休 make-up
workdays), with a district's local additions on top. The package covers the years whose
schedule has been published (2004–2026 in 1.11.0; the next year's arrives each November): for a
year it does not know, Monday to Friday are working days until the package is updated, and the
local table can say otherwise meanwhile (`Calendar.covers` tells a page to warn).

The rules, for a project 实施中 (the other states are not supervised):
- blue: a milestone due within `blue_due_within` working days (today included), or a weekly
  report late by no more than `report_grace_days` working days;
- yellow: a milestone overdue, or one weekly report missing (later than the grace);
- red: a milestone overdue by more than `red_overdue_days` working days, or
  `red_missing_reports` reports missing, or the planned end date passed.
The worst colour wins; its reasons are given in Chinese, the most pressing first.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

from yishi.core.dates import month_day
from yishi.core.i18n import _, ngettext
from yishi.projects.enums import Colour, ProjectState


@dataclass(frozen=True)
class Thresholds:
    blue_due_within: int = 3
    report_grace_days: int = 1
    red_overdue_days: int = 5
    red_missing_reports: int = 2


DEFAULTS = Thresholds()


@dataclass
class Calendar:
    """The national calendar with a district's additions: {day: True for a workday, False for a
    holiday}. Local entries win over the national ones."""

    local: dict[date, bool] = field(default_factory=dict)

    @staticmethod
    def covers(year: int) -> bool:
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        if day in self.local:
            return self.local[day]
        return _national_workday(day)

    def workdays_after(self, start: date, end: date, limit: int | None = None) -> int:
        """Working days d with start < d <= end (0 when end <= start); counting stops once it
        passes `limit`, as "more than the threshold" is all a colour needs to know."""
        count = 0
        for i in range(1, (end - start).days + 1):
            count += self.is_workday(start + timedelta(days=i))
            if limit is not None and count > limit:
                break
        return count

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start itself not counted): a due date in working days."""
        day, left = start, n
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day


@lru_cache(maxsize=8192)
def _national_workday(day: date) -> bool:
    # Cached: chinese_calendar checks the year range against all its holidays on every call,
    # which made the district's monthly review (420 projects, bench/bench_review.py) take 10 s.
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def monday_of(day: date) -> date:
    """The ISO week (周一 to 周日) a day falls in, by its Monday."""
    return day - timedelta(days=day.weekday())


def owed_weeks(started_on: date | None, today: date) -> list[date]:
    """The Mondays of the weeks a report is owed for: every week that begins on or after the day
    the project started and has ended (its Sunday before today)."""
    if started_on is None:
        return []
    first = monday_of(started_on)
    if first < started_on:
        first += timedelta(days=7)
    weeks = []
    while first + timedelta(days=6) < today:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


def week_label(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    return _("{a}—{b}").format(a=month_day(monday), b=month_day(sunday))


@dataclass(frozen=True)
class MilestoneView:
    task: str
    due: date
    done_on: date | None = None


@dataclass(frozen=True)
class Supervision:
    colour: Colour
    reasons: tuple[str, ...]
    missing_reports: tuple[date, ...] = ()

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)


def _milestone_findings(milestones: Iterable[MilestoneView], today: date, cal: Calendar,
                        t: Thresholds) -> list[tuple[Colour, int, str]]:
    """(colour, urgency for ordering, reason) per milestone that calls for one."""
    found = []
    for m in milestones:
        if m.done_on is not None:
            continue
        if m.due < today:
            late = cal.workdays_after(m.due, today)
            colour = Colour.red if late > t.red_overdue_days else Colour.yellow
            if late:
                text = ngettext("节点“{task}”已逾期 {n} 个工作日", "节点“{task}”已逾期 {n} 个工作日",
                                late).format(task=m.task, n=late)
            else:  # due on a Friday, looked at on the weekend
                text = _("节点“{task}”已于 {d} 到期，尚未完成").format(task=m.task, d=month_day(m.due))
            found.append((colour, 1000 + late, text))
            continue
        left = cal.workdays_after(today, m.due, limit=t.blue_due_within)
        if left <= t.blue_due_within:
            if m.due == today:
                text = _("节点“{task}”今天到期").format(task=m.task)
            elif left == 0:  # due on a holiday, with no working day left before it
                text = _("节点“{task}”于 {d} 到期，此前已无工作日").format(
                    task=m.task, d=month_day(m.due))
            else:
                text = ngettext("节点“{task}”还有 {n} 个工作日到期", "节点“{task}”还有 {n} 个工作日到期",
                                left).format(task=m.task, n=left)
            found.append((Colour.blue, 100 - left, text))
    return found


def supervise(*, state: ProjectState, today: date, started_on: date | None, planned_end: date | None,
              milestones: Iterable[MilestoneView], reported_weeks: Iterable[date], calendar: Calendar,
              thresholds: Thresholds = DEFAULTS) -> Supervision:
    if state is not ProjectState.underway:
        return Supervision(Colour.none, (_("{state}，不督办").format(state=state.label),))
    t = thresholds
    found = _milestone_findings(milestones, today, calendar, t)
    if planned_end is not None and today > planned_end:
        found.append((Colour.red, 10_000, _("计划完工日期 {d} 已过").format(d=planned_end.isoformat())))
    reported = set(reported_weeks)
    missing: list[date] = []
    for monday in owed_weeks(started_on, today):
        if monday in reported:
            continue
        late = calendar.workdays_after(monday + timedelta(days=6), today)
        if late == 0:
            continue  # the days since that Sunday were all holidays: not late yet
        if late <= t.report_grace_days:
            found.append((Colour.blue, 50, ngettext(
                "{w} 的周报已迟交 {n} 个工作日",
                "{w} 的周报已迟交 {n} 个工作日", late).format(w=week_label(monday), n=late)))
        else:
            missing.append(monday)
    if missing:
        colour = Colour.red if len(missing) >= t.red_missing_reports else Colour.yellow
        weeks = "、".join(week_label(m) for m in missing[-3:])
        found.append((colour, 500 + len(missing),
                      ngettext(
                          "缺 {n} 期周报（{weeks}）",
                          "缺 {n} 期周报（{weeks}）", len(missing)).format(
                          n=len(missing), weeks=weeks if len(missing) <= 3 else _("最近：") + weeks)))
    if not found:
        return Supervision(Colour.green, (_("按计划推进"),))
    worst = max((c for c, _u, _t in found), key=lambda c: c.rank)
    reasons = tuple(text for _c, _u, text in sorted((f for f in found if f[0] is worst), key=lambda f: -f[1]))
    return Supervision(worst, reasons, tuple(missing))


def leverage(social_fen: int, public_fen: int) -> float | None:
    """撬动比: social money per yuan of public money; None without public money."""
    return round(social_fen / public_fen, 2) if public_fen else None
