"""Odd input answers a Chinese 4xx page and saves nothing: ids and numbers beyond 64 bits (one
path check, one number parse), junk filters (one filter parser), a .pb file's absurd amounts, a
suggestion holding control characters in the Excel export, and an Excel "row bomb"."""
from __future__ import annotations

import io
import zipfile

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots.tables import BallotCode
from yishi.core import xlsx
from yishi.projects.tables import Directive
from yishi.suggestions.tables import Suggestion
from yishi.wishlists.tables import Round

HUGE = "9223372036854775808"  # 2**63: one beyond the largest 64-bit id


async def _staff(client, role: Role = Role.street_staff):
    places = await f.make_places()
    user = await f.make_user(role, places)
    token = await f.login(client, user.username)
    return places, user, token


@pytest.mark.parametrize("path", ["/street/99999999999999999999", "/photos/99999999999999999999",
                                  "/p/99999999999999999999", "/results/99999999999999999999",
                                  "/suggestions/points/99999999999999999999/poster.pdf",
                                  "/units/99999999999999999999/edit"])
async def test_path_id_beyond_64_bits_is_a_chinese_404_on_every_route(client, path):
    await _staff(client, Role.admin)
    r = await client.get(path)
    assert r.status_code == 404
    assert "找不到这个页面" in r.text


async def test_form_number_beyond_64_bits_is_refused_and_issues_no_code(client):
    places, _user, token = await _staff(client)
    round_ = await f.make_round(places)
    await f.open_round(await f.adopt_list(round_), codes_per_community=1)
    before = await BallotCode.count()
    r = await client.post(f"/rounds/{round_.id}/codes",
                          data={"community": HUGE, "count": "5", "_csrf_token": token})
    assert r.status_code == 400
    assert "社区应为整数" in r.text
    assert await BallotCode.count() == before


@pytest.mark.parametrize("query", ["community=garbage", f"category={HUGE}", "town=-1", "status=nope",
                                   "grade=9", "date_from=0001-01-01", "date_to=garbage", "overdue=%00"])
async def test_junk_filter_on_suggestions_list_and_export_is_dropped(client, query):
    await _staff(client)
    assert (await client.get(f"/suggestions?{query}")).status_code == 200
    r = await client.get(f"/suggestions/export.xlsx?{query}")
    assert r.status_code == 200
    assert r.content[:2] == b"PK"


async def test_suggestion_with_control_characters_exports_and_is_kept_as_sent(client):
    places, _user, _token = await _staff(client)
    content = "楼道灯坏了\x01\x0b\x1f 请尽快修理，谢谢！"  # (NUL is dropped when a form is read)
    receipt = await f.make_suggestion(places, content=content)
    r = await client.get("/suggestions/export.xlsx")
    assert r.status_code == 200
    stored = await Suggestion.select(Suggestion.content).where(Suggestion.id == receipt.id).first()
    assert stored["content"] == content
    from openpyxl import load_workbook  # start-up cost
    cells = [c for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True) for c in row]
    assert "楼道灯坏了\ufffd\ufffd\ufffd 请尽快修理，谢谢！" in cells


@pytest.mark.parametrize("budget,cost", [("1e400", "100"), ("1000", "1e30"), ("1000", "99999999999999999999"),
                                         ("1e999999999", "100")])
async def test_pb_import_with_absurd_amounts_is_refused_and_saves_nothing(client, budget, cost):
    places, _user, token = await _staff(client, Role.admin)
    pb = (f"META\nkey;value\ndescription;x\nnum_projects;1\nnum_votes;1\nbudget;{budget}\nvote_type;approval\n"
          f"PROJECTS\nproject_id;cost;name\n1;{cost};路灯\nVOTES\nvoter_id;vote\n1;1\n")
    before = await Round.count()
    r = await client.post("/rounds/import-pb", data={"town": str(places["town"]), "_csrf_token": token},
                          files={"file": ("x.pb", pb.encode(), "text/plain")})
    assert r.status_code == 400
    assert "Pabulib" in r.text or "合理范围" in r.text
    assert await Round.count() == before


def _sheet_with_blank_rows(n: int) -> bytes:
    """A workbook whose one sheet holds n rows with an empty cell each (what a row bomb is)."""
    from openpyxl import Workbook  # start-up cost
    buf = io.BytesIO()
    Workbook().save(buf)
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t></t></is></c></row>' for i in range(1, n + 1))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item)
            dst.writestr(item, data)
    return out.getvalue()


