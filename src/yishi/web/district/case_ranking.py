"""The district's monthly ranking of units and collector teams by 办件三率, the flagged ones,
约谈 with a flagged unit's head and its follow-up the month after, and the ranking's rules.
Routes parse, call evaluation.case_ranking / evaluation.talks, render."""
from __future__ import annotations

from types import MappingProxyType
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from yishi.core import dates, xlsx
from yishi.core.errors import DomainError
from yishi.core.i18n import _, _l, ngettext
from yishi.evaluation import case_ranking, exports, rules, talks
from yishi.evaluation import permissions as eperm
from yishi.evaluation.services import month_of
from yishi.web import deps, guards
from yishi.web.district.case_rates import BASE, Name
from yishi.web.district.dashboard import _pct
from yishi.web.forms import form_int, optional_date, optional_int, query_month, refused, text
from yishi.web.responses import file_response

DECIDE = guards.district_may(lambda u, d: eperm.can_decide(u, d["id"]),
                             _l("只有区级审核人员可以记录约谈和修改排名规则。"))
RULE_LABELS = {
    "min_cases": _l("参加排名的最少派单量（件）"), "bottom_n": _l("末位名数"),
    "bottom_below_pct": _l("末位综合得分线（%，低于才标末位）"), "top_volume_n": _l("接诉量前列个数"),
}


