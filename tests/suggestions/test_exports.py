"""Files tested as files: the Excel template and import (a real .xlsx with good and bad rows), and
the observation point's poster PDF read back with poppler and its QR code decoded with zbar."""
import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.suggestions import exports, history, rules
from yishi.suggestions.tables import Suggestion


async def _filled_template(places, rows: list[list]) -> bytes:
    """Download the town's template and fill it as a collector would, in Excel."""
    _name, _mime, data = await exports.template_xlsx(places["town"])
    wb = load_workbook(io.BytesIO(data))
    ws = wb["建议"]
    ws.delete_rows(2)  # the example row
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def test_template_has_headers_dropdowns_and_notes():
    places = await f.make_places()
    name, mime, data = await exports.template_xlsx(places["town"])
    assert name.endswith(".xlsx") and mime == exports.XLSX
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["建议", "选项", "填写说明"]
    ws = wb["建议"]
    assert [c.value for c in ws[1]] == ["建议内容*", "类别*", "社区（村）*", "渠道*", "收集日期", "居民姓名",
                                        "联系电话", "点位"]
    formulas = sorted(dv.formula1 for dv in ws.data_validations.dataValidation)
    assert formulas == ["='选项'!$A$1:$A$8", "='选项'!$B$1:$B$2", "='选项'!$C$1:$C$7"]
    assert [c.value for c in wb["选项"]["B"] if c.value] == ["第1社区", "第2社区"]


async def test_import_good_file_saves_every_row():
    places = await f.make_places()
    collector = await f.make_user(Role.collector, places)
    yesterday = rules.today_in_china() - timedelta(days=1)
    earlier = rules.today_in_china() - timedelta(days=40)
    data = await _filled_template(places, [
        ["单元门禁经常坏，外卖员随便进出。", "安全", "第1社区", "上门走访", yesterday, "李大妈", 13800138000,
         "幸福小区３栋"],
        ["希望社区卫生站周末也开门。", "医疗", "第2社区", "12345热线", f"{earlier.year}/{earlier.month}/{earlier.day}",
         None, "028-83912345"],
        [None, None, None, None, None, None, None],  # an empty row in the middle is skipped
        ["公园里的路灯晚上九点就关了。", "公共设施", "第1社区", "信访", None, None, None],
    ])
    receipts = await exports.import_xlsx(data, places["town"], actor=collector)
    assert len(receipts) == 3
    rows = await Suggestion.select().order_by(Suggestion.id).run()
    assert [r["channel"] for r in rows] == ["visit", "hotline", "petition"]
    assert rows[0]["received_on"] == yesterday and rows[0]["phone_masked"] == "138****8000"
    assert rows[0]["submitter_name"] == "李大妈" and rows[0]["recorded_by"] == collector.id
    assert rows[0]["spot"] == "幸福小区3栋" and rows[1]["spot"] == ""  # full-width digits made half-width
    assert rows[1]["received_on"] == earlier and rows[1]["phone_masked"] == "028****2345"
    assert rows[2]["received_on"] == rules.today_in_china()
    lines = await history.history(rows[0]["id"])
    assert lines[0]["text"] == "受理（上门走访；Excel 导入）"


async def test_import_bad_rows_lists_each_error_and_saves_nothing():
    places = await f.make_places()
    collector = await f.make_user(Role.collector, places)
    tomorrow = rules.today_in_china() + timedelta(days=1)
    data = await _filled_template(places, [
        ["小区门口路面塌陷，下雨积水。", "公共设施", "第1社区", "上门走访", None, None, None],  # good
        ["短", "公共设施", "第1社区", "上门走访", None, None, None],
        ["希望增加公交班次，早高峰挤不上。", "出行", "第9社区", "微信", None, None, "12345"],
        ["楼上漏水多次反映没人管。", "", "第2社区", "信访", tomorrow, "名" * 21, None],
        ["河道有异味，夏天更明显。", "环境卫生", "第2社区", "线上", "去年", None, None],
    ])
    with pytest.raises(exports.ImportFailed) as exc:
        await exports.import_xlsx(data, places["town"], actor=collector)
    errors = [(e.row, e.column) for e in exc.value.errors]
    assert errors == [
        (3, "建议内容"),
        (4, "类别"), (4, "社区（村）"), (4, "渠道"), (4, "联系电话"),
        (5, "类别"), (5, "收集日期"), (5, "居民姓名"),
        (6, "收集日期"),
    ]
    messages = {(e.row, e.column): e.message for e in exc.value.errors}
    assert messages[(4, "社区（村）")] == "本镇（街道）没有“第9社区”，请从下拉列表中选择。"
    assert messages[(5, "收集日期")] == "收集日期不能晚于今天。"
    assert exc.value.message == "文件中有 9 处错误，没有导入任何一条。请改正后重新上传。"
    assert await Suggestion.count() == 0


