"""The client address (web.clients): X-Forwarded-For is believed only from trusted proxies, read
from the right; the rate limits and the login trail count by it."""
from __future__ import annotations

import ipaddress
from dataclasses import replace

import httpx
import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.core.tables import AuditEntry
from yishi.web.clients import resolve

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))


@pytest.mark.pure
@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("203.0.113.7", [], "203.0.113.7"),                                   # no proxy in front
    ("203.0.113.7", ["198.51.100.9"], "203.0.113.7"),                     # header from an untrusted peer: ignored
    ("10.0.0.1", [], "10.0.0.1"),                                         # the proxy itself, no header
    ("10.0.0.1", ["198.51.100.9"], "198.51.100.9"),                       # nginx in front
    ("10.0.0.1", ["6.6.6.6, 198.51.100.9"], "198.51.100.9"),              # the client wrote its own header first
    ("10.0.0.1", ["6.6.6.6", "198.51.100.9"], "198.51.100.9"),            # the same, as two header lines
    ("10.0.0.2", ["198.51.100.9, 10.0.0.1"], "198.51.100.9"),             # two proxies in a row
    ("10.0.0.2", ["10.0.0.9"], "10.0.0.9"),                               # every hop trusted: the leftmost
    ("10.0.0.1", ["not-an-address"], "10.0.0.1"),                         # garbage: nothing beyond the proxy
    ("10.0.0.1", ["198.51.100.9, junk, 198.51.100.3"], "198.51.100.3"),
    ("10.0.0.1", ["198.51.100.9:51234"], "198.51.100.9"),                 # with a port
    ("::1", ["[2001:db8::5]:443"], "2001:db8::5"),
    ("::ffff:10.0.0.1", ["2001:db8::5"], "2001:db8::5"),                  # IPv4 proxy seen through IPv6
    ("10.0.0.1", [" , "], "10.0.0.1"),
    (None, ["198.51.100.9"], "?"),
    ("testclient", ["198.51.100.9"], "testclient"),                       # not an address: as it is
])
def test_resolve_reads_the_rightmost_untrusted_hop(peer, forwarded, expected):
    assert resolve(peer, forwarded, PROXIES) == expected


@pytest.mark.pure
def test_resolve_without_trusted_proxies_ignores_the_header():
    assert resolve("10.0.0.1", ["198.51.100.9"], ()) == "10.0.0.1"


def through(app, peer: str) -> httpx.AsyncClient:
    """A client whose requests arrive from `peer` (the test client's own is no address)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 40000)),
                             base_url="http://testserver.local")


async def failed_login(client: httpx.AsyncClient, username: str, forwarded_for: str) -> int:
    page = await client.get("/login")
    response = await client.post("/login", headers={"x-forwarded-for": forwarded_for},
                                 data={"username": username, "password": "wrong-password-1",
                                       "_csrf_token": f.csrf_from(page.text)})
    return response.status_code


async def login_addresses() -> list[str]:
    rows = await AuditEntry.select(AuditEntry.data).where(AuditEntry.action == "account.login.failed") \
        .order_by(AuditEntry.id).output(load_json=True).run()
    return [r["data"]["address"] for r in rows]


async def test_login_trail_records_the_forwarded_client_only_behind_a_trusted_proxy(app, settings):
    await f.make_user(Role.member, await f.make_places(), username="dawan_m")
    async with through(app, "10.0.0.1") as client:
        assert await failed_login(client, "dawan_m", "6.6.6.6, 198.51.100.9") == 401
        app.state.settings = replace(settings, trusted_proxies=PROXIES)
        assert await failed_login(client, "dawan_m", "6.6.6.6, 198.51.100.9") == 401
    assert await login_addresses() == ["10.0.0.1", "198.51.100.9"]


async def post_suggestion(client: httpx.AsyncClient, forwarded_for: str) -> int:
    page = await client.get("/s")
    # The robots' field filled in: refused at once, but counted by the limit like any post.
    response = await client.post("/s", headers={"x-forwarded-for": forwarded_for},
                                 data={"_csrf_token": f.csrf_from(page.text), "website": "x"})
    return response.status_code


async def test_suggestion_limit_counts_each_client_behind_a_trusted_proxy(app, settings):
    from yishi.web.resident.suggest import SUBMIT_LIMIT

    app.state.settings = replace(settings, trusted_proxies=PROXIES)
    async with through(app, "10.0.0.1") as client:
        assert [await post_suggestion(client, "198.51.100.1") for _ in range(SUBMIT_LIMIT)] == [400] * SUBMIT_LIMIT
        assert await post_suggestion(client, "198.51.100.1") == 429
        assert await post_suggestion(client, "198.51.100.2") == 400  # a neighbour behind the same proxy
        # A client cannot pick a fresh address by writing the header itself.
        assert await post_suggestion(client, "198.51.100.3, 198.51.100.1") == 429


async def test_suggestion_limit_ignores_the_header_from_an_untrusted_peer(app):
    from yishi.web.resident.suggest import SUBMIT_LIMIT

    async with through(app, "203.0.113.7") as client:
        for n in range(SUBMIT_LIMIT):
            assert await post_suggestion(client, f"198.51.100.{n}") == 400
        assert await post_suggestion(client, "198.51.100.200") == 429
