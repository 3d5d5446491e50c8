"""Files of 评实效, as (filename, mimetype, bytes): the street's rating slips (PDF) and the
district dashboard's tables (Excel)."""
from __future__ import annotations

from yishi.ballots import codes as code_utils
from yishi.ballots.paper_pdf import qr_modules
from yishi.core import dates, i18n
from yishi.core.errors import Conflict
from yishi.core.i18n import _, official_document
from yishi.core.pdf import render_pdf
from yishi.evaluation import report as reports
from yishi.evaluation import services
from yishi.evaluation.rules import pct_text
from yishi.wishlists import services as wishlists

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def qr_svg(url: str) -> str:
    """A QR code as an SVG path (one unit per module), for WeasyPrint to draw."""
    matrix = qr_modules(url)
    n = len(matrix)
    path = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" shape-rendering="crispEdges">'
            f'<path d="{path}" fill="#000"/></svg>')


async def codes_pdf(round_id: int, base_url: str, language: str = i18n.DEFAULT_LOCALE) -> tuple[str, str, bytes]:
    """评价码 slips, ten to an A4 page, grouped by community: the code, the QR code leading to the
    round's projects (/r/CODE), and how to rate; in Chinese, English or both (i18n.PRINT_LANGUAGES)."""
    round_ = await wishlists.get_round(round_id)
    rows = await services.codes_of(round_id)
    if not rows:
        raise Conflict(_("还没有生成评价码。"))
    slips = [{"code": code_utils.display(r["code"]), "community": r["community_name"],
              "url": f"{base_url}/r/{r['code']}", "qr": qr_svg(f"{base_url}/r/{r['code']}")} for r in rows]
    with i18n.printing(i18n.print_language(language)) as bilingual:
        data = await render_pdf("pdf/rating_codes.html", round=round_, slips=slips, base_url=base_url,
                                bilingual=bilingual)
    return f"{round_.town_name}{round_.title}评价码.pdf", "application/pdf", data


def _pct(value: float | None) -> str:
    return "—" if value is None else pct_text(value) + "%"


@official_document
async def report_pdf(district_id: int, period: str) -> tuple[str, str, bytes]:
    """评估报告 of a district for a half year or a year, in the dossier's layout (GB/T 9704)."""
    r = await reports.build(district_id, period)
    today = dates.today()
    data = await render_pdf("pdf/evaluation_report.html", r=r, pct=_pct,
                            advice=reports.advice_counts(r), year=today.year,
                            today_label=dates.long_date(today))
    return f"{r.district_name}{r.label}民生微事评估报告.pdf", "application/pdf", data
