"""办件三率: the rates of 接诉即办 cases per street, unit, community and collector team for one
month of a district (or of one street), read from the cases in one query and counted by
evaluation.case_rules. The month before is read in the same query for 环比.

Groups:
- unit: the unit that owns the case (首接负责制), or, before anyone signed for it, the lead unit
  it is dispatched to; a case back with the street has no unit;
- community and street: the suggestion's;
- collector team (民情收集队): the collectors of one community (seed 002's 搜集小分队, organised
  per community and compound, ranked on how the cases they brought in were settled): a case
  counts for the team of the community its recording collector belongs to. Suggestions a
  resident sent in themselves (码上听, online) belong to no team."""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from yishi.accounts.enums import Role
from yishi.accounts.tables import Unit
from yishi.cases.enums import MeetingState
from yishi.cases.tables import Case, CaseMeetingUnit
from yishi.evaluation import case_rules, rules
from yishi.evaluation.case_rules import CaseFigures, CaseRow
from yishi.evaluation.tables import CaseRating
from yishi.places import services as places
from yishi.places.tables import Community

GROUPS = ("town", "unit", "community", "team")


@dataclass(frozen=True)
class PrepScores:
    """双考核 the other way: how the units summoned to meetings held in a month scored the
    preparation (case_rules.prep_score), per street and for the whole area; None when unscored."""

    by_town: dict[Hashable, float]
    whole: float | None


@dataclass
class MonthRates:
    """One month's figures by group: {"town": {id: CaseFigures}, "unit": ..., "community": ...,
    "team": {community id: ...}}, the whole area's, and the names to show."""

    month: str
    groups: dict[str, dict[Hashable, CaseFigures]] = field(default_factory=dict)
    whole: CaseFigures = field(default_factory=CaseFigures)
    names: dict[str, dict[Hashable, str]] = field(default_factory=dict)
    town_of: dict[Hashable, int] = field(default_factory=dict)  # community id -> its street
    prep: PrepScores | None = None  # 会商准备评分 (双考核): the month's only, and only when asked for

    def prep_of(self, town_id: Hashable) -> float | None:
        return self.prep.by_town.get(town_id) if self.prep else None

    @property
    def prep_whole(self) -> float | None:
        return self.prep.whole if self.prep else None

    def of(self, group: str, key: Hashable) -> CaseFigures:
        return self.groups.get(group, {}).get(key) or CaseFigures()


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC; PostgreSQL aware. The rules compare aware datetimes."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _between(column, start: datetime, end: datetime, *, upper_closed: bool = False):
    return (column > start) & (column <= end) if upper_closed else (column >= start) & (column < end)


async def case_rows(district_id: int, town_id: int | None, start: datetime, end: datetime) -> list[dict]:
    """The cases dispatched, due or closed from `start` to `end`, with what groups them."""
    where: Any = Case.district == district_id
    suggestion: Any = Case.suggestion  # three joins deep: Piccolo's typing stops at two
    if town_id is not None:
        where = where & (Case.town == town_id)
    touched = (_between(Case.dispatched_at, start, end) | _between(Case.due_at, start, end, upper_closed=True)
               | _between(Case.closed_at, start, end))
    return await Case.select(
        Case.town, Case.owner, Case.lead_unit, Case.suggestion.community.as_alias("community"),
        suggestion.recorded_by.community.as_alias("team"), suggestion.recorded_by.role.as_alias("recorder_role"),
        Case.dispatched_at, Case.accept_by, Case.accepted_at, Case.due_at, Case.closed_at).where(
        where & touched).run()


def keys_of(row: dict) -> list[tuple[str, Hashable]]:
    keys: list[tuple[str, Hashable]] = [("town", row["town"]), ("community", row["community"])]
    unit = row["owner"] or row["lead_unit"]
    if unit:
        keys.append(("unit", unit))
    if row["recorder_role"] == Role.collector.value and row["team"]:
        keys.append(("team", row["team"]))
    return keys


async def rating_rows(district_id: int, town_id: int | None, months: list[str]) -> list[dict]:
    """Residents' ratings of the cases (回访) given in these months, with what groups their case."""
    case: Any = CaseRating.case
    where = (case.district == district_id) & CaseRating.month.is_in(months)
    if town_id is not None:
        where = where & (case.town == town_id)
    return await CaseRating.select(
        case.town.as_alias("town"), case.owner.as_alias("owner"), case.lead_unit.as_alias("lead_unit"),
        case.suggestion.community.as_alias("community"), case.suggestion.recorded_by.community.as_alias("team"),
        case.suggestion.recorded_by.role.as_alias("recorder_role"), CaseRating.grade, CaseRating.channel,
        CaseRating.month).where(where).run()


