"""The district dashboard (区级看板): for the district reviewer across its streets, and the same
for one street's staff. Every chart is drawn on the server as SVG by pygal (no script, nothing
from a CDN) with the table it was drawn from beside it; every table exports to Excel."""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from types import MappingProxyType

import pygal
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template
from pygal.style import Style

from yishi.core import dates, xlsx
from yishi.core.errors import DomainError
from yishi.core.i18n import _, _l
from yishi.core.money import format_wan
from yishi.evaluation import dashboard, exports, observers, rules, settings
from yishi.evaluation import permissions as eperm
from yishi.evaluation.services import month_of
from yishi.projects.enums import Colour
from yishi.web import deps, guards
from yishi.web.forms import form_int, query_month, refused, text
from yishi.web.responses import file_response

DECIDE = guards.district_may(lambda u, d: eperm.can_decide(u, d["id"]), _l("只有区级审核人员可以修改评价设置。"))
SETTING_LABELS = {
    "extend_at_pct": _l("深化推广的满意率（%）"), "min_ratings": _l("最少评价条数"),
    "advanced_at_pct": _l("先进类综合得分（%）"), "improving_points": _l("进步类环比上升（百分点）"),
    "rectify_below_pct": _l("整改类综合得分低于（%）"), "case_due_workdays": _l("台账答复期限（工作日）"),
    "case_red_after": _l("逾期转红（工作日）"), "case_rating_days": _l("工单答复后可评价的天数（回访评价期）"),
}

STYLE = Style(font_family='"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif',
              background="white", plot_background="white", foreground="#222", foreground_strong="#111",
              foreground_subtle="#666", colors=("#1f5fa8", "#c0392b", "#2e8b57", "#d4a017", "#7f8c8d"),
              label_font_size=15, major_label_font_size=15, legend_font_size=15, title_font_size=17,
              value_font_size=14, tooltip_font_size=14)
# The colour chart's series are 正常, 蓝色提醒, 黄色预警, 红色督办: drawn in their own colours.
COLOUR_STYLE = Style(**{**STYLE.to_dict(), "colors": ("#2e8b57", "#1f5fa8", "#d4a017", "#c0392b")})
GRADE_STYLE = Style(**{**STYLE.to_dict(), "colors": ("#2e8b57", "#8fbc8f", "#c0392b")})


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list]
    chart: str = ""
    link: str = ""
    note: str = ""  # the definition of its figures, shown beside the table
    switch: list = field(default_factory=list)  # (label, href, current): another period for the table
    names: tuple[int, ...] = (0,)  # the columns of names (streets, communities, rounds): translate="no" on the page


@dataclass(frozen=True)
class Link:
    """A figure in a table and the list behind it (the Excel export keeps the figure only)."""
    text: object
    href: str

    def __str__(self) -> str:
        return str(self.text)


def _plain(rows: list[list]) -> list[list]:
    return [[v.text if isinstance(v, Link) else v for v in row] for row in rows]


def _pct(value: float | None) -> str:
    return "—" if value is None else rules.pct_text(value) + "%"


_SCRIPT = re.compile(r"<script[^>]*>.*?</script>", re.S)


def _svg(chart) -> str:
    """The chart as an SVG image with no script: pygal's default pulls a tooltip script from a CDN
    (js=[] stops that) and writes its config into an inline script, useless without it. An <img>
    with a data: URL, not inline SVG: pygal styles the chart with a <style> element, which the
    page's Content-Security-Policy refuses inline (web.headers); inside an image it is the
    image's own. The figure around it carries the name, the table beside it the figures."""
    svg = _SCRIPT.sub("", chart.render(is_unicode=True, disable_xml_declaration=True))
    return f'<img class="chart" alt="" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">'


