"""The three rates per street and district in a month, the monthly ranking, and the half-year or yearly report."""
import pytest

from tests import factories as f
from tests.evaluation.setup import codes, written_off
from yishi.core import dates
from yishi.core.errors import DomainError
from yishi.evaluation import rates, report, services
from yishi.evaluation.enums import Advice, Band
from yishi.places.tables import Community, Town
from yishi.suggestions.enums import SuggestionStatus
from yishi.suggestions.tables import Suggestion


async def _second_street(places: dict) -> dict:
    town = Town(district=places["district"], name="乙街道")
    await town.save()
    c = Community(town=town.id, name="乙社区")
    await c.save()
    return {"district": places["district"], "town": town.id, "communities": [c.id]}


async def _suggestions(places: dict, answered: int, untouched: int) -> None:
    today = dates.today()
    for _ in range(answered):
        receipt = await f.make_suggestion(places, received_on=today)
        await Suggestion.update({Suggestion.status: SuggestionStatus.closed, Suggestion.replied_at: dates.now(),
                                 Suggestion.closed_at: dates.now()}).where(Suggestion.id == receipt.id).run()
    for _ in range(untouched):
        await f.make_suggestion(places, received_on=today)


async def _rate(places, staff, round_id, pid, grades):
    for code, grade in zip(await codes(places, staff, round_id, len(grades)), grades, strict=True):
        await services.rate_online(pid, code, grade)


async def test_ranking_of_two_streets_this_month():
    a, staff_a, (pa, _), round_a = await written_off()
    b = await _second_street(a)
    b, staff_b, (pb, _), round_b = await written_off(b)
    await _suggestions(a, answered=2, untouched=0)
    await _suggestions(b, answered=1, untouched=1)
    await _rate(a, staff_a, round_a, pa, ["satisfied", "satisfied", "basic"])
    await _rate(b, staff_b, round_b, pb, ["satisfied", "unsatisfied"])
    await services.record_call(pb, "unsatisfied", "", community_id=None, actor=staff_b)
    month = services.month_of(dates.today())
    first, second = await rates.ranking(a["district"], month)
    assert (first.town_id, first.ranked.rank, first.ranked.band) == (a["town"], 1, Band.advanced)
    assert (first.rates.response, first.rates.resolution, first.rates.satisfaction, first.rates.ratings) == (
        1.0, 1.0, 1.0, 3)
    assert (second.town_name, second.ranked.rank, second.ranked.band, second.ranked.change) == (
        "乙街道", 2, Band.rectify, None)
    # The untouched suggestion is not yet due: 响应率 counts the one answered, of one due.
    assert (second.rates.response, second.rates.resolution, second.rates.satisfaction) == (1.0, 0.5, 0.5)
    assert second.rates.score == pytest.approx(2 / 3)
    assert (second.rates.ratings, second.rates.telephone.total) == (2, 1)
    whole = (await rates.street_rates(a["district"], month))[0]
    assert (whole.response, whole.resolution, whole.satisfaction, whole.ratings) == (1.0, 0.75, 0.8, 5)


async def test_ranking_with_no_data_leaves_streets_unranked():
    places = await f.make_places()
    (row,) = await rates.ranking(places["district"], "2026-01")
    assert (row.ranked.rank, row.ranked.band, row.rates.satisfaction, row.rates.response) == (
        None, Band.none, None, None)


async def test_counts_by_project_and_community_in_a_round():
    places, staff, (pid, other), round_id = await written_off()
    await _rate(places, staff, round_id, pid, ["satisfied", "unsatisfied"])
    await _rate(places, staff, round_id, other, ["basic"])
    by_project = await rates.counts(by="project", district_id=places["district"], round_id=round_id)
    assert {k: (t.residents.total, t.residents.satisfaction) for k, t in by_project.items()} == {
        pid: (2, 0.5), other: (1, 1.0)}
    by_community = await rates.counts(by="community", district_id=places["district"], round_id=round_id)
    assert {k: t.residents.total for k, t in by_community.items()} == {places["communities"][0]: 3}


async def test_report_over_a_half_year_and_bad_period_refused():
    a, staff, (pa, _), round_a = await written_off()
    await _suggestions(a, answered=1, untouched=0)
    await _rate(a, staff, round_a, pa, ["satisfied", "unsatisfied"])
    today = dates.today()
    half = f"{today.year}-{'H1' if today.month <= 6 else 'H2'}"
    r = await report.build(a["district"], half)
    assert (r.whole["cases"], r.whole["rates"].response, r.whole["rates"].satisfaction, r.whole["rates"].ratings) == (
        1, 1.0, 0.5, 2)
    assert [(s["name"], s["rank"]) for s in r.streets] == [(r.streets[0]["name"], 1)]
    assert len(r.projects) == 2 and report.advice_counts(r)[Advice.watch] == 2
    other = await report.build(a["district"], str(today.year - 1))
    assert (other.whole["cases"], other.whole["rates"].ratings, other.label) == (0, 0, f"{today.year - 1}年度")
    with pytest.raises(DomainError):
        report.period_months("2026-Q3")
