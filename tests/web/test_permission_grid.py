"""Who may pass each route's guards: every route × every role × an object of the user's own
street (own district for the district's roles, own unit for a unit clerk) or of another, and
anonymous visitors, against one expected matrix kept here. A route missing from the matrix
fails, with the row it would need, for review.

What is measured is the guard layer alone: a last guard added for the test answers 418 once
every real guard has let the request through, so no handler runs and nothing is written (a
grid of ~2,500 requests that each changed the world would test nothing but its own order). The
object ids in the path are real: the guards load the round, meeting, suggestion, submission,
project, street, district or account they name. Checks a handler makes itself (membership of
the council for my-vote, a street chosen in a form) are tested with their routes.

Notation: role letters A admin, D district reviewer, S street staff, C convener, M council
member, L collector (民情收集员), U unit clerk, O observer, and * anonymous. "own / other" lists
who passes on an object of their own street and on another street's; a route with no object in
its path has one list."""
from __future__ import annotations

from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.testing import AsyncTestClient

from tests import factories as f
from tests.web import world
from yishi.accounts.enums import Role
from yishi.meetings.tables import CouncilMember
from yishi.suggestions.tables import ObservationPoint

ROLES = {"A": Role.admin, "D": Role.district_reviewer, "S": Role.street_staff, "C": Role.convener,
         "M": Role.member, "L": Role.collector, "U": Role.unit_clerk, "O": Role.observer}
WHO = [*ROLES, "*"]
# Path parameters a guard loads: these name the own or the other street's object.
OBJECTS = ("round_id", "meeting_id", "suggestion_id", "submission_id", "project_id", "town_id", "district_id",
           "user_id", "case_id", "consult_id")
PASSED = 418