async def test_import_rejects_non_xlsx_and_missing_columns():
    places = await f.make_places()
    with pytest.raises(exports.ImportFailed) as exc:
        await exports.parse_import(b"name,phone\n1,2\n", places["town"])
    assert "不是有效的 Excel" in exc.value.message
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["内容", "类别"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(exports.ImportFailed) as exc:
        await exports.parse_import(out.getvalue(), places["town"])
    assert [e.column for e in exc.value.errors] == ["建议内容", "社区（村）", "渠道"]


async def test_import_through_route_shows_errors_table(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    token = await f.login(client, staff.username)
    template = await client.get("/suggestions/import/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    bad = await _filled_template(places, [["短", "公共设施", "第1社区", "上门走访", None, None, None]])
    r = await client.post("/suggestions/import", data={"_csrf_token": token},
                          files={"file": ("建议.xlsx", bad, exports.XLSX)})
    assert r.status_code == 400
    assert "第 2 行" in r.text and "建议内容" in r.text and "至少 5 个字" in r.text
    good = await _filled_template(places,
                                  [["社区图书角希望延长开放时间。", "教育", "第1社区", "线上", None, None, None]])
    r = await client.post("/suggestions/import", data={"_csrf_token": token},
                          files={"file": ("建议.xlsx", good, exports.XLSX)})
    assert r.status_code == 200 and "已导入 1 条建议" in r.text
    r = await client.post("/suggestions/import", data={"_csrf_token": token},
                          files={"file": ("a.xlsx", b"not a zip", exports.XLSX)})
    assert r.status_code == 400 and "不是有效的 Excel" in r.text


needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
needs_zbar = pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbar-tools not installed")


@needs_poppler
@needs_zbar
async def test_poster_pdf_embeds_cjk_font_prints_url_and_qr_decodes(tmp_path):
    places = await f.make_places()
    point = await f.make_point(places, name="大弯社区党群服务中心观测点")
    name, mime, pdf = await exports.poster_pdf(point.id, "http://yishi.example.cn/")
    assert mime == "application/pdf" and name == "码上听-第1社区-大弯社区党群服务中心观测点.pdf"
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes yes " in line for line in cjk)  # embedded, subset
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    url = f"http://yishi.example.cn/s/{point.code}"
    for expected in ("码上听", "大弯社区党群服务中心观测点", "第1社区", url, "件件有着落"):
        assert expected in text.replace(" ", "") or expected in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M) and "(A4)" in info  # one A4 page
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert decoded == url


async def test_template_uploaded_unchanged_imports_nothing():
    # The walk found the example row （示例，导入前请删除此行） imported as a real suggestion: the mark
    # was looked for with an ASCII bracket, the template writes a full-width one.
    places = await f.make_places()
    _name, _mime, data = await exports.template_xlsx(places["town"])
    with pytest.raises(exports.ImportFailed) as caught:
        await exports.import_xlsx(data, places["town"], actor=None)
    assert caught.value.message == "文件里没有可导入的建议（除表头外都是空行）。"
    assert await Suggestion.count() == 0


async def test_example_row_left_in_is_skipped_and_the_rest_imported():
    places = await f.make_places()
    _name, _mime, data = await exports.template_xlsx(places["town"])
    wb = load_workbook(io.BytesIO(data))
    example = [c.value for c in wb["建议"][2]]
    wb["建议"].append(["楼下路灯不亮，晚上出门不方便。", *example[1:]])
    out = io.BytesIO()
    wb.save(out)
    receipts = await exports.import_xlsx(out.getvalue(), places["town"], actor=None)
    assert len(receipts) == 1
    assert (await Suggestion.select(Suggestion.content).run()) == [{"content": "楼下路灯不亮，晚上出门不方便。"}]
