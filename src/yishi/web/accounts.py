from __future__ import annotations

from urllib.parse import urlparse

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from yishi.accounts import services
from yishi.core import audit
from yishi.core.i18n import _
from yishi.core.security import AttemptLimiter
from yishi.web import guards


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not bounce a user to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/rounds"
    return target


class AuthController(Controller):
    path = ""
    opt = {"exclude_from_auth": True, **guards.PUBLIC}

    @get("/login")
    async def login_page(self, request: Request, next: str | None = None) -> Template:
        return Template("accounts/login.html", context={"next": _safe_next(next), "error": None, "username": ""})

    @post("/login")
    async def login(self, request: Request) -> Template | Redirect:
        form = await request.form()
        username = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        target = _safe_next(form.get("next"))
        limiter: AttemptLimiter = request.app.state.login_limiter
        key = f"{request.client.host if request.client else '?'}|{username.lower()}"

        def fail(message: str, status: int) -> Template:
            return Template("accounts/login.html", status_code=status,
                            context={"next": target, "error": message, "username": username})

        wait = limiter.blocked_for(key)
        if wait:
            return fail(_("登录失败次数过多，请 {n} 秒后再试。").format(n=wait), 429)
        if not username or not password:
            return fail(_("请输入用户名和密码。"), 400)
        user = await services.authenticate(username, password)
        if user is None:
            limiter.fail(key)
            await audit.record("account.login.failed", object_type="user", username=username)
            return fail(_("用户名或密码不正确。"), 401)
        limiter.reset(key)
        request.clear_session()
        request.set_session({"uid": user.id, "sv": user.session_version})
        await audit.record("account.login.succeeded", actor=user, object_type="user", object_id=user.id)
        return Redirect(target)

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect("/login")
