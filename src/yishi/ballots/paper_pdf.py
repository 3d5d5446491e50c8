"""Printable paper ballots: one page per code, with the list, the code and its QR code."""
from __future__ import annotations

import functools
import glob
import io
import logging
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread

from yishi.ballots import codes as code_utils
from yishi.ballots import round_settings
from yishi.ballots.tables import BallotCode
from yishi.core import audit, i18n
from yishi.core import pdf as core_pdf
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

MAX_PER_PDF = 2000
SIZES = ("A4", "A5")

log = logging.getLogger(__name__)


# Page geometry in mm: the template leaves the code's and the QR's spots empty at these places,
# and _stamp draws them there on every copy of the page.
GEOMETRY = {
    "A5": {"w": 148, "h": 210, "top": 12, "side": 12, "bottom": 10, "qr": 28, "code_h": 9, "head": 36},
    "A4": {"w": 210, "h": 297, "top": 16, "side": 18, "bottom": 14, "qr": 32, "code_h": 10, "head": 40},
}
PT = 72 / 25.4


def qr_modules(url: str) -> list[list[bool]]:
    """The URL as a QR matrix (level M survives a crease or a smudge), quiet zone included."""
    import qrcode  # noqa: PLC0415 — start-up cost
    from qrcode.constants import ERROR_CORRECT_M  # noqa: PLC0415 — start-up cost

    # A fixed mask: choosing the best of eight costs eight encodings (14 s for 1,000 codes); any
    # mask is valid and every reader decodes it.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, mask_pattern=2)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


# --- the code's font, embedded ------------------------------------------------------------------
# Every font of our PDFs is embedded (a reader without it would substitute another). The code is
# stamped as text after WeasyPrint's layout, so it gets a font of its own: the code characters
# of Noto Sans Mono CJK SC Bold (OFL, Debian's fonts-noto-cjk), monospaced so that a code reads
# character by character, as a small TrueType font (the CFF outlines turned into quadratic
# ones) that the PDF embeds as a simple font: one byte per character, so the stamp stays plain
# text that pdftotext and a screen reader read back.

CODE_CHARS = code_utils.ALPHABET + "-"
CODE_FAMILIES = ("Noto Sans Mono CJK SC", "Noto Sans CJK SC")
FONT_GLOBS = ("/usr/share/fonts/**/NotoSans*CJK*Bold*.tt[cf]", "/usr/share/fonts/**/NotoSans*CJK*Bold*.otf",
              "/usr/local/share/fonts/**/NotoSans*CJK*Bold*.*")
SUBSET_TAG = "YISHIC"  # a subset's name starts with six capitals and '+'


@dataclass(frozen=True)
class CodeFont:
    name: str  # PostScript name, with the subset tag
    data: bytes  # the TrueType file
    widths: dict[str, int]  # advance per character, in 1/1000 em
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int


def _font_candidates() -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    if shutil.which("fc-match"):
        for family in CODE_FAMILIES:
            out = subprocess.run(["fc-match", "--format=%{file}\t%{index}", f"{family}:bold"],
                                 capture_output=True, text=True).stdout.split("\t")
            if len(out) == 2 and out[1].isdigit():
                found.append((out[0], int(out[1])))
    for pattern in FONT_GLOBS:
        found += [(path, -1) for path in sorted(glob.glob(pattern, recursive=True))]
    return list(dict.fromkeys(found))


def _find_code_font():
    """The first of CODE_FAMILIES found, bold: a fontTools TTFont (lazy)."""
    from fontTools.ttLib import TTCollection, TTFont  # noqa: PLC0415 — start-up cost

    fonts = []
    for path, index in _font_candidates():
        try:
            if path.lower().endswith(".ttc"):
                members = TTCollection(path, lazy=True).fonts
                fonts += [members[index]] if 0 <= index < len(members) else members
            else:
                fonts.append(TTFont(path, lazy=True))
        except Exception:  # noqa: BLE001 - not a font we can read: try the next one
            continue
    for family in CODE_FAMILIES:
        for font in fonts:
            if font["name"].getDebugName(1) == family and font["OS/2"].usWeightClass >= 700:
                return font
    log.error("no Noto Sans (Mono) CJK SC Bold font found for the paper ballots' codes: install fonts-noto-cjk")
    # The server lacks a font, not the user's input: 503, said in Chinese, nothing changed.
    raise DomainError(
        _("服务器缺少中文粗体字体（Noto CJK），暂时无法生成纸质选票。请管理员安装 fonts-noto-cjk 后再试。"), 503)


