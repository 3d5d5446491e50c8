"""Printed matter and the page's language (issue 14). Official documents (the district dossier,
minutes, 月调度通报) stay Chinese whatever the page's language; the sheets residents hold (paper
ballots, the observation point's poster, rating slips) print in Chinese, English or both on
request; Excel exports follow the page's language."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests import factories as f
from tests.evaluation.setup import codes as rating_codes
from tests.evaluation.setup import written_off
from tests.meetings.test_routes import _decided
from yishi.accounts.enums import Role
from yishi.ballots.codes import display
from yishi.meetings.tables import Meeting

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("zbarimg") is None,
                                reason="poppler-utils and zbar-tools are not installed")
ENGLISH = "en"
BILINGUAL = "bilingual"


def _pdf_text(pdf: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


async def _in_english(client, username: str) -> None:
    await f.login(client, username)
    client.cookies.set("yishi_lang", ENGLISH)


async def test_official_documents_stay_chinese_when_the_page_is_english(client, tmp_path):
    places, convener, r, _ids = await _decided()
    await _in_english(client, convener.username)
    page = await client.get(f"/rounds/{r.id}")
    assert 'lang="en"' in page.text and "Wish list" in page.text  # the page itself is in English

    dossier = _flat(_pdf_text((await client.get(f"/rounds/{r.id}/intent-list.pdf")).content, tmp_path, "dossier"))
    assert "民生微事意愿清单" in dossier.replace(" ", "") and "intent list" not in dossier.lower()

    meeting = await Meeting.select(Meeting.id).where(Meeting.round == r.id).first()
    minutes = _flat(_pdf_text((await client.get(f"/meetings/{meeting['id']}/minutes.pdf")).content, tmp_path, "m"))
    assert "会议纪要" in minutes.replace(" ", "") and "Minutes" not in minutes

    staff = await f.make_user(Role.street_staff, places)
    await _in_english(client, staff.username)
    report = await client.get(f"/review/town/{places['town']}/report.pdf?month=2026-12")
    review = _flat(_pdf_text(report.content, tmp_path, "review"))
    assert "民生微事办理情况的通报" in review.replace(" ", "") and "Bulletin" not in review


async def _ballots_pdf(client, r, lang: str, size: str = "A4") -> bytes:
    token = f.csrf_from((await client.get(f"/rounds/{r.id}/paper/")).text)
    response = await client.post(f"/rounds/{r.id}/paper/ballots.pdf",
                                 data={"_csrf_token": token, "count": "3", "size": size, "lang": lang})
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
    return response.content


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def _boxes(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """(word, left, top, right, bottom) of each word on a page, in points from the top left."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(m[5], float(m[1]), float(m[2]), float(m[3]), float(m[4])) for m in WORD.finditer(html)]


def _words(pdf: Path, page: int = 1) -> list[tuple[str, float, float]]:
    """(word, top, bottom) of each word on a page."""
    return [(w, top, bottom) for w, _l, top, _r, bottom in _boxes(pdf, page)]


def _overlapping(pdf: Path, page: int = 1) -> list[tuple[str, str]]:
    """Pairs of words printed over each other (a block that ran into the next). A word's box
    spans the font's whole ascent and descent, so the boxes of adjacent lines overlap a little:
    only an overlap of more than 40% of the smaller word's height counts."""
    boxes = _boxes(pdf, page)

    def clash(a: tuple, b: tuple) -> bool:
        across = min(a[3], b[3]) - max(a[1], b[1])
        down = min(a[4], b[4]) - max(a[2], b[2])
        return across > 1 and down > 0.4 * min(a[4] - a[2], b[4] - b[2])

    return [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if clash(a, b)]


@pytest.mark.parametrize("size", ["A4", "A5"])
async def test_bilingual_paper_ballot_fits_its_page_with_code_and_qr_in_place(client, tmp_path, size):
    places = await f.make_places(1)
    staff = await f.make_user(Role.street_staff, places)
    r = await f.make_round(places, items=8, max_ticks=3)
    codes = await f.open_round(r, codes_per_community=3)
    await f.login(client, staff.username)
    data = await _ballots_pdf(client, r, BILINGUAL, size)
    pdf = tmp_path / "ballots.pdf"
    pdf.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+3\n", info)  # one page per code: the two languages fit
    text = _flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert text.count("Wish list of community projects · ballot") == 3
    assert text.replace(" ", "").count("群众勾选票") == 3
    assert text.count("Put a “√” in the box before the things you want done.") == 3
    assert all(display(c) in text for c in codes)
    # The Chinese and English lines of the head stay above the code's label, the label above the
    # stamped code: nothing of the head runs into the code.
    words = _words(pdf)
    english_title = min(bottom for word, _top, bottom in words if word == "ballot")  # the title's, the first
    label_top = min(top for word, top, _bottom in words if word == "Ballot")
    page1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    code = next(c for c in codes if display(c) in page1)
    code_top = min(top for word, top, _bottom in words if word == display(code))
    assert english_title < label_top < code_top
    assert _overlapping(pdf) == []
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png)],
                   check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", f"{png}.png"], capture_output=True, text=True).stdout.strip()
    assert decoded.endswith(f"/v/{code}")


