"""Accounts from Excel: the template, all rows or none with every bad row named, the sheet of
one-time passwords."""
import io

import pytest
from openpyxl import Workbook, load_workbook

from tests import factories as f
from yishi.accounts import exports, services
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.places.tables import Town

HEADER = ["用户名*", "姓名*", "角色*", "镇（街道）*", "社区（村）", "联系电话"]


def _xlsx(*rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "账号"
    ws.append(HEADER)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def _setup():
    places = await f.make_places()
    town = (await Town.select(Town.name).where(Town.id == places["town"]).first().run())["name"]
    return places, town


async def test_template_has_drop_downs_and_an_example_row():
    _places, town = await _setup()
    admin = await f.make_user(Role.admin)
    name, _mime, data = await exports.template_xlsx(admin)
    wb = load_workbook(io.BytesIO(data))
    ws = wb["账号"]
    assert name == "账号导入模板.xlsx"
    assert [c.value for c in ws[1]] == HEADER
    assert ws["A2"].value.startswith("（示例")
    assert sorted(str(dv.sqref) for dv in ws.data_validations.dataValidation) == ["C2:C2001", "D2:D2001", "E2:E2001"]
    assert [c.value for c in wb["选项"]["A"]] == ["镇（街道）工作人员", "议事组召集人", "议事组成员", "民情收集员"]
    assert town in [c.value for c in wb["选项"]["B"]]


async def test_template_uploaded_unchanged_imports_nothing():
    await _setup()
    admin = await f.make_user(Role.admin)
    _n, _m, data = await exports.template_xlsx(admin)
    with pytest.raises(exports.ImportFailed) as caught:
        await exports.import_accounts(data, admin)
    assert caught.value.message == "文件里没有可导入的账号（除表头和示例行外都是空行）。"
    assert await User.count() == 1


async def test_import_creates_all_rows_with_one_time_passwords():
    places, town = await _setup()
    admin = await f.make_user(Role.admin)
    created = await exports.import_accounts(_xlsx(
        ["（示例，导入前请删除此行）wang_xy", "王秀英", "民情收集员", town, "第1社区", ""],
        ["li_a", "李阿姨", "民情收集员", town, "第2社区", "13900000000"],
        ["zhao_b", "赵伯", "议事组成员", town, "", ""]), admin)
    assert [(a.username, a.role) for a, _p in created] == [("li_a", Role.collector), ("zhao_b", Role.member)]
    row = await User.select().where(User.username == "li_a").first().run()
    assert (row["town"], row["community"], row["phone"], row["must_change_password"]) == (
        places["town"], places["communities"][1], "13900000000", True)
    assert (await services.authenticate("li_a", created[0][1])).id == row["id"]
    _n, _m, sheet = exports.passwords_xlsx(created)
    ws = load_workbook(io.BytesIO(sheet)).active
    assert [c.value for c in ws[2]] == ["li_a", "李阿姨", "民情收集员", town, created[0][1]]


async def test_import_names_every_bad_row_and_imports_none():
    places, town = await _setup()
    admin = await f.make_user(Role.admin)
    await f.make_user(Role.member, places, username="Taken")
    with pytest.raises(exports.ImportFailed) as caught:
        await exports.import_accounts(_xlsx(
            ["ok_one", "甲", "议事组成员", town, "", ""],
            ["王", "乙", "议事组成员", town, "", ""],
            ["ok_one", "丙", "议事组成员", town, "", ""],
            ["taken", "丁", "议事组成员", town, "", ""],
            ["ok_two", "", "区级审核人员", "别的街道", "", ""],
            ["ok_three", "戊", "民情收集员", town, "没有的社区", ""]), admin)
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == [
        (3, "用户名", "用户名应为 2 到 40 个字母、数字或 _ . -。"),
        (4, "用户名", "与第 2 行的用户名重复。"),
        (5, "用户名", "用户名“Taken”已被使用。"),
        (6, "姓名", "请填写姓名。"),
        (6, "角色", "不能导入“区级审核人员”这个角色，请从下拉列表中选择。"),
        (6, "镇（街道）", "没有“别的街道”，或您不能为它建账号，请从下拉列表中选择。"),
        (7, "社区（村）", f"{town}没有“没有的社区”，请从下拉列表中选择。"),
    ]
    assert caught.value.message == "文件中有 7 处错误，没有导入任何账号。请改正后重新上传。"
    assert await User.count() == 2


async def test_street_staff_imports_members_of_own_street_only():
    (mine, my_town), (_theirs, their_town) = await _setup(), await _setup()
    staff = await f.make_user(Role.street_staff, mine)
    with pytest.raises(exports.ImportFailed) as caught:
        await exports.import_accounts(_xlsx(["a_1", "甲", "议事组召集人", my_town, "", ""],
                                            ["a_2", "乙", "议事组成员", their_town, "", ""]), staff)
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "角色"), (3, "镇（街道）")]


async def test_import_not_an_excel_file_refused():
    admin = await f.make_user(Role.admin)
    with pytest.raises(exports.ImportFailed) as caught:
        await exports.import_accounts(b"not a workbook", admin)
    assert caught.value.message == "这不是有效的 Excel(.xlsx)文件，请用下载的模板填写后上传。"
