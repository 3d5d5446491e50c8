"""Every page of every role on the demo, in Chromium at 360 px (issue 13). Each demo account logs
in and follows the links of its pages, one page per kind of address (/rounds/3 and /rounds/5 are the
same page), and so does a resident without an account. On each page axe-core finds nothing serious
or critical (the other browser tests run axe on every page they load too: tests/conftest.py,
open_page); the Content-Security-Policy holds (no securitypolicyviolation, no "Refused to ..." from
Chromium) and the page carries no inline script, inline event handler or style attribute that would
break under it (an inline handler is only refused when its event fires, so the page is searched for
them); the page says lang=zh-CN.

One walk, not two: each page is loaded once for both checks (it was once per check)."""
from __future__ import annotations

import asyncio
import contextlib
import re
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Error as PlaywrightError

from tests import axe
from tests.conftest import PHONE
from tests.e2e.helpers import login
from yishi import demo
from yishi.evaluation.tables import RatingCode
from yishi.suggestions.tables import ObservationPoint, Suggestion

pytestmark = [pytest.mark.e2e, pytest.mark.walk]

ROLES = ["admin", "qu_shenhe", "dawan_staff", "dawan_zhaoji", "dawan_member", "dawan_collector", "dawan_danwei",
         "guanchayuan"]
PAGES_PER_ROLE = 70
# Links not followed: leaving the session or switching the language (posts anyway), and files
# (PDF, Excel, CSV, photos) that are no pages.
SKIP = re.compile(r"^/(logout|language|static)(/|$)|\.(pdf|xlsx|csv|txt|pb|jpe?g|png|webp|svg)$|/photos?/|/export")

WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP-VIOLATION " + e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber);
});
"""

INLINE = """() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name) || /^hx-on/i.test(a.name) || a.name === "style")
        found.push(el.tagName + "[" + a.name + "]");
    }
  }
  for (const s of document.querySelectorAll("script:not([src])")) found.push("inline <script>");
  for (const s of document.querySelectorAll("style")) found.push("<style> element");
  for (const a of document.querySelectorAll("a[href^='javascript:' i]")) found.push("javascript: link");
  return found;
}"""

# htmx's hx-trigger="load" fragments are part of the page: wait until they are in (3 s at most).
HTMX_SETTLED = "() => !document.querySelector('.htmx-request, [hx-trigger=\"load\"]')"

def shape(path: str) -> str:
    """One page per kind: /projects/12 and /projects/13, /v/ABCD2345 and /v/EFGH6789 are the same page."""
    return re.sub(r"\d+", "N", re.sub(r"/[A-Z0-9]{8}(?=/|$)", "/CODE", path))


async def _load(page, url: str):
    """The page at url once loaded with its htmx fragments, or None for a file or a download."""
    try:
        response = await page.goto(url)
    except PlaywrightError:  # a download (a file behind a link without a telling name)
        return None
    if response is None or "text/html" not in response.headers.get("content-type", ""):
        return None
    with contextlib.suppress(PlaywrightError):  # a fragment that never came: the page is checked as it is
        await page.wait_for_function(HTMX_SETTLED, timeout=3000)
    return response


class Walk:
    """One role's walk: a page (axe and the CSP watch in it) in a browser context of its own."""

    def __init__(self, zh, log: axe.AxeLog, problems: list[str]):
        self.zh, self.log, self.problems = zh, log, problems
        self.messages: list[str] = []
        zh.on("console", lambda m: self.messages.append(m.text) if m.type == "error" else None)

    async def run(self, starts: list[str]) -> list[str]:
        """Breadth first from starts, same site, GET pages only, one page of each shape."""
        queue, seen, walked = list(starts), {shape(urlsplit(u).path) for u in starts}, []
        while queue and len(walked) < PAGES_PER_ROLE:
            url = queue.pop(0)
            self.messages.clear()
            response = await _load(self.zh, url)
            if response is None:
                continue
            walked.append(url)
            if response.status >= 500:
                self.problems.append(f"{url}: {response.status}")
            for href in await self.zh.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))"):
                parts = urlsplit(href)
                if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                    continue
                if shape(parts.path) not in seen:
                    seen.add(shape(parts.path))
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
            await self.check_chinese(url)
        return walked

    async def check_chinese(self, url: str) -> None:
        for text in self.messages:
            if "CSP-VIOLATION" in text or "Content Security Policy" in text:
                self.problems.append(f"{url}: {text}")
        self.problems.extend(f"{url}: {found}" for found in await self.zh.evaluate(INLINE))
        if (lang := await self.zh.evaluate("document.documentElement.lang")) != "zh-CN":
            self.problems.append(f"{url}: lang={lang!r} in Chinese")
        await axe.check_now(self.zh, self.log)


async def _resident_starts(built: dict) -> list[str]:
    point = await ObservationPoint.select(ObservationPoint.code).first().run()
    tracking = await Suggestion.select(Suggestion.tracking_code).where(
        Suggestion.tracking_code.is_not_null()).first().run()
    rating = await RatingCode.select(RatingCode.code).first().run()
    starts = ["/", "/login", "/s", f"/s/{point['code']}", "/t", "/vote", "/vote?code=ZZZZZZZZ", "/r", "/help",
              f"/v/{built['unused_codes'][0]}", "/no-such-page"]
    if tracking:
        starts.append(f"/t/{tracking['tracking_code']}")
    if rating:
        starts.append(f"/r/{rating['code']}")
    return starts + [f"/p/{pid}" for pid in built["project_ids"][:2]]


async def _walk_as(browser, live_server: str, who: str | None, resident: list[str],
                   problems: list[str]) -> tuple[list[str], str]:
    """Who's walk (None: a resident without an account): the pages walked, and axe's report."""
    # A phone: tables scroll sideways there, and that is where most residents and members read.
    ctx = await browser.new_context(base_url=live_server, locale="zh-CN", **PHONE)
    try:
        zh = await ctx.new_page()
        zh.set_default_timeout(20_000)
        await zh.add_init_script(axe.axe_source() + "\n" + WATCH)
        starts = resident
        if who is not None:
            await login(zh, who, demo.DEMO_PASSWORD)
            await zh.wait_for_load_state()
            starts = [urlsplit(zh.url).path, "/help", "/account/password"]
        log = axe.AxeLog()
        walked = await Walk(zh, log, problems).run(starts)
    finally:
        await ctx.close()
    return walked, log.report()


async def test_every_page_of_every_role_passes_axe_and_csp(browser, live_server):
    built = await demo.build(ballots_to_cast=20)
    resident = await _resident_starts(built)
    problems: list[str] = []
    # Two roles at a time: while one waits for the server, the other's browser works.
    two = asyncio.Semaphore(2)

    async def walk(who):
        async with two:
            return await _walk_as(browser, live_server, who, resident, problems)

    whos = [None, *ROLES]
    done = await asyncio.gather(*(walk(who) for who in whos))
    walked = {who or "resident": pages for who, (pages, _) in zip(whos, done, strict=True)}
    print("pages walked:", {k: len(v) for k, v in walked.items()})
    # The walk reached each role's pages (a login that failed would check one page, the login's).
    assert all(len(v) >= 5 for v in walked.values()), walked
    report = "\n".join(r for _, r in done if r)
    assert not report, "axe-core found serious or critical accessibility problems:\n" + report
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
