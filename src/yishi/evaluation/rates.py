"""The three rates (三率) per project, community, street and district, per month or per round,
and the district's monthly ranking of its streets (赛马).

响应率 and 解决率 are the suggestions domain's, computed by suggestions.queries.figures over the
suggestions received in the month (suggestions.rules.Figures defines them); 满意率 is residents'
ratings given in the month (rules.Counts). Telephone follow-ups are counted apart."""
from __future__ import annotations

from dataclasses import dataclass

from piccolo.query.functions.aggregate import Count

from yishi.evaluation import rules, settings
from yishi.evaluation.tables import Rating
from yishi.places import services as places
from yishi.projects.tables import Project
from yishi.suggestions import queries
from yishi.suggestions.rules import Figures
from yishi.suggestions.tables import Suggestion
from yishi.wishlists.tables import WishLink


@dataclass(frozen=True)
class Rates:
    response: float | None
    resolution: float | None
    satisfaction: float | None
    ratings: int
    telephone: rules.Counts

    @property
    def score(self) -> float | None:
        return rules.score((self.response, self.resolution, self.satisfaction))


async def counts(*, by: str, district_id: int, month: str | None = None, round_id: int | None = None,
                 town_id: int | None = None, months: tuple[str, str] | None = None) -> dict:
    """{key: Tally} where key is a project id, community id, town id or round id (`by`), for ratings of
    the district's projects, in a month and/or a round."""
    column = {"project": Rating.project, "community": Rating.community, "town": Rating.project._.round.town,
              "round": Rating.project.round}[by]
    q = Rating.select(column.as_alias("key"), Rating.grade, Rating.channel, Count(alias="n")).where(
        Rating.project._.round._.town.district == district_id)
    if month:
        q = q.where(Rating.month == month)
    if months:  # "2026-01" to "2026-06", both included: the months sort as text
        q = q.where((Rating.month >= months[0]) & (Rating.month <= months[1]))
    if round_id is not None:
        q = q.where(Rating.project.round == round_id)
    if town_id is not None:
        q = q.where(Rating.project._.round.town == town_id)
    raw: dict = {}
    for r in await q.group_by(column, Rating.grade, Rating.channel).run():
        raw.setdefault(r["key"], []).extend([(r["grade"], r["channel"])] * r["n"])
    return {k: rules.tally(v) for k, v in raw.items()}


async def suggestion_figures(district_id: int, month: str, until: str | None = None) -> dict[int, Figures]:
    """town id -> the suggestions' figures for those received in the month (or from `month` to
    `until`, both included); key 0 is the district."""
    first, _last = rules.month_bounds(month)
    last = rules.month_bounds(until or month)[1]
    towns = await places.towns(await places.town_ids_of_district(district_id))
    summary = await queries.figures(queries.Scope(tuple(t["id"] for t in towns)),
                                    queries.Filters(date_from=first, date_to=last), "town")
    by_name = {t["name"]: t["id"] for t in towns}
    out = {t["id"]: Figures() for t in towns}
    for name, fig in summary.groups.items():
        if name in by_name:
            out[by_name[name]] = fig
    out[0] = summary.total  # the district as a whole
    return out


async def street_rates(district_id: int, month: str, figs: dict[int, Figures] | None = None) -> dict[int, Rates]:
    """town id -> its rates in the month; key 0 is the whole district. `figs`: the month's
    suggestion_figures when the caller has them already."""
    figs = figs if figs is not None else await suggestion_figures(district_id, month)
    tallies = await counts(by="town", district_id=district_id, month=month)
    out = {}
    whole = rules.Tally()
    for town_id, fig in figs.items():
        if town_id == 0:
            continue
        t = tallies.get(town_id, rules.Tally())
        whole = rules.Tally(whole.residents + t.residents, whole.telephone + t.telephone)
        out[town_id] = Rates(fig.response_rate, fig.resolution_rate, t.residents.satisfaction, t.residents.total,
                             t.telephone)
    total = figs[0]
    out[0] = Rates(total.response_rate, total.resolution_rate, whole.residents.satisfaction, whole.residents.total,
                   whole.telephone)
    return out


@dataclass(frozen=True)
class RankingRow:
    town_id: int
    town_name: str
    rates: Rates
    ranked: rules.Ranked[int]


async def ranking(district_id: int, month: str, now: dict[int, Rates] | None = None) -> list[RankingRow]:
    """The month's ranking of the district's streets, with 环比 on the month before. `now`: the
    month's street_rates when the caller has them already."""
    rule = (await settings.of_district(district_id)).bands
    now = now if now is not None else await street_rates(district_id, month)
    before = await street_rates(district_id, rules.previous_month(month))
    names = {t["id"]: t["name"] for t in await places.towns(await places.town_ids_of_district(district_id))}
    ranked = rules.rank({t: now[t].score for t in names}, {t: before[t].score for t in names}, rule)
    return [RankingRow(r.key, names[r.key], now[r.key], r) for r in ranked]


