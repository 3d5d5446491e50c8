"""Several server processes on one PostgreSQL database behave as one server: a ballot code still
gives one ballot, and the rate limits count across them (their counts live in the database,
core.limits). Two separate `yishi serve` processes, requests alternating between them, so each
process surely gets half; and `yishi serve --workers 2`, as an operator starts it."""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
from types import SimpleNamespace

import httpx
import pytest

from tests import factories as f
from tests.conftest import TEST_DB, start_server
from yishi.accounts.enums import Role
from yishi.ballots.tables import Ballot
from yishi.core.tables import SharedState
from yishi.suggestions import catalog
from yishi.suggestions.tables import Suggestion
from yishi.web.resident import suggest as public

pytestmark = pytest.mark.skipif(TEST_DB != "postgres", reason="several server processes need PostgreSQL")
REDIS_URL = os.environ.get("YISHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _serve(*extra: str) -> tuple[subprocess.Popen, str]:
    return start_server(None, *extra)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _redis_cleared() -> bool:
    """Whether Redis answers at REDIS_URL; if so, yishi's keys there are deleted (what an earlier
    run left would count against this one)."""
    try:
        import redis  # optional: only this case needs it
    except ImportError:
        return False
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        for key in client.scan_iter("yishi:*"):
            client.delete(key)
        return True
    except redis.exceptions.RedisError:
        return False


@pytest.fixture(scope="module", params=["two servers", "--workers 2", "two servers, Redis store"])
def servers(request):
    """Base URLs that requests alternate between: two processes, or one address served by two;
    the limits' counts in the database, or in Redis (YISHI_STORE_URL)."""
    if request.param == "two servers":
        procs = [_serve(), _serve()]
    elif request.param == "--workers 2":
        procs = [_serve("--workers", "2")]
    else:
        if not _redis_cleared():
            pytest.skip(f"no Redis at {REDIS_URL} (or no redis package)")
        os.environ["YISHI_STORE_URL"] = REDIS_URL
        try:
            procs = [_serve(), _serve()]
        finally:
            del os.environ["YISHI_STORE_URL"]
    try:
        yield SimpleNamespace(urls=[url for _proc, url in procs] * (2 // len(procs)),
                              store="redis" if "Redis" in request.param else "database")
    finally:
        for proc, _url in procs:
            _stop(proc)
        if "Redis" in request.param:
            _redis_cleared()


async def _csrf(http: httpx.AsyncClient, url: str) -> str:
    page = await http.get(url + "/login")
    return f.csrf_from(page.text)


async def test_one_code_gives_one_ballot_across_processes(servers):
    places = await f.make_places()
    r = await f.make_round(places)
    code = (await f.open_round(r))[0]
    items = await f.item_ids(r.id)
    async with httpx.AsyncClient(timeout=30) as http:
        # One token, made by the first process, accepted by the other (the key is shared).
        token = await _csrf(http, servers.urls[0])
        cookies = {"csrftoken": http.cookies["csrftoken"]}

        async def post(i: int) -> int:
            async with httpx.AsyncClient(timeout=30, cookies=cookies) as one:
                response = await one.post(f"{servers.urls[i % 2]}/v/{code}",
                                          data={"_csrf_token": token, "item": str(items[0])})
                return response.status_code

        statuses = await asyncio.gather(*(post(i) for i in range(100)))
    assert statuses.count(200) == 1
    assert statuses.count(409) == 99
    assert await Ballot.count().where(Ballot.round == r.id) == 1


async def test_login_limit_holds_across_processes(servers):
    await f.make_user(Role.admin, username="admin")
    async with httpx.AsyncClient(timeout=30) as http:
        token = await _csrf(http, servers.urls[0])

        async def login(i: int, password: str) -> httpx.Response:
            return await http.post(servers.urls[i % 2] + "/login",
                                   data={"username": "admin", "password": password, "_csrf_token": token})

        # Five wrong passwords, alternating between the processes: the sixth is refused by both,
        # even with the right password.
        assert [(await login(i, "wrong-password")).status_code for i in range(5)] == [401] * 5
        for i in range(2):
            response = await login(i, f.PASSWORD)
            assert response.status_code == 429
            assert re.search(r"登录失败次数过多，请 \d+ 秒后再试。", response.text)
    # The counts are where the setting puts them.
    if servers.store == "redis":
        import redis  # optional: only this case needs it

        assert redis.Redis.from_url(REDIS_URL).exists("yishi:login.address|127.0.0.1|admin") == 1
        assert await SharedState.count() == 0
    else:
        assert await SharedState.count().where(SharedState.key == "login.address|127.0.0.1|admin") == 1


async def test_suggestion_form_limit_holds_across_processes(servers):
    places = await f.make_places()
    category = (await catalog.categories())[0]["id"]
    async with httpx.AsyncClient(timeout=30) as http:
        token = f.csrf_from((await http.get(servers.urls[0] + "/s")).text)
        data = {"_csrf_token": token, "content": "希望小区多装几个路灯。", "category": str(category),
                "community": str(places["communities"][0])}
        statuses = [(await http.post(servers.urls[i % 2] + "/s", data=data)).status_code
                    for i in range(public.SUBMIT_LIMIT + 2)]
    assert statuses == [302] * public.SUBMIT_LIMIT + [429, 429]
    assert await Suggestion.count() == public.SUBMIT_LIMIT
