"""The resident's ballot: type or scan a code, tick, get a receipt. No account."""
from __future__ import annotations

from types import MappingProxyType

from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template
from litestar.response.base import ASGIResponse
from litestar.utils.scope.state import ScopeState

from yishi.ballots import casting, round_settings
from yishi.ballots import codes as code_utils
from yishi.core.errors import DomainError
from yishi.web import guards
from yishi.web.forms import form_ints
from yishi.web.page_shell import PageShell
from yishi.wishlists import services as wishlists

# The receipt is the answer to every ballot: the same page but for the receipt number (and the
# CSRF token base.html carries), so it is rendered once and filled in (web/page_shell.py).
RECEIPT_PAGE = PageShell("ballots/receipt.html", holes=("receipt",))


class VoteController(Controller):
    """The resident's side: no account, just a ballot code. Residents never log in here, so these
    pages skip the session and the login (their own checks are the code's); CSRF still applies
    to the POST like to every other."""

    path = ""
    opt = MappingProxyType({**guards.PUBLIC_PAGES, "skip_session": True})
    request_class = Request  # not the app's HTMXRequest: these pages have no use for htmx details

    @get("/vote")
    async def enter_code(self, code: str | None = None) -> Template | Redirect:
        if code:
            return Redirect(f"/v/{code_utils.normalise(code)}")
        return Template("ballots/enter_code.html", context={"error": None})

    async def _ballot_page(self, raw_code: str, error: str | None = None, ticked: list[int] | None = None,
                           status_code: int = 200) -> Template:
        info = await casting.lookup_code(raw_code)
        round_ = await wishlists.get_round(info.round_id)
        return Template("ballots/vote.html", status_code=status_code, context={
            "info": info, "round": round_, "items": await wishlists.items_of(round_.id),
            "code_display": code_utils.display(info.code), "error": error,
            "ticked": set(ticked or []),
            "setup": await round_settings.get(round_.id), "now": round_settings.now_utc(),
        })

    @get("/v/{code:str}")
    async def ballot(self, code: str) -> Template:
        try:
            return await self._ballot_page(code)
        except DomainError as exc:
            return Template("ballots/enter_code.html", status_code=exc.status_code, context={"error": exc.message})

    @post("/v/{code:str}", media_type=MediaType.HTML)
    async def cast(self, request: Request) -> ASGIResponse:
        """The hot path of a ticking day: the receipt goes out as a finished response (Litestar
        returns it as it is); a refusal is the ballot page again, as a Template."""
        code = request.path_params["code"]
        form = await request.form()
        ticked: list[int] = []
        try:
            ticked = form_ints(form.getall("item", []) if hasattr(form, "getall") else form.get("item"))
            receipt = await casting.cast_ballot(code, ticked)
        except DomainError as exc:
            try:
                return await self._ballot_page(code, exc.message, ticked, exc.status_code)
            except DomainError as lookup:
                return Template("ballots/enter_code.html", status_code=lookup.status_code,
                                context={"error": lookup.message})
        page = RECEIPT_PAGE.render(request.app.template_engine.engine,
                                   ScopeState.from_scope(request.scope).csrf_token,
                                   receipt=code_utils.display(receipt))
        return ASGIResponse(body=page, media_type=MediaType.HTML, status_code=200)
