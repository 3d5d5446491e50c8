"""The resident's side: the "码上听" form (no account) and the tracking page.

Abuse: each client may post a few suggestions per ten minutes and guess a few tracking codes; a
hidden field catches form-filling robots; bodies are capped. Every refusal is a page in Chinese
with a 4xx status, and a refused submission saves nothing."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from yishi.core.errors import DomainError, NotFound
from yishi.core.i18n import _
from yishi.places import services as places
from yishi.suggestions import catalog, rules, services
from yishi.suggestions.enums import Channel
from yishi.web import forms, guards
from yishi.web.clients import client_address, limiter, too_often
from yishi.web.resident import callback

SUBMIT_LIMIT = 10  # posts per client per window: a family at one phone, a centre's shared Wi-Fi
SUBMIT_WINDOW = 600
MAX_BODY = 32 * 1024  # a 1,000-character suggestion is ~3 KB URL-encoded


async def _towns_with_communities(point: catalog.PointView | None) -> list[dict]:
    """The community choice: the point's town only, or every town for the general form."""
    result = []
    for town in await places.towns(None if point is None else [point.town_id]):
        communities = await places.communities_of(town["id"])
        if communities:
            result.append({**town, "communities": communities})
    return result


async def form_page(point: catalog.PointView | None, *, form: dict | None = None, errors: dict | None = None,
                    error: str | None = None, notice: str | None = None, status_code: int = 200) -> Template:
    return Template("suggestions/public_form.html", status_code=status_code, context={
        "point": point, "towns": await _towns_with_communities(point),
        "categories": await catalog.categories(), "form": form or {}, "errors": errors or {},
        # A poster's community's 点位 as choices; the general form, for every street, has none.
        "spots": await catalog.known_spots(point.town_id, point.community_id) if point else [],
        "error": error, "notice": notice, "min_len": services.CONTENT_MIN, "max_len": services.CONTENT_MAX,
    })


class PublicSuggestionController(Controller):
    path = ""
    opt = guards.PUBLIC_PAGES

    @get("/s")
    async def blank_form(self) -> Template:
        return await form_page(None)

    @get("/s/{code:str}")
    async def point_form(self, code: str) -> Template:
        try:
            point = await catalog.point_by_code(code)
        except NotFound as exc:
            return await form_page(None, notice=exc.message, status_code=404)
        return await form_page(point)

    @post("/s", request_max_body_size=MAX_BODY)
    async def submit(self, request: Request) -> Template | Redirect:
        form = await request.form()
        typed = {k: forms.text(form, k) for k in ("content", "category", "community", "name", "phone", "point",
                                                  "spot")}
        point = None
        if typed["point"]:
            try:
                point = await catalog.point_by_code(typed["point"])
            except NotFound:
                point = None  # a poster taken down meanwhile: keep the suggestion, as an online one
        gate = limiter(request, "suggestion.submit", SUBMIT_LIMIT, SUBMIT_WINDOW)
        # Every post counts, accepted or not.
        wait = await gate.attempt(client_address(request))
        if wait:
            return await form_page(point, form=typed, status_code=429, error=too_often(wait))
        if forms.text(form, "website"):
            # The hidden field: people never see it, robots fill it in.
            return await form_page(point, status_code=400, error=_("提交未成功，请刷新页面后重新填写。"))
        try:
            data = forms.suggestion_input(form)
            data.received_on = None  # a resident cannot backdate
            receipt = await services.submit(data, channel=Channel.qr if point else Channel.online,
                                            point_id=point.id if point else None)
        except forms.InvalidInput as exc:
            return await form_page(point, form=typed, errors=exc.errors, status_code=exc.status_code,
                                   error=exc.message)
        except DomainError as exc:
            return await form_page(point, form=typed, error=exc.message, status_code=exc.status_code)
        return Redirect(f"/t/{receipt.tracking_code}?new=1")

    @get("/t")
    async def track_form(self, code: str | None = None) -> Template | Redirect:
        if code and rules.normalise_code(code):
            return Redirect(f"/t/{rules.normalise_code(code)}")
        return Template("suggestions/track_form.html", context={"error": None, "code": ""})

    @get("/t/{code:str}")
    async def tracking(self, request: Request, code: str, new: Any = None, rated: Any = None) -> Template:
        view = await callback.tracked(request, code)  # the unknown codes' allowance, shared with rating
        if isinstance(view, Template):
            return view
        # The page, with the 回访 (rating) form once the case is answered: web/resident/callback.py.
        return await callback.track_template(view, new=bool(new), rated=bool(rated))
