"""民情热度表: the street's heat table (cases by category × community × week, and by 点位), its
early warnings, the month's ten most frequent topics and places; the district's view across its
streets with the warning rule it sets; 周汇总, 月分析 and 专题报告 as Excel and PDF."""
from __future__ import annotations

from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from yishi.accounts import permissions as aperm
from yishi.accounts.enums import Role
from yishi.core import dates
from yishi.core.errors import DomainError, Forbidden, NotFound
from yishi.core.i18n import _
from yishi.evaluation.rules import month_bounds, previous_month
from yishi.places import services as places
from yishi.pulse import counts, exports, reports, rules, settings
from yishi.pulse import permissions as pperm
from yishi.pulse.counts import Area
from yishi.suggestions import catalog
from yishi.web import deps, guards
from yishi.web.forms import form_int, query_month, refused, text
from yishi.web.responses import file_response

BASE = "/suggestions/pulse"


def _weeks(request: Request) -> int:
    raw = request.query_params.get("weeks", "")
    if not raw:
        return 12
    if raw not in {str(n) for n in counts.WEEK_CHOICES}:
        raise DomainError(_("周数只能是 8、12 或 26。"))
    return int(raw)


def _end(request: Request, today: date) -> date:
    raw = request.query_params.get("end", "")
    day = dates.parse_date(raw, _("截至日期")) if raw else today
    if day is None or day > today:
        raise DomainError(_("截至日期不能晚于今天。"))
    return day


