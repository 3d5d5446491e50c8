"""蓝黄红 settings of a district, kept by the administrator: the thresholds, and the local
additions to the national working-day calendar (a flood day off, a local make-up workday)."""
from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from yishi.core import dates
from yishi.core.errors import DomainError, InvalidInput
from yishi.core.i18n import _
from yishi.projects import supervision
from yishi.projects.rules import DEFAULTS, Calendar, Thresholds
from yishi.web import guards
from yishi.web.forms import form_int, optional_date, refused, text
from yishi.web.staff.units import _district

PAGE = "projects/supervision.html"


async def settings_context(district_id: int, districts: list[dict], **extra: Any) -> dict[str, Any]:
    year = dates.today().year
    return {"district_id": district_id, "districts": districts,
            "thresholds": await supervision.thresholds_of(district_id), "defaults": DEFAULTS,
            "days": await supervision.calendar_days(district_id),
            # chinese-calendar knows a year once the State Council publishes its holidays.
            "uncovered": [y for y in (year, year + 1) if not Calendar.covers(y)],
            "error": None, "form": {}, "saved": None, **extra}


def _day(form: Any) -> date:
    day = optional_date(form, "day", _("日期"))
    if day is None:
        raise InvalidInput(_("请填写日期。"), "day")
    return day


class SupervisionController(Controller):
    path = "/supervision"

    @get("/", guards=[guards.ADMIN])
    async def page(self, request: Request, saved: str | None = None) -> Template:
        district_id, districts = await _district(request)
        return Template(PAGE, context=await settings_context(district_id, districts, saved=saved))

    @post("/thresholds", guards=[guards.ADMIN])
    async def save_thresholds(self, request: Request) -> Template | Redirect:
        form = await request.form()
        district_id, districts = await _district(request, form)
        try:
            t = Thresholds(
                blue_due_within=form_int(form.get("blue_due_within"), _("蓝色提醒的提前工作日数")),
                report_grace_days=form_int(form.get("report_grace_days"), _("周报告宽限工作日数")),
                red_overdue_days=form_int(form.get("red_overdue_days"), _("红色督办的逾期工作日数")),
                red_missing_reports=form_int(form.get("red_missing_reports"), _("红色督办的缺报期数")))
            await supervision.set_thresholds(district_id, t, actor=request.user)
        except DomainError as exc:
            return refused(PAGE, exc, await settings_context(district_id, districts), form)
        return Redirect(f"/supervision/?district={district_id}&saved=thresholds")

    @post("/calendar", guards=[guards.ADMIN])
    async def add_day(self, request: Request) -> Template | Redirect:
        form = await request.form()
        district_id, districts = await _district(request, form)
        try:
            day = _day(form)
            await supervision.add_calendar_day(district_id, day, workday=text(form, "workday") == "1",
                                               note=text(form, "note"), actor=request.user)
        except DomainError as exc:
            return refused(PAGE, exc, await settings_context(district_id, districts), form)
        return Redirect(f"/supervision/?district={district_id}#calendar")

    @post("/calendar/delete", guards=[guards.ADMIN])
    async def remove_day(self, request: Request) -> Template | Redirect:
        form = await request.form()
        district_id, districts = await _district(request, form)
        try:
            day = _day(form)
            await supervision.remove_calendar_day(district_id, day, actor=request.user)
        except DomainError as exc:
            return refused(PAGE, exc, await settings_context(district_id, districts), form)
        return Redirect(f"/supervision/?district={district_id}#calendar")
