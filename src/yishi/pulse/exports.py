"""周汇总, 月分析 and 专题报告 as files, (filename, mimetype, bytes): Excel through core.xlsx, and
a PDF laid out as the dossier's other papers (GB/T 9704, Noto CJK embedded)."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from yishi.core import dates
from yishi.core.i18n import _, official_document
from yishi.core.pdf import render_pdf
from yishi.core.xlsx import workbook
from yishi.pulse import reports
from yishi.suggestions import rules as srules
from yishi.suggestions.enums import SuggestionStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _rates(fig: srules.Figures | None) -> list[Any]:
    if fig is None:
        return ["—", "—", "—"]
    return [pct(fig.response_rate), pct(fig.on_time_rate), pct(fig.resolution_rate)]


def _title(r: reports.Report) -> str:
    kind = _("民情周汇总") if r.kind == "week" else _("民情月分析")
    return f"{r.area.name}{kind}（{r.label}）"


def report_sheets(r: reports.Report) -> list[tuple[str, list[str], list[list[Any]]]]:
    rates = [_("响应率"), _("按期办结率"), _("解决率")]
    period = [_("本期"), _("上期"), _("增减")]
    sheets = [
        (_("类别"), [_("类别"), *period, *rates],
         [[x.name, x.this, x.last, x.change, *_rates(x.figures)] for x in r.categories]),
        (r.group_label, [r.group_label, *period, *rates],
         [[x.name, x.this, x.last, x.change, *_rates(x.figures)] for x in r.groups]),
        (_("高频点位"), [_("名次"), _("社区（村）"), _("点位"), *period],
         [[p.rank, p.key[0], p.key[1], p.this, p.last, p.change] for p in r.places]),
        (_("预警"), [_("镇（街道）"), _("社区（村）"), _("类别"), _("近7天件数"), _("往周中位数"), _("预警线"),
                     _("统计截止")],
         [[a.town, a.community, a.category, a.count, a.median, a.threshold, a.last.isoformat()] for a in r.alerts]),
    ]
    if r.weekly:
        sheets.append((_("分周"), [_("周（周一）"), _("件数")], [[w.isoformat(), n] for w, n in r.weekly]))
    return sheets


async def report_xlsx(r: reports.Report) -> tuple[str, str, bytes]:
    summary: list[list[Any]] = [[_("期间"), r.label], [_("受理件数"), r.total], [_("上期件数"), r.previous_total],
               [_("响应率"), pct(r.figures.response_rate)], [_("按期办结率"), pct(r.figures.on_time_rate)],
               [_("解决率"), pct(r.figures.resolution_rate)], [_("预警规则"), r.rule.describe()]]
    data = workbook([(_("概况"), [_("项目"), _("数值")], summary), *report_sheets(r)])
    return f"{_title(r)}.xlsx", XLSX, data


def _fingerprint(*figures: Any) -> str:
    """A short hash of the figures, printed on the page so a paper copy can be matched."""
    return hashlib.sha256(json.dumps(figures, ensure_ascii=False, default=str).encode()).hexdigest()[:16].upper()


def _today_label() -> str:
    return dates.long_date(dates.today())


@official_document
async def report_pdf(r: reports.Report) -> tuple[str, str, bytes]:
    data = await render_pdf("pdf/pulse_report.html", r=r, pct=pct, title=_title(r), today_label=_today_label(),
                            fingerprint=_fingerprint(
                                r.area.name, r.label, r.total, r.previous_total,
                                [(x.name, x.this) for x in r.categories], [(x.name, x.this) for x in r.groups],
                                [(a.community, a.category, a.count) for a in r.alerts]))
    return f"{_title(r)}.pdf", PDF, data


def _topic_title(t: reports.Topic) -> str:
    return _("{area}“{topic}”专题报告（{label}）").format(area=t.area.name, topic=t.category, label=t.label)


def topic_sheets(t: reports.Topic) -> list[tuple[str, list[str], list[list[Any]]]]:
    rates = [_("响应率"), _("按期办结率"), _("解决率")]
    return [
        (_("分布"), [_("社区（村）") if t.area.is_town else _("镇（街道）"), _("件数"), *rates],
         [[g.name, g.this, *_rates(g.figures)] for g in t.groups]),
        (_("牵头单位"), [_("牵头单位"), _("件数"), *rates], [[u, n, *_rates(f)] for u, n, f in t.units]),
        (_("高频点位"), [_("名次"), _("社区（村）"), _("点位"), _("件数")],
         [[p.rank, p.key[0], p.key[1], p.this] for p in t.places]),
        (_("分周"), [_("周（周一）"), _("件数")], [[w.isoformat(), n] for w, n in t.weekly]),
        (_("建议"), [_("查询码"), _("收到日期"), _("镇（街道）"), _("社区（村）"), _("点位"), _("建议内容"), _("状态"),
                   _("牵头单位"), _("答复")],
         [[srules.display_code(c["tracking_code"]), c["received_on"].isoformat(), c["town_name"], c["community_name"],
           c["spot"], c["content"], SuggestionStatus(c["status"]).label, c["lead_unit"], c["reply"]] for c in t.cases]),
    ]


async def topic_xlsx(t: reports.Topic) -> tuple[str, str, bytes]:
    summary: list[list[Any]] = [[_("期间"), t.label], [_("件数"), t.figures.cases], [_("人次"), t.figures.supporters],
               *[[name, value] for name, value in zip((_("响应率"), _("按期办结率"), _("解决率")), _rates(t.figures),
                                                    strict=True)]]
    return f"{_topic_title(t)}.xlsx", XLSX, workbook([(_("概况"), [_("项目"), _("数值")], summary), *topic_sheets(t)])


@official_document
async def topic_pdf(t: reports.Topic) -> tuple[str, str, bytes]:
    data = await render_pdf("pdf/pulse_topic.html", t=t, pct=pct, title=_topic_title(t), today_label=_today_label(),
                            display_code=srules.display_code,
                            fingerprint=_fingerprint(t.area.name, t.category, t.label, [c["id"] for c in t.cases],
                                                     [c["status"] for c in t.cases]))
    return f"{_topic_title(t)}.pdf", PDF, data
