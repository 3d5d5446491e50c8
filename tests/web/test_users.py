"""用户管理 and 修改密码 pages: who reaches them, what they answer."""
import io
import re

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from tests import factories as f
from tests.accounts.test_exports import _xlsx
from yishi.accounts import management
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.places.tables import Town


async def _token(client, path="/account/password"):
    return f.csrf_from((await client.get(path)).text)


async def test_admin_creates_account_and_sees_one_time_password_once(client):
    places = await f.make_places()
    await f.make_user(Role.admin, username="admin")
    await f.login(client, "admin")
    token = await _token(client, "/users/")
    r = await client.post("/users/", data={"_csrf_token": token, "username": "dawan_li", "display_name": "李秀英",
                                           "phone": "", "role": "member", "town": str(places["town"])})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    password = re.search(r'id="one-time-password">([^<]+)<', r.text).group(1)
    user = await User.objects().where(User.username == "dawan_li").first()
    assert user.must_change_password is True
    assert password not in (await client.get(f"/users/{user.id}")).text


async def test_create_refused_keeps_what_was_typed(client):
    await f.make_user(Role.admin, username="admin")
    await f.login(client, "admin")
    token = await _token(client, "/users/")
    r = await client.post("/users/", data={"_csrf_token": token, "username": "王", "display_name": "李秀英",
                                           "phone": "1380", "role": "admin"})
    assert r.status_code == 400
    assert "用户名应为 2 到 40 个字母、数字或 _ . -。" in r.text
    assert 'value="李秀英"' in r.text and 'value="1380"' in r.text


async def test_list_filters_by_role_and_search(client):
    places = await f.make_places()
    await f.make_user(Role.admin, username="admin")
    await f.make_user(Role.member, places, username="wang_fang")
    await f.make_user(Role.collector, places, username="li_ming")
    await f.login(client, "admin")
    r = await client.get("/users/", params={"role": "member", "q": "wang"})
    assert "wang_fang" in r.text and "li_ming" not in r.text
    assert "共 1 个账号" in r.text


async def test_first_login_with_one_time_password_goes_to_password_page_only(client):
    places = await f.make_places()
    member = await f.make_user(Role.member, places, username="m1")
    await User.update({User.must_change_password: True}).where(User.id == member.id)
    page = await client.get("/login")
    r = await client.post("/login", data={"username": "m1", "password": f.PASSWORD, "next": "/rounds",
                                          "_csrf_token": f.csrf_from(page.text)})
    assert r.headers["location"] == "/account/password"
    r = await client.get("/rounds")
    assert (r.status_code, r.headers["location"]) == (302, "/account/password")
    page = await client.get("/account/password")
    assert "您正在使用初始密码" in page.text
    r = await client.post("/account/password", data={"_csrf_token": f.csrf_from(page.text), "current": f.PASSWORD,
                                                     "new": "river-bend-42", "repeat": "river-bend-42"})
    assert r.headers["location"] == "/account/password?done=1"
    assert (await client.get("/rounds")).status_code == 200


async def test_password_change_ends_other_sessions_keeps_this_one(app, client):
    places = await f.make_places()
    await f.make_user(Role.member, places, username="m1")
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as other:
        other.follow_redirects = False
        await f.login(other, "m1")
        await f.login(client, "m1")
        token = await _token(client)
        r = await client.post("/account/password", data={"_csrf_token": token, "current": f.PASSWORD,
                                                         "new": "river-bend-42", "repeat": "river-bend-42"})
        assert r.status_code == 302
        assert (await client.get("/rounds")).status_code == 200
        r = await other.get("/rounds")
        assert (r.status_code, r.headers["location"]) == (302, "/login?next=/rounds")


async def test_password_change_refused_in_chinese_without_echo(client):
    places = await f.make_places()
    await f.make_user(Role.member, places, username="m1")
    await f.login(client, "m1")
    token = await _token(client)
    r = await client.post("/account/password", data={"_csrf_token": token, "current": f.PASSWORD,
                                                     "new": "woaini1314", "repeat": "woaini1314"})
    assert r.status_code == 400
    assert "这个密码太常见" in r.text and "woaini1314" not in r.text


async def test_admin_disables_account_and_its_session_ends(app, client):
    places = await f.make_places()
    await f.make_user(Role.admin, username="admin")
    member = await f.make_user(Role.member, places, username="m1")
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as other:
        other.follow_redirects = False
        await f.login(other, "m1")
        await f.login(client, "admin")
        r = await client.post(f"/users/{member.id}/active", data={"_csrf_token": await _token(client, "/users/")})
        assert r.status_code == 302
        assert (await other.get("/rounds")).status_code == 302
        assert "已停用" in (await client.get(f"/users/{member.id}")).text


