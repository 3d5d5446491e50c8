"""使用说明: a short guide per role (what to do next, in plain Chinese), linked from every page's
header; /help shows the signed-in role's, and a resident's to anyone not signed in. The guides are
no secret, so every role's is public (a collector's guide can be sent as a link before she has an
account). The collectors' guide also prints on one A4 page (collector.pdf) to hand out."""
from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Response, Template

from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.core import pdf
from yishi.core.errors import NotFound
from yishi.core.i18n import _
from yishi.web import deps, guards, links
from yishi.web.responses import file_response

RESIDENT = "resident"
# The guides in the order the help page lists them: residents first, as most readers are.
GUIDES = (RESIDENT, Role.collector.value, Role.member.value, Role.convener.value, Role.street_staff.value,
          Role.unit_clerk.value, Role.observer.value, Role.district_reviewer.value, Role.admin.value)


def guide_title(key: str) -> str:
    return _("居民") if key == RESIDENT else Role(key).label


async def _signed_in_user(request: Request):
    """The signed-in user, if any: these pages are open to everyone, so the login is not required
    (exclude_from_auth) and is read here; it goes into the scope so the header shows the account."""
    user = await deps.session_user(request.session)
    if user is not None:
        request.scope["user"] = user
    return user


class HelpController(Controller):
    path = "/help"
    opt = guards.PUBLIC_PAGES

    @get("")
    async def own_guide(self, request: Request) -> Template:
        role = perm.role_of(await _signed_in_user(request))
        return _guide(role.value if role is not None else RESIDENT)

    @get("/{key:str}")
    async def guide(self, request: Request, key: str) -> Template:
        await _signed_in_user(request)
        if key not in GUIDES:
            raise NotFound(_("没有这份使用说明。"))
        return _guide(key)

    @get("/collector.pdf")
    async def collector_sheet(self, request: Request) -> Response:
        """One A4 page for collectors, printed and handed out at training; it names this site's
        addresses, as a collector will type them from the paper."""
        data = await pdf.render_pdf("pdf/collector_guide.html", base_url=links.public_base(request))
        return file_response(_("民情收集员使用说明.pdf"), "application/pdf", data, inline=True)


def _guide(key: str) -> Template:
    return Template("help/guide.html", context={
        "key": key, "title": guide_title(key), "guides": [(k, guide_title(k)) for k in GUIDES]})
