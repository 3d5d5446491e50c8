"""The ballot POST's fast path (issue 5, speed): the receipt page served from a pre-rendered
shell, receipts from one random draw, the vote pages without the session, the PostgreSQL
statement sent straight to the pool. Each must give what the plain way gave."""
import pytest
from jinja2 import DictLoader, Environment
from litestar.connection import Request
from litestar.response import Template
from litestar.utils.scope.state import ScopeState

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting, lifecycle
from yishi.ballots import codes as code_utils
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode
from yishi.core.db import SharedSQLiteEngine
from yishi.web.page_shell import PageShell
from yishi.web.resident.vote import RECEIPT_PAGE


async def _voting():
    places = await f.make_places()
    r = await f.make_round(places, items=3, max_ticks=2)
    codes = await f.open_round(r, codes_per_community=2)
    return places, r, codes, await f.item_ids(r.id)


def _template_render(app, path: str, csrf: str, receipt: str) -> str:
    """The receipt page as a plain Template response renders it, for an anonymous request."""
    scope = {"type": "http", "http_version": "1.1", "method": "POST", "scheme": "http",
             "server": ("testserver.local", 80), "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": b"", "headers": [], "state": {}, "app": app, "litestar_app": app,
             "path_params": {}}
    ScopeState.from_scope(scope).csrf_token = csrf
    response = Template("ballots/receipt.html", context={"receipt": receipt}).to_asgi_response(None, Request(scope))
    return response.body.decode()


async def test_receipt_page_is_exactly_the_template_render(app, client):
    _places, _r, codes, items = await _voting()
    token = f.csrf_from((await client.get(f"/v/{codes[0]}")).text)
    response = await client.post(f"/v/{codes[0]}", data={"_csrf_token": token, "item": [str(items[0])]})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    (ballot,) = await Ballot.select(Ballot.receipt).run()
    receipt = code_utils.display(ballot["receipt"])
    assert response.text == _template_render(app, f"/v/{codes[0]}", token, receipt)
    assert 'id="receipt">' + receipt + "<" in response.text
    assert f'"x-csrftoken": "{token}"' in response.text


async def test_receipt_page_for_a_logged_in_staff_member_is_the_anonymous_one(app, client):
    """Voting pages never look at the login: a staff member voting gets the resident's page."""
    places, _r, codes, items = await _voting()
    user = await f.make_user(Role.convener, places)
    token = await f.login(client, user.username)
    response = await client.post(f"/v/{codes[0]}", data={"_csrf_token": token, "item": [str(items[0])]})
    assert response.status_code == 200
    (ballot,) = await Ballot.select(Ballot.receipt).run()
    receipt = code_utils.display(ballot["receipt"])
    assert response.text == _template_render(app, f"/v/{codes[0]}", token, receipt)
    assert user.display_name not in response.text


async def test_voting_leaves_a_staff_session_alone_and_staff_pages_still_ask_for_login(client):
    places, r, codes, items = await _voting()
    user = await f.make_user(Role.convener, places)
    token = await f.login(client, user.username)
    response = await client.post(f"/v/{codes[0]}", data={"_csrf_token": token, "item": [str(items[0])]})
    assert response.status_code == 200
    assert "yishi_session" not in response.headers.get("set-cookie", "")
    assert (await client.get(f"/rounds/{r.id}")).status_code == 200  # still logged in
    client.cookies.delete("yishi_session")
    page = await client.get(f"/rounds/{r.id}")
    assert page.status_code == 302 and page.headers["location"].startswith("/login")


async def test_cast_with_a_token_not_matching_the_cookie_is_403_and_saves_nothing(client):
    _places, _r, codes, items = await _voting()
    token = f.csrf_from((await client.get(f"/v/{codes[0]}")).text)
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    response = await client.post(f"/v/{codes[0]}", data={"_csrf_token": forged, "item": [str(items[0])]})
    assert response.status_code == 403
    assert "页面已过期或来源不明，请返回上一页、刷新后再提交。" in response.text
    assert await Ballot.count() == 0
    assert (await casting.lookup_code(codes[0])).used is False