MATRIX: dict[str, str] = {
    "GET /": "ADSCMLUO*",
    "GET /account/password": "ADSCMLUO",
    # 接诉即办: a clerk sees the cases of her unit only, a street its own, the district all of its.
    "GET /case-rates/district/{district_id:int}": "AD / A",
    "GET /case-rates/district/{district_id:int}/export.xlsx": "AD / A",
    "GET /case-rates/district/{district_id:int}/ranking": "AD / A",
    "GET /case-rates/district/{district_id:int}/ranking.xlsx": "AD / A",
    "GET /case-rates/district/{district_id:int}/ranking/settings": "AD / A",
    "GET /case-rates/town/{town_id:int}": "ADSC / A",
    "GET /case-rates/town/{town_id:int}/export.xlsx": "ADSC / A",
    "GET /cases": "ADSCU",
    "GET /cases/catalog": "AD",
    "GET /cases/dispatch/{suggestion_id:int}": "ADSC / A",
    # 会商: a clerk sees only the meetings her unit was summoned to (the world's meeting summons
    # her unit), a street never another's, the district all of its; the steps are the service's.
    "GET /cases/meetings": "ADSCU",
    "GET /cases/meetings/new": "ADSC",
    "GET /cases/meetings/{consult_id:int}": "ADSCU / A",
    "GET /cases/{case_id:int}": "ADSCU / A",
    "GET /cases/{case_id:int}/callback": "ADSCU / A",
    "GET /council": "SCML",
    "GET /dashboard/street/{town_id:int}": "ADSC / A",
    "GET /dashboard/street/{town_id:int}/export.xlsx": "ADSC / A",
    "GET /dashboard/street/{town_id:int}/ratings": "ADSC / A",
    "GET /dashboard/street/{town_id:int}/turnout": "ADSC / A",
    "GET /dashboard/{district_id:int}": "AD / A",
    "GET /dashboard/{district_id:int}/export.xlsx": "AD / A",
    "GET /dashboard/{district_id:int}/ratings": "AD / A",
    "GET /dashboard/{district_id:int}/report.pdf": "AD / A",
    "GET /dashboard/{district_id:int}/settings": "AD / A",
    "GET /dashboard/{district_id:int}/turnout": "AD / A",
    "GET /district": "D",
    "GET /district/submissions/{submission_id:int}": "ADSCML / A",
    "GET /evaluation": "ADSCMLUO",
    "GET /evaluation/ledger": "ADSCMLUO",
    "GET /evaluation/projects/{project_id:int}": "ADSCLUO / A",
    "GET /evaluation/rounds/{round_id:int}/codes": "ASC / A",
    "GET /evaluation/rounds/{round_id:int}/codes.pdf": "ASC / A",
    "GET /healthz": "ADSCMLUO*",
    # 使用说明: every role's guide is public (a resident's to anyone not signed in).
    "GET /help": "ADSCMLUO*",
    "GET /help/collector.pdf": "ADSCMLUO*",
    "GET /help/{key:str}": "ADSCMLUO*",
    "GET /login": "ADSCMLUO*",
    "GET /meetings/{meeting_id:int}": "ADSCML / A",
    "GET /meetings/{meeting_id:int}/chair": "AC / A",
    "GET /meetings/{meeting_id:int}/minutes.pdf": "ADSCML / A",
    "GET /p/{project_id:int}": "ADSCMLUO*",
    "GET /p/{project_id:int}/rate": "ADSCMLUO*",
    "GET /photos/{photo_id:int}": "ADSCMLUO*",
    "GET /photos/{photo_id:int}/thumb": "ADSCMLUO*",
    "GET /projects": "ADSCU",
    "GET /projects/{project_id:int}": "ADSCU / A",
    "GET /projects/{project_id:int}/poster.pdf": "ADSCU / A",
    "GET /r": "ADSCMLUO*",
    "GET /r/{code:str}": "ADSCMLUO*",
    "GET /results/{round_id:int}": "ADSCMLUO*",
    "GET /results/{round_id:int}/receipts.txt": "ADSCMLUO*",
    "GET /review/district/{district_id:int}": "AD / A",
    "GET /review/district/{district_id:int}/report.pdf": "AD / A",
    "GET /review/district/{district_id:int}/report.xlsx": "AD / A",
    "GET /review/town/{town_id:int}": "ADSC / A",
    "GET /review/town/{town_id:int}/report.pdf": "ADSC / A",
    "GET /review/town/{town_id:int}/report.xlsx": "ADSC / A",
    "GET /rounds": "ADSCMLUO",
    "GET /rounds/{round_id:int}": "ADSCML / A",
    "GET /rounds/{round_id:int}/codes": "ASC / A",
    "GET /rounds/{round_id:int}/codes.csv": "ASC / A",
    "GET /rounds/{round_id:int}/council-work": "ADSCML / A",
    "GET /rounds/{round_id:int}/edit": "ASC / A",
    "GET /rounds/{round_id:int}/export/{what:str}": "ADSC / A",
    "GET /rounds/{round_id:int}/intent-list.pdf": "ADSC / A",
    "GET /rounds/{round_id:int}/paper": "ASCL / A",
    "GET /rounds/{round_id:int}/submissions": "ADSCML / A",
    "GET /rounds/{round_id:int}/tally": "ADSCML / A",
    "GET /s": "ADSCMLUO*",
    "GET /s/{code:str}": "ADSCMLUO*",
    "GET /static/{file_path:path}": "ADSCMLUO*",
    "GET /street/{town_id:int}": "ADSCMLUO*",
    "GET /suggestions": "ADSCML",
    "GET /suggestions/export.xlsx": "ADSCML",
    "GET /suggestions/import": "ASCL",
    "GET /suggestions/import/template.xlsx": "ASCL",
    "GET /suggestions/new": "ASCL",
    "GET /suggestions/points": "ASC",
    "GET /suggestions/points/{point_id:int}/poster.pdf": "ASC",
    "GET /suggestions/pulse": "ADSCMLUO",  # the handler sends each role to its own table, or refuses
    "GET /suggestions/pulse/district/{district_id:int}": "AD / A",
    "GET /suggestions/pulse/district/{district_id:int}/files/{name:str}": "AD / A",
    "GET /suggestions/pulse/district/{district_id:int}/topic": "AD / A",
    "GET /suggestions/pulse/town/{town_id:int}": "ADSC / A",
    "GET /suggestions/pulse/town/{town_id:int}/files/{name:str}": "ADSC / A",
    "GET /suggestions/pulse/town/{town_id:int}/topic": "ADSC / A",
    "GET /suggestions/settings": "ASC",
    "GET /suggestions/stats": "ADSCML",
    "GET /suggestions/wish": "ADSCML",
    "GET /suggestions/wish-items/{item_id:int}": "ADSCML",
    "GET /suggestions/{suggestion_id:int}": "ADSCML / A",
    "GET /supervision": "A",
    "GET /t": "ADSCMLUO*",
    "GET /t/{code:str}": "ADSCMLUO*",
    "GET /units": "A",
    "GET /users": "ADS",
    "GET /users/import": "AS",
    "GET /users/import/template.xlsx": "AS",
    "GET /users/{user_id:int}": "ADS / A",
    "GET /v/{code:str}": "ADSCMLUO*",
    "GET /vote": "ADSCMLUO*",
    "HEAD /static/{file_path:path}": "ADSCMLUO*",
    "POST /account/password": "ADSCMLUO",
    "POST /case-rates/district/{district_id:int}/ranking/settings": "AD / A",
    "POST /case-rates/district/{district_id:int}/talks": "AD / A",
    "POST /case-rates/district/{district_id:int}/talks/{talk_id:int}/follow-up": "AD / A",
    "POST /cases/catalog": "AD",
    "POST /cases/catalog/{entry_id:int}/toggle": "AD",
    "POST /cases/dispatch/{suggestion_id:int}": "ADSC / A",
    "POST /cases/meetings/new": "ADSC",
    "POST /cases/meetings/{consult_id:int}/attendance": "ADSCU / A",
    "POST /cases/meetings/{consult_id:int}/cancel": "ADSCU / A",
    "POST /cases/meetings/{consult_id:int}/close": "ADSCU / A",
    "POST /cases/meetings/{consult_id:int}/decide": "ADSCU / A",
    "POST /cases/meetings/{consult_id:int}/hold": "ADSCU / A",
    "POST /cases/meetings/{consult_id:int}/items": "ADSCU / A",
    "POST /cases/meetings/{consult_id:int}/items/{item_id:int}/answer": "ADSCU / A",
    "POST /cases/meetings/{consult_id:int}/rate-prep": "ADSCU / A",
    "POST /cases/meetings/{consult_id:int}/rate-response": "ADSCU / A",
    "POST /cases/meetings/{consult_id:int}/report": "ADSCU / A",
    "POST /cases/escalate/{suggestion_id:int}": "ASC / A",
    "POST /cases/settings": "AD",
    "POST /cases/{case_id:int}/accept": "ADSCU / A",
    # 回访: the street's staff record the call, the district too on a case sent up to it (the
    # world's case is the street's own: tests/web/test_callbacks.py has one sent up); the phone's
    # own check (its handler, the owning unit's clerk) is made by the handler and tested there.
    "POST /cases/{case_id:int}/callback": "SC / -",
    "POST /cases/{case_id:int}/phone": "ADSCU / A",
    "POST /cases/{case_id:int}/close": "ADSCU / A",
    "POST /cases/{case_id:int}/opinion": "ADSCU / A",
    "POST /cases/{case_id:int}/reply": "ADSCU / A",
    "POST /cases/{case_id:int}/send-back": "ADSCU / A",
    "POST /council/members": "SC",
    "POST /council/members/{member_id:int}/account": "SC",
    "POST /council/members/{member_id:int}/retire": "SC",
    "POST /council/rules": "SC",
    "POST /dashboard/{district_id:int}/indicators": "AD / A",
    "POST /dashboard/{district_id:int}/settings": "AD / A",
    "POST /suggestions/pulse/district/{district_id:int}/rule": "AD / A",
    "POST /district/submissions/{submission_id:int}/review": "D / -",
    "POST /evaluation/projects/{project_id:int}/call": "ADSC / A",
    "POST /evaluation/projects/{project_id:int}/carry": "ASC / A",
    "POST /evaluation/projects/{project_id:int}/cases/{case_id:int}/answer": "ADSCLUO / A",
    "POST /evaluation/projects/{project_id:int}/decide": "AD / A",
    "POST /evaluation/projects/{project_id:int}/paper": "ASCL / A",
    "POST /evaluation/projects/{project_id:int}/paper/{paper_id:int}/resolve": "ASCL / A",
    "POST /evaluation/projects/{project_id:int}/score": "O / -",
    "POST /evaluation/rounds/{round_id:int}/codes": "ASC / A",
    "POST /evaluation/towns/{town_id:int}/underway": "ASC / A",
    "POST /login": "ADSCMLUO*",
    "POST /logout": "ADSCMLUO*",
    "POST /language": "ADSCMLUO*",
    "POST /meetings": "C",
    "POST /meetings/{meeting_id:int}/agenda": "AC / A",
    "POST /meetings/{meeting_id:int}/agenda/{item_id:int}/{op:str}": "AC / A",
    "POST /meetings/{meeting_id:int}/attendance": "AC / A",
    "POST /meetings/{meeting_id:int}/close": "AC / A",
    "POST /meetings/{meeting_id:int}/decide": "AC / A",
    "POST /meetings/{meeting_id:int}/guests": "AC / A",
    "POST /meetings/{meeting_id:int}/list/adopt": "AC / A",
    "POST /meetings/{meeting_id:int}/list/draft": "AC / A",
    "POST /meetings/{meeting_id:int}/list/items": "AC / A",
    "POST /meetings/{meeting_id:int}/list/items/{item_id:int}/delete": "AC / A",
    "POST /meetings/{meeting_id:int}/list/items/{item_id:int}/edit": "AC / A",
    "POST /meetings/{meeting_id:int}/my-vote/{item_id:int}": "ADSCML / A",
    "POST /meetings/{meeting_id:int}/sign-in": "ADSCML / A",
    "POST /meetings/{meeting_id:int}/start": "AC / A",
    "POST /meetings/{meeting_id:int}/votes/{item_id:int}": "AC / A",
    "POST /p/{project_id:int}/rate": "ADSCMLUO*",
    "POST /t/{code:str}/rate": "ADSCMLUO*",
    "POST /projects/{project_id:int}/completion": "SCU / -",
    "POST /projects/{project_id:int}/coordination/{item_id:int}/answer": "ADSC / A",
    "POST /projects/{project_id:int}/directives": "ADSC / A",
    "POST /projects/{project_id:int}/directives/{directive_id:int}/answer": "SCU / -",
    "POST /projects/{project_id:int}/milestones/{milestone_id:int}/done": "SCU / -",
    "POST /projects/{project_id:int}/milestones/{milestone_id:int}/due": "ASC / A",
    "POST /projects/{project_id:int}/pause": "ASC / A",
    "POST /projects/{project_id:int}/plan": "SCU / -",
    "POST /projects/{project_id:int}/plan/approve": "ASC / A",
    "POST /projects/{project_id:int}/plan/return": "ASC / A",
    "POST /projects/{project_id:int}/plan/submit": "SCU / -",
    "POST /projects/{project_id:int}/reopen": "ASC / A",
    "POST /projects/{project_id:int}/reports": "SCU / -",
    "POST /projects/{project_id:int}/resume": "ASC / A",
    "POST /projects/{project_id:int}/send-back": "ASC / A",
    "POST /projects/{project_id:int}/stop": "ASC / A",
    "POST /projects/{project_id:int}/units": "ASC / A",
    "POST /projects/{project_id:int}/write-off": "ASC / A",
    "POST /rounds": "ASC",
    "POST /rounds/import-pb": "ASC",
    "POST /rounds/{round_id:int}/close": "ASC / A",
    "POST /rounds/{round_id:int}/codes": "ASC / A",
    "POST /rounds/{round_id:int}/decision": "AC / A",
    "POST /rounds/{round_id:int}/edit": "ASC / A",
    "POST /rounds/{round_id:int}/items": "ASC / A",
    "POST /rounds/{round_id:int}/items/{item_id:int}/delete": "ASC / A",
    "POST /rounds/{round_id:int}/open": "ASC / A",
    "POST /rounds/{round_id:int}/paper/ballots.pdf": "ASC / A",
    "POST /rounds/{round_id:int}/paper/count": "ASC / A",
    "POST /rounds/{round_id:int}/paper/entries": "ASCL / A",
    "POST /rounds/{round_id:int}/paper/{paper_id:int}/resolve": "ASC / A",
    "POST /rounds/{round_id:int}/recount": "ASC / A",
    "POST /rounds/{round_id:int}/revise": "ASC / A",
    "POST /rounds/{round_id:int}/settings": "ASC / A",
    "POST /rounds/{round_id:int}/submit": "ASC / A",
    "POST /s": "ADSCMLUO*",
    "POST /suggestions/import": "ASCL",
    "POST /suggestions/link": "ADSCML",
    "POST /suggestions/new": "ASCL",
    "POST /suggestions/points": "ASC",
    "POST /suggestions/points/{point_id:int}/toggle": "ASC",
    "POST /suggestions/settings/categories": "A",
    "POST /suggestions/settings/categories/{category_id:int}/toggle": "A",
    "POST /suggestions/settings/deadlines": "ASC",
    "POST /suggestions/settings/purge": "A",
    "POST /suggestions/wish": "ADSCML",
    "POST /suggestions/{suggestion_id:int}/answer": "ASC / A",
    "POST /suggestions/{suggestion_id:int}/close": "ASC / A",
    "POST /suggestions/{suggestion_id:int}/grade": "ASC / A",
    "POST /suggestions/{suggestion_id:int}/merge": "ASC / A",
    "POST /suggestions/{suggestion_id:int}/phone": "SC / -",
    "POST /suggestions/{suggestion_id:int}/reject": "ASC / A",
    "POST /suggestions/{suggestion_id:int}/start": "ASC / A",
    "POST /supervision/calendar": "A",
    "POST /supervision/calendar/delete": "A",
    "POST /supervision/thresholds": "A",
    "POST /units": "A",
    "POST /units/{unit_id:int}": "A",
    "POST /units/{unit_id:int}/deactivate": "A",
    "POST /users": "ADS",
    "POST /users/import": "AS",
    "POST /users/{user_id:int}": "AS / A",
    "POST /users/{user_id:int}/active": "AS / A",
    "POST /users/{user_id:int}/reset": "AS / A",
    "POST /v/{code:str}": "ADSCMLUO*",
}