def _change(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


def rows_of(ranking: case_ranking.Ranking, group: str) -> list[list[Any]]:
    """The table's rows: 名次, name, (street), figures, flags; for the page and the Excel file."""
    out = []
    for r in ranking.units if group == "unit" else ranking.teams:
        flags = _("、").join(f for f in ((_("末位") if r.ranked.bottom else ""),
                                     (_("接诉量前列") if r.ranked.top_volume else "")) if f) or "—"
        where = [Name(ranking.town_names.get(ranking.town_of.get(r.key), ""))] if group == "team" else []
        absent = ngettext("（缺席 {n} 次）", "（缺席 {n} 次）", r.absent).format(n=r.absent) if r.absent else ""
        meeting = [_pct(r.meeting) + absent] if group == "unit" else []
        out.append([r.ranked.rank or "—", Name(r.name), *where, r.figures.dispatched, _pct(r.figures.response),
                    _pct(r.figures.closure), _pct(r.figures.on_time), _pct(r.figures.satisfaction), *meeting,
                    _pct(r.ranked.score), _change(r.ranked.change), flags])
    return out


def header(group: str) -> list[str]:
    first = [_("名次"), _("责任单位") if group == "unit" else _("收集队（所属社区）")]
    where = [_("镇（街道）")] if group == "team" else []
    meeting = [_("会商评分")] if group == "unit" else []
    return [*first, *where, _("派单量"), _("响应率"), _("办结率"), _("按期办结率"), _("满意率"), *meeting,
            _("综合得分"), _("环比（百分点）"), _("标记")]


class CaseRankingController(Controller):
    path = BASE + "/district/{district_id:int}"
    dependencies = MappingProxyType({**deps.DISTRICT})

    async def _context(self, request: Request, district: dict, **extra: Any) -> dict[str, Any]:
        month = query_month(request, rules.previous_month(month_of(dates.today())))
        ranking = await case_ranking.ranking(district["id"], month, dates.now())
        recorded = {t["unit"]: t for t in await talks.talks_of(district["id"], month=month)}
        previous = await talks.talks_of(district["id"], month=rules.previous_month(month))
        flagged = [r for r in ranking.units if r.ranked.flagged]
        return {"district": district, "month": month, "ranking": ranking, "base": f"{BASE}/district/{district['id']}",
                "unit_rows": rows_of(ranking, "unit"), "team_rows": rows_of(ranking, "team"),
                "unit_header": header("unit"), "team_header": header("team"), "rule_text": ranking.rule.describe(),
                "flagged": flagged, "recorded": recorded, "to_talk": [r for r in flagged if r.key not in recorded],
                "follow_ups": talks.follow_ups(previous, ranking), "history": await talks.talks_of(district["id"]),
                "reason_label": talks.reason_label, "pct": _pct, "change": _change,
                "can_decide": eperm.can_decide(request.user, district["id"]),
                "previous": rules.previous_month(month), "today": dates.today().isoformat(),
                "error": None, "form": {}, "done": request.query_params.get("done", ""), **extra}

    @get("/ranking", guards=[guards.VIEW_DISTRICT])
    async def ranking_page(self, request: Request, district: dict) -> Template:
        return Template("evaluation/case_ranking.html", context=await self._context(request, district))

    @get("/ranking.xlsx", guards=[guards.VIEW_DISTRICT])
    async def ranking_xlsx(self, request: Request, district: dict) -> Response:
        month = query_month(request, rules.previous_month(month_of(dates.today())))
        ranking = await case_ranking.ranking(district["id"], month, dates.now())

        def plain(rows: list[list[Any]]) -> list[list[Any]]:
            return [[str(v) if isinstance(v, Name) else v for v in row] for row in rows]

        data = xlsx.workbook([(_("{month} 责任单位排名").format(month=month), header("unit"),
                               plain(rows_of(ranking, "unit"))),
                              (_("{month} 民情收集队排名").format(month=month), header("team"),
                               plain(rows_of(ranking, "team")))])
        return file_response(_("{name}{month}办件排名.xlsx").format(name=district["name"], month=month), exports.XLSX,
                             data)

    @post("/talks", guards=[DECIDE])
    async def record_talk(self, request: Request, district: dict) -> Template | Redirect:
        form = await request.form()
        month = query_month(request, rules.previous_month(month_of(dates.today())))
        try:
            data = talks.TalkInput(unit_id=optional_int(form, "unit", _("被约谈的单位")),
                                   held_on=optional_date(form, "held_on", _("约谈日期")), head=text(form, "head"),
                                   talked_by=text(form, "talked_by"), agreed=text(form, "agreed"))
            await talks.record(district["id"], month, data, actor=request.user)
        except DomainError as exc:
            return refused("evaluation/case_ranking.html", exc, await self._context(request, district), form)
        return Redirect(f"{BASE}/district/{district['id']}/ranking?month={month}&done=talk#talks")

    @post("/talks/{talk_id:int}/follow-up", guards=[DECIDE])
    async def follow_up(self, request: Request, district: dict, talk_id: int) -> Template | Redirect:
        form = await request.form()
        month = query_month(request, month_of(dates.today()))  # the page's month: the one after the talk's
        try:
            await talks.follow_up(district["id"], talk_id, text(form, "follow_up"), actor=request.user)
        except DomainError as exc:
            return refused("evaluation/case_ranking.html", exc, await self._context(request, district), form)
        return Redirect(f"{BASE}/district/{district['id']}/ranking?month={month}&done=follow_up#follow-ups")

    @get("/ranking/settings", guards=[DECIDE])
    async def settings_page(self, request: Request, district: dict) -> Template:
        return Template("evaluation/case_rank_settings.html", context=self._settings(
            district, await case_ranking.rule_of(district["id"]), done=request.query_params.get("done", "")))

    @post("/ranking/settings", guards=[DECIDE])
    async def save_settings(self, request: Request, district: dict) -> Template | Redirect:
        form = await request.form()
        try:
            values = {k: form_int(text(form, k), str(label)) for k, label in RULE_LABELS.items()}
            await case_ranking.set_rule(district["id"], values, actor=request.user)
        except DomainError as exc:
            return refused("evaluation/case_rank_settings.html", exc,
                           self._settings(district, await case_ranking.rule_of(district["id"])), form)
        return Redirect(f"{BASE}/district/{district['id']}/ranking/settings?done=1")

    @staticmethod
    def _settings(district: dict, rule: Any, done: str = "") -> dict[str, Any]:
        return {"district": district, "values": case_ranking.as_form(rule), "labels": RULE_LABELS,
                "rule_text": rule.describe(), "error": None, "form": {}, "done": done,
                "base": f"{BASE}/district/{district['id']}"}