def test_receipts_and_codes_are_random_characters_of_the_code_alphabet():
    assert all(len(code_utils.new_code()) == code_utils.CODE_LENGTH for _ in range(100))
    receipts = [code_utils.new_receipt() for _ in range(3000)]
    assert all(len(r) == code_utils.RECEIPT_LENGTH for r in receipts)
    assert set("".join(receipts)) == set(code_utils.ALPHABET)  # every character used, no other
    assert len(set(receipts)) == len(receipts)
    # No character is favoured: 30,000 draws over 25 characters, 1,200 each expected; a
    # deviation of 200 is more than five standard deviations (about 34).
    counts = {c: 0 for c in code_utils.ALPHABET}
    for r in receipts:
        for c in r:
            counts[c] += 1
    assert max(abs(n - 1200) for n in counts.values()) < 200


def test_page_shell_fills_holes_escaped_and_refuses_a_template_that_alters_one():
    env = Environment(loader=DictLoader({
        "ok.html": "<p>{{ receipt }}</p><i>{{ csrf_input }}</i>{{ fixed }}",
        "upper.html": "<p>{{ receipt | upper }}</p>",
        "none.html": "<p>nothing</p>",
    }), autoescape=True)
    shell = PageShell("ok.html", holes=("receipt",), context={"fixed": "固定"})
    page = shell.render(env, "tok", receipt="<b>").decode()
    assert page == '<p>&lt;b&gt;</p><i>&lt;input type=&#34;hidden&#34; name=&#34;_csrf_token&#34; ' \
                   'value=&#34;tok&#34; /&gt;</i>固定'
    assert shell.render(env, "tok2", receipt="AB").decode() == env.get_template("ok.html").render(
        receipt="AB", fixed="固定", csrf_input='<input type="hidden" name="_csrf_token" value="tok2" />')
    for name in ("upper.html", "none.html"):
        with pytest.raises(ValueError):
            PageShell(name, holes=("receipt",)).render(env, "tok", receipt="x")


def test_receipt_shell_knows_its_holes():
    assert RECEIPT_PAGE.template_name == "ballots/receipt.html"
    assert RECEIPT_PAGE.holes == ("receipt",)


async def test_cast_inside_a_transaction_is_rolled_back_with_it():
    _places, _r, codes, items = await _voting()
    engine = Ballot._meta.db

    class Undo(Exception):
        pass

    with pytest.raises(Undo):
        async with engine.transaction():
            assert await casting.cast_ballot(codes[0], [items[0]])
            assert await Ballot.count() == 1
            raise Undo
    assert await Ballot.count() == 0
    assert await BallotChoice.count() == 0
    assert (await BallotCode.select(BallotCode.used_at).where(BallotCode.code == codes[0]).first())["used_at"] is None
    # and outside one, it stands
    assert await casting.cast_ballot(codes[0], [items[0]])
    assert await Ballot.count() == 1


async def test_cast_without_a_pool_on_postgres_still_works():
    """A one-off command (no pool started) casts through Piccolo's own connection."""
    engine = Ballot._meta.db
    if isinstance(engine, SharedSQLiteEngine):
        pytest.skip("PostgreSQL only")
    _places, _r, codes, items = await _voting()
    pool = engine.pool
    engine.pool = None
    try:
        assert await casting.cast_ballot(codes[0], [items[0]])
    finally:
        engine.pool = pool
    assert await Ballot.count() == 1


# --- CSRF (Litestar's CSRFMiddleware, on every route) ------------------------------------------

async def test_csrf_cookie_set_on_first_get_and_required_on_post(client):
    page = await client.get("/vote")
    assert "csrftoken=" in page.headers["set-cookie"]
    token = client.cookies["csrftoken"]
    assert "csrftoken=" not in (await client.get("/vote")).headers.get("set-cookie", "")
    _places, _r, codes, items = await _voting()
    client.cookies.delete("csrftoken")
    refused = await client.post(f"/v/{codes[0]}", data={"_csrf_token": token, "item": [str(items[0])]})
    assert refused.status_code == 403
    assert "页面已过期或来源不明" in refused.text
    assert await Ballot.count() == 0


