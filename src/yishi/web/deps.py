"""Objects a route works on, loaded once per request from its path: the round, the meeting, the
suggestion, the submission. A guard and the handler's dependency share the same load (kept in
the request's scope), and an id that names nothing answers 404 in Chinese.

Use in a handler: `async def page(self, round_: RoundView) -> ...` with the controller's
`dependencies = deps.ROUND` (or MEETING, ...). The loaders' parameter is called `request`, the
name Litestar fills in for a dependency; a guard passes its connection."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp, Receive, Scope, Send

from yishi.accounts import management as accounts
from yishi.accounts import services as account_services
from yishi.cases import consult
from yishi.cases import services as cases
from yishi.core.errors import NotFound
from yishi.core.i18n import _
from yishi.core.numbers import MAX_INT
from yishi.meetings import desk, meeting
from yishi.places import services as places
from yishi.projects import services as projects
from yishi.suggestions import services as suggestions
from yishi.wishlists import services as wishlists

_KEY = "yishi.loaded"
_MAX_ID = MAX_INT  # a path id beyond a PostgreSQL integer names nothing (and would overflow the database)


def path_id(connection: ASGIConnection, name: str) -> int:
    value = connection.path_params.get(name)
    if not isinstance(value, int) or not 0 < value <= _MAX_ID:
        raise NotFound(_("找不到这个页面，请检查网址是否正确。"))
    return value


class PathIdsMiddleware:
    """The one check of every `{…_id:int}` in every route's path, before any guard or handler
    reads it: every int path parameter is an id, and an id that is not a positive 32-bit number
    names nothing, so it answers the same 404 page as an id that names nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        params = scope.get("path_params")
        if params and any(isinstance(v, int) and not 0 < v <= _MAX_ID for v in params.values()):
            raise NotFoundException()
        await self.app(scope, receive, send)


async def _loaded(connection: ASGIConnection, what: str, load: Callable[[], Awaitable[Any]]) -> Any:
    # The request's own state (the server copies it for each request; Litestar sets it if absent).
    cache: dict[str, Any] = connection.scope.setdefault("state", {}).setdefault(_KEY, {})
    if what not in cache:
        cache[what] = await load()
    return cache[what]


async def load_round(request: ASGIConnection) -> wishlists.RoundView:
    return await _loaded(request, "round", lambda: wishlists.get_round(path_id(request, "round_id")))


async def load_meeting(request: ASGIConnection) -> meeting.MeetingView:
    return await _loaded(request, "meeting", lambda: meeting.get_meeting(path_id(request, "meeting_id")))


async def load_suggestion(request: ASGIConnection) -> dict:
    return await _loaded(request, "suggestion",
                         lambda: suggestions.get(path_id(request, "suggestion_id")))


async def load_submission(request: ASGIConnection) -> dict:
    return await _loaded(request, "submission",
                         lambda: desk.get_submission(path_id(request, "submission_id")))


async def load_submission_round(request: ASGIConnection) -> wishlists.RoundView:
    async def load() -> wishlists.RoundView:
        return await wishlists.get_round((await load_submission(request))["round"])
    return await _loaded(request, "submission_round", load)


async def load_project(request: ASGIConnection) -> dict:
    return await _loaded(request, "project", lambda: projects.get_project(path_id(request, "project_id")))


async def load_case(request: ASGIConnection) -> dict:
    return await _loaded(request, "case", lambda: cases.get_case(path_id(request, "case_id")))


async def load_consult(request: ASGIConnection) -> dict:
    return await _loaded(request, "consult", lambda: consult.get_meeting(path_id(request, "consult_id")))


async def load_town(request: ASGIConnection) -> dict:
    """A street by its path id, with its district (the monthly review and the public street page)."""
    return await _loaded(request, "town", lambda: places.known_town(path_id(request, "town_id")))


async def load_district(request: ASGIConnection) -> dict:
    return await _loaded(request, "district", lambda: places.known_district(path_id(request, "district_id")))


async def load_account(request: ASGIConnection) -> dict:
    """An account of 用户管理 by its path id, with its district (its own, its street's, its unit's)."""
    return await _loaded(request, "account", lambda: accounts.get_account(path_id(request, "user_id")))


# Litestar dependencies: a handler names the parameter, the controller provides it.
ROUND = {"round_": Provide(load_round)}
MEETING = {"meeting_": Provide(load_meeting)}
SUGGESTION = {"suggestion": Provide(load_suggestion)}
SUBMISSION = {"submission": Provide(load_submission), "submission_round": Provide(load_submission_round)}
PROJECT = {"project": Provide(load_project)}
CASE = {"case": Provide(load_case)}
CONSULT = {"meeting": Provide(load_consult)}
TOWN = {"town": Provide(load_town)}
DISTRICT = {"district": Provide(load_district)}
ACCOUNT = {"account": Provide(load_account)}


async def session_user(session: dict[str, Any] | None) -> Any:
    """The active account a session is signed in as (its session version still current), or None:
    the app's retrieve_user, and pages open to everyone that still show who is signed in."""
    session = session or {}
    if not session.get("uid"):
        return None
    return await account_services.get_active_user(int(session["uid"]), int(session.get("sv", 0)))
