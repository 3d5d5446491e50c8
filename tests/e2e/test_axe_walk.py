"""axe-core over every page of every role on the demo (found in the walk, issue 13): each demo
account logs in and follows the links of its pages (one page per kind of address: /rounds/3 and
/rounds/5 are the same page), and so does a resident without an account; axe runs on each page and
any serious or critical finding fails the test, naming the page and the rule. The other browser
tests run axe on every page they load too (tests/conftest.py, open_page)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests import axe
from tests.conftest import PHONE
from tests.e2e.helpers import login
from yishi import demo

pytestmark = [pytest.mark.e2e, pytest.mark.walk]

SKIP = re.compile(r"(\.(pdf|csv|xlsx|txt|svg|png|jpg)$)|^/(photos|static|logout|language)(/|$)")
ROLES = ["admin", "qu_shenhe", "dawan_staff", "dawan_zhaoji", "dawan_member", "dawan_collector", "dawan_danwei",
         "guanchayuan"]
PAGES_PER_ROLE = 30


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


async def _walk(page, starts: list[str], log: axe.AxeLog, limit: int) -> list[str]:
    """Breadth first from `starts`, same site, GET pages only, one page per shape of address."""
    queue, shapes, walked = list(starts), set(), []
    while queue and len(walked) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if SKIP.search(parts.path) or _shape(parts.path) in shapes:
            continue
        shapes.add(_shape(parts.path))
        response = await page.goto(url)
        if response is None or response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        walked.append(parts.path)
        await axe.check_now(page, log)
        for href in await page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href.split("#", 1)[0])
    return walked


async def _context(browser, live_server):
    # A phone: tables scroll sideways there, and that is where most residents and members read.
    ctx = await browser.new_context(base_url=live_server, locale="zh-CN", **PHONE)
    ctx.set_default_timeout(20_000)
    return ctx, await axe.attach(ctx, on_load=False)


async def test_axe_finds_nothing_serious_on_any_page_of_any_role(browser, live_server):
    built = await demo.build(ballots_to_cast=20)
    found, walked = [], {}
    resident_starts = ["/", "/s", "/t", "/vote", "/r", "/help", *[f"/v/{c}" for c in built["unused_codes"][:1]]]
    for who in [None, *ROLES]:
        ctx, log = await _context(browser, live_server)
        try:
            page = await ctx.new_page()
            if who is not None:
                await login(page, who, demo.DEMO_PASSWORD)
                await page.wait_for_load_state()
                starts = [urlsplit(page.url).path, "/help", "/account/password"]
            else:
                starts = resident_starts
            walked[who or "resident"] = await _walk(page, starts, log, PAGES_PER_ROLE)
        finally:
            await ctx.close()
        found.append(log.report())
    print({k: len(v) for k, v in walked.items()})
    # The walk reached each role's pages (a login that failed would check one page, the login's).
    assert all(len(v) >= 5 for v in walked.values()), walked
    report = "\n".join(r for r in found if r)
    assert not report, "axe-core found serious or critical accessibility problems:\n" + report