async def test_english_paper_ballot_has_no_chinese_interface_text(client, tmp_path):
    places = await f.make_places(1)
    staff = await f.make_user(Role.street_staff, places)
    r = await f.make_round(places, items=3, max_ticks=2)
    await f.open_round(r, codes_per_community=1)
    await f.login(client, staff.username)  # the page in Chinese: the sheet's language is the form's
    text = _flat(_pdf_text(await _ballots_pdf(client, r, ENGLISH), tmp_path, "en"))
    assert "Wish list of community projects · ballot" in text and "Ballot code" in text
    assert "群众勾选票" not in text.replace(" ", "") and "选票码" not in text.replace(" ", "")
    chinese = _flat(_pdf_text(await _ballots_pdf(client, r, "zh_CN"), tmp_path, "zh"))
    assert "群众勾选票" in chinese.replace(" ", "") and "Ballot code" not in chinese


async def test_poster_and_rating_slips_in_the_language_asked_for(client, tmp_path):
    places = await f.make_places(1)
    staff = await f.make_user(Role.street_staff, places)
    point = await f.make_point(places)
    await f.login(client, staff.username)
    page = await client.get(f"/suggestions/points?town={places['town']}")
    assert f'action="/suggestions/points/{point.id}/poster.pdf"' in page.text and 'name="lang"' in page.text
    both = _flat(_pdf_text((await client.get(f"/suggestions/points/{point.id}/poster.pdf?lang={BILINGUAL}")).content,
                           tmp_path, "both"))
    assert "扫码提建议" in both.replace(" ", "") and "scantomakeasuggestion" in both.replace(" ", "")
    english = _flat(_pdf_text((await client.get(f"/suggestions/points/{point.id}/poster.pdf?lang=en")).content,
                              tmp_path, "en"))
    assert "scantomakeasuggestion" in english.replace(" ", "") and "扫码提建议" not in english.replace(" ", "")
    chinese = _flat(_pdf_text((await client.get(f"/suggestions/points/{point.id}/poster.pdf")).content,
                              tmp_path, "zh"))
    assert "扫码提建议" in chinese.replace(" ", "") and "suggestion" not in chinese
    odd = await client.get(f"/suggestions/points/{point.id}/poster.pdf?lang=klingon")
    assert odd.status_code == 200 and "扫码提建议" in _pdf_text(odd.content, tmp_path, "odd").replace(" ", "")


async def test_excel_export_follows_the_page_language(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    await f.make_suggestion(places, content="公交站没有遮雨棚。")
    await _in_english(client, staff.username)
    sheet = load_workbook(io.BytesIO((await client.get("/suggestions/export.xlsx")).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "Residents' suggestions"
    assert rows[2][:3] == ("Tracking code", "Date received", "Town (street)")
    assert "公交站没有遮雨棚。" in rows[3]  # what the resident wrote stays as written
    client.cookies.set("yishi_lang", "zh_CN")
    rows = list(load_workbook(io.BytesIO((await client.get("/suggestions/export.xlsx")).content)).active.iter_rows(
        values_only=True))
    assert rows[2][:3] == ("查询码", "收到日期", "镇（街道）")


async def test_rating_slips_bilingual_keep_ten_to_a_page(client, tmp_path):
    places, staff, _ids, round_id = await written_off()
    await rating_codes(places, staff, round_id, 10)
    await f.login(client, staff.username)
    page = await client.get(f"/evaluation/rounds/{round_id}/codes")
    assert f'action="/evaluation/rounds/{round_id}/codes.pdf"' in page.text and 'name="lang"' in page.text
    pdf = (await client.get(f"/evaluation/rounds/{round_id}/codes.pdf?lang={BILINGUAL}")).content
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+2\n", info)  # taller slips in two languages: six to a page
    assert _overlapping(path, 1) == [] and _overlapping(path, 2) == []
    a4_bottom_margin = 842 - 10 * 72 / 25.4
    assert max(bottom for _w, _t, bottom in _words(path, 1)) < a4_bottom_margin  # nothing runs off the page
    text = _flat(_pdf_text(pdf, tmp_path, "slips")).replace(" ", "")
    assert text.count("评价码") >= 10 and text.count("Ratingcode") == 10
