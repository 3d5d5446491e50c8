"""办件三率: the month's rates of 接诉即办 cases per street, unit, community and collector team,
for the district reviewer (all its streets) and a street's staff (its own), with 环比 and an
Excel export of the same tables. The figures are evaluation.case_rates'; the definitions are
printed beside them (evaluation.case_rules.definitions)."""
from __future__ import annotations

from collections.abc import Hashable
from types import MappingProxyType
from typing import Any

import pygal
from litestar import Controller, Request, Response, get
from litestar.response import Template

from yishi.core import dates, xlsx
from yishi.core.i18n import _
from yishi.evaluation import case_rates, case_rules, exports, rules
from yishi.evaluation.case_rules import CaseFigures
from yishi.evaluation.rules import change_points
from yishi.evaluation.services import month_of
from yishi.web import deps, guards
from yishi.web.district.dashboard import Table, _chart, _pct
from yishi.web.forms import query_month
from yishi.web.responses import file_response

BASE = "/case-rates"


class Name(str):
    """A name from the directory (a street, unit or community): user data, shown translate="no"."""

    user = True


def header(first: str, *extra: str) -> list[str]:
    return [first, *extra, _("派单量"), _("响应率"), _("办结率"), _("按期办结率"), _("满意率"), _("居民评价"),
            _("综合得分"), _("环比（百分点）")]


def figures_row(fig: CaseFigures, before: CaseFigures) -> list[Any]:
    change = change_points(fig.score, before.score)
    return [fig.dispatched, _pct(fig.response), _pct(fig.closure), _pct(fig.on_time), _pct(fig.satisfaction),
            fig.ratings.total, _pct(fig.score), "—" if change is None else f"{change:+.1f}"]


def _keys(now: case_rates.MonthRates, before: case_rates.MonthRates, group: str) -> list[Hashable]:
    """The groups with a figure this month or the month before, by name."""
    names = now.names.get(group, {})
    found = {k for m in (now, before) for k, fig in m.groups.get(group, {}).items() if not fig.empty}
    return sorted(found, key=lambda k: names.get(k, str(k)))


def tables(now: case_rates.MonthRates, before: case_rates.MonthRates, *, town_id: int | None,
           charts: bool = True) -> list[Table]:
    names = now.names
    whole_name = _("全街") if town_id else _("全区")
    out = []
    if town_id is None:
        towns = list(names["town"])
        t = Table("towns", _("{month} 各镇（街道）办件三率").format(month=now.month),
                  [*header(_("镇（街道）")), _("会商准备评分")],
                  [[Name(names["town"][k]), *figures_row(now.of("town", k), before.of("town", k)),
                    _pct(now.prep_of(k))] for k in towns]
                  + [[whole_name, *figures_row(now.whole, before.whole), _pct(now.prep_whole)]])
        t.note = _("会商准备评分（双考核）：被吹哨单位在本月召开的会商中对街道准备工作的评分"
                   "（1–5 分）折成百分数的平均；不计入街道的综合得分。")
        t.chart = _rate_chart([names["town"][k] for k in towns], [now.of("town", k) for k in towns], skip=not charts)
        out.append(t)
    units = _keys(now, before, "unit")
    u = Table("units", _("{month} 各责任单位办件三率").format(month=now.month), header(_("责任单位")),
              [[Name(names["unit"].get(k, "—")), *figures_row(now.of("unit", k), before.of("unit", k))] for k in units])
    u.note = _("单位按首接负责制计：已签收的工单算签收单位，尚未签收的算所派的主办单位；退回街道的工单不计入任何单位。")
    if town_id is not None:
        u.chart = _rate_chart([names["unit"].get(k, "—") for k in units], [now.of("unit", k) for k in units],
                              skip=not charts)
    out.append(u)
    communities = list(names["community"])
    street = [_("镇（街道）")] if town_id is None else []

    def row(group: str, k: Hashable) -> list[Any]:
        """A community's or a team's row: its name, its street on the district's page, its figures."""
        where = [Name(names["town"].get(now.town_of.get(k), ""))] if street else []
        return [Name(names[group].get(k, "—")), *where, *figures_row(now.of(group, k), before.of(group, k))]

    out.append(Table("communities", _("{month} 各社区（村）办件三率").format(month=now.month),
                     header(_("社区（村）"), *street), [row("community", k) for k in communities]))
    tm = Table("teams", _("{month} 民情收集队办件三率").format(month=now.month),
               header(_("收集队（所属社区）"), *street), [row("team", k) for k in _keys(now, before, "team")])
    tm.note = _("民情收集队按社区组队：收集员上门走访录入的建议派单后，算在该收集员所属社区的收集队；"
                "居民自己提交的不计。")
    out.append(tm)
    return out


def _rate_chart(labels: list[str], figs: list[CaseFigures], *, skip: bool) -> str:
    if not labels:
        return ""
    return _chart(pygal.HorizontalBar, _("办结率与响应率（%）"), labels, [
        (_("办结率"), [None if f.closure is None else round(f.closure * 100, 1) for f in figs]),
        (_("响应率"), [None if f.response is None else round(f.response * 100, 1) for f in figs])],
        range=(0, 100), skip=skip)


class CaseRatesController(Controller):
    path = BASE
    dependencies = MappingProxyType({**deps.DISTRICT, **deps.TOWN})

    async def _context(self, request: Request, district_id: int, town_id: int | None, base: str,
                       name: str) -> dict[str, Any]:
        month = query_month(request, month_of(dates.today()))
        now, before = await case_rates.month_rates(district_id, month, dates.now(), town_id)
        return {"now": now, "before": before, "month": month, "base": base, "name": name, "town_id": town_id,
                "district_id": district_id, "tables": tables(now, before, town_id=town_id),
                "definitions": case_rules.definitions(), "previous": rules.previous_month(month),
                "pct": _pct}

    @get("/district/{district_id:int}", guards=[guards.VIEW_DISTRICT])
    async def district_page(self, request: Request, district: dict) -> Template:
        return Template("evaluation/case_rates.html", context=await self._context(
            request, district["id"], None, f"{BASE}/district/{district['id']}", district["name"]))

    @get("/town/{town_id:int}", guards=[guards.VIEW_STREET])
    async def street_page(self, request: Request, town: dict) -> Template:
        return Template("evaluation/case_rates.html", context=await self._context(
            request, town["district"], town["id"], f"{BASE}/town/{town['id']}", town["name"]))

    async def _xlsx(self, request: Request, district_id: int, town_id: int | None, name: str) -> Response:
        month = query_month(request, month_of(dates.today()))
        now, before = await case_rates.month_rates(district_id, month, dates.now(), town_id)
        data = xlsx.workbook([(t.title, t.header, [[str(v) if isinstance(v, Name) else v for v in r] for r in t.rows])
                              for t in tables(now, before, town_id=town_id, charts=False)])
        return file_response(_("{name}{month}办件三率.xlsx").format(name=name, month=month), exports.XLSX, data)

    @get("/district/{district_id:int}/export.xlsx", guards=[guards.VIEW_DISTRICT])
    async def district_xlsx(self, request: Request, district: dict) -> Response:
        return await self._xlsx(request, district["id"], None, district["name"])

    @get("/town/{town_id:int}/export.xlsx", guards=[guards.VIEW_STREET])
    async def street_xlsx(self, request: Request, town: dict) -> Response:
        return await self._xlsx(request, town["district"], town["id"], town["name"])