@pytest.mark.pure
async def test_excel_upload_with_more_rows_than_allowed_is_refused_without_reading_on():
    with pytest.raises(xlsx.UploadRefused, match="一次最多导入 100 行"):
        await xlsx.read_rows(_sheet_with_blank_rows(5000), "建议", 100)


@pytest.mark.pure
async def test_excel_upload_unpacking_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_UNPACKED", 10_000)
    with pytest.raises(xlsx.UploadRefused, match="文件内容太多"):
        await xlsx.read_rows(_sheet_with_blank_rows(1000), "建议", 2000)


async def test_excel_row_bomb_upload_is_a_400_and_imports_nothing(client):
    _places, _user, token = await _staff(client)
    before = await Suggestion.count()
    r = await client.post("/suggestions/import", data={"_csrf_token": token},
                          files={"file": ("bomb.xlsx", _sheet_with_blank_rows(6000), "application/octet-stream")})
    assert r.status_code == 400
    assert "一次最多导入" in r.text
    assert await Suggestion.count() == before


async def test_id_beyond_a_postgresql_integer_is_refused_on_both_databases(client):
    places, _user, token = await _staff(client)
    round_ = await f.make_round(places)
    await f.open_round(await f.adopt_list(round_), codes_per_community=1)
    before = await BallotCode.count()
    r = await client.post(f"/rounds/{round_.id}/codes", data={"community": "2147483648", "count": "1",
                                                               "_csrf_token": token})
    assert r.status_code == 400 and "社区应为整数" in r.text
    assert await BallotCode.count() == before
    assert (await client.get("/rounds/2147483648")).status_code == 404


async def test_nul_in_a_form_is_dropped_and_the_rest_kept_as_typed(client):
    places, _user, token = await _staff(client)
    receipt = await f.make_suggestion(places)
    r = await client.post(f"/suggestions/{receipt.id}/answer",
                          data={"reply": "已\x00安排维修\x0b，谢谢。", "_csrf_token": token})
    assert r.status_code < 500
    r = await client.get("/suggestions?q=%00灯")
    assert r.status_code == 200


@pytest.mark.parametrize("query", ["town=99999999999999999999", "page=99999999999999999999", "town=-1&page=x",
                                   "q=%00a"])
async def test_junk_filter_on_the_accounts_list_is_dropped(client, query):
    await _staff(client, Role.admin)
    assert (await client.get(f"/users?{query}")).status_code == 200


async def test_admin_settings_for_a_town_that_does_not_exist_is_404_in_chinese(client):
    from tests import factories as f
    from yishi.accounts.enums import Role

    places = await f.make_places()
    admin = await f.make_user(Role.admin, places)
    token = await f.login(client, admin.username)
    r = await client.post("/suggestions/settings/deadlines", data={
        "_csrf_token": token, "town": "999999", "immediate": "3", "deadline": "15", "study": "30"})
    assert r.status_code == 404
    assert "找不到这个镇（街道）" in r.text


async def test_control_characters_in_a_directive_export_in_the_monthly_review_and_stay_stored(client):
    """The probe's one 5xx on a fresh demo (SQLite): a directive typed with control characters made
    the street's 月调度 Excel answer 500 for everyone. Every export adds its rows through
    core.xlsx.append, which cleans the file's copy only."""
    places, _user, token = await _staff(client)
    _p, (project, _other) = await f.make_projects(places)
    r = await client.post(f"/projects/{project}/directives", data={
        "_csrf_token": token, "text": "管线\x01\x0b铺设", "assignee": "区住建局", "due": "2026-12-31",
        "month": "2026-11"})
    assert r.status_code in (302, 303)
    stored = await Directive.select(Directive.text).where(Directive.project == project).first()
    assert stored["text"] == "管线\x01\x0b铺设"
    x = await client.get(f"/review/town/{places['town']}/report.xlsx?month=2026-11")
    assert x.status_code == 200
    from openpyxl import load_workbook  # start-up cost
    cells = [c for row in load_workbook(io.BytesIO(x.content)).active.iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and "管线\ufffd\ufffd铺设" in c for c in cells)
