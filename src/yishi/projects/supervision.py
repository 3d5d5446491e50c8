"""蓝黄红 for stored projects: a district's calendar additions and thresholds (kept by the
administrator), and the colour of each project from its milestones and weekly reports."""
from __future__ import annotations

from datetime import date
from typing import Any

from piccolo.columns import Column

from yishi.core import audit, db
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.projects import reports
from yishi.projects.rules import DEFAULTS, Calendar, MilestoneView, Supervision, Thresholds, supervise
from yishi.projects.tables import CalendarDay, Milestone, SupervisionSettings


async def calendar_of(district_id: int) -> Calendar:
    rows = await CalendarDay.select(CalendarDay.day, CalendarDay.workday).where(
        CalendarDay.district == district_id).run()
    return Calendar({r["day"]: r["workday"] for r in rows})


async def calendar_days(district_id: int) -> list[dict]:
    return await CalendarDay.select().where(CalendarDay.district == district_id).order_by(CalendarDay.day).run()


async def add_calendar_day(district_id: int, day: date, *, workday: bool, note: str, actor: Any) -> None:
    """A local holiday (a flood day off) or a local workday the national calendar does not know."""
    note = (note or "").strip()
    if not note or len(note) > 80:
        raise DomainError(_("请写明原因（80 字以内），例如“防汛放假”。"))
    try:
        await CalendarDay.insert(CalendarDay(district=district_id, day=day, workday=workday, note=note,
                                             slot=f"{district_id}:{day.isoformat()}")).run()
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise Conflict(_("{d} 已经登记过了，请先删除再登记。").format(d=day.isoformat())) from exc
        raise
    await audit.record("project.calendar.added", actor=actor, object_type="district", object_id=district_id,
                       day=day.isoformat(), workday=workday, note=note)


async def remove_calendar_day(district_id: int, day: date, *, actor: Any) -> None:
    await CalendarDay.delete().where(CalendarDay.slot == f"{district_id}:{day.isoformat()}").run()
    await audit.record("project.calendar.removed", actor=actor, object_type="district", object_id=district_id,
                       day=day.isoformat())


async def thresholds_of(district_id: int) -> Thresholds:
    row = await SupervisionSettings.select().where(SupervisionSettings.district == district_id).first().run()
    if row is None:
        return DEFAULTS
    return Thresholds(row["blue_due_within"], row["report_grace_days"], row["red_overdue_days"],
                      row["red_missing_reports"])


async def set_thresholds(district_id: int, t: Thresholds, *, actor: Any) -> None:
    values = (t.blue_due_within, t.report_grace_days, t.red_overdue_days, t.red_missing_reports)
    if not all(0 <= v <= 60 for v in values) or t.red_missing_reports < 1:
        raise DomainError(_("督办阈值应为 0 到 60 之间的工作日数，缺报期数至少为 1。"))
    columns: dict[Column | str, Any] = {SupervisionSettings.blue_due_within: t.blue_due_within,
               SupervisionSettings.report_grace_days: t.report_grace_days,
               SupervisionSettings.red_overdue_days: t.red_overdue_days,
               SupervisionSettings.red_missing_reports: t.red_missing_reports}
    if await SupervisionSettings.exists().where(SupervisionSettings.district == district_id):
        await SupervisionSettings.update(columns).where(SupervisionSettings.district == district_id).run()
    else:
        await SupervisionSettings.insert(SupervisionSettings(
            district=district_id, blue_due_within=t.blue_due_within, report_grace_days=t.report_grace_days,
            red_overdue_days=t.red_overdue_days, red_missing_reports=t.red_missing_reports)).run()
    await audit.record("project.thresholds.set", actor=actor, object_type="district", object_id=district_id,
                       blue=t.blue_due_within, grace=t.report_grace_days, red=t.red_overdue_days,
                       missing=t.red_missing_reports)


async def colours(projects: list[dict], today: date) -> dict[int, Supervision]:
    """The colour of each project (rows as services.get_project gives them), in few queries."""
    ids = [p["id"] for p in projects]
    if not ids:
        return {}
    by_project: dict[int, list[MilestoneView]] = {pid: [] for pid in ids}
    for m in await Milestone.select(Milestone.project, Milestone.task, Milestone.due, Milestone.done_on).where(
            Milestone.project.is_in(ids)).order_by(Milestone.position).run():
        by_project[m["project"]].append(MilestoneView(m["task"], m["due"], m["done_on"]))
    weeks = await reports.reported_weeks(ids)
    calendars: dict[int, Calendar] = {}
    limits: dict[int, Thresholds] = {}
    out = {}
    for p in projects:
        district = p["district_id"]
        if district not in calendars:
            calendars[district] = await calendar_of(district)
            limits[district] = await thresholds_of(district)
        out[p["id"]] = supervise(state=p["state"], today=today, started_on=p["started_on"],
                                 planned_end=p["planned_end"], milestones=by_project[p["id"]],
                                 reported_weeks=weeks[p["id"]], calendar=calendars[district],
                                 thresholds=limits[district])
    return out
