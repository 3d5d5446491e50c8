"""周汇总, 月分析 and 专题报告 as plain data: what the street or district received in a week or a
month, by category, community and 点位, against the period before; the warnings of the period;
the 三率 as the suggestions domain defines them (响应率, 按期办结率, 解决率: suggestions.rules.
Figures). exports lays them out as Excel and as a PDF in the dossier's layout."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from yishi.cases import queries as case_queries
from yishi.core import dates
from yishi.core.errors import DomainError, NotFound
from yishi.core.i18n import _
from yishi.evaluation.rules import month_bounds, previous_month
from yishi.pulse import counts, rules, settings
from yishi.pulse.counts import Area
from yishi.suggestions import catalog, queries
from yishi.suggestions import rules as srules
from yishi.suggestions.enums import SuggestionStatus

TOPIC_LIST_MAX = 500  # the cases listed in a 专题报告 (the counts take them all)


@dataclass
class Line:
    """One row of a report's table: a category, community, street or 点位."""

    name: str
    this: int
    last: int
    figures: srules.Figures | None = None

    @property
    def change(self) -> int:
        return self.this - self.last


@dataclass
class Report:
    kind: str                 # "week" or "month"
    area: Area
    first: date
    last: date
    previous: tuple[date, date]
    label: str                # 2026年11月30日—12月6日, or 2026年11月
    total: int
    previous_total: int
    figures: srules.Figures
    categories: list[Line]
    groups: list[Line]        # communities (a street) or streets (a district)
    places: list[rules.Ranked]
    alerts: list[counts.Alert]
    rule: rules.WarningRule
    weekly: list[tuple[date, int]] = field(default_factory=list)  # a month's weeks

    @property
    def group_label(self) -> str:
        return _("社区（村）") if self.area.is_town else _("镇（街道）")


def week_label(first: date, last: date) -> str:
    return _("{y}年{m}月{d}日至{m2}月{d2}日").format(y=first.year, m=first.month, d=first.day, m2=last.month,
                                                 d2=last.day)


def parse_week(text: str, today: date) -> date:
    """?week=2026-11-30 (any day of the week): its Monday; this week's by default."""
    day = dates.parse_date(text, _("周")) if text else today
    if day is None or day > today:
        raise DomainError(_("只能汇总今天以前的周。"))
    return rules.week_of(day)


async def _figures(area: Area, first: date, last: date, by: str) -> srules.Summary:
    scope = queries.Scope(area.town_ids)
    return await queries.figures(scope, queries.Filters(date_from=first, date_to=last), by)


