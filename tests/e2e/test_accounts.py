"""用户管理 and 修改密码 in a real browser: the administrator makes an account at 1280 px and reads
its one-time password; the new member logs in on a 360 px phone, is sent to 修改密码, picks her own
password and goes on; a street's staff disables one of their members, whose phone is logged out."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login
from yishi.accounts.enums import Role

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots")


async def test_admin_creates_member_who_changes_one_time_password_on_a_phone(open_page):
    SHOTS.mkdir(exist_ok=True)
    places = await f.make_places()
    await f.make_user(Role.admin, username="admin")
    await f.make_user(Role.member, places, username="wang_fang")
    desk = await open_page()
    await login(desk, "admin")
    await desk.get_by_role("link", name="用户管理").click()
    await expect(desk.locator("#total")).to_have_text("共 2 个账号")
    await desk.get_by_label("姓名、用户名或电话").fill("wang")
    await desk.get_by_role("button", name="查找").click()
    await expect(desk.locator("#total")).to_have_text("共 1 个账号")
    form = desk.locator("#new-account")
    await form.get_by_label("用户名").fill("dawan_li")
    await form.get_by_label("姓名").fill("李秀英")
    await form.get_by_label("角色").select_option(label="议事组成员")
    await form.get_by_label("所属镇（街道）").select_option(str(places["town"]))
    await desk.screenshot(path=str(SHOTS / "e2e-users-1280.png"), full_page=True)
    await form.get_by_role("button", name="新建账号").click()
    await expect(desk.get_by_role("heading", name="账号已建好")).to_be_visible()
    password = await desk.locator("#one-time-password").inner_text()
    await desk.screenshot(path=str(SHOTS / "e2e-one-time-1280.png"), full_page=True)

    phone = await open_page(phone=True)
    await login(phone, "dawan_li", password)
    await expect(phone).to_have_url(re.compile(r"/account/password$"))
    await expect(phone.get_by_text("您正在使用初始密码")).to_be_visible()
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 360
    await phone.screenshot(path=str(SHOTS / "e2e-password-first-360.png"), full_page=True)
    await phone.get_by_label("当前密码").fill(password)
    await phone.get_by_label("新密码", exact=True).fill("12345678")
    await phone.get_by_label("再输一次新密码").fill("12345678")
    await phone.get_by_role("button", name="修改密码").click()
    await expect(phone.locator("#error")).to_have_text("这个密码太常见，很容易被猜到，请换一个。")
    await phone.get_by_label("当前密码").fill(password)
    await phone.get_by_label("新密码", exact=True).fill("huangjue-tree-7")
    await phone.get_by_label("再输一次新密码").fill("huangjue-tree-7")
    await phone.get_by_role("button", name="修改密码").click()
    await expect(phone.locator("#done")).to_be_visible()
    await phone.goto("/council")
    await expect(phone.get_by_role("heading").first).to_be_visible()
    assert "/account/password" not in phone.url

    await desk.goto("/users/")
    await desk.get_by_role("link", name="李秀英").click()
    await expect(desk.locator("#history")).to_contain_text("本人修改密码")
    await expect(desk.locator("#history")).to_contain_text("登录成功")
    await desk.screenshot(path=str(SHOTS / "e2e-user-1280.png"), full_page=True)


async def test_street_staff_disables_own_member_and_her_phone_is_logged_out(open_page):
    SHOTS.mkdir(exist_ok=True)
    places = await f.make_places()
    await f.make_user(Role.street_staff, places, username="staff")
    member = await f.make_user(Role.member, places, username="m_zhao")
    phone = await open_page(phone=True)
    await login(phone, "m_zhao")
    await expect(phone).to_have_url(re.compile(r"/council$"))
    staff = await open_page(phone=True)
    await login(staff, "staff")
    await staff.goto("/users/")
    assert await staff.evaluate("document.documentElement.scrollWidth") <= 360
    await staff.screenshot(path=str(SHOTS / "e2e-users-360.png"), full_page=True)
    await staff.get_by_role("link", name=member.display_name).click()
    await staff.get_by_role("button", name="停用账号").click()
    await expect(staff.locator("#state")).to_have_text("已停用")
    assert await staff.evaluate("document.documentElement.scrollWidth") <= 360
    await staff.screenshot(path=str(SHOTS / "e2e-user-360.png"), full_page=True)
    await phone.goto("/rounds")
    await expect(phone).to_have_url(re.compile(r"/login\?next=/rounds$"))


async def test_street_staff_imports_collectors_from_excel_and_gets_the_passwords_sheet(open_page, tmp_path):
    from openpyxl import load_workbook  # openpyxl's start-up cost, this test only

    from tests.accounts.test_exports import _xlsx
    from yishi.places.tables import Town

    places = await f.make_places()
    await f.make_user(Role.street_staff, places, username="staff")
    town = (await Town.select(Town.name).where(Town.id == places["town"]).first().run())["name"]
    page = await open_page()
    await login(page, "staff")
    await page.goto("/users/")
    await page.get_by_role("link", name="人数多时用 Excel 批量导入").click()
    async with page.expect_download() as template:
        await page.get_by_role("link", name="下载导入模板（.xlsx）").click()
    assert (await template.value).suggested_filename == "账号导入模板.xlsx"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx(["li_a", "李阿姨", "议事组召集人", town, "", ""]))
    await page.get_by_label("Excel 文件（.xlsx，最多 2000 行）").set_input_files(str(bad))
    await page.get_by_role("button", name="上传并导入").click()
    await expect(page.locator("#import-errors")).to_contain_text("不能导入“议事组召集人”这个角色")
    await page.screenshot(path=str(SHOTS / "e2e-users-import-1280.png"), full_page=True)
    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx(["li_a", "李阿姨", "民情收集员", town, "第1社区", ""],
                           ["zhao_b", "赵伯", "民情收集员", town, "第2社区", ""]))
    await page.get_by_label("Excel 文件（.xlsx，最多 2000 行）").set_input_files(str(good))
    async with page.expect_download() as sheet:
        await page.get_by_role("button", name="上传并导入").click()
    path = tmp_path / "passwords.xlsx"
    await (await sheet.value).save_as(path)
    rows = [[c.value for c in row] for row in load_workbook(path).active.iter_rows(min_row=2, max_row=3)]
    assert [r[:2] for r in rows] == [["li_a", "李阿姨"], ["zhao_b", "赵伯"]]
    phone = await open_page(phone=True)
    await login(phone, "zhao_b", rows[1][4])
    await expect(phone).to_have_url(re.compile(r"/account/password$"))


async def test_staff_adds_council_member_with_new_account_on_a_phone(open_page):
    from yishi.meetings.enums import MemberCategory

    SHOTS.mkdir(exist_ok=True)
    places = await f.make_places()
    await f.make_council(places, categories=[MemberCategory.party])
    await f.make_user(Role.street_staff, places, username="staff")
    page = await open_page(phone=True)
    await login(page, "staff")
    await page.goto("/council")
    form = page.locator("#add-member")
    await form.get_by_label("姓名").fill("张桂兰")
    await form.get_by_label("类别").select_option("resident")
    await form.get_by_label("新建账号，用户名").check()
    await form.get_by_label("新账号的用户名").fill("dawan_zgl")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await form.screenshot(path=str(SHOTS / "e2e-council-add-member-360.png"))
    await form.get_by_role("button", name="添加成员").click()
    await expect(page.get_by_role("heading", name="账号已建好")).to_be_visible()
    password = await page.locator("#one-time-password").inner_text()
    await page.goto("/council")
    await expect(page.get_by_text("账号 dawan_zgl")).to_be_visible()
    member = await open_page(phone=True)
    await login(member, "dawan_zgl", password)
    await expect(member).to_have_url(re.compile(r"/account/password$"))


async def test_login_block_on_a_phone_and_in_the_account_history(open_page):
    """Five wrong passwords on a phone: the sixth try, even the right one, is refused with the
    wait in plain Chinese; the administrator then sees the block in the account's 登录记录."""
    SHOTS.mkdir(exist_ok=True)
    places = await f.make_places()
    await f.make_user(Role.admin, username="admin")
    member = await f.make_user(Role.member, places, username="wang_fang")
    phone = await open_page(phone=True)
    for _ in range(5):
        await login(phone, "wang_fang", "not-her-password")
        await expect(phone.locator("#error")).to_have_text("用户名或密码不正确。")
    await login(phone, "wang_fang")
    await expect(phone.locator("#error")).to_have_text(re.compile(r"^登录失败次数过多，请 (29\d|300) 秒后再试。$"))
    await expect(phone).to_have_url(re.compile(r"/login$"))
    assert await phone.evaluate("document.documentElement.scrollWidth") <= 360
    await phone.screenshot(path=str(SHOTS / "e2e-login-blocked-360.png"), full_page=True)

    desk = await open_page()
    await login(desk, "admin")
    await desk.goto(f"/users/{member.id}")
    history = desk.locator("#history")
    await expect(history.get_by_text("失败次数过多，登录暂停")).to_have_count(1)
    await expect(history.get_by_text("登录失败（密码错误）")).to_have_count(5)
    await desk.screenshot(path=str(SHOTS / "e2e-login-blocked-history-1280.png"), full_page=True)
