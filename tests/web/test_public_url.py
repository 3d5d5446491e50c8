"""YISHI_PUBLIC_URL (web.links): every QR code and link printed for residents uses it, never
the address the clerk's browser reached the site at; until it is set, the pages that print
warn the clerk."""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from dataclasses import replace

import pytest

from tests import factories as f
from tests.evaluation.setup import codes as rating_codes
from tests.evaluation.setup import written_off
from yishi.accounts.enums import Role

PUBLIC = "https://yishi.example.gov.cn"
OFFICE = "http://testserver.local"  # the test client's address, standing for the office machine
WARNING = "还没有设置平台的对外网址"

needs_tools = pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                                 reason="zbar-tools and poppler-utils needed to read the QR codes")


@pytest.fixture
def public(app, settings):
    app.state.settings = replace(settings, public_url=PUBLIC)


def qr_codes(pdf: bytes, tmp_path) -> list[str]:
    """What the QR codes on the PDF's first page say."""
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / "doc.pdf"),
                    str(tmp_path / "page")], check=True)
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True, text=True)
    return sorted(out.stdout.split())


async def voting_round_and_staff(client):
    places = await f.make_places(n_communities=1)
    round_ = await f.make_round(places, items=2, max_ticks=1)
    codes = await f.open_round(round_, codes_per_community=2)
    staff = await f.make_user(Role.street_staff, places)
    return places, round_, codes, await f.login(client, staff.username)


async def test_ballot_codes_page_and_csv_use_the_public_address(client, public):
    _places, round_, codes, _token = await voting_round_and_staff(client)
    page = await client.get(f"/rounds/{round_.id}/codes")
    assert page.status_code == 200
    printed = sorted(re.findall(r'class="slip-link" href="[^"]*">([^<]*)</a>', page.text))
    assert printed == sorted(f"{PUBLIC}/v/{c}" for c in codes)
    assert WARNING not in page.text and "testserver" not in page.text
    rows = list(csv.reader(io.StringIO((await client.get(f"/rounds/{round_.id}/codes.csv")).text.lstrip("\ufeff"))))
    column = rows[0].index("网址")
    assert sorted(r[column] for r in rows[1:]) == sorted(f"{PUBLIC}/v/{c}" for c in codes)


async def test_ballot_codes_page_without_public_address_warns_the_clerk(client):
    _places, round_, codes, _token = await voting_round_and_staff(client)
    page = await client.get(f"/rounds/{round_.id}/codes")
    assert WARNING in page.text and f"现在打印用的是这台电脑访问的地址 {OFFICE}。" in page.text
    assert f'>{OFFICE}/v/{codes[0]}</a>' in page.text  # still printable, with the office address


@needs_tools
async def test_paper_ballots_qr_codes_lead_to_the_public_address(client, public, tmp_path):
    _places, round_, _codes, token = await voting_round_and_staff(client)
    assert WARNING not in (await client.get(f"/rounds/{round_.id}/paper/")).text
    pdf = await client.post(f"/rounds/{round_.id}/paper/ballots.pdf", data={"_csrf_token": token, "count": "1"})
    assert pdf.status_code == 200
    found = qr_codes(pdf.content, tmp_path)
    assert len(found) == 1 and re.fullmatch(rf"{re.escape(PUBLIC)}/v/[A-Z0-9]{{8}}", found[0]), found


async def test_paper_ballots_page_without_public_address_warns_the_clerk(client):
    _places, round_, _codes, _token = await voting_round_and_staff(client)
    page = await client.get(f"/rounds/{round_.id}/paper/")
    assert page.status_code == 200 and WARNING in page.text


@needs_tools
async def test_rating_codes_qr_codes_lead_to_the_public_address(client, public, tmp_path):
    places, staff, _ids, round_id = await written_off()
    printed = await rating_codes(places, staff, round_id, 2)
    await f.login(client, staff.username)
    assert WARNING not in (await client.get(f"/evaluation/rounds/{round_id}/codes")).text
    pdf = await client.get(f"/evaluation/rounds/{round_id}/codes.pdf")
    assert pdf.status_code == 200
    assert qr_codes(pdf.content, tmp_path) == sorted(f"{PUBLIC}/r/{c}" for c in printed)


@needs_tools
async def test_point_poster_qr_code_leads_to_the_public_address(client, public, tmp_path):
    places = await f.make_places()
    point = await f.make_point(places)
    staff = await f.make_user(Role.street_staff, places)
    await f.login(client, staff.username)
    page = await client.get("/suggestions/points")
    assert f"{PUBLIC}/s/{point.code}" in page.text and WARNING not in page.text
    pdf = await client.get(f"/suggestions/points/{point.id}/poster.pdf")
    assert qr_codes(pdf.content, tmp_path) == [f"{PUBLIC}/s/{point.code}"]


@needs_tools
async def test_project_poster_qr_code_leads_to_the_public_address(client, public, tmp_path):
    _places, staff, ids, _round_id = await written_off(items=1)
    await f.login(client, staff.username)
    assert WARNING not in (await client.get(f"/projects/{ids[0]}")).text
    pdf = await client.get(f"/projects/{ids[0]}/poster.pdf")
    assert qr_codes(pdf.content, tmp_path) == [f"{PUBLIC}/p/{ids[0]}"]


async def test_every_printing_page_without_public_address_warns_the_clerk(client):
    places, staff, ids, round_id = await written_off(items=1)
    await f.make_point(places)
    await f.login(client, staff.username)
    for path in (f"/evaluation/rounds/{round_id}/codes", "/suggestions/points", f"/projects/{ids[0]}"):
        page = await client.get(path)
        assert page.status_code == 200 and WARNING in page.text, path


@needs_tools
async def test_collector_guide_names_the_public_address(client, public, tmp_path):
    pdf = await client.get("/help/collector.pdf")
    (tmp_path / "guide.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "guide.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = re.sub(r"\s+", "", text)  # pdftotext breaks a long address across lines
    assert f"{PUBLIC}/login" in text and f"{PUBLIC}/suggestions/new" in text and "testserver" not in text
