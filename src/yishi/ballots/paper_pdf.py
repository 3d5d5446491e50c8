"""Printable paper ballots: one page per code, with the list, the code and its QR code."""
from __future__ import annotations

from typing import Any

from yishi.ballots import codes as code_utils
from yishi.ballots.tables import BallotCode, RoundSetting
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

MAX_PER_PDF = 2000
SIZES = ("A4", "A5")


# Page geometry in mm: the template leaves the code's and the QR's spots empty at these places,
# and _stamp draws them there on every copy of the page.
GEOMETRY = {
    "A5": {"w": 148, "h": 210, "top": 12, "side": 12, "bottom": 10, "qr": 28, "code_h": 9, "head": 36},
    "A4": {"w": 210, "h": 297, "top": 16, "side": 18, "bottom": 14, "qr": 32, "code_h": 10, "head": 40},
}
PT = 72 / 25.4


def qr_modules(url: str) -> list[list[bool]]:
    """The URL as a QR matrix (level M survives a crease or a smudge), quiet zone included."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    # A fixed mask: choosing the best of eight costs eight encodings (14 s for 1,000 codes); any
    # mask is valid and every reader decodes it.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, mask_pattern=2)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


def _stamp_ops(geo: dict, code_display: str, url: str) -> bytes:
    """PDF drawing operators (points, origin bottom-left) for one ballot's code and QR: the QR as
    filled squares (vector: sharp at any printer resolution), the code in Helvetica-Bold."""
    matrix = qr_modules(url)
    size = geo["qr"] * PT
    module = size / len(matrix)
    x0 = (geo["w"] - geo["side"] - geo["qr"]) * PT
    y_top = (geo["h"] - geo["top"]) * PT
    # WeasyPrint leaves its page stream in a flipped, top-down space: flip back (its own inverse).
    ops = ["q", f"1 0 0 -1 0 {geo['h'] * PT:.3f} cm", "0 0 0 rg"]
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):  # one rectangle per run of dark modules
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                ops.append(f"{x0 + start * module:.2f} {y_top - (r + 1) * module:.2f} "
                           f"{(c - start) * module + 0.05:.2f} {module + 0.05:.2f} re")
            else:
                c += 1
    ops.append("f")
    font = geo["code_h"] * 0.78 * PT
    baseline = (geo["h"] - geo["top"] - geo["head"] + 1 + geo["code_h"] * 0.22) * PT
    ops.append(f"BT /YishiCode {font:.1f} Tf {geo['side'] * PT:.2f} {baseline:.2f} Td 1.5 Tc ({code_display}) Tj ET")
    ops.append("Q")
    return "\n".join(ops).encode()


def _deref(pdf, reference):
    """pydyf's 'N 0 R' reference (str or bytes) -> the object."""
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return pdf.objects[int(text.split()[0])]


def _stamp(order: list[int], stamps: list[bytes]):
    """A WeasyPrint finisher: the document holds one page per community; make one page per code,
    each sharing its community's content stream and adding a small stream of its own (code, QR).
    A thousand ballots then cost one layout and one painting per community."""
    import pydyf

    def finish(document, pdf) -> None:
        kids = pdf.pages["Kids"]
        templates = [pdf.objects[kids[i]] for i in range(0, len(kids), 3)]
        font = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Helvetica-Bold",
                                 "Encoding": "/WinAnsiEncoding"})
        pdf.add_object(font)
        for template in templates:
            resources = _deref(pdf, template["Resources"])
            fonts = resources.get("Font")
            if isinstance(fonts, (str, bytes)):
                fonts = _deref(pdf, fonts)
            elif fonts is None:
                fonts = resources["Font"] = pydyf.Dictionary()
            fonts["YishiCode"] = font.reference
        new_kids = pydyf.Array()
        for index, ops in zip(order, stamps):
            stream = pydyf.Stream([ops], compress=True)
            pdf.add_object(stream)
            page = pydyf.Dictionary(dict(templates[index]))
            page["Contents"] = pydyf.Array([templates[index]["Contents"], stream.reference])
            pdf.add_object(page)
            new_kids.extend([page.number, 0, "R"])
        pdf.pages["Kids"] = new_kids
        pdf.pages["Count"] = len(stamps)

    return finish


def _render(html: str, order: list[int], geo: dict, codes: list[tuple[str, str]]) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from yishi.core.pdf import TEMPLATES

    stamps = [_stamp_ops(geo, code_utils.display(code), url) for code, url in codes]
    document = HTML(string=html, base_url=str(TEMPLATES)).render(font_config=FontConfiguration())
    if len(document.pages) != max(order) + 1:
        raise DomainError(_("清单太长，一张选票放不下。请改用 A4 纸打印，或精简清单。"))
    return document.write_pdf(finisher=_stamp(order, stamps))


async def unused_codes(round_id: int, community_id: int | None, limit: int) -> list[dict]:
    query = BallotCode.select(BallotCode.code, BallotCode.community.name.as_alias("community")).where(
        (BallotCode.round == round_id) & BallotCode.used_at.is_null())
    if community_id is not None:
        query = query.where(BallotCode.community == community_id)
    return await query.order_by(BallotCode.community).order_by(BallotCode.id).limit(limit)


async def paper_ballots_pdf(round_id: int, *, base_url: str, community_id: int | None = None,
                            limit: int = 1000, size: str = "A4") -> tuple[str, str, bytes]:
    """Up to `limit` unused codes of the round (of one community, or all), one ballot each."""
    if size not in SIZES:
        raise DomainError(_("纸张大小只能是 A4 或 A5。"))
    if not 1 <= limit <= MAX_PER_PDF:
        raise DomainError(_("每次可打印 1 到 {n} 张选票。").format(n=MAX_PER_PDF))
    round_ = await wishlists.get_round(round_id)
    if round_.status not in (RoundStatus.draft, RoundStatus.voting):
        raise Conflict(_("勾选已结束，不能再打印纸质选票。"))
    rows = await unused_codes(round_id, community_id, limit)
    if not rows:
        raise DomainError(_("没有未使用的选票码。请先生成选票码。"))
    items = await wishlists.items_of(round_id)
    setting = await RoundSetting.select(RoundSetting.voter_unit).where(RoundSetting.round == round_id).first()
    base = base_url.rstrip("/")
    geo = GEOMETRY[size]
    # One laid-out page per community; every code of that community is a stamped copy of it.
    communities = list(dict.fromkeys(row["community"] for row in rows))
    order = [communities.index(row["community"]) for row in rows]
    codes = [(row["code"], f"{base}/v/{row['code']}") for row in rows]
    from yishi.core.pdf import _environment

    html = _environment().get_template("pdf/paper_ballot.html").render(
        round=round_, items=items, ballots=[{"community": c} for c in communities], size=size, geo=geo,
        many=len(items) > (10 if size == "A5" else 22), vote_url=f"{base}/vote",
        per_household=bool(setting and setting["voter_unit"] == "household"))
    import anyio.to_thread

    data = await anyio.to_thread.run_sync(lambda: _render(html, order, geo, codes))
    return f"round-{round_id}-paper-ballots.pdf", "application/pdf", data
