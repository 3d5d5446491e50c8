"""Login, logout and the pages behind them, through HTTP."""
import json
import re
from types import SimpleNamespace

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.core import limits
from yishi.core.tables import AuditEntry

CSRF_MESSAGE = "页面已过期或来源不明，请返回上一页、刷新后再提交。"


async def _post_login(client, username: str, password: str, next_: str = "/rounds"):
    page = await client.get("/login")
    return await client.post("/login", data={"username": username, "password": password, "next": next_,
                                             "_csrf_token": f.csrf_from(page.text)})


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith("yishi_session=")]
    assert len(cookies) == 1, response.headers.get_list("set-cookie")
    return cookies[0]


@pytest.fixture
def frozen_clock(monkeypatch):
    # The limits' clock only: the event loop keeps the real time.
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))


async def test_login_page_has_csrf_field(client):
    page = await client.get("/login")
    assert page.status_code == 200
    assert len(f.csrf_from(page.text)) > 20


async def test_login_success_redirects_and_sets_session_cookie(client):
    await f.make_user(Role.admin, username="admin")
    response = await _post_login(client, "admin", f.PASSWORD)
    assert response.status_code == 302
    assert response.headers["location"] == "/rounds"
    attributes = [part.strip().lower() for part in _session_cookie(response).split(";")[1:]]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes


async def test_login_success_opens_staff_pages(client):
    await f.make_user(Role.admin, username="admin")
    await _post_login(client, "admin", f.PASSWORD)
    page = await client.get("/rounds")
    assert page.status_code == 200
    assert (await AuditEntry.select(AuditEntry.action).where(AuditEntry.action == "account.login.succeeded")
            .run()) == [{"action": "account.login.succeeded"}]


async def test_login_wrong_password_401_in_chinese(client):
    await f.make_user(Role.admin, username="admin")
    response = await _post_login(client, "admin", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码不正确。" in response.text
    assert not [c for c in response.headers.get_list("set-cookie") if c.startswith("yishi_session=")]
    # The username is kept in the form so only the password needs typing again.
    assert 'name="username" value="admin"' in response.text


async def test_login_unknown_user_same_answer_as_wrong_password(client):
    response = await _post_login(client, "nobody", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码不正确。" in response.text


async def test_login_inactive_user_refused(client):
    user = await f.make_user(Role.admin, username="admin")
    await User.update({User.active: False}).where(User.id == user.id)
    response = await _post_login(client, "admin", f.PASSWORD)
    assert response.status_code == 401
    assert "用户名或密码不正确。" in response.text


async def test_login_empty_fields_400_in_chinese(client):
    response = await _post_login(client, "", "")
    assert response.status_code == 400
    assert "请输入用户名和密码。" in response.text


async def test_login_sixth_failed_attempt_429_in_chinese(client, frozen_clock):
    await f.make_user(Role.admin, username="admin")
    for _ in range(5):
        response = await _post_login(client, "admin", "wrong-password")
        assert response.status_code == 401
    response = await _post_login(client, "admin", "wrong-password")
    assert response.status_code == 429
    assert "登录失败次数过多，请 300 秒后再试。" in response.text


async def test_login_blocked_even_with_right_password(client, frozen_clock):
    await f.make_user(Role.admin, username="admin")
    for _ in range(5):
        await _post_login(client, "admin", "wrong-password")
    response = await _post_login(client, "admin", f.PASSWORD)
    assert response.status_code == 429
    assert not [c for c in response.headers.get_list("set-cookie") if c.startswith("yishi_session=")]


async def test_login_block_is_per_username(client, frozen_clock):
    await f.make_user(Role.admin, username="admin")
    await f.make_user(Role.admin, username="other")
    for _ in range(5):
        await _post_login(client, "admin", "wrong-password")
    response = await _post_login(client, "other", f.PASSWORD)
    assert response.status_code == 302


async def test_login_success_resets_failures(client, frozen_clock):
    await f.make_user(Role.admin, username="admin")
    for _ in range(4):
        await _post_login(client, "admin", "wrong-password")
    assert (await _post_login(client, "admin", f.PASSWORD)).status_code == 302
    for _ in range(5):
        assert (await _post_login(client, "admin", "wrong-password")).status_code == 401


@pytest.fixture
def addresses(monkeypatch):
    """The client address each login comes from, as a proxy-less server reads it: set `.now`."""
    from yishi.web import accounts as web_accounts

    where = SimpleNamespace(now="10.0.0.1")
    monkeypatch.setattr(web_accounts, "client_address", lambda request: where.now)
    return where


@pytest.fixture
def clock(monkeypatch):
    c = SimpleNamespace(now=1_800_000_000.0)
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: c.now))
    return c