class _Passed(HTTPException):
    status_code = PASSED


async def _through_every_guard(connection, handler) -> None:
    raise _Passed()


def _routes(app) -> list[tuple[str, str, HTTPRouteHandler]]:
    out = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and handler.http_methods != {"OPTIONS"}:
                for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}) or ["HEAD"]:
                    out.append((method, route.path, handler))
    return out


async def _observe(app, figures) -> dict[str, dict[str, set[str]]]:
    """{"METHOD path": {"own": letters passed, "other": letters passed}}"""
    mine, theirs = await world.street(1), await world.street(2)
    routes = _routes(app)
    seen: dict[str, dict[str, set[str]]] = {f"{m} {p}": {"own": set(), "other": set()} for m, p, _ in routes}
    odd: list[str] = []
    requests = 0
    saved = {id(h): h.resolve_guards() for _, _, h in routes}
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        c.follow_redirects = False
        for who in WHO:
            c.cookies.clear()
            if who == "*":
                token = f.csrf_from((await c.get("/login")).text)
            elif ROLES[who] is Role.unit_clerk:
                token = await f.login(c, (await f.make_clerk(mine["places"], mine["unit_id"])).username)
            else:
                token = await f.login(c, (await f.make_user(ROLES[who], mine["places"])).username)
            try:
                for _, _, h in routes:
                    h._resolved_guards = [*saved[id(h)], _through_every_guard]
                for method, path, _ in routes:
                    sides = ("own", "other") if any(f"{{{o}:int}}" in path for o in OBJECTS) else ("own",)
                    for side in sides:
                        url = world.url(path, (mine if side == "own" else theirs)["ids"])
                        r = await c.request(method, url, headers={"x-csrftoken": token},
                                            data={"_csrf_token": token} if method == "POST" else None)
                        requests += 1
                        if r.status_code == PASSED:
                            seen[f"{method} {path}"][side].add(who)
                        elif not (r.status_code == 403 or (who == "*" and r.status_code in (302, 401))):
                            odd.append(f"{who} {method} {url}: {r.status_code}")
                    if sides == ("own",):
                        seen[f"{method} {path}"]["other"] = seen[f"{method} {path}"]["own"]
            finally:
                for _, _, h in routes:
                    h._resolved_guards = saved[id(h)]
    assert odd == [], "neither passed nor refused by the guards"
    figures(f"grid: {len(routes)} routes × {len(WHO)} kinds of visitor × own/other street: {requests} requests")
    return seen


