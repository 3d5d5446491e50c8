"""The case lists: a street's cases, a unit's queue (工单), the district's 提级 cases, and the
suggestions still waiting for a first dispatch. One page of rows at a time, in SQL; the colours
are worked out for the rows shown and for the open cases counted (a street has hundreds open, of
tens of thousands in two years: bench/bench_cases.py)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count

from yishi.cases import rules
from yishi.cases import settings as case_settings
from yishi.cases.enums import OPEN_STATES, CaseState
from yishi.cases.services import _typed
from yishi.cases.tables import Case, CaseUnit
from yishi.projects.enums import Colour
from yishi.projects.supervision import calendar_of
from yishi.suggestions.enums import OPEN_STATUSES
from yishi.suggestions.tables import Suggestion

PER_PAGE = 30
TABS = ("open", "closed", "escalated")


@dataclass(frozen=True)
class Scope:
    """Whose cases: a street's, a district's, a unit's (its queue), or everyone's (None all)."""

    town_id: int | None = None
    district_id: int | None = None
    unit_id: int | None = None


@dataclass
class Page:
    rows: list[dict]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)
    colours: dict[Colour, int] = field(default_factory=dict)


def _where(scope: Scope, table: Any = Case) -> Any:
    """The scope as a WHERE on Case (or on CaseUnit, reaching Case through its key)."""
    c = Case if table is Case else CaseUnit.case._
    conditions: list[Combinable] = []
    if scope.unit_id is not None:
        conditions.append((CaseUnit.unit == scope.unit_id) & (CaseUnit.current == True))  # noqa: E712
    if scope.town_id is not None:
        conditions.append(c.town == scope.town_id)
    if scope.district_id is not None:
        conditions.append(c.district == scope.district_id)
    where = None
    for cond in conditions:
        where = cond if where is None else where & cond
    return where


def _base(scope: Scope, *columns: Any) -> Any:
    """SELECT from CaseUnit for a unit's queue (one row per case it holds), from Case otherwise."""
    query = CaseUnit.select(*columns) if scope.unit_id is not None else Case.select(*columns)
    where = _where(scope, CaseUnit if scope.unit_id is not None else Case)
    return query.where(where) if where is not None else query


def _columns(scope: Scope) -> tuple:
    c = CaseUnit.case._ if scope.unit_id is not None else Case
    cols = [c.id.as_alias("id"), c.suggestion.as_alias("suggestion"), c.state.as_alias("state"),
            c.kind.as_alias("kind"), c.urgency.as_alias("urgency"), c.track.as_alias("track"),
            c.town.as_alias("town"), c.district.as_alias("district"),
            c.lead_unit.as_alias("lead_unit"), c.owner.as_alias("owner"), c.dispatched_at.as_alias("dispatched_at"),
            c.accept_by.as_alias("accept_by"), c.due_at.as_alias("due_at"), c.answered_at.as_alias("answered_at"),
            c.closed_at.as_alias("closed_at"), c.escalated_at.as_alias("escalated_at"),
            c.escalate_reason.as_alias("escalate_reason"), c.return_reason.as_alias("return_reason"),
            c.returns.as_alias("returns"), c.reopens.as_alias("reopens"),
            c.lead_unit._.name.as_alias("lead_unit_name"), c.owner._.name.as_alias("owner_name"),
            c.suggestion._.tracking_code.as_alias("tracking_code"), c.suggestion._.content.as_alias("content"),
            c.suggestion._.category.name.as_alias("category_name"),
            c.suggestion._.community.name.as_alias("community_name"), c.town._.name.as_alias("town_name")]
    if scope.unit_id is not None:
        cols.append(CaseUnit.role.as_alias("my_role"))
    return tuple(cols)


def _tab_filter(scope: Scope, tab: str) -> Any:
    c = CaseUnit.case._ if scope.unit_id is not None else Case
    if tab == "closed":
        return c.state == CaseState.closed.value
    if tab == "escalated":
        return c.escalated_at.is_not_null()
    return c.state.is_in([s.value for s in OPEN_STATES])


async def _colour_rows(rows: list[dict], now: datetime, *, exact: bool = True) -> None:
    limits: dict[int, rules.Limits] = {}
    calendars: dict[int, Any] = {}
    for row in rows:
        d = row["district"]
        if d not in limits:
            limits[d], calendars[d] = await case_settings.of_district(d), await calendar_of(d)
        _typed(row)
        row["sup"] = rules.colour(state=row["state"], urgency=row["urgency"], now=now, accept_by=row["accept_by"],
                                  due_at=row["due_at"], limits=limits[d], calendar=calendars[d], exact=exact)