# --- per project and per round: the suggestions the projects answer --------------------------

@dataclass(frozen=True)
class WorkRates:
    """The three rates of a project or a round: 响应率 and 解决率 of the suggestions its projects
    answer (linked to their wish-list items), 满意率 of residents' ratings of its projects.
    `figures.cases` is 0 when no suggestion is linked: the two rates are then None, not 0."""
    figures: Figures
    tally: rules.Tally

    @property
    def suggestions(self) -> int:
        return self.figures.cases

    @property
    def response(self) -> float | None:
        return self.figures.response_rate

    @property
    def resolution(self) -> float | None:
        return self.figures.resolution_rate

    @property
    def satisfaction(self) -> float | None:
        return self.tally.residents.satisfaction

    @property
    def ratings(self) -> int:
        return self.tally.residents.total


async def linked_suggestions(project_ids: list[int]) -> dict[int, set[int]]:
    """project id -> the ids of the suggestions its wish-list item answers (wishlists.sources)."""
    out: dict[int, set[int]] = {pid: set() for pid in project_ids}
    if not project_ids:
        return out
    item_of = {r["item"]: r["id"] for r in await Project.select(Project.id, Project.item).where(
        Project.id.is_in(list(project_ids))).run()}
    if item_of:
        for r in await WishLink.select(WishLink.suggestion, WishLink.wish_item).where(
                WishLink.wish_item.is_in(list(item_of))).run():
            out[item_of[r["wish_item"]]].add(r["suggestion"])
    return out


def active_months(rating_months: list[str], received: list) -> list[str]:
    """The months in which something happened to a project: a rating given, or a suggestion it
    answers received. Newest first, each once."""
    return sorted({*rating_months, *(d.strftime("%Y-%m") for d in received if d is not None)}, reverse=True)


async def project_months(project_id: int) -> list[str]:
    """active_months of a project, read from its ratings and the suggestions it answers."""
    rating_months = [r["month"] for r in await Rating.select(Rating.month).where(
        Rating.project == project_id).distinct().run()]
    linked = (await linked_suggestions([project_id]))[project_id]
    received = [r["received_on"] for r in await Suggestion.select(Suggestion.received_on).where(
        Suggestion.id.is_in(sorted(linked))).run()] if linked else []
    return active_months(rating_months, received)


async def round_suggestions(round_id: int) -> set[int]:
    """The suggestions a round's projects answer (each once): the round's 回应的诉求."""
    ids = [r["id"] for r in await Project.select(Project.id).where(Project.round == round_id).run()]
    return set().union(*(await linked_suggestions(ids)).values()) if ids else set()


def _received(month: str | None) -> tuple | None:
    return rules.month_bounds(month) if month else None


async def project_rates(project_ids: list[int], district_id: int, month: str | None = None) -> dict[int, WorkRates]:
    """project id -> its three rates, over all its ratings and the suggestions it answers, or
    (month) over the ratings given in that month and the suggestions received in it, as the
    streets' monthly rates count them."""
    linked = await linked_suggestions(project_ids)
    tallies = await _project_tallies(project_ids, district_id, month)
    return {pid: WorkRates(await queries.figures_of(linked[pid], _received(month)), tallies.get(pid, rules.Tally()))
            for pid in project_ids}


async def _project_tallies(project_ids: list[int], district_id: int, month: str | None = None) -> dict:
    if not project_ids:
        return {}
    wanted = set(project_ids)
    return {k: v for k, v in (await counts(by="project", district_id=district_id, month=month)).items()
            if k in wanted}


async def round_rates(district_id: int, town_id: int | None = None, month: str | None = None) -> list[dict]:
    """Per round of the district (or of one street): round id, title, street, projects, and its
    WorkRates over the suggestions its projects answer and the ratings of its projects; with a
    month, the ratings given in it and the suggestions received in it."""
    town_ids = [town_id] if town_id is not None else await places.town_ids_of_district(district_id)
    projects = await Project.select(Project.id, Project.round, Project.round.title.as_alias("round_title"),
                                    Project.round._.town.name.as_alias("town_name")).where(
        Project.round.town.is_in(list(town_ids) or [-1])).order_by(Project.round).run()
    linked = await linked_suggestions([p["id"] for p in projects])
    tallies = await counts(by="round", district_id=district_id, town_id=town_id, month=month)
    rounds: dict[int, dict] = {}
    for p in projects:
        r = rounds.setdefault(p["round"], {"id": p["round"], "title": p["round_title"], "town_name": p["town_name"],
                                           "projects": 0, "suggestions": set()})
        r["projects"] += 1
        r["suggestions"] |= linked[p["id"]]
    out = []
    for rid, r in rounds.items():
        ids = r.pop("suggestions")
        out.append({**r, "rates": WorkRates(await queries.figures_of(ids, _received(month)),
                                             tallies.get(rid, rules.Tally()))})
    return out
