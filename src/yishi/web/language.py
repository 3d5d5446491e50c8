"""The language of each request, and the header's switch (中文 / English).

The account's choice first (it follows the user from device to device), then the `yishi_lang`
cookie (the switch's choice on this device, also for residents without an account), then the
browser's Accept-Language, then Simplified Chinese. The middleware sets it for everything the
request renders: pages, htmx fragments, error pages, Excel exports."""
from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, post
from litestar._parsers import parse_cookie_string
from litestar.datastructures import Cookie
from litestar.response import Redirect
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from yishi.accounts import services as account_services
from yishi.core import i18n
from yishi.web.guards import PUBLIC

COOKIE = "yishi_lang"
ONE_YEAR = 365 * 24 * 3600


@functools.lru_cache(maxsize=256)
def _from_headers(cookie: bytes | None, accept_language: bytes | None) -> str | None:
    if (cookie and (chosen := parse_cookie_string(cookie.decode("latin-1")).get(COOKIE))
            and (locale := i18n.normalize(chosen))):
        return locale
    return i18n.negotiate(accept_language.decode("latin-1")) if accept_language else None


def locale_of(scope: Scope) -> str:
    """The language this request should be answered in."""
    user = scope.get("user")
    if user is not None and (chosen := i18n.normalize(getattr(user, "language", ""))):
        return chosen
    cookie = accept = None
    for name, value in scope["headers"]:
        if name == b"cookie" and cookie is None:
            cookie = value
        elif name == b"accept-language" and accept is None:
            accept = value
    return _from_headers(cookie, accept) or i18n.DEFAULT_LOCALE


def html_lang(locale: str) -> str:
    return "zh-CN" if locale == "zh_CN" else locale.replace("_", "-")


class LocaleMiddleware:
    """Sets the request's language around the handler (which renders its page or file inside it)
    and says it in Content-Language; caches keyed on the URL alone must then vary on it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with i18n.language(locale_of(scope)) as locale:
            header = html_lang(locale).encode()

            async def send_with_language(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message.get("headers", ()), (b"content-language", header)]
                await send(message)

            await self.app(scope, receive, send_with_language)


def _back_to(target: Any, referer: str | None, host: str | None) -> str:
    """The page the switch was pressed on: the form's `back` (lang.js), else the Referer when it
    is this site. Same-site paths only (the switch must not bounce anyone to another site)."""
    target = str(target or "")
    if not target and referer:
        parts = urlsplit(referer)
        if parts.netloc and parts.netloc == host:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@post("/language", opt={"exclude_from_auth": True, **PUBLIC}, name="language")
async def switch_language(request: Request) -> Redirect:
    """The header's switch: remembers the language in a cookie and, signed in, in the account;
    then back to the same page (static/lang.js puts back what was typed in its forms)."""
    form = await request.form()
    locale = i18n.normalize(str(form.get("lang", ""))) or i18n.DEFAULT_LOCALE
    if uid := request.session.get("uid"):
        await account_services.set_language(int(uid), locale)
    back = _back_to(form.get("back"), request.headers.get("referer"), request.headers.get("host"))
    return Redirect(back, status_code=303,
                    cookies=[Cookie(key=COOKIE, value=locale, max_age=ONE_YEAR, samesite="lax", httponly=True,
                                    path="/")])
