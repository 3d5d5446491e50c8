"""The month's 月调度通报: a PDF laid out as the intent-list dossier (GB/T 9704) and an Excel
workbook. Each returns (filename, mimetype, bytes), testable without HTTP."""
from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime

from yishi.core import xlsx
from yishi.core.dates import long_date, month_label
from yishi.core.i18n import N_, _, official_document
from yishi.core.money import format_wan
from yishi.core.pdf import render_pdf
from yishi.projects import public
from yishi.projects.enums import Colour, ProjectState
from yishi.projects.review import Review
from yishi.suggestions.exports import qr_svg

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _fingerprint(r: Review) -> str:
    """A short hash of the figures, printed on the page so a paper copy can be matched."""
    data = [r.title, r.month, r.today.isoformat(), [
        [row.project["id"], row.project["state"].value, row.supervision.colour.value, row.project["progress_pct"],
         row.project["spent_fen"], row.missing_reports, len(row.open_problems)] for row in r.rows]]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16].upper()


def doc_prefix(title: str) -> str:
    """大弯街道 -> 大弯调, 成都市青白江区 -> 青白江调: the short name and 调 (月调度)."""
    short = title.split("市", 1)[-1]
    for suffix in ("街道办事处", "街道", "镇", "乡", "区", "县"):
        if short.endswith(suffix) and len(short) > len(suffix):
            short = short[: -len(suffix)]
            break
    return short + _("调")


_month_label = month_label  # 2026年12月 / December 2026 (Babel)
_day_label = long_date  # 2026年12月4日 / 4 Dec 2026 (Babel)


@official_document
async def monthly_review_pdf(r: Review) -> tuple[str, str, bytes]:
    street = len(r.streets) <= 1 and r.title != r.district_name
    year, number = (int(x) for x in r.month.split("-"))
    flagged = [row for row in r.rows if row.supervision.colour in (Colour.red, Colour.yellow)]
    pdf = await render_pdf(
        "pdf/monthly_review.html", r=r, t=r.totals, flagged=flagged,
        states=[(s, r.totals.states[s]) for s in ProjectState if r.totals.states[s]],
        month_label=_month_label(r.month), today_label=_day_label(r.today), year=year, number=number,
        doc_prefix=doc_prefix(r.title),
        addressee=_("各责任单位：") if street else _("各镇（街道）、各责任单位："),
        signer=_("{who}（盖章）").format(who=r.title if street else _("{d}民生服务促进中心").format(d=r.title)),
        fingerprint=_fingerprint(r), printed_at=datetime.now(UTC))
    return f"{r.title}-{r.month}-月调度通报.pdf", "application/pdf", pdf


COLUMNS = [(N_("序号"), 6), (N_("镇（街道）"), 12), (N_("项目名称"), 30), (N_("牵头单位"), 20), (N_("实施主体"), 20),
           (N_("状态"), 12), (N_("督办"), 10), (N_("督办原因"), 40), (N_("进度（%）"), 9), (N_("批复资金（元）"), 14),
           (N_("财政资金（元）"), 14), (N_("社会资金（元）"), 14), (N_("撬动比"), 8), (N_("已支出（元）"), 14),
           (N_("缺报周报（期）"), 10), (N_("待协调事项"), 40), (N_("本月调度意见"), 40)]


async def monthly_review_xlsx(r: Review) -> tuple[str, str, bytes]:
    from openpyxl import Workbook  # noqa: PLC0415 — start-up cost
    from openpyxl.styles import Alignment, Font, PatternFill  # noqa: PLC0415 — start-up cost

    fills = {Colour.red: "F4CCCC", Colour.yellow: "FFF2CC", Colour.blue: "CFE2F3", Colour.green: "D9EAD3"}
    wb = Workbook()
    ws = wb.active
    ws.title = _("项目一览")
    xlsx.append(ws, [_("{t}民生微事月调度（{m}）").format(t=r.title, m=_month_label(r.month))])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    xlsx.append(ws, [_("统计截至 {d}；金额单位：元。").format(d=_day_label(r.today))])
    xlsx.append(ws, [_(name) for name, _w in COLUMNS])
    for i, (_n, width) in enumerate(COLUMNS, start=1):
        ws.cell(row=3, column=i).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width = width
    for n, row in enumerate(r.rows, start=1):
        p, s = row.project, row.supervision
        lev = round(row.social_fen / row.public_fen, 2) if row.public_fen else None
        xlsx.append(ws, [n, p["town_name"], p["title"], p["lead_unit_display"], p["implementer_label"] or "",
                   p["state"].label, s.colour.label, s.reason, p["progress_pct"], p["cost_fen"] / 100,
                   row.public_fen / 100, row.social_fen / 100, lev, p["spent_fen"] / 100, row.missing_reports,
                   "\n".join(i["text"] for i in row.open_problems),
                   "\n".join(d["text"] + (f"（{d['answer']}）" if d["answer"] else "") for d in row.directives)])
        if s.colour in fills:
            ws.cell(row=ws.max_row, column=7).fill = PatternFill("solid", fgColor=fills[s.colour])
        for col in (8, 16, 17):
            ws.cell(row=ws.max_row, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    summary = wb.create_sheet(_("分镇街汇总"))
    xlsx.append(summary, [_("镇（街道）"), _("项目数"), _("红色"), _("黄色"), _("蓝色"), _("已销账"),
                          _("财政资金（万元）"), _("社会资金（万元）"), _("撬动比")])
    for name, t in [*r.streets, (_("合计"), r.totals)]:
        xlsx.append(summary, [name, t.projects, t.colours[Colour.red], t.colours[Colour.yellow], t.colours[Colour.blue],
                        t.states[ProjectState.written_off], float(format_wan(t.public_fen).replace(",", "")),
                        float(format_wan(t.social_fen).replace(",", "")), t.leverage])
    out = io.BytesIO()
    wb.save(out)
    return f"{r.title}-{r.month}-月调度.xlsx", XLSX, out.getvalue()


def public_url(base_url: str, project_id: int) -> str:
    return f"{base_url.rstrip('/')}/p/{project_id}"


async def project_poster_pdf(project_id: int, base_url: str) -> tuple[str, str, bytes]:
    """A QR poster to put up at the site, in the style of the observation points' 码上听 posters:
    what is being done, by whom, with what money, and a code to follow it (the public page).
    Only what the public page shows (projects.public): no personal data."""
    p = await public.public_project(project_id)
    url = public_url(base_url, project_id)
    pdf = await render_pdf("projects/poster.html", p=p, url=url, qr=qr_svg(url))
    return f"民生微事-{p['town_name']}-{p['title']}.pdf", "application/pdf", pdf