async def test_reset_shows_password_and_history_lists_it(client):
    places = await f.make_places()
    await f.make_user(Role.admin, username="admin")
    member = await f.make_user(Role.member, places, username="m1")
    await f.login(client, "admin")
    r = await client.post(f"/users/{member.id}/reset", data={"_csrf_token": await _token(client, "/users/")})
    assert "密码已重置" in r.text and re.search(r'id="one-time-password">[a-z2-9-]{11}<', r.text)
    page = await client.get(f"/users/{member.id}")
    assert "密码被重置" in page.text and "账号创建" in page.text


@pytest.mark.parametrize(("target_role", "same_street", "status"), [
    (Role.member, True, 200), (Role.collector, True, 200), (Role.member, False, 403),
    (Role.convener, True, 403), (Role.street_staff, True, 403),
])
async def test_street_staff_reaches_own_members_and_collectors_only(client, target_role, same_street, status):
    mine, theirs = await f.make_places(), await f.make_places()
    await f.make_user(Role.street_staff, mine, username="staff")
    target = await f.make_user(target_role, mine if same_street else theirs)
    await f.login(client, "staff")
    assert (await client.get(f"/users/{target.id}")).status_code == status
    r = await client.post(f"/users/{target.id}/reset", data={"_csrf_token": await _token(client, "/users/")})
    assert r.status_code == status


async def test_reviewer_reads_accounts_of_own_district_but_changes_none(client):
    places = await f.make_places()
    await f.make_user(Role.district_reviewer, places, username="rev")
    member = await f.make_user(Role.member, places)
    await f.login(client, "rev")
    page = await client.get(f"/users/{member.id}")
    assert page.status_code == 200 and "重置密码" not in page.text
    r = await client.post(f"/users/{member.id}/reset", data={"_csrf_token": f.csrf_from(page.text)})
    assert r.status_code == 403


@pytest.mark.parametrize("role", [Role.convener, Role.member, Role.collector, Role.observer])
async def test_user_admin_page_refused_to_other_roles(client, role):
    places = await f.make_places()
    user = await f.make_user(role, places)
    await f.login(client, user.username)
    assert (await client.get("/users/")).status_code == 403
    assert (await client.get("/account/password")).status_code == 200


async def test_unknown_account_404_in_chinese(client):
    await f.make_user(Role.admin, username="admin")
    await f.login(client, "admin")
    r = await client.get("/users/999999")
    assert r.status_code == 404 and "找不到这个账号。" in r.text


async def test_history_has_the_failed_logins_of_the_account_newest_first(client):
    places = await f.make_places()
    admin = await f.make_user(Role.admin)
    member = await f.make_user(Role.member, places, username="dawan_m")
    page = await client.get("/login")
    await client.post("/login", data={"username": "dawan_m", "password": "nope-nope-1",
                                      "_csrf_token": f.csrf_from(page.text)})
    await f.login(client, "dawan_m")
    await management.reset_password(admin, member.id)
    assert [h["action"] for h in await management.history(member.id)] == [
        "account.password.reset", "account.login.succeeded", "account.login.failed", "account.user.created"]


async def test_import_answers_with_the_passwords_sheet_once(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places, username="staff")
    await f.login(client, "staff")
    page = await client.get("/users/import")
    assert "议事组成员、民情收集员" in page.text
    template = await client.get("/users/import/template.xlsx")
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")
    town_name = (await Town.select(Town.name).where(Town.id == staff.town).first().run())["name"]
    r = await client.post("/users/import", data={"_csrf_token": f.csrf_from(page.text)},
                          files={"file": ("a.xlsx", _xlsx(["li_a", "李阿姨", "民情收集员", town_name, "", ""]))})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert "attachment" in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[2]][:4] == ["li_a", "李阿姨", "民情收集员", town_name]
    user = await User.objects().where(User.username == "li_a").first()
    assert (user.town, user.must_change_password) == (places["town"], True)


async def test_import_errors_listed_on_the_page(client):
    await f.make_places()
    await f.make_user(Role.admin, username="admin")
    await f.login(client, "admin")
    page = await client.get("/users/import")
    r = await client.post("/users/import", data={"_csrf_token": f.csrf_from(page.text)},
                          files={"file": ("a.xlsx", _xlsx(["王", "甲", "议事组成员", "无此街道", "", ""]))})
    assert r.status_code == 400
    assert "文件中有 2 处错误，没有导入任何账号。" in r.text
    assert r.text.count("第 2 行") == 2


async def test_import_refused_to_reviewer(client):
    places = await f.make_places()
    await f.make_user(Role.district_reviewer, places, username="rev")
    await f.login(client, "rev")
    assert (await client.get("/users/import")).status_code == 403