def _counts(series: list[tuple[str, list]], stacked: bool = False) -> list[int]:
    """Whole-number y labels for a chart of counts (pygal would write 0.8, 1.6, ...)."""
    values = [v or 0 for _n, vs in series for v in vs]
    top = max([sum(col) for col in zip(*[[v or 0 for v in vs] for _n, vs in series], strict=True)] if stacked and series
              else values or [0])
    step = max(1, -(-top // 5))
    return list(range(0, top + step + 1, step))


def _chart(kind, title: str, labels: list[str], series: list[tuple[str, list]], **options) -> str:
    if options.pop("skip", False):
        return ""
    horizontal = kind is pygal.HorizontalBar
    if horizontal:  # pygal draws the first label at the bottom: the best street goes on top
        labels = labels[::-1]
        series = [(name, values[::-1]) for name, values in series]
    height = max(240, 48 * len(labels) + 130) if horizontal else 340
    chart = kind(style=options.pop("style", STYLE), js=[], width=640, height=height, title=title, legend_at_bottom=True,
                 legend_at_bottom_columns=len(series), print_values=False, truncate_label=-1, truncate_legend=-1,
                 min_scale=4, max_scale=6, **options)
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _svg(chart)


def tables(d: dashboard.Dashboard, base: str, charts: bool = True, town_id: int | None = None,
           district_id: int | None = None, rounds_in_month: bool = False) -> list[Table]:
    """The dashboard's tables, each with its chart and every count linked to the list behind it
    (charts=False for the Excel export: figures only). town_id: a street's page."""
    skip = not charts
    definitions = rules.definitions()
    streets = d.streets
    names = [s.name for s in streets]
    first, last = rules.month_bounds(d.month)

    def street_of(s: dashboard.Street) -> int | None:
        """The street a row counts (None: the whole district)."""
        return s.id or town_id

    def town_q(s: dashboard.Street, sep: str = "&") -> str:
        return f"{sep}town={street_of(s)}" if street_of(s) else ""

    def suggestions(s: dashboard.Street, value, **extra: str) -> Link:
        """The suggestions list with the month's dates (queries.filters_from's parameters)."""
        params = f"date_from={first.isoformat()}&date_to={last.isoformat()}" + town_q(s)
        params += "".join(f"&{k}={v}" for k, v in extra.items())
        return Link(value, f"/suggestions/?{params}")

    def review(s: dashboard.Street, value) -> Link:
        where = f"town/{street_of(s)}" if street_of(s) else f"district/{district_id}"
        return Link(value, f"/review/{where}?month={d.month}")

    def ratings(town: int | None, value, *, month: str | None = d.month, **extra) -> Link:
        """The ratings list (web.district.lists) behind a count or a 满意率."""
        params = {"town": town if town_id is None else None, "month": month, **extra}
        return Link(value, f"{base}/ratings?" + "&".join(f"{k}={v}" for k, v in params.items() if v))

    def turnout(s: dashboard.Street, value, anchor: str) -> Link:
        return Link(value, f"{base}/turnout" + (f"?town={s.id}" if s.id and town_id is None else "") + anchor)

    def street(town: int | None) -> dashboard.Street:
        return dashboard.Street(town or 0, "")

    def mine(town: int | None, link: Link):
        """A street's page shows the whole district's ranking: only its own row leads to its lists
        (other streets' lists are not its to see, and the district's are not its)."""
        return link if town_id is None or town == town_id else link.text

    ranking = Table("ranking", _("{month} 三率排名（赛马）").format(month=d.month),
                    [_("名次"), _("镇（街道）"), _("类别"), _("综合得分"), _("环比（百分点）"), _("响应率"),
                     _("解决率"), _("满意率")],
                    [[r.ranked.rank or "—", r.town_name, r.ranked.band.label, _pct(r.rates.score),
                      "—" if r.ranked.change is None else f"{r.ranked.change:+.1f}",
                      mine(r.town_id, suggestions(street(r.town_id), _pct(r.rates.response))),
                      mine(r.town_id, suggestions(street(r.town_id), _pct(r.rates.resolution))),
                      mine(r.town_id, ratings(r.town_id, _pct(r.rates.satisfaction), channel="residents"))]
                     for r in d.ranking])
    ranking.names = (1,)
    ranking.note = "；".join([definitions["response"], definitions["resolution"], definitions["satisfaction"]])
    ranking.chart = _chart(pygal.HorizontalBar, _("综合得分（%）"), [r.town_name for r in d.ranking],
                           [(_("综合得分"), [None if r.rates.score is None else round(r.rates.score * 100, 1)
                                           for r in d.ranking])], range=(0, 100), show_legend=False, skip=skip)
    rates_t = Table("rates", _("{month} 三率").format(month=d.month),
                    [_("镇（街道）"), _("响应率"), _("解决率"), _("满意率"), _("居民评价条数"), _("电话回访条数")],
                    [[r.town_name] + [mine(r.town_id, link) for link in (
                        suggestions(street(r.town_id), _pct(r.rates.response)),
                        suggestions(street(r.town_id), _pct(r.rates.resolution)),
                        ratings(r.town_id, _pct(r.rates.satisfaction), channel="residents"),
                        ratings(r.town_id, r.rates.ratings, channel="residents"),
                        ratings(r.town_id, r.rates.telephone.total, channel="telephone"))] for r in d.ranking]
                    + [[_("全区")] + [mine(None, link) for link in (
                        suggestions(street(None), _pct(d.district_rates.response)),
                        suggestions(street(None), _pct(d.district_rates.resolution)),
                        ratings(None, _pct(d.district_rates.satisfaction), channel="residents"),
                        ratings(None, d.district_rates.ratings, channel="residents"),
                        ratings(None, d.district_rates.telephone.total, channel="telephone"))]])
    rates_t.note = "；".join([definitions["response"], definitions["resolution"], definitions["satisfaction"],
                             _("响应率、解决率按本月收到的诉求计，满意率按本月的居民评价计；电话回访另计")])
    rates_t.chart = _chart(pygal.Bar, _("三率（%）"), [r.town_name for r in d.ranking], [
        (_("响应率"), [None if r.rates.response is None else round(r.rates.response * 100, 1) for r in d.ranking]),
        (_("解决率"), [None if r.rates.resolution is None else round(r.rates.resolution * 100, 1) for r in d.ranking]),
        (_("满意率"), [None if r.rates.satisfaction is None else round(r.rates.satisfaction * 100, 1)
                    for r in d.ranking]),
    ], range=(0, 100), skip=skip)
    sugg = Table("suggestions", _("{month} 居民建议与勾选").format(month=d.month),
                 [_("镇（街道）"), _("收到建议"), _("已答复"), _("已办结"), _("逾期未办"), _("批次"),
                  _("发出选票码"), _("投票数"), _("参与率")],
                 [[s.name, suggestions(s, s.suggestions.cases),
                   suggestions(s, s.suggestions.answered, progress="answered"),
                   suggestions(s, s.suggestions.finished, progress="finished"),
                   suggestions(s, s.suggestions.overdue, overdue="1"),
                   Link(s.rounds, "/rounds/" + town_q(s, "?")), turnout(s, s.codes, "#codes-total"),
                   turnout(s, s.ballots, "#ballots-total"), turnout(s, _pct(s.turnout), "#turnout")]
                  for s in [*streets, d.whole]])
    sugg.note = _("收到建议、已答复、已办结、逾期未办按本月收到的建议计（逾期按今天计），链接到建议清单；"
                  "选票码、投票数和参与率为各批次累计（参与率 = 投票数 ÷ 发出选票码）。")
    sugg.link = f"/suggestions/stats?date_from={first.isoformat()}&date_to={last.isoformat()}"
    series = [(_("收到建议"), [s.suggestions.cases for s in streets]),
              (_("已答复"), [s.suggestions.answered for s in streets])]
    sugg.chart = _chart(pygal.Bar, _("居民建议（件）"), names, series, y_labels=_counts(series), skip=skip)
    money = Table("money", _("项目与资金（万元）"),
                  [_("镇（街道）"), _("项目数"), _("批复资金"), _("已支出"), _("撬动社会资金"), _("缺报周报"),
                   _("不满意台账")],
                  [[s.name, Link(s.totals.projects, "/projects/" + town_q(s, "?")),
                    review(s, format_wan(s.totals.cost_fen)),
                    review(s, format_wan(s.totals.spent_fen)), review(s, format_wan(s.totals.social_fen)),
                    review(s, s.totals.missing_reports), Link(s.cases, "/evaluation/ledger" + town_q(s, "?"))]
                   for s in [*streets, d.whole]])
    money.note = _("资金链接到当月的月调度（逐项目列出）；不满意台账为各月累计。")
    money.chart = _chart(pygal.Bar, _("资金（万元）"), names, [
        (_("批复资金"), [round(s.totals.cost_fen / 1_000_000, 2) for s in streets]),
        (_("已支出"), [round(s.totals.spent_fen / 1_000_000, 2) for s in streets]),
        (_("撬动社会资金"), [round(s.totals.social_fen / 1_000_000, 2) for s in streets])], skip=skip)
    shown = [Colour.green, Colour.blue, Colour.yellow, Colour.red]
    colours = Table("colours", _("办理进度（蓝黄红）"), [_("镇（街道）")] + [c.label for c in shown],
                    [[s.name] + [Link(s.colour(c), f"/projects/?colour={c.value}" + town_q(s)) for c in shown]
                     for s in [*streets, d.whole]])
    series = [(c.label, [s.colour(c) for s in streets]) for c in shown]
    colours.chart = _chart(pygal.StackedBar, _("项目督办颜色（个）"), names, series,
                           y_labels=_counts(series, stacked=True), style=COLOUR_STYLE, skip=skip)
    round_month = d.month if rounds_in_month else None
    round_q = f"&date_from={first.isoformat()}&date_to={last.isoformat()}" if rounds_in_month else ""
    by_round = Table("rounds", _("各批次三率（{period}）").format(
                         period=d.month if rounds_in_month else _("整个批次")),
                     [_("批次"), _("镇（街道）"), _("项目数"), _("回应的诉求"), _("响应率"), _("解决率"), _("满意率"),
                      _("居民评价条数")],
                     [[Link(r["title"], f"/rounds/{r['id']}"), r["town_name"],
                       Link(r["projects"], f"/projects/?round={r['id']}"),
                       Link(r["rates"].suggestions, f"/suggestions/?round={r['id']}{round_q}"),
                       Link(_pct(r["rates"].response), f"/suggestions/?round={r['id']}{round_q}"),
                       Link(_pct(r["rates"].resolution), f"/suggestions/?round={r['id']}{round_q}"),
                       ratings(None, _pct(r["rates"].satisfaction), month=round_month, round=r["id"],
                               channel="residents"),
                       ratings(None, r["rates"].ratings, month=round_month, round=r["id"], channel="residents")]
                      for r in d.rounds])
    by_round.names = (0, 1)
    by_round.note = "；".join([
        definitions["response"], definitions["resolution"], definitions["satisfaction"],
        _("批次的响应率、解决率只计该批次项目回应的诉求（每件计一次），满意率为该批次项目的居民评价；"
          "选“本月”时只计本月收到的诉求和本月的评价，选“整个批次”时不限月份；"
          "没有关联诉求的批次不计响应率、解决率（—）")])
    by_round.switch = [(_("整个批次"), f"{base}?month={d.month}#rounds", not rounds_in_month),
                       (_("本月"), f"{base}?month={d.month}&rounds=month#rounds", rounds_in_month)]
    labels = [f"{r['town_name']} {r['title']}" if town_id is None else r["title"] for r in d.rounds]
    by_round.chart = _chart(pygal.Bar, _("各批次三率（%）"), labels, [
        (name, [None if getattr(r["rates"], attr) is None else round(getattr(r["rates"], attr) * 100, 1)
                for r in d.rounds])
        for name, attr in ((_("响应率"), "response"), (_("解决率"), "resolution"), (_("满意率"), "satisfaction"))],
        range=(0, 100), skip=skip)
    out = [ranking, rates_t, sugg, money, colours, by_round]
    if d.communities:
        names = [name for _c, name, _t in d.communities]
        per = Table("communities", _("{month} 各社区居民评价").format(month=d.month),
                    [_("社区"), _("满意"), _("基本满意"), _("不满意"), _("满意率"), _("电话回访")],
                    [[name, ratings(None, t.residents.satisfied, community=cid, grade="satisfied", channel="residents"),
                      ratings(None, t.residents.basic, community=cid, grade="basic", channel="residents"),
                      ratings(None, t.residents.unsatisfied, community=cid, grade="unsatisfied", channel="residents"),
                      ratings(None, _pct(t.residents.satisfaction), community=cid, channel="residents"),
                      ratings(None, t.telephone.total, community=cid, channel="telephone")]
                     for cid, name, t in d.communities])
        per.note = definitions["satisfaction"]
        series = [(_("满意"), [t.residents.satisfied for _c, _n, t in d.communities]),
                  (_("基本满意"), [t.residents.basic for _c, _n, t in d.communities]),
                  (_("不满意"), [t.residents.unsatisfied for _c, _n, t in d.communities])]
        per.chart = _chart(pygal.StackedBar, _("居民评价（条）"), names, series, y_labels=_counts(series, stacked=True),
                           style=GRADE_STYLE, skip=skip)
        out.append(per)
    if not charts:
        for t in out:
            t.rows = _plain(t.rows)
    return out


def _rounds_in_month(request: Request) -> bool:
    """?rounds=month: the per-round table over the page's month only."""
    value = request.query_params.get("rounds", "")
    if value not in ("", "month", "all"):
        raise DomainError(_("批次三率的期间只能是“本月”（month）或“整个批次”（all）。"))
    return value == "month"


class DashboardController(Controller):
    path = "/dashboard"
    dependencies = MappingProxyType({**deps.DISTRICT, **deps.TOWN})

    async def _page(self, request: Request, district_id: int, town_id: int | None, base: str) -> Template:
        month, in_month = query_month(request, month_of(dates.today())), _rounds_in_month(request)
        d = await dashboard.build(district_id, month, town_id, in_month)
        s = await settings.of_district(district_id)
        return Template("evaluation/dashboard.html", context={
            "d": d, "tables": tables(d, base, town_id=town_id, district_id=district_id, rounds_in_month=in_month),
            "month": month, "rounds_in_month": in_month,
            "month_suggestions": "/suggestions/?date_from={}&date_to={}{}".format(
                *rules.month_bounds(month), f"&town={town_id}" if town_id else ""),
            "base": base, "definitions": rules.definitions(),
            "band_rule": s.bands.describe(), "advice_rule": s.advice.describe(),
            "previous": rules.previous_month(month), "district_id": district_id, "town_id": town_id})

    @get("/{district_id:int}", guards=[guards.VIEW_DISTRICT])
    async def district_page(self, request: Request, district: dict) -> Template:
        return await self._page(request, district["id"], None, f"/dashboard/{district['id']}")

    @get("/street/{town_id:int}", guards=[guards.VIEW_STREET])
    async def street_page(self, request: Request, town: dict) -> Template:
        return await self._page(request, town["district"], town["id"], f"/dashboard/street/{town['id']}")

    async def _xlsx(self, request: Request, district_id: int, town_id: int | None, name: str) -> Response:
        month, in_month = query_month(request, month_of(dates.today())), _rounds_in_month(request)
        d = await dashboard.build(district_id, month, town_id, in_month)
        data = xlsx.workbook([(t.title, t.header, t.rows)
                             for t in tables(d, "", charts=False, town_id=town_id, rounds_in_month=in_month)])
        return file_response(_("{name}{month}看板.xlsx").format(name=name, month=month), exports.XLSX, data)

    @get("/{district_id:int}/export.xlsx", guards=[guards.VIEW_DISTRICT])
    async def district_xlsx(self, request: Request, district: dict) -> Response:
        return await self._xlsx(request, district["id"], None, district["name"])

    @get("/street/{town_id:int}/export.xlsx", guards=[guards.VIEW_STREET])
    async def street_xlsx(self, request: Request, town: dict) -> Response:
        return await self._xlsx(request, town["district"], town["id"], town["name"])

    # --- the district's thresholds and indicator system ------------------------------------

    async def _settings_page(self, district: dict, **extra) -> dict:
        return {"district": district, "values": settings.as_form(await settings.of_district(district["id"])),
                "labels": SETTING_LABELS, "system": await observers.system_of_district(district["id"]),
                "error": None, "form": {}, **extra}

    @get("/{district_id:int}/settings", guards=[DECIDE])
    async def settings_page(self, request: Request, district: dict) -> Template:
        return Template("evaluation/settings.html", context=await self._settings_page(
            district, notice=request.query_params.get("done", "")))

    @post("/{district_id:int}/settings", guards=[DECIDE])
    async def save_settings(self, request: Request, district: dict) -> Template | Redirect:
        form = await request.form()
        try:
            values = {k: form_int(text(form, k), label) for k, label in SETTING_LABELS.items()}
            await settings.set_district(district["id"], values, actor=request.user)
        except DomainError as exc:
            return refused("evaluation/settings.html", exc, await self._settings_page(district), form)
        return Redirect(f"/dashboard/{district['id']}/settings?done=settings")

    @post("/{district_id:int}/indicators", guards=[DECIDE])
    async def save_indicators(self, request: Request, district: dict) -> Template | Redirect:
        form = await request.form()
        try:
            rows = []
            for n in range(12):
                name = text(form, f"name_{n}")
                if name:
                    rows.append({"name": name, "weight": form_int(text(form, f"weight_{n}"), name + _("的权重"))})
            await observers.set_system(district["id"], rows, actor=request.user)
        except DomainError as exc:
            return refused("evaluation/settings.html", exc, await self._settings_page(district), form)
        return Redirect(f"/dashboard/{district['id']}/settings?done=indicators")

    @get("/{district_id:int}/report.pdf", guards=[guards.VIEW_DISTRICT])
    async def report_pdf(self, request: Request, district: dict, period: str = "") -> Response:
        """半年/年度 评估报告: ?period=2026, 2026-H1 or 2026-H2 (this year by default)."""
        return file_response(*await exports.report_pdf(district["id"], period or str(dates.today().year)), inline=True)
