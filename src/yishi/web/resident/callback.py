"""回访 on the tracking page: once the case is answered, the resident rates the answer at /t/CODE
(满意 / 基本满意 / 不满意), within the district's rating window, once per answer
(evaluation.callbacks). The tracking page itself (web/resident/suggest.py) is drawn here, with
the rating form when there is one, so a refused rating shows the same page with its message.

Abuse: every post counts against the client's allowance of ratings, and a code that does not
exist counts against its allowance of unknown codes, which it shares with the tracking page
(`tracked`): posting ratings is another way to try codes, and says nothing more than the page.
A rating refused for the allowance comes back on the page with what was typed."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.response import Redirect, Template

from yishi.core import limits
from yishi.core.errors import DomainError, NotFound
from yishi.core.i18n import ngettext
from yishi.evaluation import callbacks
from yishi.evaluation.enums import Satisfaction
from yishi.projects import public as public_projects
from yishi.suggestions import rules
from yishi.suggestions.services import Tracking
from yishi.web import forms, guards
from yishi.web.clients import client_address, limiter, too_often
from yishi.wishlists import sources

RATE_LIMIT = 20  # rating posts per client per window (refused ones included)
RATE_WINDOW = 600
TRACK_FAIL_LIMIT = 20  # unknown tracking codes per client per window, on the page or in a rating
TRACK_WINDOW = 600
MAX_BODY = 8 * 1024  # a 500-character comment is ~4.5 KB URL-encoded


async def panel(view: Tracking, case: dict | None) -> dict[str, Any] | None:
    """The 回访 part of the tracking page: None before the suggestion became a case."""
    if case is None:
        return None
    st = await callbacks.status_of(case)
    why = callbacks.refusal(st)
    return {"status": st, "grades": list(Satisfaction), "why": why.message if why else "",
            "ratings": await callbacks.ratings_of_case(case["id"])}


async def tracked(request: Request, code: str) -> Tracking | Template:
    """The suggestion a tracking code names, or the page refusing it: 429 while the client has
    named too many unknown codes lately, 404 for an unknown code (which counts)."""
    gate = limiter(request, "suggestion.track", TRACK_FAIL_LIMIT, TRACK_WINDOW)
    key = client_address(request)
    wait = await gate.blocked_for(key)
    if wait:
        minutes = limits.minutes(wait)
        return Template("suggestions/track_form.html", status_code=429, context={
            "error": ngettext("查询次数太多，请 {n} 分钟后再试。", "查询次数太多，请 {n} 分钟后再试。",
                              minutes).format(n=minutes), "code": code[:20]})
    try:
        return await sources.track(code)
    except NotFound as exc:
        await gate.fail(key)
        return Template("suggestions/track_form.html", status_code=404, context={"error": exc.message,
                                                                                  "code": code[:20]})


async def track_template(view: Tracking, *, new: bool = False, rated: bool = False, status_code: int = 200,
                         error: str | None = None, form: dict | None = None) -> Template:
    case = await callbacks.case_of(view)  # read now: a refused rating may have met a change
    return Template("suggestions/track.html", status_code=status_code, context={
        "view": view, "code_display": rules.display_code(view.code), "new": new,
        # What the suggestion became once the district approved it (办实事), if anything yet.
        "projects": await public_projects.projects_for_code(view.code),
        "cb": await panel(view, case), "rated": rated, "error": error, "form": form or {},
    })


class CallbackController(Controller):
    path = ""
    opt = guards.PUBLIC_PAGES

    @post("/t/{code:str}/rate", request_max_body_size=MAX_BODY)
    async def rate(self, request: Request, code: str) -> Template | Redirect:
        view = await tracked(request, code)
        if isinstance(view, Template):
            return view
        form = await request.form()
        typed = {"grade": forms.text(form, "grade"), "comment": forms.text(form, "comment")}
        gate = limiter(request, "case.rate", RATE_LIMIT, RATE_WINDOW)
        wait = await gate.attempt(client_address(request))
        if wait:
            return await track_template(view, status_code=429, form=typed, error=too_often(wait))
        try:
            await callbacks.rate_case_online(await callbacks.case_of(view), typed["grade"], typed["comment"])
        except DomainError as exc:
            return await track_template(view, status_code=exc.status_code, error=exc.message, form=typed)
        return Redirect(f"/t/{view.code}?rated=1#callback")

