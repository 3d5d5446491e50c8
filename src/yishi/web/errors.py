"""Error pages in Chinese for every refusal: a domain error, a missing login, a forbidden page,
a bad form, an unknown page, and (logged) anything unexpected."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from yishi.core import i18n
from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.web.language import locale_of

log = logging.getLogger("yishi")


def _from_htmx(request: Request) -> bool:
    """An htmx request. The exception handlers get the app's request class, an HTMXRequest."""
    return isinstance(request, HTMXRequest) and bool(request.htmx)


def _error_page(request: Request, message: str, status: int, title: str | None = None) -> Response:
    if _from_htmx(request):
        return Template("_error_fragment.html", context={"message": message}, status_code=status)
    return Template(
        "error.html",
        context={"message": message, "title": title or _("操作未完成"), "status": status},
        status_code=status,
    )


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    return _error_page(request, exc.message, exc.status_code)


def not_authorized_handler(request: Request, exc: NotAuthorizedException) -> Response:
    if request.method == "GET" and not _from_htmx(request):
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


def _in_request_language(handler: Callable[[Request, Any], Response]) -> Callable[[Request, Any], Response]:
    """An error raised before the route's middleware (an unknown path) or rendered after it is
    left: the page still comes in the request's language."""
    def handle(request: Request, exc: Any) -> Response:
        i18n.activate(locale_of(request.scope))
        return handler(request, exc)
    handle.__name__ = handler.__name__
    return handle


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: _in_request_language(domain_error_handler),
    NotAuthorizedException: _in_request_language(not_authorized_handler),
    PermissionDeniedException: _in_request_language(forbidden_handler),
    NotFoundException: _in_request_language(not_found_handler),
    ValidationException: _in_request_language(validation_handler),
    HTTPException: _in_request_language(http_error_handler),
    HTTP_500_INTERNAL_SERVER_ERROR: _in_request_language(internal_error_handler),
}


