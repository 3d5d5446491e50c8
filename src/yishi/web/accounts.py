from __future__ import annotations

from urllib.parse import urlparse

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Response, Template

from yishi.accounts import management, services
from yishi.core import audit
from yishi.core.errors import DomainError
from yishi.core.i18n import _, ngettext
from yishi.core.limits import AttemptLimiter, GrowingDelay
from yishi.web import guards
from yishi.web.clients import client_address
from yishi.web.landing import landing_for


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not bounce a user to another site. "" when there is
    no (acceptable) target: the user then lands on the page of the role's next task."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return ""
    return target


class AuthController(Controller):
    path = ""
    opt = guards.PUBLIC_PAGES

    @get("/login")
    async def login_page(self, request: Request, next: str | None = None) -> Template:
        return Template("accounts/login.html", context={"next": _safe_next(next), "error": None, "username": ""})

    @post("/login")
    async def login(self, request: Request) -> Template | Redirect:
        form = await request.form()
        username = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        target = _safe_next(form.get("next"))
        by_address: AttemptLimiter = request.app.state.login_limiter
        by_account: GrowingDelay = request.app.state.account_limiter
        address = client_address(request)
        account = username.lower()
        pair = f"{address}|{account}"

        def fail(message: str, status: int) -> Template:
            return Template("accounts/login.html", status_code=status,
                            context={"next": target, "error": message, "username": username})

        if not username or not password:
            return fail(_("请输入用户名和密码。"), 400)
        # The account's wait first: an attempt it refuses counts nowhere, so the owner who tries
        # again too soon is not also blocked at their own address.
        wait = await by_account.blocked_for(account) or await by_address.attempt(pair) \
            or await by_account.attempt(account)
        if wait:
            return fail(ngettext("登录失败次数过多，请 {n} 秒后再试。", "登录失败次数过多，请 {n} 秒后再试。",
                                 wait).format(n=wait), 429)
        user = await services.authenticate(username, password)
        if user is None:
            # The account's id when the name is one, so its login history shows the failures too.
            user_id = await services.user_id_of(username)
            await audit.record("account.login.failed", object_type="user", object_id=user_id, username=username,
                               address=address)
            for scope, seconds in (("address", await by_address.blocked_for(pair)),
                                   ("account", await by_account.blocked_for(account))):
                if seconds:  # this failure started a block: the trail says so, once per block
                    await audit.record("account.login.blocked", object_type="user", object_id=user_id,
                                       username=username, scope=scope, seconds=seconds, address=address)
            return fail(_("用户名或密码不正确。"), 401)
        await by_address.reset(pair)
        await by_account.reset(account)
        request.clear_session()
        request.set_session({"uid": user.id, "sv": user.session_version})
        await audit.record("account.login.succeeded", actor=user, object_type="user", object_id=user.id,
                           address=address)
        if user.must_change_password:
            return Redirect(PASSWORD_PAGE)
        return Redirect(target or await landing_for(user))

    @post("/logout")
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect("/login")


PASSWORD_PAGE = "/account/password"
PASSWORD_TEMPLATE = "accounts/password.html"


class PasswordController(Controller):
    """修改密码 for everyone signed in. The session that changes it goes on; every other one ends."""

    path = PASSWORD_PAGE
    guards = (guards.SIGNED_IN,)

    @get("/")
    async def page(self, request: Request, done: str | None = None) -> Template:
        return Template(PASSWORD_TEMPLATE, context={"error": None, "done": bool(done),
                                                   "first": request.user.must_change_password})

    @post("/")
    async def change(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            version = await management.change_password(request.user, current=str(form.get("current", "")),
                                                       new=str(form.get("new", "")),
                                                       repeat=str(form.get("repeat", "")))
        except DomainError as exc:
            # Passwords are never typed back into a page.
            return Template(PASSWORD_TEMPLATE, status_code=exc.status_code,
                            context={"error": exc.message, "done": False,
                                     "first": request.user.must_change_password})
        request.set_session({"uid": request.user.id, "sv": version})
        return Redirect(f"{PASSWORD_PAGE}?done=1")


_FREE_BEFORE_CHANGE = (PASSWORD_PAGE, "/logout", "/login", "/static/", "/healthz")


async def first_password_change(request: Request) -> Response | None:
    """An account with a one-time password (a reset, a new account) sees nothing but the 修改密码
    page until it has chosen its own (app-wide before_request)."""
    user = request.scope.get("user")
    if user is None or not getattr(user, "must_change_password", False):
        return None
    if request.url.path.startswith(_FREE_BEFORE_CHANGE):
        return None
    return Redirect(PASSWORD_PAGE)
