"""The Content-Security-Policy holds on every page: each role's pages of the demo, walked link by
link in Chromium, report no violation (securitypolicyviolation, or Chromium's "Refused to ...")
and carry no inline script, inline event handler or style attribute that would break under it
(an inline handler is only refused when its event fires, so the page is searched for them)."""
from __future__ import annotations

import contextlib
import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import login
from yishi import demo
from yishi.evaluation.tables import RatingCode
from yishi.suggestions.tables import ObservationPoint, Suggestion

pytestmark = [pytest.mark.e2e, pytest.mark.walk]

ROLES = ["admin", "qu_shenhe", "dawan_staff", "dawan_zhaoji", "dawan_member", "dawan_collector",
         "dawan_danwei", "guanchayuan"]
# Links not to follow: leaving the session, and files (PDF, Excel, CSV, photos) that are no pages.
SKIP = re.compile(r"^/logout|\.(pdf|xlsx|csv|pb|jpe?g|png|webp|svg)$|/photos?/|/export")
PAGES_PER_ROLE = 70

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


def shape(path: str) -> str:
    """One page per kind: /projects/12 and /projects/13 are the same page to the policy."""
    return re.sub(r"\d+", "N", re.sub(r"/[A-Z0-9]{8}(?=/|$)", "/CODE", path))


async def walk(page, start: list[str], problems: list[str]) -> int:
    """Open start and every same-site page linked from there (one of each shape), noting every
    violation and every inline piece."""
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    queue, seen, visited = list(start), {shape(urlsplit(u).path) for u in start}, 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.pop(0)
        try:
            response = await page.goto(url)
        except Exception:  # noqa: BLE001 — a download (a file behind a link without a telling name)
            continue
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        # htmx's hx-trigger=load; a page that never goes quiet is checked as it is
        with contextlib.suppress(Exception):
            await page.wait_for_load_state("networkidle", timeout=3000)
        for text in messages:
            if "CSP-VIOLATION" in text or "Content Security Policy" in text:
                problems.append(f"{url}: {text}")
        messages.clear()
        problems.extend(f"{url}: {found}" for found in await page.evaluate(INLINE))
        for href in await page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))"):
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            if shape(parts.path) not in seen:
                seen.add(shape(parts.path))
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return visited


async def test_no_page_of_any_role_breaks_the_content_security_policy(open_page, browser):
    built = await demo.build(ballots_to_cast=20)
    point = await ObservationPoint.select(ObservationPoint.code).first().run()
    tracking = await Suggestion.select(Suggestion.tracking_code).where(
        Suggestion.tracking_code.is_not_null()).first().run()
    rating = await RatingCode.select(RatingCode.code).first().run()
    resident = ["/", "/login", f"/v/{built['unused_codes'][0]}", "/s", f"/s/{point['code']}", "/t", "/r",
                "/vote?code=ZZZZZZZZ"]
    if tracking:
        resident.append(f"/t/{tracking['tracking_code']}")
    if rating:
        resident.append(f"/r/{rating['code']}")
    resident += [f"/p/{pid}" for pid in built["project_ids"][:2]]

    problems: list[str] = []
    page = await open_page(phone=True)
    await page.context.add_init_script(WATCH)
    counts = {"resident": await walk(page, resident, problems)}
    for username in ROLES:
        page = await open_page()
        await page.context.add_init_script(WATCH)
        await login(page, username, demo.DEMO_PASSWORD)
        await page.wait_for_load_state()
        counts[username] = await walk(page, [urlsplit(page.url).path, "/account/password"], problems)
    print("pages walked:", counts)

    assert problems == []
    assert all(n >= 3 for n in counts.values()), counts  # each role really got in and walked