def _cell(letters: set[str]) -> str:
    return "".join(w for w in WHO if w in letters) or "-"


def _row(passed: dict[str, set[str]]) -> str:
    own, other = _cell(passed["own"]), _cell(passed["other"])
    return own if own == other else f"{own} / {other}"


async def test_every_route_role_and_street_passes_the_guards_as_the_matrix_says(app, figures):
    observed = await _observe(app, figures)
    rows = {route: _row(passed) for route, passed in observed.items()}
    missing = {route: row for route, row in rows.items() if route not in MATRIX}
    assert missing == {}, "routes without an entry in MATRIX (review, then add):\n" + "\n".join(
        f'    "{route}": "{row}",' for route, row in sorted(missing.items()))
    assert sorted(set(MATRIX) - set(rows)) == [], "MATRIX names routes that are gone"
    differ = {route: (MATRIX[route], row) for route, row in rows.items() if MATRIX[route] != row}
    assert differ == {}, "expected (matrix) vs observed"
    # Beside the matrix, the rule it must keep: on another street's object only an administrator
    # passes (another district's, for the district's roles), unless the page is public.
    crossing = {route: sorted(p["other"]) for route, p in observed.items()
                if "*" not in p["own"] and any(f"{{{o}:int}}" in route for o in OBJECTS) and p["other"] - {"A"}}
    assert crossing == {}
    on_objects = sum(any(f"{{{o}:int}}" in route for o in OBJECTS) for route in rows)
    figures(f"grid: every cell as the matrix says; {on_objects} routes name a street's object, "
          f"and on another street's none lets a non-administrator through (public pages aside)")


