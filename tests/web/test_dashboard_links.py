"""Every count on the district and street dashboards links to the list behind it, and that list
shows the same count; the three rates per project (its page) and per round (the dashboard)."""
import html
import re
from datetime import timedelta

from yishi.accounts.enums import Role
from yishi.core import dates
from yishi.evaluation import services
from yishi.projects import services as projects
from yishi.suggestions.enums import Status
from yishi.suggestions.tables import Suggestion
from yishi.wishlists.tables import WishLink
from tests import factories as f
from tests.evaluation.setup import codes, written_off

CELL = re.compile(r'<td class="num"><a href="([^"]+)">(\d+)</a></td>')


def _linked_counts(page: str) -> list[tuple[str, int]]:
    return [(html.unescape(href), int(n)) for href, n in CELL.findall(page)]


def _count_on(path: str, page: str) -> int:
    """How many items the list page shows."""
    if path.startswith("/suggestions/"):
        return int(re.search(r"共 (\d+) 条", page).group(1))
    if path.startswith("/projects/"):
        body = page.split('id="projects"')[1] if 'id="projects"' in page else ""
        return len(set(re.findall(r'<a href="/projects/(\d+)">', body)))
    if path.startswith("/evaluation/ledger"):
        return int(re.search(r'id="ledger-total">共 (\d+) 条', page).group(1))
    if path.startswith("/rounds/"):
        return len(set(re.findall(r'<a href="/rounds/(\d+)">', page)))
    raise AssertionError(path)


async def _world():
    places, staff, (pa, pb), round_id = await written_off()
    today = dates.today()
    item_a = (await projects.get_project(pa))["item"]
    # Three suggestions this month: one answered and listed for project A, two open, one of them
    # past its due date (overdue).
    for n in range(3):
        receipt = await f.make_suggestion(places, received_on=today.replace(day=1))
        values = {}
        if n == 0:
            values = {Suggestion.status: Status.listed, Suggestion.replied_at: dates.now(),
                      Suggestion.closed_at: dates.now()}
            await WishLink.insert(WishLink(suggestion=receipt.id, wish_item=item_a, created_at=dates.now())).run()
        if n == 2:
            values = {Suggestion.due_on: today - timedelta(days=1)}
        if values:
            await Suggestion.update(values).where(Suggestion.id == receipt.id).run()
    for code, grade in zip(await codes(places, staff, round_id, 2), ["satisfied", "unsatisfied"]):
        await services.rate_online(pa, code, grade, "路灯还是不够亮" if grade == "unsatisfied" else "")
    return places, staff, pa, pb, round_id


async def _follow(client, page: str) -> set[str]:
    links = _linked_counts(page)
    kinds = set()
    for href, n in links:
        kind = href.split("?")[0]
        if kind not in ("/suggestions/", "/projects/", "/rounds/", "/evaluation/ledger"):
            continue
        got = await client.get(href)
        assert got.status_code == 200, href
        assert _count_on(href, got.text) == n, (href, n)
        kinds.add(kind + ("overdue" if "overdue=1" in href else "") + ("colour" if "colour=" in href else ""))
    return kinds


async def test_district_dashboard_figures_lead_to_lists_with_the_same_count(client):
    places, staff, pa, pb, round_id = await _world()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await f.login(client, reviewer.username)
    page = (await client.get(f"/dashboard/{places['district']}")).text
    links = dict(_linked_counts(page))
    assert links[f"/projects/?town={places['town']}"] == 2 and links["/projects/"] == 2
    first = dates.today().replace(day=1).isoformat()
    assert any(h.startswith(f"/suggestions/?date_from={first}") and "town=" not in h and n == 3
               for h, n in links.items())
    assert await _follow(client, page) >= {"/suggestions/", "/suggestions/overdue", "/projects/", "/projects/colour",
                                           "/rounds/", "/evaluation/ledger"}
    assert links[f"/evaluation/ledger?town={places['town']}"] == 1
    # The per-round table: its three rates, each defined beside it.
    assert f'<a href="/rounds/{round_id}">' in page and "各批次三率" in page
    assert "批次的响应率、解决率只计该批次项目回应的诉求" in page
    row = page.split(f'<a href="/rounds/{round_id}">')[1].split("</tr>")[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', row) [1:] == ["2", "1", "100%", "100%", "50%", "2"]


async def test_street_dashboard_figures_lead_to_the_streets_lists(client):
    places, staff, *_ = await _world()
    await f.login(client, staff.username)
    page = (await client.get(f"/dashboard/street/{places['town']}")).text
    assert all(f"town={places['town']}" in h for h, _n in _linked_counts(page)
               if h.startswith(("/suggestions/", "/projects/?", "/rounds/?")))
    assert await _follow(client, page) >= {"/suggestions/", "/suggestions/overdue", "/projects/", "/rounds/",
                                           "/evaluation/ledger"}


async def test_project_page_shows_its_three_rates_or_says_there_is_no_suggestion(client):
    places, staff, pa, pb, _round_id = await _world()
    await f.login(client, staff.username)
    a = (await client.get(f"/evaluation/projects/{pa}")).text
    assert 'id="rate-response">100%<' in a and 'id="rate-resolution">100%<' in a
    assert 'id="rate-satisfaction">50%<' in a and "本项目回应的居民诉求 1 件" in a
    assert "响应率 = 按期答复的诉求" in a and "满意率 =（满意 + 基本满意）÷ 全部评价" in a
    b = (await client.get(f"/evaluation/projects/{pb}")).text
    assert 'id="no-suggestions"' in b and 'id="rate-response">—<' in b and 'id="rate-resolution">—<' in b
