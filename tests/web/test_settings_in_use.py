"""The settings that had no variable before (the login limits, the templates and static folders)
reach a server started as an operator starts it: `yishi serve` with YISHI_* set."""
from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time

import httpx
import pytest

from tests import factories as f
from tests.conftest import ROOT, start_server
from yishi.accounts.enums import Role


@pytest.fixture
def server(tmp_path, monkeypatch):
    templates, static = tmp_path / "templates", tmp_path / "static"
    shutil.copytree(ROOT / "templates", templates)
    shutil.copytree(ROOT / "static", static, symlinks=True)
    login = templates / "accounts" / "login.html"
    login.write_text(login.read_text().replace('{{ _("工作人员登录") }}', "本站自己的登录页"))
    (static / "site-notice.txt").write_text("本站的静态文件")
    for name, value in {
        "YISHI_LOGIN_ATTEMPTS": "2", "YISHI_LOGIN_WINDOW_SECONDS": "40",
        "YISHI_ACCOUNT_FREE_FAILURES": "3", "YISHI_ACCOUNT_FIRST_DELAY": "4", "YISHI_ACCOUNT_MAX_DELAY": "6",
        # Each login from an address of its own, as nginx would pass them on.
        "YISHI_TRUSTED_PROXIES": "127.0.0.1",
        "YISHI_TEMPLATES_DIR": str(templates), "YISHI_STATIC_DIR": str(static),
    }.items():
        monkeypatch.setenv(name, value)
    proc, url = start_server()
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _seconds(response: httpx.Response) -> int:
    assert response.status_code == 429, response.status_code
    return int(re.search(r"登录失败次数过多，请 (\d+) 秒后再试。", response.text)[1])


async def test_login_limits_templates_and_static_folder_come_from_the_environment(server):
    await f.make_user(Role.admin, username="admin")
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        page = await http.get("/login")
        assert "本站自己的登录页" in page.text and "工作人员登录" not in page.text
        assert (await http.get("/static/site-notice.txt")).text == "本站的静态文件"
        token = f.csrf_from(page.text)

        async def login(address: str, password: str = "wrong-password") -> httpx.Response:
            return await http.post("/login", headers={"X-Forwarded-For": address},
                                   data={"username": "admin", "password": password, "_csrf_token": token})

        # YISHI_LOGIN_ATTEMPTS=2 within YISHI_LOGIN_WINDOW_SECONDS=40 (the defaults: 5 in 300 s).
        assert [(await login("10.0.0.1")).status_code for _ in range(2)] == [401, 401]
        assert 30 < _seconds(await login("10.0.0.1", f.PASSWORD)) <= 40
        # The account: YISHI_ACCOUNT_FREE_FAILURES=3 (its third failure, from another address,
        # starts no wait), then YISHI_ACCOUNT_FIRST_DELAY=4 seconds (default 5 failures, 15 s).
        assert (await login("10.0.0.2")).status_code == 401
        assert (await login("10.0.0.3")).status_code == 401
        assert 2 < _seconds(await login("10.0.0.4", f.PASSWORD)) <= 4
        # The wait would double to 8 s; YISHI_ACCOUNT_MAX_DELAY=6 holds it there (default 900 s).
        deadline = time.monotonic() + 30
        while (response := await login("10.0.0.5")).status_code == 429 and time.monotonic() < deadline:
            await asyncio.sleep(0.25)
        assert response.status_code == 401
        assert 4 < _seconds(await login("10.0.0.6", f.PASSWORD)) <= 6

