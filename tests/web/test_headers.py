"""Security headers on every kind of response (web.headers), and templates that keep to the
Content-Security-Policy (tests/e2e/test_page_walk.py walks the pages in Chromium)."""
from __future__ import annotations

import re

import pytest

from tests import factories as f
from yishi.paths import PROJECT_ROOT

EXPECTED = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def security_headers(response) -> dict[str, str]:
    return {name: response.headers.get(name) for name in EXPECTED}


async def test_security_headers_on_pages_files_and_refusals(client):
    places = await f.make_places(n_communities=1)
    round_ = await f.make_round(places, items=2, max_ticks=1)
    code = (await f.open_round(round_, codes_per_community=1))[0]
    responses = {
        "home": await client.get("/"),
        "ballot": await client.get(f"/v/{code}"),
        "static": await client.get("/static/app.js"),
        "not found": await client.get("/no-such-page"),
        "login needed": await client.get("/rounds"),
        "no csrf": await client.post("/login", data={"username": "x", "password": "y"}),
        "health": await client.get("/healthz"),
    }
    assert {k: r.status_code for k, r in responses.items()} == {
        "home": 200, "ballot": 200, "static": 200, "not found": 404, "login needed": 302, "no csrf": 403,
        "health": 200}
    for name, response in responses.items():
        assert security_headers(response) == EXPECTED, name


async def test_security_headers_on_the_ballot_posted(client):
    """The ballot answer is written by hand (web.resident.vote's fast path), past Litestar's
    response: the headers still come."""
    places = await f.make_places(n_communities=1)
    round_ = await f.make_round(places, items=2, max_ticks=1)
    code = (await f.open_round(round_, codes_per_community=1))[0]
    page = await client.get(f"/v/{code}")
    item = re.search(r'name="item" value="(\d+)"', page.text).group(1)
    answer = await client.post(f"/v/{code}", data={"_csrf_token": f.csrf_from(page.text), "item": item})
    assert answer.status_code == 200 and "提交成功" in answer.text
    assert security_headers(answer) == EXPECTED


# Templates a browser shows (PDF templates go to WeasyPrint, which no policy governs).
PAGE_TEMPLATES = sorted(
    p for p in (PROJECT_ROOT / "templates").rglob("*.html")
    if p.parts[-2] != "pdf" and p.name != "poster.html"
)
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\shx-on[:=-]|\sstyle\s*=|javascript:", re.I)


@pytest.mark.pure
@pytest.mark.parametrize("path", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_ROOT / "templates")))
def test_page_template_has_no_inline_script_or_style(path):
    text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)  # Jinja comments may name them
    assert INLINE.findall(text) == []
