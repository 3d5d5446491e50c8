"""The language of a request: the account's choice, then the cookie, then Accept-Language, then
Simplified Chinese; the header's switch remembers it and comes back to the same page."""
from tests import factories as f
from yishi.accounts.enums import Role
from yishi.accounts.tables import User


async def test_home_is_in_chinese_by_default(client):
    r = await client.get("/")
    assert r.status_code == 200
    assert "请输入选票码" in r.text and 'lang="zh-CN"' in r.text
    assert r.headers["content-language"] == "zh-CN"


async def test_accept_language_english_gives_english(client):
    r = await client.get("/", headers={"accept-language": "en-GB,en;q=0.9,zh-CN;q=0.5"})
    assert "Enter your ballot code" in r.text and 'lang="en"' in r.text
    assert r.headers["content-language"] == "en"


async def test_accept_language_prefers_chinese_by_quality(client):
    r = await client.get("/", headers={"accept-language": "en;q=0.4,zh-TW;q=0.8"})
    assert "请输入选票码" in r.text


async def test_unknown_language_falls_back_to_chinese(client):
    r = await client.get("/", headers={"accept-language": "fr-FR,de;q=0.8"})
    assert "请输入选票码" in r.text


async def test_cookie_wins_over_accept_language(client):
    client.cookies.set("yishi_lang", "zh_CN")
    r = await client.get("/", headers={"accept-language": "en"})
    assert "请输入选票码" in r.text


async def test_switch_sets_cookie_and_returns_to_the_same_page(client):
    page = await client.get("/s")
    r = await client.post("/language", data={"lang": "en", "back": "/s?point=X",
                                             "_csrf_token": f.csrf_from(page.text)})
    assert r.status_code == 303
    assert r.headers["location"] == "/s?point=X"
    assert client.cookies.get("yishi_lang") == "en"
    assert "Enter your ballot code" in (await client.get("/")).text


async def test_switch_refuses_to_leave_the_site(client):
    page = await client.get("/")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        r = await client.post("/language", data={"lang": "en", "back": target, "_csrf_token": f.csrf_from(page.text)})
        assert r.headers["location"] == "/"


async def test_switch_without_csrf_token_is_refused(client):
    await client.get("/")
    r = await client.post("/language", data={"lang": "en", "back": "/"})
    assert r.status_code == 403
    assert client.cookies.get("yishi_lang") is None


async def test_unknown_language_in_the_switch_means_chinese(client):
    page = await client.get("/")
    await client.post("/language", data={"lang": "xx", "back": "/", "_csrf_token": f.csrf_from(page.text)})
    assert client.cookies.get("yishi_lang") == "zh_CN"


async def test_signed_in_choice_is_kept_in_the_account(client):
    places = await f.make_places()
    user = await f.make_user(Role.street_staff, places)
    await f.login(client, user.username)
    page = await client.get("/rounds")
    await client.post("/language", data={"lang": "en", "back": "/rounds", "_csrf_token": f.csrf_from(page.text)})
    row = await User.select(User.language).where(User.id == user.id).first()
    assert row["language"] == "en"
    # Another device: no cookie, a Chinese browser; the account's choice still applies.
    client.cookies.delete("yishi_lang")
    r = await client.get("/rounds", headers={"accept-language": "zh-CN"})
    assert "Rounds and lists" in r.text


async def test_error_page_comes_in_the_request_language(client):
    r = await client.get("/no-such-page", headers={"accept-language": "en"})
    assert r.status_code == 404
    assert "Page not found" in r.text and "页面不存在" not in r.text


async def test_htmx_error_fragment_comes_in_the_request_language(client):
    r = await client.get("/no-such-page", headers={"accept-language": "en", "hx-request": "true"})
    assert r.status_code == 404
    assert "This page cannot be found" in r.text


async def test_switch_without_next_returns_to_the_referring_page(client):
    page = await client.get("/t")
    r = await client.post("/language", data={"lang": "en", "_csrf_token": f.csrf_from(page.text)},
                          headers={"referer": "http://testserver.local/t?code=ABC"})
    assert r.headers["location"] == "/t?code=ABC"
    r = await client.post("/language", data={"lang": "en", "_csrf_token": f.csrf_from(page.text)},
                          headers={"referer": "http://evil.example/t"})
    assert r.headers["location"] == "/"
