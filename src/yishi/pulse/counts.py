"""The 民情热度表's figures, read from the suggestions: counted in SQL, grouped by day (one query
for a street's or a district's weeks; no date arithmetic that differs between SQLite and
PostgreSQL), summed into weeks and windows by pulse.rules. Merged duplicates are not cases, as
in the suggestions' own figures. Read-only; no web imports."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from piccolo.query.functions.aggregate import Count

from yishi.core.i18n import _
from yishi.evaluation.rules import month_bounds, previous_month
from yishi.places import services as places
from yishi.pulse import rules, settings
from yishi.suggestions import catalog
from yishi.suggestions.enums import SuggestionStatus
from yishi.suggestions.tables import Suggestion

WEEK_CHOICES = (8, 12, 26)
TOP_N = 10


@dataclass(frozen=True)
class Area:
    """Where the pulse is read: one street (kind "town") or all the streets of a district."""

    kind: str
    id: int
    name: str
    district_id: int
    town_ids: tuple[int, ...]

    @property
    def is_town(self) -> bool:
        return self.kind == "town"


async def town_area(town_id: int) -> Area:
    row = await places.known_town(town_id)
    return Area("town", row["id"], row["name"], row["district"], (row["id"],))


async def district_area(district_id: int) -> Area:
    row = await places.known_district(district_id)
    return Area("district", row["id"], row["name"], row["id"], tuple(await places.town_ids_of_district(district_id)))


def _cases(area: Area, first: date, last: date) -> list:
    return [Suggestion.town.is_in(list(area.town_ids) or [-1]), Suggestion.received_on >= first,
            Suggestion.received_on <= last, Suggestion.status != SuggestionStatus.merged.value]


async def daily(area: Area, first: date, last: date, *columns: str) -> list[dict]:
    """Cases per day and per the given columns (town, community, category, spot) between two days,
    both included: rows of day, n and the columns."""
    cols = [getattr(Suggestion, c) for c in columns]
    query = Suggestion.select(Suggestion.received_on.as_alias("day"), *cols, Count(alias="n"))
    for condition in _cases(area, first, last):
        query = query.where(condition)
    return await query.group_by(Suggestion.received_on, *cols).run()


async def totals(area: Area, first: date, last: date, *columns: str) -> dict:
    """Cases per value of the columns (one column: its value; several: a tuple) between two days."""
    cols = [getattr(Suggestion, c) for c in columns]
    query = Suggestion.select(*cols, Count(alias="n"))
    for condition in _cases(area, first, last):
        query = query.where(condition)
    rows = await query.group_by(*cols).run()
    return {(r[columns[0]] if len(columns) == 1 else tuple(r[c] for c in columns)): r["n"] for r in rows}


async def first_case(area: Area) -> date | None:
    """The day of the area's first suggestion: weeks before it are not history."""
    # Ordered, not MIN(): a date column's MIN comes back from SQLite as text; this reads one row
    # of the suggestion_pulse index (town, received_on, ...) either way.
    row = await Suggestion.select(Suggestion.received_on).where(
        Suggestion.town.is_in(list(area.town_ids) or [-1])).order_by(Suggestion.received_on).first().run()
    return row["received_on"] if row else None


async def names(area: Area) -> tuple[dict[int, dict], dict[int, str]]:
    """Communities (id -> name, town, town_name) and categories (id -> name) for the labels."""
    communities = {c["id"]: c for c in await places.communities_in(area.town_ids)}
    categories = {c["id"]: c["name"] for c in await catalog.categories(active_only=False)}
    return communities, categories


# --- the heat table ------------------------------------------------------------------------------

@dataclass
class HeatRow:
    group: str          # the community (a street's table) or the street (a district's)
    group_id: int
    label: str          # the category, or a 点位
    key: int | str
    counts: list[int]
    warned: bool = False
    spot: bool = False  # a 点位 row of one community: the same cases again, by place

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def section(self) -> tuple[int, bool]:
        """The table's body the row goes in: its group's categories, then (one community) its 点位."""
        return self.group_id, self.spot


@dataclass
class Heat:
    weeks: list[date]
    rows: list[HeatRow]
    week_totals: list[int]
    peak: int

    @property
    def total(self) -> int:
        return sum(self.week_totals)

    def level(self, count: int) -> int:
        return rules.level(count, self.peak)