async def _period(area: Area, kind: str, first: date, last: date, previous: tuple[date, date], label: str) -> Report:
    communities, categories = await counts.names(area)
    group = "community" if area.is_town else "town"
    this_cat, last_cat = (await counts.totals(area, first, last, "category"),
                          await counts.totals(area, *previous, "category"))
    this_grp, last_grp = await counts.totals(area, first, last, group), await counts.totals(area, *previous, group)
    by_cat = await _figures(area, first, last, "category")
    by_grp = await _figures(area, first, last, "community" if area.is_town else "town")
    cat_lines = [Line(categories.get(k, "?"), this_cat.get(k, 0), last_cat.get(k, 0),
                      by_cat.groups.get(categories.get(k, "?"))) for k in set(this_cat) | set(last_cat)]
    cat_lines.sort(key=lambda x: (-x.this, -x.last, x.name))
    if area.is_town:
        group_names = {c["id"]: c["name"] for c in communities.values()}
        group_fig = {c["id"]: by_grp.groups.get((area.name, c["name"])) for c in communities.values()}
    else:
        group_names = {c["town"]: c["town_name"] for c in communities.values()}
        group_fig = {tid: by_grp.groups.get(name) for tid, name in group_names.items()}
    grp_lines = [Line(group_names.get(k, "?"), this_grp.get(k, 0), last_grp.get(k, 0), group_fig.get(k))
                 for k in group_names]
    grp_lines.sort(key=lambda x: (-x.this, -x.last, x.name))
    spots = [{(communities.get(c, {}).get("name", "?"), s): n for (c, s), n in t.items() if s}
             for t in (await counts.totals(area, first, last, "community", "spot"),
                       await counts.totals(area, *previous, "community", "spot"))]
    rule = await settings.of_district(area.district_id)
    # The warnings of each calendar week of the period, as of its Sunday (today for this week).
    alerts: list[counts.Alert] = []
    seen: set[tuple[int, int]] = set()
    sunday = rules.week_of(first) + timedelta(days=6)
    today = dates.today()
    while sunday - timedelta(days=6) <= last:
        for a in await counts.alerts(area, min(sunday, today), rule):
            if (a.community_id, a.category_id) not in seen:
                seen.add((a.community_id, a.category_id))
                alerts.append(a)
        sunday += timedelta(days=7)
    report = Report(kind, area, first, last, previous, label, sum(this_cat.values()), sum(last_cat.values()),
                    by_cat.total, cat_lines, grp_lines, rules.top(spots[0], spots[1]), alerts, rule)
    if kind == "month":
        last = min(last, today)  # this month's weeks so far, not those to come
        weeks = rules.weeks_back(last, (rules.week_of(last) - rules.week_of(first)).days // 7 + 1)
        per_week = rules.bucket(await counts.daily(area, first, last), lambda _r: 0,
                                [(max(w, first), min(w + timedelta(days=6), last)) for w in weeks])
        report.weekly = list(zip(weeks, per_week.get(0, [0] * len(weeks)), strict=True))
    return report


async def weekly(area: Area, monday: date) -> Report:
    """周汇总: the week from Monday to Sunday, against the week before."""
    sunday = monday + timedelta(days=6)
    previous = (monday - timedelta(days=7), monday - timedelta(days=1))
    return await _period(area, "week", monday, sunday, previous, week_label(monday, sunday))


async def monthly(area: Area, month: str) -> Report:
    """月分析: the month, against the month before."""
    first, last = month_bounds(month)
    return await _period(area, "month", first, last, month_bounds(previous_month(month)), dates.month_label(month))


# --- 专题报告: one topic --------------------------------------------------------------------------

@dataclass
class Topic:
    area: Area
    category_id: int
    category: str
    first: date
    last: date
    label: str
    figures: srules.Figures
    groups: list[Line]          # per community (a street) or street (a district), with their rates
    places: list[rules.Ranked]
    units: list[tuple[str, int, srules.Figures]]   # lead unit (dispatched, else as typed), cases, rates
    weekly: list[tuple[date, int]]
    cases: list[dict]
    more: int                   # cases beyond the list's limit


async def topic(area: Area, category_id: int, first: date, last: date) -> Topic:
    """专题报告 on one category over a period: the cases behind it, where they come from, the
    units that lead them (the unit a case is dispatched to; the lead unit the street typed for a
    suggestion never dispatched), the 三率 of each."""
    if first > last:
        raise DomainError(_("开始日期不能晚于结束日期。"))
    if (last - first).days > 366:
        raise DomainError(_("专题报告的期间最长一年。"))
    names = {c["id"]: c["name"] for c in await catalog.categories(active_only=False)}
    if category_id not in names:
        raise NotFound(_("找不到这个类别。"))
    scope = queries.Scope(area.town_ids)
    f = queries.Filters(category=category_id, date_from=first, date_to=last)
    by_group = await queries.figures(scope, f, "community" if area.is_town else "town")
    communities, _categories = await counts.names(area)
    groups = []
    for key, fig in by_group.groups.items():
        groups.append(Line(key[1] if isinstance(key, tuple) else key, fig.cases, 0, fig))
    groups.sort(key=lambda x: (-x.this, x.name))
    spots = await counts.totals(area, first, last, "community", "spot", "category")
    places = rules.top({(communities.get(c, {}).get("name", "?"), s): n for (c, s, cat), n in spots.items()
                        if s and cat == category_id}, {})
    rows = await queries.export_rows(scope, f)
    rows = [r for r in rows if r["status"] is not SuggestionStatus.merged]
    # The unit a case is dispatched to (派单) leads it, under its name in the directory now; a
    # suggestion never dispatched has only the text the street typed (the same name, one line).
    dispatched = await case_queries.lead_units_of([r["id"] for r in rows])
    units: dict[str, list[int]] = {}
    for r in rows:
        units.setdefault(dispatched.get(r["id"], r["lead_unit"] or ""), []).append(r["id"])
    unit_lines = []
    for name, ids in units.items():
        unit_lines.append((name or _("（未定牵头单位）"), len(ids), await queries.figures_of(ids)))
    unit_lines.sort(key=lambda u: (u[0] == _("（未定牵头单位）"), -u[1], u[0]))
    weeks = rules.weeks_back(last, (rules.week_of(last) - rules.week_of(first)).days // 7 + 1)
    per_week = rules.bucket([{"day": r["received_on"], "n": 1} for r in rows], lambda _r: 0,
                            [(w, w + timedelta(days=6)) for w in weeks])
    rows.sort(key=lambda r: (r["received_on"], r["id"]), reverse=True)
    label = (dates.month_label(first.strftime("%Y-%m")) if first.day == 1 and last == month_bounds(
        first.strftime("%Y-%m"))[1] else _("{a}至{b}").format(a=dates.long_date(first), b=dates.long_date(last)))
    return Topic(area, category_id, names[category_id], first, last, label, by_group.total, groups, places,
                 unit_lines, list(zip(weeks, per_week.get(0, [0] * len(weeks)), strict=True)),
                 rows[:TOPIC_LIST_MAX], max(0, len(rows) - TOPIC_LIST_MAX))