async def _blocks() -> list[dict]:
    rows = await AuditEntry.select(AuditEntry.object_id, AuditEntry.data) \
        .where(AuditEntry.action == "account.login.blocked").order_by(AuditEntry.id).run()
    return [{"user": r["object_id"], **(json.loads(r["data"]) if isinstance(r["data"], str) else r["data"])}
            for r in rows]


async def test_login_guesses_from_many_addresses_slow_down_per_account(client, clock, addresses):
    user = await f.make_user(Role.admin, username="admin")
    # Five failures, each from an address of its own: no address is blocked, the account is not yet.
    for n in range(5):
        addresses.now = f"10.0.1.{n}"
        assert (await _post_login(client, "admin", "wrong-password")).status_code == 401
    addresses.now = "10.0.2.1"
    assert (await _post_login(client, "admin", "wrong-password")).status_code == 401  # starts 15 s
    addresses.now = "10.0.2.2"
    response = await _post_login(client, "admin", f.PASSWORD)  # even the right password waits
    assert response.status_code == 429
    assert "登录失败次数过多，请 15 秒后再试。" in response.text
    clock.now += 15
    assert (await _post_login(client, "admin", "wrong-password")).status_code == 401  # now 30 s
    clock.now += 29
    assert (await _post_login(client, "admin", f.PASSWORD)).status_code == 429
    clock.now += 1
    # The owner gets in once the wait is over, and the count starts again.
    assert (await _post_login(client, "admin", f.PASSWORD)).status_code == 302
    assert await _blocks() == [
        {"user": user.id, "username": "admin", "scope": "account", "seconds": 15, "address": "10.0.2.1"},
        {"user": user.id, "username": "admin", "scope": "account", "seconds": 30, "address": "10.0.2.2"},
    ]


async def test_login_account_wait_applies_to_unknown_usernames_too(client, clock, addresses):
    # Otherwise the wait would tell which usernames exist.
    for n in range(6):
        addresses.now = f"10.0.1.{n}"
        await _post_login(client, "nobody", "wrong-password")
    response = await _post_login(client, "nobody", "wrong-password")
    assert response.status_code == 429 and "15 秒" in response.text
    assert [b["scope"] for b in await _blocks()] == ["account"]


async def test_login_address_block_logged_once(client, clock, addresses):
    user = await f.make_user(Role.admin, username="admin")
    for _ in range(5):
        await _post_login(client, "admin", "wrong-password")
    for _ in range(3):
        assert (await _post_login(client, "admin", "wrong-password")).status_code == 429
    assert await _blocks() == [
        {"user": user.id, "username": "admin", "scope": "address", "seconds": 300, "address": "10.0.0.1"},
    ]
    # The owner, from another address, is not blocked by it.
    addresses.now = "10.0.0.2"
    assert (await _post_login(client, "admin", f.PASSWORD)).status_code == 302
    # The account's login history shows the block to the administrator.
    assert "失败次数过多，登录暂停" in (await client.get(f"/users/{user.id}")).text


