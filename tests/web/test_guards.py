"""Every route declares who may use it: a guard, or PUBLIC in its opt (residents' pages, the
login, static files). A new route that forgets both fails here, before it can leak a page."""
from __future__ import annotations

import pytest
from litestar.handlers import HTTPRouteHandler

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.app import create_app
from yishi.wishlists import services as wishlists


def _handlers(app):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            # Litestar answers OPTIONS itself (the Allow header); it runs no code of ours.
            if isinstance(handler, HTTPRouteHandler) and handler.http_methods != {"OPTIONS"}:
                yield route.path, handler


def test_every_route_has_a_guard_or_is_public():
    app = create_app()
    undeclared = sorted(f"{sorted(h.http_methods)} {path}" for path, h in _handlers(app)
                        if not h.resolve_guards() and not h.opt.get("public"))
    assert undeclared == []


def test_public_routes_are_the_residents_pages_and_the_login():
    app = create_app()
    public = {path for path, h in _handlers(app) if h.opt.get("public")}
    assert public == {"/", "/healthz", "/static/{file_path:path}", "/language", "/login", "/logout", "/vote",
                      "/v/{code:str}", "/s", "/s/{code:str}", "/t", "/t/{code:str}", "/results/{round_id:int}",
                      "/results/{round_id:int}/receipts.txt",
                      # 办实事 for residents: a street's projects, a project, its photos (checked per photo).
                      "/street/{town_id:int}", "/p/{project_id:int}", "/photos/{photo_id:int}",
                      "/photos/{photo_id:int}/thumb",
                      # 评实效: the rating form (a code is its check) and the rating slip's QR target.
                      "/p/{project_id:int}/rate", "/r", "/r/{code:str}",
                      # 回访: the resident rates the answer to her own case (its tracking code is its check).
                      "/t/{code:str}/rate",
                      # 使用说明: every role's guide, and the collectors' printable page.
                      "/help", "/help/{key:str}", "/help/collector.pdf"}


@pytest.mark.parametrize("path", ["/rounds/99999999999999999999", "/meetings/99999999999999999999",
                                  "/suggestions/99999999999999999999", "/rounds/0/council-work",
                                  "/district/submissions/99999999999999999999",
                                  "/projects/99999999999999999999", "/review/town/99999999999999999999",
                                  "/review/district/99999999999999999999"])
async def test_an_id_beyond_64_bits_is_a_page_not_found_in_chinese(client, path):
    places = await f.make_places()
    user = await f.make_user(Role.admin, places)
    await f.login(client, user.username)
    r = await client.get(path)
    assert r.status_code == 404
    assert "找不到这个页面" in r.text


async def test_a_round_of_another_street_is_refused_by_its_guard(client):
    mine, theirs = await f.make_places(), await f.make_places()
    round_ = await f.make_round(theirs)
    staff = await f.make_user(Role.street_staff, mine)
    await f.login(client, staff.username)
    assert (await client.get(f"/rounds/{round_.id}")).status_code == 403
    token = (await client.get("/rounds")).cookies.get("csrftoken") or f.csrf_from((await client.get("/rounds")).text)
    r = await client.post(f"/rounds/{round_.id}/open", data={"_csrf_token": token})
    assert r.status_code == 403 and "没有权限" in r.text
    assert (await wishlists.get_round(round_.id)).status.value == "draft"
