"""Property-based input (hypothesis) on every form route and every query parameter: whatever is
sent, the answer is never a 5xx, and a refused post (4xx) leaves every table's row count as it
was (the audit log and the rate limits' counters aside).

The app serves no OpenAPI schema (its routes are HTML pages), so the inputs are found where
they are declared: the routes from the app's route table; each route's fields from its handler's
source (`form.get("x")`, `forms.required_int(form, "x", …)`, `query_params.get("x")`, its
query-parameter arguments) and from the templates' forms whose action is that route. Every post
is made by an account whose role passes the route's guards on the world's own street (the
permission grid's MATRIX), so it reaches the parsing instead of a 403.

Reproducible in CI: a fixed number of examples per route, derandomized (the same examples on
every run, on SQLite and PostgreSQL). The module's routes share one world (shared_world), in
the order pytest runs them; a post that succeeds moves it on, as a user's would."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.handlers import HTTPRouteHandler
from piccolo.conf.apps import Finder

from tests import factories as f
from tests.web import world
from tests.web.test_permission_grid import MATRIX, ROLES
from yishi.app import create_app

pytestmark = [pytest.mark.shared_world, pytest.mark.usefixtures("shared_world_cleanup")]

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SKIP = ("/login", "/logout", "/account/password")  # the login has its own limiter; password has its own tests
EXAMPLES = 5

# What broke routes before (issue 15): numbers beyond 32 and 64 bits, dates out of range, junk.
KILLERS = ["9223372036854775808", "99999999999999999999", "-2147483649", "1e400", "NaN", "0001-01-01T00:00",
           "0001-01-01", "9999-12-31T23:59", "2026-02-30", "garbage", "a\x00b\x0bc"]
ODD = st.one_of(
    st.sampled_from(KILLERS),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.sampled_from(["", "0", "1", "-1", "inf", "9999-12-31", "yes", "on", "９９",
                     "１２３４５６７８９０１２３４５６７８９０", "9" * 400, "<script>alert(1)</script>",
                     "' OR 1=1 --", "%", "_", "\\"]),
    st.text(max_size=40),
)
VALUES = st.one_of(ODD, ODD, ODD, st.lists(ODD, min_size=2, max_size=3))  # sometimes sent twice, as checkboxes are


def plausible(name: str, ids: dict) -> str:
    """A value a real form would send for a field, so that an odd value in another field is
    what the route has to deal with (not the first blank it finds)."""
    n = name.lower()
    for key in ("community", "town", "district", "round", "item", "member", "point", "category", "unit", "user"):
        if key in n and f"{key}_id" in ids:
            return str(ids[f"{key}_id"])
    if n.endswith("_at"):
        return "2026-03-12T09:30"
    if any(k in n for k in ("date", "_on", "day", "due", "start", "end", "received")):
        return "2026-03-12"
    if "month" in n:
        return "2026-03"
    if any(k in n for k in ("cost", "budget", "amount", "spent", "count", "max_ticks", "pct", "weight", "score", "days",
                            "size", "page", "grade")):
        return "5"
    if "phone" in n:
        return "13812345678"
    return "测试内容"


_FORM_NAMES = re.compile(r"""(?:form|query|query_params|params)(?:\.get(?:all)?\(|\[)\s*["'](\w+)["']""")
_READER_NAMES = re.compile(r"""\(\s*(?:form|request\.query_params|query)\s*,\s*["'](\w+)["']""")
_INJECTED = {"request", "self", "data", "state", "scope", "headers", "cookies", "socket"}


def _routes() -> list[tuple[str, str, HTTPRouteHandler]]:
    out = []
    for route in create_app().routes:
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler):
                for method in sorted(handler.http_methods & {"GET", "POST"}):
                    out.append((method, route.path, handler))
    return out


def _handler_names(handler: HTTPRouteHandler, path: str) -> set[str]:
    source = inspect.getsource(handler.fn)
    names = set(_FORM_NAMES.findall(source)) | set(_READER_NAMES.findall(source))
    skip = set(re.findall(r"\{(\w+):", path)) | set(handler.resolve_dependencies()) | _INJECTED
    for name in inspect.signature(handler.fn).parameters:
        if name not in skip:
            names.add(name)  # a query parameter Litestar reads for the handler
    return names


def _shape(action: str) -> tuple[str, ...]:
    action = action.split("#")[0].split("?")[0].rstrip("/") or "/"
    return tuple("*" if "{" in part else part for part in action.split("/"))


def _template_fields() -> dict[tuple[tuple[str, ...], str], set[str]]:
    """{(action shape, method): field names} from every form of every template."""
    out: dict[tuple[tuple[str, ...], str], set[str]] = {}
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for form in re.finditer(r"<form\b([^>]*)>(.*?)</form>", text, re.S):
            attrs, body = form.group(1), form.group(2)
            action = re.search(r'(?:action|hx-post|hx-get)="([^"]*)"', attrs)
            if not action or not action.group(1).startswith("/"):
                continue
            method = "POST" if re.search(r'method="post"|hx-post', attrs, re.I) else "GET"
            names = {re.sub(r"\{\{.*?\}\}", "1", n) for n in re.findall(r'\bname="([^"]+)"', body)}
            out.setdefault((_shape(action.group(1)), method), set()).update(names - {"_csrf_token"})
    return out


def _fields() -> dict[tuple[str, str], list[str]]:
    from_templates = _template_fields()
    out = {}
    for method, path, handler in _routes():
        if path.startswith(SKIP) or path.startswith("/static"):
            continue
        names = _handler_names(handler, path) | from_templates.get((_shape(path), method), set())
        if method == "POST" or names:  # a GET page that reads no parameter has nothing to fuzz
            out[(method, path)] = sorted(names)
    return out


FIELDS = _fields()
ALL_NAMES = sorted({n for names in FIELDS.values() for n in names})


def _role_for(method: str, path: str):
    """An account that passes the route's guards on the own street: the administrator when it
    may, else the first role the MATRIX lets through."""
    own = MATRIX[f"{method} {path}"].split(" / ")[0]
    for letter in "ASCDLUOM":
        if letter in own:
            return ROLES[letter]
    return None  # anonymous only (none today)


# Written on a refusal by design: the audit log, and the shared store's counters (rate limits
# count refused attempts too).
NOT_DATA = {"audit_entry", "shared_state"}
_TABLES = [t._meta.tablename for t in Finder().get_table_classes()]


async def _counts(engine) -> dict[str, int]:
    """Every table's row count, in one query (40 queries per example would cost more than the post)."""
    sql = "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{t}") AS "{t}"' for t in _TABLES)
    (row,) = await engine.run_ddl(sql)
    return {t: int(row[t]) for t in _TABLES}


_WORLD: dict = {}
_ANSWERS: dict[str, int] = {}  # "2xx", "3xx", "4xx", "5xx", "refused posts, ..." -> count


@pytest.fixture(scope="module", autouse=True)
def _report(figures):
    yield
    summary = ", ".join(f"{k} {v}" for k, v in sorted(_ANSWERS.items()))
    figures(f"fuzz: {len(FIELDS)} routes ({sum(m == 'GET' for m, _ in FIELDS)} GET with query parameters, "
            f"{sum(m == 'POST' for m, _ in FIELDS)} POST; {len(ALL_NAMES)} field names), {EXAMPLES} derandomized "
            f"examples each and {len(SWEEP)} odd values in each field alone: {summary}")


async def _world(client) -> dict:
    """The world, made by the module's first test: two streets (posts go to the first), an
    account of each role in it, each logged in once (its cookies kept)."""
    if not _WORLD:
        mine, theirs = await world.street(1), await world.street(2)
        jars = {}
        for role, user in (await world.users(mine["places"], mine["unit_id"])).items():
            client.cookies.clear()
            token = await f.login(client, user.username)
            jars[role] = (dict(client.cookies), token)
        client.cookies.clear()
        _WORLD.update(mine=mine, theirs=theirs, jars=jars)
    return _WORLD


@pytest.mark.parametrize(("method", "path"), sorted(FIELDS))
@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_route_never_answers_5xx_and_saves_nothing_when_refused(client, method, path, data):
    w = await _world(client)
    names = FIELDS[(method, path)]
    ids = w["mine"]["ids"]
    keys = st.sampled_from(names) if names else st.sampled_from(ALL_NAMES)
    if names:
        keys = st.one_of(keys, keys, keys, st.sampled_from(ALL_NAMES))  # mostly the route's own fields
    odd = data.draw(st.dictionaries(keys, VALUES, min_size=1, max_size=3), label="odd fields")
    form = {**{n: plausible(n, ids) for n in names}, **odd}
    await _send(client, w, method, path, form)


async def _send(client, w: dict, method: str, path: str, form: dict) -> None:
    """One request as the route's account: never a 5xx; a refused post changes no row count."""
    role = _role_for(method, path)
    cookies, token = w["jars"][role] if role else ({}, "")
    client.cookies.clear()
    client.cookies.update(cookies)
    url = world.url(path, w["mine"]["ids"])
    if method == "GET":
        r = await client.get(url, params=form)
        _tally(r.status_code)
        assert r.status_code < 500, (url, form, r.text[:300])
        return
    engine = Finder().get_table_classes()[0]._meta.db
    before = await _counts(engine)
    r = await client.post(url, data={**form, "_csrf_token": token}, headers={"x-csrftoken": token})
    _tally(r.status_code)
    assert r.status_code < 500, (url, form, r.text[:300])
    if r.status_code >= 400:
        after = await _counts(engine)
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t] and t not in NOT_DATA}
        assert changed == {}, (url, form, r.status_code, changed)
        _tally("refused posts, every row count unchanged")


def _tally(what: int | str) -> None:
    key = f"{what // 100}xx" if isinstance(what, int) else what
    _ANSWERS[key] = _ANSWERS.get(key, 0) + 1


SWEEP = ["9223372036854775808", "0001-01-01T00:00"]


@pytest.mark.parametrize(("method", "path"), sorted(k for k, names in FIELDS.items() if names))
async def test_each_field_beyond_range_alone_is_refused_without_5xx(client, method, path):
    """The odd values that broke routes before, one field at a time, every other field as a
    form would send it: no 5xx, and a refused post saves nothing."""
    w = await _world(client)
    ids = w["mine"]["ids"]
    names = FIELDS[(method, path)]
    for name in names:
        for value in SWEEP:
            await _send(client, w, method, path, {**{n: plausible(n, ids) for n in names}, name: value})