async def heat(area: Area, end: date, n_weeks: int, *, community: int | None = None,
               warned: set[tuple[int, int]] | None = None) -> Heat:
    """Cases per week for the n weeks ending with `end`'s week: per community and category (a
    street), per street and category (a district), or per category and per 点位 of one community."""
    weeks = rules.weeks_back(end, n_weeks)
    buckets = [(w, w + timedelta(days=6)) for w in weeks]
    communities, categories = await names(area)
    if community is not None:
        rows = [r for r in await daily(area, weeks[0], buckets[-1][1], "community", "category", "spot")
                if r["community"] == community]
        by_cat = rules.bucket(rows, lambda r: ("category", r["category"]), buckets)
        by_spot = rules.bucket(rows, lambda r: ("spot", r["spot"]), buckets)
        name = communities.get(community, {}).get("name", "")
        out = [HeatRow(name, community, categories.get(k, "?"), k, v,
                       (community, k) in (warned or set())) for (_t, k), v in by_cat.items()]
        out.sort(key=lambda r: (-r.total, r.label))
        spots = [HeatRow(_("点位"), community, k or _("（未填点位）"), k, v, spot=True)
                 for (_t, k), v in by_spot.items()]
        spots.sort(key=lambda r: (r.key == "", -r.total, r.label))
        out += spots
        table_rows = out
    else:
        group = "community" if area.is_town else "town"
        rows = await daily(area, weeks[0], buckets[-1][1], group, "category")
        counted = rules.bucket(rows, lambda r: (r[group], r["category"]), buckets)
        groups = ([(c["id"], c["name"]) for c in communities.values()] if area.is_town
                  else [(t["id"], t["name"]) for t in await places.towns(area.town_ids)])
        table_rows = []
        for gid, gname in groups:
            mine = [HeatRow(gname, gid, categories.get(cat, "?"), cat, v,
                            area.is_town and (gid, cat) in (warned or set()))
                    for (g, cat), v in counted.items() if g == gid]
            mine.sort(key=lambda r: (-r.total, r.label))
            table_rows += mine or [HeatRow(gname, gid, "—", 0, [0] * len(weeks))]
    week_totals = [sum(r.counts[i] for r in table_rows if not r.spot) for i in range(len(weeks))]
    peak = max((c for r in table_rows for c in r.counts), default=0)
    return Heat(weeks, table_rows, week_totals, peak)


# --- the early warning -----------------------------------------------------------------------------

@dataclass
class Alert:
    """A warning with its labels: a category rising in a community."""

    community_id: int
    community: str
    town_id: int
    town: str
    category_id: int
    category: str
    count: int
    median: float
    threshold: float
    history: tuple[int, ...]
    first: date
    last: date


async def alerts(area: Area, today: date, rule: rules.WarningRule | None = None) -> list[Alert]:
    """The warnings as of `today`: the last seven days per community and category against the same
    seven-day windows of the rule's weeks before (those since the area's first suggestion)."""
    rule = rule or await settings.of_district(area.district_id)
    windows = rules.windows_back(today, rule.weeks + 1)
    first = await first_case(area)
    if first is None:
        return []
    history_windows = [w for w in windows[:-1] if w[1] >= first]
    rows = await daily(area, windows[0][0], today, "community", "category")
    counted = rules.bucket(rows, lambda r: (r["community"], r["category"]), windows)
    current = {k: v[-1] for k, v in counted.items() if v[-1]}
    history = {k: v[len(windows) - 1 - len(history_windows):-1] for k, v in counted.items()}
    fired = rules.warnings(current, history, len(history_windows), rule)
    if not fired:  # the usual case, on every street landing page: no names to look up
        return []
    communities, categories = await names(area)
    out = []
    for w in fired:
        cid, cat = w.key
        c = communities.get(cid, {"name": "?", "town": 0, "town_name": "?"})
        out.append(Alert(cid, c["name"], c["town"], c["town_name"], cat, categories.get(cat, "?"), w.count,
                         w.median, w.threshold, w.history, windows[-1][0], today))
    return out


# --- the month's most frequent topics and places -----------------------------------------------------

@dataclass
class Tops:
    month: str
    previous: str
    topics: list[rules.Ranked] = field(default_factory=list)   # key: category name
    places: list[rules.Ranked] = field(default_factory=list)   # key: (community name, 点位)
    this_total: int = 0
    last_total: int = 0


async def tops(area: Area, month: str, n: int = TOP_N) -> Tops:
    """The n most frequent categories and 点位 of the month, with the month before beside. 点位
    are counted where one was named; the same name in two communities is two places."""
    previous = previous_month(month)
    this_b, last_b = month_bounds(month), month_bounds(previous)
    communities, categories = await names(area)
    result = Tops(month, previous)
    by_cat = [await totals(area, *b, "category") for b in (this_b, last_b)]
    named = [{categories.get(k, "?"): v for k, v in counts.items()} for counts in by_cat]
    result.topics = rules.top(named[0], named[1], n)
    result.this_total, result.last_total = sum(by_cat[0].values()), sum(by_cat[1].values())
    by_spot = [await totals(area, *b, "community", "spot") for b in (this_b, last_b)]
    spots = [{(communities.get(c, {}).get("name", "?"), s): v for (c, s), v in counts.items() if s}
             for counts in by_spot]
    result.places = rules.top(spots[0], spots[1], n)
    return result