async def test_csrf_token_in_the_htmx_header_is_accepted_and_a_forged_pair_is_not(client):
    _places, _r, codes, items = await _voting()
    token = f.csrf_from((await client.get(f"/v/{codes[0]}")).text)
    ok = await client.post(f"/v/{codes[0]}", data={"item": [str(items[0])]}, headers={"x-csrftoken": token})
    assert ok.status_code == 200
    # A cookie and field set to the same value that the server never signed: refused.
    forged = "a" * 128
    client.cookies.set("csrftoken", forged)
    refused = await client.post(f"/v/{codes[1]}", data={"_csrf_token": forged, "item": [str(items[0])]})
    assert refused.status_code == 403
    odd = await client.post(f"/v/{codes[1]}", data={"_csrf_token": "令牌", "item": [str(items[0])]})
    assert odd.status_code == 403
    # As long as a real token (64 + 64 characters) but not ASCII: refused, not a server error.
    client.cookies.set("csrftoken", token)
    for long_odd in ("令" * 128, token[:64] + "令" * 64):
        odd = await client.post(f"/v/{codes[1]}", data={"_csrf_token": long_odd, "item": [str(items[0])]})
        assert odd.status_code == 403, long_odd
        assert "页面已过期或来源不明" in odd.text
    odd = await client.post(f"/v/{codes[1]}", data={"item": [str(items[0])]},
                            headers={"x-csrftoken": (token[:64] + "é" * 64).encode("latin-1")})
    assert odd.status_code == 403
    # A file where the token should be (a multipart post): refused the same way.
    odd = await client.post(f"/v/{codes[1]}", data={"item": [str(items[0])]},
                            files={"_csrf_token": ("token.txt", token.encode(), "text/plain")})
    assert odd.status_code == 403
    assert await Ballot.count() == 1
    assert (await casting.lookup_code(codes[1])).used is False


# --- the round's state is read with every ballot, never from a cache -------------------------

async def test_a_closed_round_refuses_the_next_ballot_at_once(client):
    from yishi.core.errors import Conflict
    from yishi.wishlists import services as wishlists

    _places, r, codes, items = await _voting()
    assert await casting.cast_ballot(codes[0], [items[0]])  # the round's items are now kept
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    with pytest.raises(Conflict, match="已经结束"):
        await casting.cast_ballot(codes[1], [items[0]])
    token = f.csrf_from((await client.get("/login")).text)
    response = await client.post(f"/v/{codes[2]}", data={"_csrf_token": token, "item": [str(items[0])]})
    assert response.status_code == 409
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "本批次的群众勾选已经结束" in response.text
    assert await Ballot.count() == 1


async def test_a_refused_ballot_is_the_ballot_page_again_as_html(client):
    _places, _r, codes, items = await _voting()
    token = f.csrf_from((await client.get(f"/v/{codes[0]}")).text)
    response = await client.post(f"/v/{codes[0]}", data={"_csrf_token": token, "item": [str(i) for i in items]})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "最多只能勾选 2 项，您勾选了 3 项。请取消一些后再提交。" in response.text
    unknown = await client.post("/v/ACDEACDE", data={"_csrf_token": token, "item": [str(items[0])]})
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "text/html; charset=utf-8"


async def test_ending_the_casting_early_refuses_the_next_ballot_at_once():
    from yishi.ballots import round_settings
    from yishi.core.errors import Conflict

    if not hasattr(round_settings, "end_casting"):
        pytest.skip("no early end of casting in this version")
    _places, r, codes, items = await _voting()
    assert await casting.cast_ballot(codes[0], [items[0]])
    await round_settings.end_casting(r.id, actor=None)
    with pytest.raises(Conflict, match="截止"):
        await casting.cast_ballot(codes[1], [items[0]])
    assert await Ballot.count() == 1
    assert (await casting.lookup_code(codes[1])).used is False
