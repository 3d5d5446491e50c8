"""Security headers on every response, pages, files and error answers alike (a before_send hook
of the app, so nothing that reaches the browser goes without them).

- Content-Security-Policy: script and style from this site's own files only. No inline script,
  no inline event handler (onclick=, hx-on), no eval (htmx runs with allowEval false: base.html),
  no inline <style> and no style="" attribute: the pages' behaviours live in static/app.js and
  ballot.js, their looks in static/*.css, bars are SVG rectangles (core.templating.bar_svg).
  Inline styles are refused too, not only scripts: there were few, and injected CSS can read a
  page (attribute selectors) and restyle a ballot. Images may be data: URLs: the dashboard's
  pygal charts are SVG images (their <style> is the image's own, not the page's).
- frame-ancestors 'none' and X-Frame-Options DENY: no page, least of all the ballot, may be shown
  inside another site's frame (clickjacking a resident's ticks).
- X-Content-Type-Options nosniff: an uploaded photo or a file is never run as script or page.
- Referrer-Policy no-referrer: ballot and rating codes are in URLs (/v/CODE, /r/CODE); a link
  followed from such a page must not carry the code to another site."""
from __future__ import annotations

from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] == "http.response.start":
        message["headers"] = [*message.get("headers", ()), *SECURITY_HEADERS]
