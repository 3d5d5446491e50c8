"""Served over HTTPS (YISHI_PUBLIC_URL https://…, or YISHI_SECURE_COOKIES=1), the session and
CSRF cookies carry Secure: a browser never sends them over plain http. Checked on a real
`yishi serve`, since the cookies' settings are fixed when the app is built."""
from __future__ import annotations

import re

import httpx

from tests import factories as f
from tests.conftest import start_server
from yishi.accounts.enums import Role


def cookie_attributes(response: httpx.Response, name: str) -> set[str]:
    (header,) = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


async def test_https_public_address_makes_session_and_csrf_cookies_secure(monkeypatch):
    await f.make_user(Role.member, await f.make_places(), username="dawan_m")
    monkeypatch.setenv("YISHI_PUBLIC_URL", "https://yishi.example.gov.cn")
    monkeypatch.delenv("YISHI_SECURE_COOKIES", raising=False)
    proc, url = start_server()
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            page = await client.get("/login")
            assert {"secure", "samesite", "path"} <= cookie_attributes(page, "csrftoken")
            csrf = re.search(r"csrftoken=([^;]+)", page.headers["set-cookie"]).group(1)
            client.cookies.clear()  # sent by hand below: a Secure cookie is not sent over http
            answer = await client.post("/login", headers={"cookie": f"csrftoken={csrf}"},
                                       data={"username": "dawan_m", "password": f.PASSWORD,
                                             "_csrf_token": f.csrf_from(page.text)})
            assert answer.status_code == 302
            assert {"secure", "httponly", "samesite"} <= cookie_attributes(answer, "yishi_session")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_plain_http_cookies_are_not_secure(client):
    page = await client.get("/login")
    assert "secure" not in cookie_attributes(page, "csrftoken")