Prepared = list[tuple[list[tuple[str, Hashable]], CaseRow]]


def prepare(rows: list[dict]) -> Prepared:
    """Each case's groups and times, worked out once for both months."""
    return [([("whole", 0), *keys_of(r)],
             CaseRow(_aware(r["dispatched_at"]), _aware(r["accept_by"]), _aware(r["accepted_at"]),
                     _aware(r["due_at"]), _aware(r["closed_at"]))) for r in rows]


def count(cases: Prepared, month: str, now: datetime,
          ratings: list[dict] | None = None) -> tuple[dict[str, dict[Hashable, CaseFigures]], CaseFigures]:
    tallied = case_rules.tally_keys(cases, month, now)
    groups: dict[str, dict[Hashable, CaseFigures]] = {g: {} for g in GROUPS}
    graded: dict[Hashable, list[tuple[str, str]]] = {}
    for r in ratings or []:
        if r["month"] == month:
            for group_key in [("whole", 0), *keys_of(r)]:
                graded.setdefault(group_key, []).append((r["grade"], r["channel"]))
    for rated, pairs_of_key in graded.items():
        t = rules.tally(pairs_of_key)
        case_rules.add_ratings(tallied.setdefault(rated, CaseFigures()), t.residents, t.telephone)
    key: Any
    for key, fig in tallied.items():
        if key[0] in groups:
            groups[key[0]][key[1]] = fig
    return groups, tallied.get(("whole", 0), CaseFigures())


async def month_rates(district_id: int, month: str, now: datetime, town_id: int | None = None, *,
                      prep: bool = True) -> tuple[MonthRates, MonthRates]:
    """The month's rates and the month before's (for 环比), of the district or one street; with
    the month's preparation scores unless prep=False (the ranking, which shows none)."""
    before = rules.previous_month(month)
    start, end = case_rules.month_span(before)[0], case_rules.month_span(month)[1]
    rows = await case_rows(district_id, town_id, start, end)
    ratings = await rating_rows(district_id, town_id, [month, before])
    names = await _names(district_id, town_id)
    out = []
    cases = prepare(rows)
    month_prep = await prep_scores(district_id, town_id, month) if prep else None
    for m, scores in ((month, month_prep), (before, None)):  # 环比 shows no preparation scores
        groups, whole = count(cases, m, now, ratings)
        out.append(MonthRates(m, groups, whole, names["names"], names["town_of"], scores))
    return out[0], out[1]


async def prep_scores(district_id: int, town_id: int | None, month: str) -> PrepScores:
    """The preparation scores of the meetings held in the month, per street and in all."""
    start, end = case_rules.month_span(month)
    meeting: Any = CaseMeetingUnit.meeting
    where = ((meeting.district == district_id) & (meeting.held_at >= start) & (meeting.held_at < end)
             & meeting.state.is_in([MeetingState.held.value, MeetingState.closed.value])
             & CaseMeetingUnit.prep_score.is_not_null())
    if town_id is not None:
        where = where & (meeting.town == town_id)
    rows = await CaseMeetingUnit.select(meeting.town.as_alias("town"), CaseMeetingUnit.prep_score).where(where).run()
    by_town: dict[Hashable, list[int]] = {}
    for r in rows:
        if r["town"] is not None:
            by_town.setdefault(r["town"], []).append(r["prep_score"])
    return PrepScores({k: score for k, v in by_town.items() if (score := case_rules.prep_score(v)) is not None},
                      case_rules.prep_score([r["prep_score"] for r in rows]))


async def _names(district_id: int, town_id: int | None) -> dict:
    town_ids = [town_id] if town_id is not None else await places.town_ids_of_district(district_id)
    towns = {t["id"]: t["name"] for t in await places.towns(town_ids)}
    communities = await Community.select(Community.id, Community.name, Community.town).where(
        Community.town.is_in(list(town_ids) or [-1])).order_by(Community.town).order_by(Community.id).run()
    units = {u["id"]: u["name"] for u in await Unit.select(Unit.id, Unit.name).where(
        Unit.district == district_id).order_by(Unit.id).run()}
    community_names = {c["id"]: c["name"] for c in communities}
    return {"names": {"town": towns, "unit": units, "community": community_names, "team": community_names},
            "town_of": {c["id"]: c["town"] for c in communities}}