async def list_cases(scope: Scope, *, tab: str = "open", page: int = 1, now: datetime,
                     colour: Colour | None = None, state: CaseState | None = None) -> Page:
    """One page of a tab, with the counts by state and, for the open cases, by colour."""
    tab = tab if tab in TABS else "open"
    c = CaseUnit.case._ if scope.unit_id is not None else Case
    counts = {r["state"]: r["n"] for r in await _base(scope, c.state.as_alias("state"), _count()).group_by(
        c.state).run()}
    escalated = await _base(scope, _count()).where(c.escalated_at.is_not_null()).run()
    counts["escalated_all"] = escalated[0]["n"] if escalated else 0
    # The colours of every open case in the scope: a few hundred rows, a few columns.
    open_rows = await _base(scope, c.id.as_alias("id"), c.state.as_alias("state"), c.urgency.as_alias("urgency"),
                            c.district.as_alias("district"), c.accept_by.as_alias("accept_by"),
                            c.due_at.as_alias("due_at"), c.kind.as_alias("kind"), c.track.as_alias("track")).where(
        c.state.is_in([s.value for s in OPEN_STATES])).run()
    await _colour_rows(open_rows, now, exact=False)
    colours = Counter(r["sup"].colour for r in open_rows)
    query = _base(scope, *_columns(scope)).where(_tab_filter(scope, tab))
    count_query = _base(scope, _count()).where(_tab_filter(scope, tab))
    if state is not None:
        query, count_query = query.where(c.state == state.value), count_query.where(c.state == state.value)
    if colour is not None:
        ids = [r["id"] for r in open_rows if r["sup"].colour is colour] or [0]
        query, count_query = query.where(c.id.is_in(ids)), count_query.where(c.id.is_in(ids))
    total = (await count_query.run())[0]["n"]
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    closed = tab == "closed"
    query = query.order_by(c.closed_at, ascending=False) if closed else query.order_by(c.due_at).order_by(c.id)
    rows = await query.limit(PER_PAGE).offset((page - 1) * PER_PAGE).run()
    await _colour_rows(rows, now)
    return Page(rows=rows, total=total, page=page, pages=pages, counts=counts, colours=dict(colours))


def _count() -> Any:
    return Count(alias="n")


async def waiting_on_unit(unit_id: int) -> int:
    """How many cases this unit holds that wait on it: to sign for (待签收) or to answer (办理中)."""
    rows = await _base(Scope(unit_id=unit_id), _count()).where(CaseUnit.case.state.is_in(
        [CaseState.dispatched.value, CaseState.accepted.value])).run()
    return rows[0]["n"] if rows else 0


async def to_dispatch(town_ids: tuple[int, ...] | None, *, page: int = 1) -> Page:
    """Open suggestions no case holds yet (待派单), oldest first: the street's inbox."""
    where = (Suggestion.status.is_in([s.value for s in OPEN_STATUSES]) & Suggestion.merged_into.is_null()
             & Suggestion.id.not_in(Case.select(Case.suggestion)))
    if town_ids is not None:
        where = where & Suggestion.town.is_in(list(town_ids) or [0])
    total = (await Suggestion.select(_count()).where(where).run())[0]["n"]
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = await Suggestion.select(
        Suggestion.id, Suggestion.tracking_code, Suggestion.content, Suggestion.received_on, Suggestion.status,
        Suggestion.track, Suggestion.category.name.as_alias("category_name"),
        Suggestion.community.name.as_alias("community_name")).where(where).order_by(
        Suggestion.received_on).order_by(Suggestion.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE).run()
    return Page(rows=rows, total=total, page=page, pages=pages)


async def lead_units_of(suggestion_ids: list[int]) -> dict[int, str]:
    """The unit each of these suggestions' cases is dispatched to as lead (主办): suggestion id →
    the unit's name in the directory now. Suggestions never dispatched, or whose lead unit was
    deleted, are not in it."""
    found: dict[int, str] = {}
    for start in range(0, len(suggestion_ids), 500):  # keep each IN list well under SQLite's limit
        rows = await Case.select(Case.suggestion, Case.lead_unit.name.as_alias("unit_name")).where(
            Case.suggestion.is_in(suggestion_ids[start:start + 500]) & Case.lead_unit.is_not_null()).run()
        found.update({r["suggestion"]: r["unit_name"] for r in rows})
    return found
