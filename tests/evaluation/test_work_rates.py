"""The three rates per project and per round: 响应率 and 解决率 of the suggestions the project's
wish-list item answers, beside its 满意率; a project with no linked suggestion has no rate."""
from datetime import timedelta

from yishi.core import dates
from yishi.evaluation import rates, services
from yishi.projects import services as projects
from yishi.suggestions.enums import Status
from yishi.suggestions.tables import Suggestion
from yishi.wishlists.tables import WishLink
from tests import factories as f
from tests.evaluation.setup import codes, written_off


async def _linked(places, item_id: int, status: Status, *, replied: bool, old: bool = False,
                  merged: bool = False) -> int:
    """A suggestion linked to the item; `old`: received long ago, its answer past due."""
    received = dates.today() - timedelta(days=90) if old else dates.today()
    receipt = await f.make_suggestion(places, received_on=received)
    values = {Suggestion.status: Status.merged if merged else status}
    if old:
        values[Suggestion.due_on] = received + timedelta(days=10)
    if replied:
        values[Suggestion.replied_at] = dates.now()
    if status in (Status.closed, Status.listed):
        values[Suggestion.closed_at] = dates.now()
    await Suggestion.update(values).where(Suggestion.id == receipt.id).run()
    await WishLink.insert(WishLink(suggestion=receipt.id, wish_item=item_id, created_at=dates.now())).run()
    return receipt.id


async def test_project_and_round_rates_with_exact_values():
    places, staff, (pa, pb), round_id = await written_off()
    item_a = (await projects.get_project(pa))["item"]
    # Project A answers four suggestions (and a merged duplicate that does not count):
    # listed and answered today (on time), closed and answered today (on time), one received 90
    # days ago and never answered (its answer past due), one received today, not yet due.
    await _linked(places, item_a, Status.listed, replied=True)
    await _linked(places, item_a, Status.closed, replied=True)
    await _linked(places, item_a, Status.received, replied=False, old=True)
    await _linked(places, item_a, Status.received, replied=False)
    await _linked(places, item_a, Status.received, replied=False, merged=True)
    for code, grade in zip(await codes(places, staff, round_id, 3), ["satisfied", "basic", "unsatisfied"]):
        await services.rate_online(pa, code, grade)
    got = await rates.project_rates([pa, pb], places["district"])
    a, b = got[pa], got[pb]
    assert (a.suggestions, a.figures.answer_due, a.figures.answered_on_time, a.figures.resolved) == (4, 3, 2, 2)
    assert (a.response, a.resolution) == (2 / 3, 0.5)
    assert (a.satisfaction, a.ratings) == (2 / 3, 3)
    # Project B answers no suggestion: no rate, no division by zero; no rating either.
    assert (b.suggestions, b.response, b.resolution, b.satisfaction, b.ratings) == (0, None, None, None, 0)

    (row,) = await rates.round_rates(places["district"])
    assert (row["id"], row["projects"], row["rates"].suggestions) == (round_id, 2, 4)
    assert (row["rates"].response, row["rates"].resolution, row["rates"].satisfaction) == (2 / 3, 0.5, 2 / 3)
    assert (await rates.round_rates(places["district"], town_id=places["town"]))[0]["id"] == round_id


async def test_a_suggestion_answered_by_two_projects_of_a_round_counts_once():
    places, _staff, (pa, pb), round_id = await written_off()
    item_a = (await projects.get_project(pa))["item"]
    item_b = (await projects.get_project(pb))["item"]
    sid = await _linked(places, item_a, Status.listed, replied=True)
    await WishLink.insert(WishLink(suggestion=sid, wish_item=item_b, created_at=dates.now())).run()
    got = await rates.project_rates([pa, pb], places["district"])
    assert (got[pa].suggestions, got[pb].suggestions, got[pa].resolution) == (1, 1, 1.0)
    (row,) = await rates.round_rates(places["district"])
    assert (row["rates"].suggestions, row["rates"].response, row["rates"].resolution, row["rates"].satisfaction) == (
        1, 1.0, 1.0, None)


async def test_no_project_no_round():
    places = await f.make_places()
    assert await rates.project_rates([], places["district"]) == {}
    assert await rates.round_rates(places["district"]) == []
