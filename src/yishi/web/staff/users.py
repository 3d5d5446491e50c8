"""用户管理: the district's accounts from the browser. The administrator keeps every account; a
street's staff keep their own street's council members and collectors; the district reviewer reads.
A new account or a reset gets a one-time password, shown once on the answer page (no redirect,
not cached) and changed at the first login."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from yishi.accounts import exports, management
from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.accounts.tables import Unit
from yishi.core.errors import DomainError, InvalidInput
from yishi.core.i18n import _
from yishi.core.numbers import parse_int
from yishi.places.tables import Community, District, Town
from yishi.web import deps
from yishi.web.forms import choice, optional_int, refused, text
from yishi.web.guards import CREATE_ACCOUNTS, MANAGE_ACCOUNT, USER_ADMIN, VIEW_ACCOUNT
from yishi.web.responses import file_response

LIST, ACCOUNT, ONE_TIME = "accounts/users.html", "accounts/user.html", "accounts/one_time.html"
IMPORT = "accounts/import.html"
IMPORT_MAX_BODY = exports.IMPORT_MAX_BYTES + 64 * 1024
NO_STORE = {"Cache-Control": "no-store"}


async def places_for(viewer: Any) -> dict[str, Any]:
    """The choices of the account form: a street's staff see their own street only."""
    towns = Town.select(Town.id, Town.name, Town.district).order_by(Town.district).order_by(Town.id)
    communities = Community.select(Community.id, Community.name, Community.town).order_by(Community.id)
    if perm.role_of(viewer) is Role.street_staff:
        towns = towns.where(Town.id == viewer.town)
        communities = communities.where(Community.town == viewer.town)
        return {"towns": await towns.run(), "communities": await communities.run(), "districts": [], "units": [],
                "roles": list(perm.grantable_roles(viewer))}
    return {"towns": await towns.run(), "communities": await communities.run(),
            "districts": await District.select(District.id, District.name).order_by(District.id).run(),
            "units": await Unit.select(Unit.id, Unit.name).where(Unit.active == True)  # noqa: E712
            .order_by(Unit.name).run(),
            "roles": list(perm.grantable_roles(viewer))}


def _filters(request: Request) -> dict[str, Any]:
    query = request.query_params
    town = query.get("town") or ""
    role = query.get("role") or ""
    active = query.get("active") or ""
    try:  # core.numbers.parse_int: junk, or a number beyond a database integer, is no filter
        page = max(1, parse_int(query.get("page")) or 1)
    except ValueError:
        page = 1
    try:
        town_id = parse_int(town)
    except ValueError:
        town_id = None
    return {"q": (query.get("q") or "").replace("\x00", "").strip()[:40], "town": town_id,
            "role": Role(role) if role in Role._value2member_map_ else None,
            "active": {"1": True, "0": False}.get(active), "page": page}


async def list_context(request: Request, **extra: Any) -> dict[str, Any]:
    filters = _filters(request)
    rows, total = await management.list_accounts(request.user, q=filters["q"], town_id=filters["town"],
                                                 role=filters["role"], active=filters["active"],
                                                 page=filters["page"])
    return {"accounts": rows, "total": total, "filters": filters, "page_size": management.PAGE_SIZE,
            "can_create": bool(perm.grantable_roles(request.user)),
            "all_roles": list(Role) if perm.role_of(request.user) is not Role.street_staff
            else list(perm.STREET_GRANTS),
            "error": None, "form": {}, **await places_for(request.user), **extra}


def _placement(form: Any) -> dict[str, Any]:
    return {"district_id": optional_int(form, "district", _("区")),
            "town_id": optional_int(form, "town", _("镇（街道）")),
            "community_id": optional_int(form, "community", _("社区")),
            "unit_id": optional_int(form, "unit", _("单位"))}


def one_time(account: dict, password: str, *, created: bool) -> Template:
    return Template(ONE_TIME, headers=NO_STORE, context={"account": account, "password": password,
                                                         "created": created})


