"""The resident's ballot: type or scan a code, tick, get a receipt. No account."""
from __future__ import annotations

import time
from types import MappingProxyType

from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template
from litestar.response.base import ASGIResponse
from litestar.utils.scope.state import ScopeState

from yishi.ballots import casting, round_settings
from yishi.ballots import codes as code_utils
from yishi.core import limits
from yishi.core.errors import DomainError, NotFound
from yishi.core.i18n import ngettext
from yishi.core.limits import AttemptLimiter
from yishi.web import guards
from yishi.web.clients import client_address, limiter
from yishi.web.forms import form_ints
from yishi.web.page_shell import PageShell
from yishi.wishlists import services as wishlists

# The receipt is the answer to every ballot: the same page but for the receipt number (and the
# CSRF token base.html carries), so it is rendered once and filled in (web/page_shell.py).
RECEIPT_PAGE = PageShell("ballots/receipt.html", holes=("receipt",))

# Codes that name nothing, per client per window, before the ballot pages refuse that client for
# a while. A round prints up to tens of thousands of 8-character codes: unthrottled, a script
# could try millions an hour and find unused ones. A village office or a carrier's shared
# address has many honest residents behind it, and a mistyped code is common on paper: the
# limit is generous, and only full-length codes that name nothing count (a used code, a closed
# round, a short typo do not).
WRONG_CODE_LIMIT = 30
WRONG_CODE_WINDOW = 600
# The count lives in the shared store (a table) so every process agrees; reading it on every
# ballot would add a query to the hot path of a ticking day. So each process remembers which
# clients it has seen miss lately, and asks the store only about those: an honest resident
# costs a dict lookup. A guesser's first miss in each process marks it there (one unchecked try
# per process); a client dropped from a full memory is marked again by its next miss.
_SUSPECTS_MAX = 50_000
_suspects: dict[str, float] = {}


def _wrong_codes(request: Request) -> AttemptLimiter:
    return limiter(request, "ballot.code", WRONG_CODE_LIMIT, WRONG_CODE_WINDOW)


async def _refused_for(request: Request, client: str) -> int:
    """Seconds the client must wait, 0 to go on."""
    missed = _suspects.get(client)
    if missed is None:
        return 0
    if missed < time.time() - WRONG_CODE_WINDOW:
        _suspects.pop(client, None)
        return 0
    return await _wrong_codes(request).blocked_for(client)


async def _missed(request: Request, client: str) -> None:
    await _wrong_codes(request).fail(client)
    _suspects.pop(client, None)  # re-inserted last: the dict's order is the order of misses
    _suspects[client] = time.time()
    if len(_suspects) > _SUSPECTS_MAX:
        del _suspects[next(iter(_suspects))]


def _a_guess(exc: DomainError, code: str) -> bool:
    """A full-length code that names nothing: what guessing looks like (a short one cannot hit)."""
    return isinstance(exc, NotFound) and len(code_utils.normalise(code)) == code_utils.CODE_LENGTH


def _finished(request: Request, page: Template) -> ASGIResponse:
    """A page rendered here, as cast() answers: its return type (ASGIResponse) is what makes Litestar
    send what it returns as it is, so a refusal is rendered the way Litestar renders a Template."""
    return page.to_asgi_response(app=None, request=request, media_type=MediaType.HTML)


def _too_many(wait: int) -> Template:
    minutes = limits.minutes(wait)
    return Template("ballots/enter_code.html", status_code=429, context={"error": ngettext(
        "输错的选票码太多，请 {n} 分钟后再试。如果选票码看不清，请联系社区工作人员。",
        "输错的选票码太多，请 {n} 分钟后再试。如果选票码看不清，请联系社区工作人员。", minutes).format(n=minutes)})


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
    async def ballot(self, request: Request, code: str) -> Template:
        client = client_address(request)
        wait = await _refused_for(request, client)
        if wait:
            return _too_many(wait)
        try:
            return await self._ballot_page(code)
        except DomainError as exc:
            if _a_guess(exc, code):
                await _missed(request, client)
            return Template("ballots/enter_code.html", status_code=exc.status_code, context={"error": exc.message})

    @post("/v/{code:str}", media_type=MediaType.HTML)
    async def cast(self, request: Request) -> ASGIResponse:
        """The hot path of a ticking day: the receipt goes out as a finished response (Litestar
        returns it as it is); a refusal is the ballot page again, as a Template."""
        code = request.path_params["code"]
        client = client_address(request)
        wait = await _refused_for(request, client)
        if wait:
            return _finished(request, _too_many(wait))
        form = await request.form()
        ticked: list[int] = []
        try:
            ticked = form_ints(form.getall("item", []) if hasattr(form, "getall") else form.get("item"))
            receipt = await casting.cast_ballot(code, ticked)
        except DomainError as exc:
            if _a_guess(exc, code):
                await _missed(request, client)
            try:
                return _finished(request, await self._ballot_page(code, exc.message, ticked, exc.status_code))
            except DomainError as lookup:
                return _finished(request, Template("ballots/enter_code.html", status_code=lookup.status_code,
                                                   context={"error": lookup.message}))
        templates = request.app.template_engine
        if templates is None:  # create_app always configures one
            raise RuntimeError("the app has no template engine")
        # As Litestar's csrf_token() in a template: the token the CSRF middleware left, "" if none.
        token = ScopeState.from_scope(request.scope).csrf_token
        page = RECEIPT_PAGE.render(templates.engine, token if isinstance(token, str) else "",
                                   receipt=code_utils.display(receipt))
        return ASGIResponse(body=page, media_type=MediaType.HTML, status_code=200)