async def _community(request: Request, area: Area) -> int | None:
    raw = request.query_params.get("community", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or await places.town_of_community(int(raw)) not in area.town_ids:
        raise NotFound(_("本镇（街道）没有这个社区（村）。"))
    return int(raw)


def _base(area: Area) -> str:
    return f"{BASE}/{area.kind}/{area.id}"


async def page_context(request: Request, area: Area) -> dict[str, Any]:
    today = dates.today()
    weeks, end = _weeks(request), _end(request, today)
    month = query_month(request, today.strftime("%Y-%m"))
    community = await _community(request, area) if area.is_town else None
    rule = await settings.of_district(area.district_id)
    alerts = await counts.alerts(area, today, rule)
    heat = await counts.heat(area, end, weeks, community=community,
                             warned={(a.community_id, a.category_id) for a in alerts})
    communities = await places.communities_in(area.town_ids) if area.is_town else []
    return {
        "area": area, "base": _base(area), "alerts": alerts, "rule": rule, "heat": heat, "weeks": weeks,
        "week_choices": counts.WEEK_CHOICES, "end": end, "today": today, "community": community,
        "communities": communities, "tops": await counts.tops(area, month), "month": month,
        "month_label": dates.month_label(month),
        "this_week": rules.week_of(today), "last_week": rules.week_of(today) - timedelta(days=7),
        "this_month": today.strftime("%Y-%m"), "previous_month": previous_month(today.strftime("%Y-%m")),
        "categories": await catalog.categories(active_only=False),
        "towns": [] if area.is_town else await places.towns(area.town_ids),
        "can_set_rule": pperm.can_set_rule(request.user, area.district_id),
        "rule_form": settings.as_form(rule), "error": None, "form": {}, "timedelta": timedelta,
    }


async def _topic(request: Request, area: Area) -> reports.Topic:
    category = request.query_params.get("category", "")
    if not (category.isascii() and category.isdigit()):
        raise DomainError(_("请选择专题的类别。"))
    month = query_month(request, dates.today().strftime("%Y-%m"))
    return await reports.topic(area, int(category), *month_bounds(month))


class PulseController(Controller):
    path = BASE
    dependencies = MappingProxyType({**deps.TOWN, **deps.DISTRICT})

    @get("/", guards=[guards.SIGNED_IN])
    async def start(self, request: Request) -> Redirect:
        """The signed-in user's own table: her street's, or her district's."""
        user = request.user
        role = aperm.role_of(user)
        if role in aperm.TOWN_STAFF and user.town is not None:
            return Redirect(f"{BASE}/town/{aperm.id_of(user.town)}")
        if role in (Role.district_reviewer, Role.admin) and user.district is not None:
            return Redirect(f"{BASE}/district/{aperm.id_of(user.district)}")
        if role is Role.admin:
            first = await places.districts()
            if first:
                return Redirect(f"{BASE}/district/{first[0]['id']}")
        raise Forbidden(_("只有镇（街道）工作人员和区级审核人员可以查看民情热度表。"))

    @get("/town/{town_id:int}", guards=[guards.PULSE_STREET])
    async def town_page(self, request: Request, town: dict) -> Template:
        area = await counts.town_area(town["id"])
        return Template("pulse/heat.html", context=await page_context(request, area))

    @get("/district/{district_id:int}", guards=[guards.PULSE_DISTRICT])
    async def district_page(self, request: Request, district: dict) -> Template:
        area = await counts.district_area(district["id"])
        return Template("pulse/heat.html", context=await page_context(request, area))

    @post("/district/{district_id:int}/rule", guards=[guards.PULSE_RULE])
    async def set_rule(self, request: Request, district: dict) -> Template | Redirect:
        form = await request.form()
        area = await counts.district_area(district["id"])
        try:
            try:
                factor = float(text(form, "factor"))
            except ValueError:
                raise DomainError(_("预警倍数应为数字，例如 3 或 2.5。")) from None
            if factor != factor:  # NaN
                raise DomainError(_("预警倍数应为数字，例如 3 或 2.5。"))
            await settings.set_district(district["id"], factor, form_int(text(form, "min_count"), _("最少件数")),
                                        form_int(text(form, "weeks"), _("比较的周数")), actor=request.user)
        except DomainError as exc:
            context = await page_context(request, area)
            return refused("pulse/heat.html", exc, {**context, "rule_form": {k: text(form, k) for k in
                                                                             ("factor", "min_count", "weeks")}})
        return Redirect(f"{BASE}/district/{district['id']}?saved=1#rule")

    # --- 周汇总 and 月分析 ---------------------------------------------------------------------

    async def _report(self, request: Request, area: Area, kind: str, fmt: str) -> Response:
        if kind == "week":
            r = await reports.weekly(area, reports.parse_week(request.query_params.get("week", ""), dates.today()))
        else:
            r = await reports.monthly(area, query_month(request, dates.today().strftime("%Y-%m")))
        made = await (exports.report_pdf(r) if fmt == "pdf" else exports.report_xlsx(r))
        return file_response(*made, inline=fmt == "pdf")

    @get("/town/{town_id:int}/files/{name:str}", guards=[guards.PULSE_STREET])
    async def town_report(self, request: Request, town: dict, name: str) -> Response:
        return await self._file(request, await counts.town_area(town["id"]), name)

    @get("/district/{district_id:int}/files/{name:str}", guards=[guards.PULSE_DISTRICT])
    async def district_report(self, request: Request, district: dict, name: str) -> Response:
        return await self._file(request, await counts.district_area(district["id"]), name)

    async def _file(self, request: Request, area: Area, name: str) -> Response:
        """weekly.pdf|xlsx (?week=), monthly.pdf|xlsx (?month=), topic.pdf|xlsx (?category=&month=)."""
        kind, _dot, fmt = name.partition(".")
        if fmt not in ("pdf", "xlsx") or kind not in ("weekly", "monthly", "topic"):
            raise NotFound(_("找不到这个页面，请检查网址是否正确。"))
        if kind == "topic":
            t = await _topic(request, area)
            return file_response(*await (exports.topic_pdf(t) if fmt == "pdf" else exports.topic_xlsx(t)),
                                 inline=fmt == "pdf")
        return await self._report(request, area, "week" if kind == "weekly" else "month", fmt)

    # --- 专题报告 -------------------------------------------------------------------------------

    @get("/town/{town_id:int}/topic", guards=[guards.PULSE_STREET])
    async def town_topic(self, request: Request, town: dict) -> Template:
        return await self._topic_page(request, await counts.town_area(town["id"]))

    @get("/district/{district_id:int}/topic", guards=[guards.PULSE_DISTRICT])
    async def district_topic(self, request: Request, district: dict) -> Template:
        return await self._topic_page(request, await counts.district_area(district["id"]))

    async def _topic_page(self, request: Request, area: Area) -> Template:
        t = await _topic(request, area)
        return Template("pulse/topic.html", context={"t": t, "area": area, "base": _base(area), "pct": exports.pct,
                                                     "month": t.first.strftime("%Y-%m")})