class UserAdminController(Controller):
    path = "/users"
    guards = (USER_ADMIN,)

    @get("/")
    async def accounts(self, request: Request) -> Template:
        return Template(LIST, context=await list_context(request))

    @post("/")
    async def create(self, request: Request) -> Template:
        form = await request.form()
        try:
            user, password = await management.create_account(
                request.user, username=text(form, "username"), display_name=text(form, "display_name"),
                phone=text(form, "phone"), role=choice(form, "role", Role, _("角色")), **_placement(form))
        except (DomainError, InvalidInput) as exc:
            return refused(LIST, exc, await list_context(request), form)
        return one_time(await management.get_account(user.id), password, created=True)

    @get("/{user_id:int}", guards=[VIEW_ACCOUNT], dependencies=deps.ACCOUNT)
    async def account_page(self, request: Request, account: dict) -> Template:
        return Template(ACCOUNT, context=await self._context(request, account))

    async def _context(self, request: Request, account: dict, **extra: Any) -> dict[str, Any]:
        return {"account": account, "history": await management.history(account["id"]),
                "can_manage": perm.can_manage_account(request.user, account["role"], account["town"]),
                "error": None, "form": {}, **await places_for(request.user), **extra}

    @post("/{user_id:int}", guards=[MANAGE_ACCOUNT], dependencies=deps.ACCOUNT)
    async def edit(self, request: Request, account: dict) -> Template | Redirect:
        form = await request.form()
        try:
            await management.update_account(request.user, account["id"], display_name=text(form, "display_name"),
                                            phone=text(form, "phone"), role=choice(form, "role", Role, _("角色")),
                                            **_placement(form))
        except (DomainError, InvalidInput) as exc:
            return refused(ACCOUNT, exc, await self._context(request, account), form)
        return Redirect(f"/users/{account['id']}?saved=1")

    @post("/{user_id:int}/active", guards=[MANAGE_ACCOUNT], dependencies=deps.ACCOUNT)
    async def toggle(self, request: Request, account: dict) -> Template | Redirect:
        try:
            await management.set_active(request.user, account["id"], not account["active"])
        except DomainError as exc:
            return refused(ACCOUNT, exc, await self._context(request, account))
        return Redirect(f"/users/{account['id']}")

    @post("/{user_id:int}/reset", guards=[MANAGE_ACCOUNT], dependencies=deps.ACCOUNT)
    async def reset(self, request: Request, account: dict) -> Template:
        password = await management.reset_password(request.user, account["id"])
        return one_time(account, password, created=False)

    # --- Excel bulk import ----------------------------------------------------------------------

    def _import_context(self, request: Request, **extra: Any) -> dict[str, Any]:
        return {"roles": exports.import_roles(request.user), "max_rows": exports.IMPORT_MAX_ROWS, "error": None,
                "errors": [], **extra}

    @get("/import", guards=[CREATE_ACCOUNTS])
    async def import_page(self, request: Request) -> Template:
        return Template(IMPORT, context=self._import_context(request))

    @get("/import/template.xlsx", guards=[CREATE_ACCOUNTS])
    async def import_template(self, request: Request) -> Response:
        return file_response(*await exports.template_xlsx(request.user))

    @post("/import", request_max_body_size=IMPORT_MAX_BODY, guards=[CREATE_ACCOUNTS], status_code=200)
    async def import_file(self, request: Request) -> Template | Response:
        """Answers with the sheet of one-time passwords itself (a download, not cached): they are
        kept nowhere else, so they cannot be shown a second time."""
        form = await request.form()
        upload = form.get("file")
        if upload is None or not hasattr(upload, "read"):
            return Template(IMPORT, status_code=400,
                            context=self._import_context(request, error=_("请选择要上传的 Excel 文件。")))
        try:
            created = await exports.import_accounts(await upload.read(), request.user)
        except exports.ImportFailed as exc:
            return Template(IMPORT, status_code=400,
                            context=self._import_context(request, error=exc.message, errors=exc.errors))
        response = file_response(*exports.passwords_xlsx(created))
        response.headers["Cache-Control"] = "no-store"
        return response