@functools.lru_cache(maxsize=1)
def code_font() -> CodeFont:
    """The code characters as a small TrueType font, built once per process (about 0.3 s)."""
    from fontTools.agl import UV2AGL  # noqa: PLC0415 — start-up cost
    from fontTools.fontBuilder import FontBuilder  # noqa: PLC0415 — start-up cost
    from fontTools.pens.cu2quPen import Cu2QuPen  # noqa: PLC0415 — start-up cost
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # noqa: PLC0415 — start-up cost

    source = _find_code_font()
    cmap, outlines, hmtx = source.getBestCmap(), source.getGlyphSet(), source["hmtx"]
    names = {ch: UV2AGL[ord(ch)] for ch in CODE_CHARS}
    order = [".notdef", *names.values()]
    glyphs = {}
    for name, source_name in [(".notdef", ".notdef"), *((n, cmap[ord(ch)]) for ch, n in names.items())]:
        pen = TTGlyphPen(None)
        # CFF contours run the other way round from TrueType's.
        outlines[source_name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    units = source["head"].unitsPerEm
    build = FontBuilder(units, isTTF=True)
    build.setupGlyphOrder(order)
    build.setupCharacterMap({ord(ch): n for ch, n in names.items()})
    build.setupGlyf(glyphs)
    glyf = build.font["glyf"]
    advance = {n: hmtx[cmap[ord(ch)]][0] for ch, n in names.items()}
    advance[".notdef"] = hmtx[".notdef"][0]
    build.setupHorizontalMetrics({n: (advance[n], getattr(glyf[n], "xMin", 0)) for n in order})
    hhea, os2 = source["hhea"], source["OS/2"]
    build.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    ps_name = source["name"].getDebugName(6) or "NotoSansMonoCJKsc-Bold"
    build.setupNameTable({"familyName": source["name"].getDebugName(1), "styleName": "Bold", "psName": ps_name,
                          "copyright": source["name"].getDebugName(0) or "", "licenseDescription":
                          source["name"].getDebugName(13) or "SIL Open Font License 1.1"})
    build.setupOS2(sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender,
                   usWinAscent=os2.usWinAscent, usWinDescent=os2.usWinDescent, usWeightClass=700, fsType=0)
    build.setupPost()
    out = io.BytesIO()
    build.save(out)
    head = build.font["head"]
    scale = 1000 / units
    return CodeFont(
        name=f"{SUBSET_TAG}+{ps_name}", data=out.getvalue(),
        widths={ch: round(advance[n] * scale) for ch, n in names.items()},
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        ascent=round(hhea.ascent * scale), descent=round(hhea.descent * scale),
        cap_height=round(getattr(os2, "sCapHeight", 0) * scale or hhea.ascent * scale * 0.7))


def _code_font_objects(pdf):
    """Add the code's font to the PDF (file, descriptor, Unicode map, font): its reference."""
    import pydyf  # noqa: PLC0415 — start-up cost

    font = code_font()
    font_file = pydyf.Stream([font.data], pydyf.Dictionary({"Length1": len(font.data)}), compress=True)
    pdf.add_object(font_file)
    descriptor = pydyf.Dictionary({
        "Type": "/FontDescriptor", "FontName": f"/{font.name}",
        "Flags": 1 + 32,  # fixed pitch, non-symbolic (Latin letters and digits)
        "FontBBox": pydyf.Array(font.bbox), "ItalicAngle": 0, "Ascent": font.ascent, "Descent": font.descent,
        "CapHeight": font.cap_height, "StemV": 140, "FontFile2": font_file.reference,
    })
    pdf.add_object(descriptor)
    chars = sorted(font.widths)
    to_unicode = pydyf.Stream([
        b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
        b"1 begincodespacerange", b"<00> <ff>", b"endcodespacerange",
        f"{len(chars)} beginbfchar".encode(),
        *(f"<{ord(ch):02x}> <{ord(ch):04x}>".encode() for ch in chars),
        b"endbfchar", b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end",
    ], compress=True)
    pdf.add_object(to_unicode)
    first, last = ord(chars[0]), ord(chars[-1])
    widths = [font.widths.get(chr(c), 0) for c in range(first, last + 1)]
    dictionary = pydyf.Dictionary({
        "Type": "/Font", "Subtype": "/TrueType", "BaseFont": f"/{font.name}", "FirstChar": first,
        "LastChar": last, "Widths": pydyf.Array(widths), "Encoding": "/WinAnsiEncoding",
        "FontDescriptor": descriptor.reference, "ToUnicode": to_unicode.reference,
    })
    pdf.add_object(dictionary)
    return dictionary.reference


def _stamp_ops(geo: dict, code_display: str, url: str) -> bytes:
    """PDF drawing operators (points, origin bottom-left) for one ballot's code and QR: the QR as
    filled squares (vector: sharp at any printer resolution), the code in the embedded font."""
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
    import pydyf  # noqa: PLC0415 — start-up cost

    def finish(document, pdf) -> None:
        kids = pdf.pages["Kids"]
        templates = [pdf.objects[kids[i]] for i in range(0, len(kids), 3)]
        font = _code_font_objects(pdf)
        for template in templates:
            resources = _deref(pdf, template["Resources"])
            fonts = resources.get("Font")
            if isinstance(fonts, (str, bytes)):
                fonts = _deref(pdf, fonts)
            elif fonts is None:
                fonts = resources["Font"] = pydyf.Dictionary()
            fonts["YishiCode"] = font
        new_kids = pydyf.Array()
        for index, ops in zip(order, stamps, strict=True):
            stream = pydyf.Stream([ops], compress=True)
            pdf.add_object(stream)
            page = pydyf.Dictionary(dict(templates[index]))
            page["Contents"] = pydyf.Array([templates[index]["Contents"], stream.reference])
            pdf.add_object(page)
            new_kids.extend([page.number, 0, "R"])
        pdf.pages["Kids"] = new_kids
        pdf.pages["Count"] = len(stamps)

    return finish


def _render(html_for: Callable[[bool], str], many: bool, order: list[int], geo: dict,
            codes: list[tuple[str, str]]) -> bytes:
    """Lay the community pages out (the list in two columns when it is long, or when one column
    does not fit on the page: long titles wrap), then stamp a copy per code."""
    from weasyprint import HTML  # noqa: PLC0415 — start-up cost (WeasyPrint loads Pango)
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 — start-up cost

    stamps = [_stamp_ops(geo, code_utils.display(code), url) for code, url in codes]
    pages = max(order) + 1
    document = HTML(string=html_for(many), base_url=str(core_pdf.TEMPLATES)).render(font_config=FontConfiguration())
    if len(document.pages) != pages and not many:
        document = HTML(string=html_for(True), base_url=str(core_pdf.TEMPLATES)).render(font_config=FontConfiguration())
    if len(document.pages) != pages:
        raise DomainError(_("清单太长，一张选票放不下。请改用 A4 纸打印，或精简清单。"))
    return document.write_pdf(finisher=_stamp(order, stamps))


async def unused_codes(round_id: int, community_id: int | None, limit: int) -> list[dict]:
    query = BallotCode.select(BallotCode.code, BallotCode.community.name.as_alias("community")).where(
        (BallotCode.round == round_id) & BallotCode.used_at.is_null())
    if community_id is not None:
        query = query.where(BallotCode.community == community_id)
    return await query.order_by(BallotCode.community).order_by(BallotCode.id).limit(limit)


async def paper_ballots_pdf(round_id: int, *, base_url: str, community_id: int | None = None,
                            limit: int = 1000, size: str = "A4", language: str = i18n.DEFAULT_LOCALE,
                            actor: Any = None) -> tuple[str, str, bytes]:
    """Up to `limit` unused codes of the round (of one community, or all), one ballot each, in
    `language` (one of i18n.PRINT_LANGUAGES: Chinese, English or both). The round is marked as
    using paper: after its closing time it waits for the paper entry."""
    if size not in SIZES:
        raise DomainError(_("纸张大小只能是 A4 或 A5。"))
    if not 1 <= limit <= MAX_PER_PDF:
        raise DomainError(_("每次可打印 1 到 {n} 张选票。").format(n=MAX_PER_PDF))
    round_ = await wishlists.get_round(round_id)
    if round_.status not in (RoundStatus.draft, RoundStatus.voting):
        raise Conflict(_("勾选已结束，不能再打印纸质选票。"))
    setup = await round_settings.get(round_id)
    if round_.status is RoundStatus.voting and setup.casting_ended:
        raise Conflict(_("勾选已截止，不能再打印纸质选票。"))
    rows = await unused_codes(round_id, community_id, limit)
    if not rows:
        raise DomainError(_("没有未使用的选票码。请先生成选票码。"))
    items = await wishlists.items_of(round_id)
    base = base_url.rstrip("/")
    geo = GEOMETRY[size]
    # One laid-out page per community; every code of that community is a stamped copy of it.
    communities = list(dict.fromkeys(row["community"] for row in rows))
    order = [communities.index(row["community"]) for row in rows]
    codes = [(row["code"], f"{base}/v/{row['code']}") for row in rows]
    template = core_pdf._environment().get_template("pdf/paper_ballot.html")

    choice = i18n.print_language(language)

    def html_for(many: bool) -> str:
        return template.render(
            round=round_, items=items, ballots=[{"community": c} for c in communities], size=size, geo=geo,
            many=many, vote_url=f"{base}/vote", per_household=setup.per_household, closes_at=setup.closes_at,
            bilingual=bilingual)

    many = len(items) > (10 if size == "A5" else 18)
    with i18n.printing(choice) as bilingual:  # the worker thread runs in a copy of this context
        data = await anyio.to_thread.run_sync(lambda: _render(html_for, many, order, geo, codes))
    await round_settings.mark_paper_printed(round_id)
    await audit.record("ballot.paper.printed", actor=actor, object_type="round", object_id=round_id,
                       community_id=community_id, count=len(rows), size=size, language=choice)
    return f"round-{round_id}-paper-ballots.pdf", "application/pdf", data
