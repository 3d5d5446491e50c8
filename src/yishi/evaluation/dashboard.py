"""The district dashboard's figures, per street and for the district: the month's suggestions
received and answered (the same figures the month's 响应率 and 解决率 come from), rounds and
turnout, projects, money approved / spent / leveraged, delivery colours and missing weekly
reports (projects.review), and the month's three rates and ranking (rates).
Plain data; the web layer draws the charts and the tables."""
from __future__ import annotations

from dataclasses import dataclass, field

from piccolo.query.functions.aggregate import Count

from yishi.ballots.tables import Ballot, BallotCode
from yishi.evaluation import callbacks, rates, rules
from yishi.evaluation.tables import UnsatisfiedCase
from yishi.places import services as places
from yishi.projects import review
from yishi.projects.enums import Colour
from yishi.suggestions.rules import Figures
from yishi.wishlists.tables import Round


@dataclass
class Street:
    id: int
    name: str
    suggestions: Figures = field(default_factory=Figures)
    rounds: int = 0
    codes: int = 0
    ballots: int = 0
    totals: review.Totals = field(default_factory=review.Totals)
    cases: int = 0  # the ledger's unsatisfied cases of its projects and 回访 cases, all months

    @property
    def turnout(self) -> float | None:
        return self.ballots / self.codes if self.codes else None

    def colour(self, c: Colour) -> int:
        return self.totals.colours.get(c, 0)


@dataclass
class Dashboard:
    district_name: str
    month: str
    streets: list[Street]
    whole: Street
    ranking: list[rates.RankingRow]
    district_rates: rates.Rates
    # One street's page: its communities' residents' ratings in the month (id, name, Tally).
    communities: list[tuple[int, str, rules.Tally]] = field(default_factory=list)
    # Per round (rates.round_rates): the three rates of the suggestions its projects answer.
    rounds: list[dict] = field(default_factory=list)


async def build(district_id: int, month: str, town_id: int | None = None, rounds_in_month: bool = False) -> Dashboard:
    """The district's dashboard, or one street's (town_id) with the district's ranking beside.
    rounds_in_month: the per-round rates of the month only (else over each round's whole life)."""
    all_towns = await places.towns(await places.town_ids_of_district(district_id))
    towns = [t for t in all_towns if town_id is None or t["id"] == town_id]
    ids = [t["id"] for t in towns]
    streets = {t["id"]: Street(t["id"], t["name"]) for t in towns}
    # The month's suggestions, not all of them: the page is the month's, and the figures are the
    # ones its 响应率 and 解决率 are computed from (20,000 a street a year read once, not thrice).
    figs = await rates.suggestion_figures(district_id, month)
    for tid, street in streets.items():
        street.suggestions = figs[tid]
    for r in await Round.select(Round.town, Count(alias="n")).where(Round.town.is_in(ids or [-1])).group_by(
            Round.town).run():
        streets[r["town"]].rounds = r["n"]
    for r in await BallotCode.select(BallotCode.round.town.as_alias("town"), Count(alias="n")).where(
            BallotCode.round.town.is_in(ids or [-1])).group_by(BallotCode.round.town).run():
        streets[r["town"]].codes = r["n"]
    for r in await Ballot.select(Ballot.round.town.as_alias("town"), Count(alias="n")).where(
            Ballot.round.town.is_in(ids or [-1])).group_by(Ballot.round.town).run():
        streets[r["town"]].ballots = r["n"]
    case_town = UnsatisfiedCase.project._.round.town
    for r in await UnsatisfiedCase.select(case_town.as_alias("town"), Count(alias="n")).where(
            case_town.is_in(ids or [-1])).group_by(case_town).run():
        streets[r["town"]].cases = r["n"]
    for town, n in (await callbacks.counts_by_town(ids)).items():  # and the 回访 of cases
        streets[town].cases += n
    delivery = await (review.monthly_review(town_id=town_id, month=month) if town_id is not None
                      else review.monthly_review(district_id=district_id, month=month))
    for row in delivery.rows:
        s = streets.get(row.project["town_id"])
        if s is not None:
            s.totals.add(row)
    whole_figs = figs[0] if town_id is None else figs[town_id]
    whole = Street(0, delivery.title, whole_figs, sum(s.rounds for s in streets.values()),
                   sum(s.codes for s in streets.values()), sum(s.ballots for s in streets.values()), delivery.totals,
                   sum(s.cases for s in streets.values()))
    street_rates = await rates.street_rates(district_id, month, figs)
    communities = []
    if town_id is not None:
        tallies = await rates.counts(by="community", district_id=district_id, month=month, town_id=town_id)
        communities = [(c["id"], c["name"], tallies.get(c["id"], rules.Tally()))
                       for c in await places.communities_of(town_id)]
    return Dashboard(delivery.district_name, month, sorted(streets.values(), key=lambda s: s.id), whole,
                     await rates.ranking(district_id, month, street_rates), street_rates[town_id or 0], communities,
                     await rates.round_rates(district_id, town_id, month if rounds_in_month else None))
