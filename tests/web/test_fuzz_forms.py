"""Property-based input on every form route (hypothesis): whatever a form sends, the answer is
never a 5xx, and a refused post (4xx) leaves every table's row count as it was."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.handlers import HTTPRouteHandler
from piccolo.conf.apps import Finder

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.app import create_app

# Field names the app's forms use for numbers, dates, money, choices and text.
FIELDS = ["community", "count", "town", "category", "round", "item", "into", "title", "cost", "content",
          "opens_at", "closes_at", "held_at", "received_on", "budget", "max_ticks", "absorbed", "codes",
          "name", "phone", "progress_pct", "quorum_share_pct", "pass_share_pct", "kind", "status",
          "date_from", "date_to", "lead_unit", "district", "unit", "size", "reason", "answer", "score"]
ODD = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(["", "0", "-1", "9223372036854775808", "1e400", "NaN", "0001-01-01T00:00",
                     "9999-12-31", "2026-02-30", "a\x00b\x0bc", "９９", "１２３４５６７８９０１２３４５６７８９０"]),
    st.text(max_size=40),
)
FORMS = st.dictionaries(st.sampled_from(FIELDS), ODD, max_size=6)
SKIP = ("/login", "/logout", "/account/password")  # the login has its own limiter; password has its own tests


def _post_routes() -> list[str]:
    paths = set()
    for route in create_app().routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and "POST" in handler.http_methods:
                paths.add(route.path)
    return sorted(p for p in paths if not p.startswith(SKIP))


async def _counts() -> dict[str, int]:
    out = {}
    for table in Finder().get_table_classes():
        out[table._meta.tablename] = await table.count()
    return out


@pytest.mark.parametrize("path", _post_routes())
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(form=FORMS)
async def test_form_route_never_answers_5xx_and_saves_nothing_when_refused(client, path, form):
    # The examples of one route share the test's database and client: the world is made once.
    if not hasattr(client, "fuzz"):
        places = await f.make_places()
        user = await f.make_user(Role.admin, places)
        round_ = await f.make_round(places)
        receipt = await f.make_suggestion(places)
        client.fuzz = {"token": await f.login(client, user.username), "round_id": round_.id,
                       "suggestion_id": receipt.id, "town_id": places["town"], "district_id": places["district"]}
    token = client.fuzz["token"]
    url = re.sub(r"\{(\w+):int\}", lambda m: str(client.fuzz.get(m.group(1), 1)), path)
    url = re.sub(r"\{(\w+):(str|path)\}", "X", url)
    before = await _counts()
    r = await client.post(url, data={**form, "_csrf_token": token})
    assert r.status_code < 500, (url, form, r.text[:300])
    if r.status_code >= 400:
        after = await _counts()
        # The audit trail and the rate limits' counters (shared_state) record refusals on purpose.
        changed = {t: (before[t], after[t]) for t in before
                   if before[t] != after[t] and t not in ("audit_entry", "shared_state")}
        assert changed == {}, (url, form, changed)
