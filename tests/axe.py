"""axe-core over every page the browser tests visit (found in the walk, issue 13).

axe comes from npm (pinned in package.json, installed by `make install-test`) and is read from
node_modules: the app never serves it and nothing comes from a CDN. Each browser context the tests
open gets it as an init script that runs axe once a page has loaded and hands the findings back
through an exposed function; the tests need not call anything. A page that navigates away before
axe is done is checked no further; `check_now` checks the page as it stands (the open_page fixture
does so for each page when the test ends). Serious and critical findings fail the test, naming the
page and the rule."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")

# Runs in every top-level document: axe after the load event, findings to the exposed binding.
_RUNNER = """
(() => {
  if (window.top !== window || !window.axe || !location.protocol.startsWith("http")
      || document.contentType !== "text/html") return;  // a page, not a text file or an image shown
  const run = () => window.__yishiAxeRun = window.axe.run(document, {resultTypes: ["violations"]}).then(
    r => window.__yishiAxeReport(location.pathname + location.search, r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))),
    () => {});
  if (document.readyState === "complete") setTimeout(run, 0);
  else window.addEventListener("load", () => setTimeout(run, 0), {once: true});
})();
"""


# The page's markup as axe sees it, without the words: every element with its attributes (numbers
# in their values made N, so /rounds/3 and /rounds/5 are alike; the session's CSRF token and
# hidden fields' values left out, as no rule reads them) and whether it holds text of its own. Two
# pages alike here are the same markup with other words or other rows' ids in it, and axe finds
# the same on both (its rules look at elements, attributes, roles, names being there and styles,
# which come from the classes). The page walk checks each markup once (tests/e2e/test_page_walk.py);
# the other browser tests check every page they load.
MARKUP = """() => {
  const value = (e, a) => (a.name === "value" && e.type === "hidden") ? "" :
    a.value.replace(/[A-Za-z0-9_-]{20,}/g, "T").replace(/\\d+/g, "N");
  const walk = (e) => e.tagName + "[" + [...e.attributes].map(a => a.name + "=" + value(e, a)).sort().join(" ")
    + "]" + ([...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) ? "T" : "")
    + "(" + [...e.children].map(walk).join("") + ")";
  return walk(document.documentElement);
}"""


@dataclass
class AxeLog:
    """What axe found on each page a context visited: url -> violations (serious or critical)."""

    checked: list[str] = field(default_factory=list)
    findings: dict[str, list[dict]] = field(default_factory=dict)
    skipped: int = 0  # pages not checked, their markup checked already (the page walk)

    def add(self, url: str, violations: list[dict]) -> None:
        self.checked.append(url)
        bad = [v for v in violations if v.get("impact") in FAILING]
        if bad:
            self.findings.setdefault(url, [])
            known = {v["id"] for v in self.findings[url]}
            self.findings[url] += [v for v in bad if v["id"] not in known]

    def report(self) -> str:
        lines = []
        for url, violations in self.findings.items():
            for v in violations:
                lines.append(f"axe {v['impact']}: {url} — {v['id']} ({v['help']}) at {'; '.join(v['targets'])}")
        return "\n".join(lines)


def axe_source() -> str:
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `make install-test` (npm install) first")
    return AXE_JS.read_text(encoding="utf-8")


async def attach(context, *, on_load: bool = True) -> AxeLog:
    """axe in every page this browser context loads from now on, run on each page once loaded
    (on_load), or only when check_now asks. An init script, not a <script> tag: a page's Content
    Security Policy does not apply to it, so the pages are checked as they are served."""
    log = AxeLog()
    if on_load:
        await context.expose_function("__yishiAxeReport", log.add)
    await context.add_init_script(script=axe_source() + ("\n" + _RUNNER if on_load else ""))
    return log


async def check_now(page, log: AxeLog) -> None:
    """Run axe on the page as it stands (after htmx swaps, at the end of a test)."""
    if page.is_closed() or not page.url.startswith("http"):
        return
    try:
        if not await page.evaluate("() => !!window.axe && document.contentType === 'text/html'"):
            return
        violations = await page.evaluate(
            """async () => { await (window.__yishiAxeRun || Promise.resolve()).catch(() => {});
               return window.axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
                 id: v.id, impact: v.impact, help: v.help,
                 targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))); }""")
    except Exception:  # noqa: BLE001 — the page is navigating or gone: what it loaded was checked on load
        return
    url = page.url.split("://", 1)[-1]
    log.add(url[url.find("/"):] if "/" in url else "/", json.loads(json.dumps(violations)))
