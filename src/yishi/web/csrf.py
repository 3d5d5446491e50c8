"""Web plumbing shared by every domain: error pages in Chinese, the current user, form parsing."""
from __future__ import annotations

import logging
from secrets import compare_digest
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar._parsers import parse_cookie_string
from litestar.config.csrf import CSRFConfig
from litestar.enums import RequestEncodingType
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware as _LitestarCSRFMiddleware
from litestar.middleware.csrf import generate_csrf_token
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from yishi.core.errors import DomainError
from yishi.core.i18n import _

log = logging.getLogger("yishi")


def _error_page(request: Request, message: str, status: int, title: str | None = None) -> Response:
    if request.headers.get("hx-request"):
        return Template("_error_fragment.html", context={"message": message}, status_code=status)
    return Template(
        "error.html",
        context={"message": message, "title": title or _("操作未完成"), "status": status},
        status_code=status,
    )


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    return _error_page(request, exc.message, exc.status_code)


def not_authorized_handler(request: Request, exc: NotAuthorizedException) -> Response:
    if request.method == "GET" and not request.headers.get("hx-request"):
        return Redirect(f"/login?next={request.url.path}")
    return _error_page(request, _("请先登录。"), 401)


def forbidden_handler(request: Request, exc: PermissionDeniedException) -> Response:
    if "CSRF" in str(exc.detail):
        return _error_page(request, _("页面已过期或来源不明，请返回上一页、刷新后再提交。"), 403)
    return _error_page(request, _("您没有权限查看或操作此页面。"), 403)


def not_found_handler(request: Request, exc: NotFoundException) -> Response:
    return _error_page(request, _("找不到这个页面，请检查网址是否正确。"), 404, _("页面不存在"))


def validation_handler(request: Request, exc: ValidationException) -> Response:
    return _error_page(request, _("提交的内容不完整或格式不对，请返回检查后重新提交。"), 400)


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 429:
        return _error_page(request, _("操作太频繁，请稍后再试。"), 429)
    if exc.status_code == 405:
        return _error_page(request, _("不支持这种访问方式。"), 405)
    return _error_page(request, _("请求无法处理，请返回后重试。"), exc.status_code)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_page(request, _("系统出了点问题，已记录下来。您填写的内容没有保存，请稍后再试。"),
                       HTTP_500_INTERNAL_SERVER_ERROR, _("系统错误"))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    NotAuthorizedException: not_authorized_handler,
    PermissionDeniedException: forbidden_handler,
    NotFoundException: not_found_handler,
    ValidationException: validation_handler,
    HTTPException: http_error_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
}


def file_response(filename: str, mime: str, data: bytes, inline: bool = False) -> Response:
    """A built file (an exports' (filename, mimetype, bytes)) as a download, or shown in the
    browser (`inline`, PDFs); the name in RFC 5987 form, so Chinese file names survive."""
    disposition = "inline" if inline else "attachment"
    return Response(data, media_type=mime, headers={
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}"})


def form_ints(values: Any) -> list[int]:
    """Checkbox values from a form (one value or a list) as ints; junk becomes a clear error."""
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        raise DomainError(_("提交的内容格式不对，请刷新页面后重新提交。"))


def form_int(value: Any, field: str, default: int | None = None) -> int:
    if value in (None, ""):
        if default is not None:
            return default
        raise DomainError(_("请填写{field}。").format(field=field))
    try:
        return int(str(value).strip())
    except ValueError:
        raise DomainError(_("{field}应为整数。").format(field=field))


_FORM_TYPES = frozenset({RequestEncodingType.URL_ENCODED.value, RequestEncodingType.MULTI_PART.value})


class CSRFMiddleware(_LitestarCSRFMiddleware):
    """Litestar's CSRF protection for every route, with less work per request. Same scheme
    (double submit: the csrftoken cookie, signed with the secret key, must come back in the
    x-csrftoken header or the _csrf_token form field of every POST, PUT, PATCH or DELETE), same
    tokens and cookie, same refusal (PermissionDeniedException, shown as a 403 page in Chinese).

    What is cheaper: the cookie, content type and header are read in one pass over the ASGI
    headers instead of through a Request; the two tokens are compared first, and a cookie token
    whose signature checked out is remembered, so a form post costs a string comparison instead
    of two HMACs. Litestar's check accepts exactly the same requests: both tokens must carry a
    valid signature and the same secret, and a signed token is its secret plus the signature of
    that secret, so the two tokens are equal and the cookie's signature is valid. create_app
    installs it in place of Litestar's own (csrf_config is then left unset)."""

    KEEP = 4096  # verified cookie tokens remembered per secret key (cleared when full)
    _VERIFIED: dict[str, set[str]] = {}  # shared by the instances (one per route) of one secret

    def __init__(self, app: ASGIApp, config: CSRFConfig) -> None:
        super().__init__(app=app, config=config)
        self._header = config.header_name.lower().encode("latin-1")
        self._verified = self._VERIFIED.setdefault(config.secret, set())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or should_bypass_middleware(
            scope=scope, scopes=self.scopes, exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        ):
            await self.app(scope, receive, send)
            return
        cookie_header = content_type = sent_token = None
        for name, value in scope["headers"]:  # the first of each, as Litestar's Headers.get
            name = name.lower()
            if name == b"cookie":
                cookie_header = cookie_header if cookie_header is not None else value
            elif name == b"content-type":
                content_type = content_type if content_type is not None else value
            elif name == self._header:
                sent_token = sent_token if sent_token is not None else value.decode("latin-1")
        csrf_cookie = (parse_cookie_string(cookie_header.decode("latin-1")).get(self.config.cookie_name)
                       if cookie_header else None)
        state = ScopeState.from_scope(scope)
        if scope["method"] in self.config.safe_methods:
            token = state.csrf_token = csrf_cookie or generate_csrf_token(secret=self.config.secret)
            await self.app(scope, receive, self.create_send_wrapper(send=send, csrf_cookie=csrf_cookie, token=token))
            return
        if not sent_token and content_type is not None \
                and content_type.decode("latin-1").partition(";")[0].strip().lower() in _FORM_TYPES:
            request = scope["litestar_app"].request_class(scope=scope, receive=receive)
            sent_token = (await request.form()).get("_csrf_token", None)
        if isinstance(sent_token, str) and csrf_cookie is not None and self._csrf_tokens_match(sent_token, csrf_cookie):
            state.csrf_token = sent_token
            await self.app(scope, receive, send)
            return
        raise PermissionDeniedException("CSRF token verification failed")

    def _csrf_tokens_match(self, request_csrf_token: str, cookie_csrf_token: str) -> bool:
        if not compare_digest(request_csrf_token.encode(), cookie_csrf_token.encode()):
            return False
        if cookie_csrf_token in self._verified:
            return True
        if not cookie_csrf_token.isascii() or self._decode_csrf_token(cookie_csrf_token) is None:
            return False
        if len(self._verified) >= self.KEEP:
            self._verified.clear()
        self._verified.add(cookie_csrf_token)
        return True
