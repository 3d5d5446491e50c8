"""The three rates per project and per round: 响应率 and 解决率 of the suggestions the project's
wish-list item answers, beside its 满意率; a project with no linked suggestion has no rate."""
from datetime import date, timedelta

from tests import factories as f
from tests.evaluation.setup import codes, written_off
from yishi.core import dates
from yishi.evaluation import rates, services
from yishi.evaluation.tables import Rating
from yishi.projects import services as projects
from yishi.suggestions.enums import SuggestionStatus
from yishi.suggestions.tables import Suggestion
from yishi.wishlists.tables import WishLink


async def _linked(places, item_id: int, status: SuggestionStatus, *, replied: bool, old: bool = False,
                  merged: bool = False) -> int:
    """A suggestion linked to the item; `old`: received long ago, its answer past due."""
    received = dates.today() - timedelta(days=90) if old else dates.today()
    receipt = await f.make_suggestion(places, received_on=received)
    values = {Suggestion.status: SuggestionStatus.merged if merged else status}
    if old:  # (a resident's QR submission is dated the day it arrives: moved back here)
        values[Suggestion.received_on] = received
        values[Suggestion.due_on] = received + timedelta(days=10)
    if replied:
        values[Suggestion.replied_at] = dates.now()
    if status in (SuggestionStatus.closed, SuggestionStatus.listed):
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
    await _linked(places, item_a, SuggestionStatus.listed, replied=True)
    await _linked(places, item_a, SuggestionStatus.closed, replied=True)
    await _linked(places, item_a, SuggestionStatus.received, replied=False, old=True)
    await _linked(places, item_a, SuggestionStatus.received, replied=False)
    await _linked(places, item_a, SuggestionStatus.received, replied=False, merged=True)
    for code, grade in zip(await codes(places, staff, round_id, 3), ["satisfied", "basic", "unsatisfied"], strict=True):
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
    places, _staff, (pa, pb), _round_id = await written_off()
    item_a = (await projects.get_project(pa))["item"]
    item_b = (await projects.get_project(pb))["item"]
    sid = await _linked(places, item_a, SuggestionStatus.listed, replied=True)
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


# --- per month ------------------------------------------------------------------------------------

def test_active_months_newest_first_each_once():
    assert rates.active_months([], []) == []
    assert rates.active_months(["2026-11"], []) == ["2026-11"]
    assert rates.active_months(["2026-11", "2026-11"], [date(2026, 11, 30), date(2026, 12, 1), None]) == [
        "2026-12", "2026-11"]
    assert rates.active_months(["2025-12"], [date(2026, 1, 1)]) == ["2026-01", "2025-12"]  # across the year


async def test_project_and_round_rates_in_one_month():
    places, staff, (pa, pb), round_id = await written_off()
    item_a = (await projects.get_project(pa))["item"]
    # This month: one suggestion answered on time, two ratings (满意, 不满意). 90 days ago: one
    # suggestion never answered, and one rating (基本满意) moved to that month.
    await _linked(places, item_a, SuggestionStatus.listed, replied=True)
    await _linked(places, item_a, SuggestionStatus.received, replied=False, old=True)
    for code, grade in zip(await codes(places, staff, round_id, 3), ["satisfied", "unsatisfied", "basic"], strict=True):
        await services.rate_online(pa, code, grade)
    old_month = services.month_of(dates.today() - timedelta(days=90))
    this_month = services.month_of(dates.today())
    await Rating.update({Rating.month: old_month}).where(Rating.grade == "basic").run()
    whole = (await rates.project_rates([pa], places["district"]))[pa]
    now = (await rates.project_rates([pa], places["district"], this_month))[pa]
    then = (await rates.project_rates([pa], places["district"], old_month))[pa]
    assert (whole.suggestions, whole.response, whole.resolution, whole.satisfaction, whole.ratings) == (
        2, 0.5, 0.5, 2 / 3, 3)
    assert (now.suggestions, now.response, now.resolution, now.satisfaction, now.ratings) == (1, 1.0, 1.0, 0.5, 2)
    assert (then.suggestions, then.response, then.resolution, then.satisfaction, then.ratings) == (1, 0.0, 0.0, 1.0, 1)
    # A month with nothing: no rate at all (not 0%).
    empty = (await rates.project_rates([pa], places["district"], "2001-01"))[pa]
    assert (empty.suggestions, empty.response, empty.resolution, empty.satisfaction, empty.ratings) == (
        0, None, None, None, 0)
    assert await rates.project_months(pa) == [this_month, old_month]
    assert await rates.project_months(pb) == []
    (row,) = await rates.round_rates(places["district"], month=this_month)
    assert (row["rates"].suggestions, row["rates"].satisfaction, row["rates"].ratings) == (1, 0.5, 2)
    # Reopened: the project keeps its ratings and its months.
    await projects.reopen(pa, "返工", actor=staff)
    assert (await rates.project_rates([pa], places["district"], this_month))[pa].ratings == 2


async def test_project_page_month_choice(client):
    places, staff, (pa, _pb), round_id = await written_off()
    item_a = (await projects.get_project(pa))["item"]
    await _linked(places, item_a, SuggestionStatus.listed, replied=True)
    (code,) = await codes(places, staff, round_id, 1)
    await services.rate_online(pa, code, "satisfied")
    await f.login(client, staff.username)
    this_month = services.month_of(dates.today())
    page = (await client.get(f"/evaluation/projects/{pa}?month={this_month}")).text
    assert f'id="rates-period">{this_month}<' in page and 'id="rate-satisfaction">100%<' in page
    assert "只计本月收到的诉求和本月的居民评价" in page and "满意率 =（满意 + 基本满意）÷ 全部评价" in page
    assert f'href="/evaluation/projects/{pa}?month={this_month}#rates">{this_month}</a>' in page  # 逐月三率
    empty = (await client.get(f"/evaluation/projects/{pa}?month=2001-01")).text
    assert 'id="rate-satisfaction">—<' in empty and 'id="rate-response">—<' in empty and 'id="no-suggestions"' in empty
    whole = (await client.get(f"/evaluation/projects/{pa}")).text
    assert 'id="rates-period">整个项目<' in whole
    bad = await client.get(f"/evaluation/projects/{pa}?month=2026-13")
    assert bad.status_code == 400 and "月份格式应为 2026-11。" in bad.text