# Routes whose object no guard loads (the guard checks the role; the handler checks the street
# of the member, the point, the list item). Tried here with the real handlers, by each role that
# passes the guard, on another street's object: refused, and the object unchanged.
HANDLER_CHECKED = [("POST", "/council/members/{member_id:int}/account"),
                   ("POST", "/council/members/{member_id:int}/retire"),
                   ("GET", "/suggestions/wish-items/{item_id:int}"),
                   ("GET", "/suggestions/points/{point_id:int}/poster.pdf"),
                   ("POST", "/suggestions/points/{point_id:int}/toggle")]


async def test_objects_their_handler_checks_refuse_another_streets_accounts(client, figures):
    mine, theirs = await world.street(1), await world.street(2)
    staff_users = {letter: await f.make_user(ROLES[letter], mine["places"]) for letter in "DSCML"}
    member_user = await f.make_user(Role.member, mine["places"])
    tables = (CouncilMember, ObservationPoint)
    before = {t: await t.select().order_by(t.id).run() for t in tables}
    tried = 0
    for letter, user in staff_users.items():
        token = await f.login(client, user.username)
        for method, path in HANDLER_CHECKED:
            if letter not in MATRIX[f"{method} {path}"]:
                continue  # refused by the guard already (the grid above)
            url = world.url(path, theirs["ids"])
            r = await client.request(method, url, data={"_csrf_token": token, "user": str(member_user.id)}
                                     if method == "POST" else None)
            tried += 1
            # 403, or 404/400 "找不到这位成员" (the handler looks in the user's own council only)
            assert r.status_code in (400, 403, 404), (letter, url, r.status_code)
    assert {t: await t.select().order_by(t.id).run() for t in tables} == before
    figures(f"grid: {tried} tries of another street's member, point or list item by the roles whose guard "
            f"lets them through: all refused by the handler, nothing changed")