async def test_login_without_csrf_token_403_in_chinese(client):
    await f.make_user(Role.admin, username="admin")
    await client.get("/login")  # the CSRF cookie is there, the form field is not
    response = await client.post("/login", data={"username": "admin", "password": f.PASSWORD})
    assert response.status_code == 403
    assert CSRF_MESSAGE in response.text
    assert not [c for c in response.headers.get_list("set-cookie") if c.startswith("yishi_session=")]


async def test_login_with_forged_csrf_token_403(client):
    await f.make_user(Role.admin, username="admin")
    await client.get("/login")
    response = await client.post("/login", data={"username": "admin", "password": f.PASSWORD,
                                                 "_csrf_token": "0" * 64})
    assert response.status_code == 403
    assert CSRF_MESSAGE in response.text


async def test_logout_clears_session(client):
    await f.make_user(Role.admin, username="admin")
    token = await f.login(client, "admin")
    assert (await client.get("/rounds")).status_code == 200
    response = await client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 302
    assert response.headers["location"] == "/login"
    page = await client.get("/rounds")
    assert page.status_code == 302
    assert page.headers["location"] == "/login?next=/rounds"


async def test_logout_without_csrf_token_refused(client):
    await f.make_user(Role.admin, username="admin")
    await f.login(client, "admin")
    response = await client.post("/logout")
    assert response.status_code == 403
    assert (await client.get("/rounds")).status_code == 200


async def test_session_of_older_version_stops_working(client):
    user = await f.make_user(Role.admin, username="admin")
    await f.login(client, "admin")
    await User.update({User.session_version: 2}).where(User.id == user.id)
    page = await client.get("/rounds")
    assert page.status_code == 302
    assert page.headers["location"] == "/login?next=/rounds"


@pytest.mark.parametrize("path", ["/rounds", "/rounds/1", "/rounds/1/codes", "/rounds/1/intent-list.pdf",
                                  "/council"])
async def test_pages_logged_out_redirect_to_login(client, path):
    response = await client.get(path)
    assert response.status_code == 302
    assert response.headers["location"] == f"/login?next={path}"


async def test_post_logged_out_401_in_chinese(client):
    page = await client.get("/login")
    response = await client.post("/rounds/", data={"_csrf_token": f.csrf_from(page.text), "title": "x"})
    assert response.status_code == 401
    assert "请先登录。" in response.text


async def test_home_logged_out_shows_page_logged_in_redirects(client):
    assert (await client.get("/")).status_code == 200
    await f.make_user(Role.admin, username="admin")
    await f.login(client, "admin")
    response = await client.get("/")
    assert response.status_code == 302
    assert response.headers["location"] == "/rounds"


async def test_login_next_same_site_path_followed(client):
    await f.make_user(Role.admin, username="admin")
    response = await _post_login(client, "admin", f.PASSWORD, next_="/rounds/7")
    assert response.headers["location"] == "/rounds/7"


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "//evil.example/rounds", "///evil.example", "https://evil.example/",
     "http:/evil.example", "javascript:alert(1)", "evil.example", "/\t/evil.example", ""],
)
async def test_login_next_to_other_site_refused(client, target):
    await f.make_user(Role.admin, username="admin")
    response = await _post_login(client, "admin", f.PASSWORD, next_=target)
    assert response.status_code == 302
    assert response.headers["location"] == "/rounds"


async def test_login_next_backslash_stays_on_site(client):
    # Browsers read "/\evil.example" as "//evil.example"; the redirect escapes the backslash,
    # so the browser asks this site for the path "/%5Cevil.example" instead.
    await f.make_user(Role.admin, username="admin")
    response = await _post_login(client, "admin", f.PASSWORD, next_="/\\evil.example")
    assert response.headers["location"] == "/%5Cevil.example"


async def test_login_page_next_to_other_site_not_carried(client):
    page = await client.get("/login", params={"next": "//evil.example"})
    assert re.findall(r'name="next" value="([^"]*)"', page.text) == [""]
