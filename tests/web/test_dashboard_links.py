"""Every count on the district and street dashboards links to the list behind it, and that list
shows the same count; the three rates per project (its page) and per round (the dashboard), over
a whole round or one month; bad filter values are refused in Chinese."""
import html
import re
from datetime import timedelta

from tests import factories as f
from tests.evaluation.setup import codes, written_off
from yishi.accounts.enums import Role
from yishi.ballots import casting
from yishi.core import dates
from yishi.evaluation import services
from yishi.projects import services as projects
from yishi.suggestions.enums import SuggestionStatus
from yishi.suggestions.tables import Suggestion
from yishi.wishlists.tables import WishLink

CELL = re.compile(r'<td class="num"><a href="([^"]+)">(\d+)</a></td>')
MONEY = re.compile(r'<td class="num"><a href="(/review/[^"]+)">([\d.]+)</a></td>')


def _linked_counts(page: str) -> list[tuple[str, int]]:
    return [(html.unescape(href), int(n)) for href, n in CELL.findall(page)]


def _count_on(href: str, page: str) -> int:
    """How many items the list page shows (for the turnout page: the total the link's anchor names)."""
    path, _sep, anchor = href.partition("#")
    if path.startswith("/suggestions/"):
        return int(re.search(r"共 (\d+) 条", page).group(1))
    if path.startswith("/projects/"):
        body = page.split('id="projects"')[1] if 'id="projects"' in page else ""
        return len(set(re.findall(r'<a href="/projects/(\d+)">', body)))
    if path.startswith("/evaluation/ledger"):
        return int(re.search(r'id="ledger-total">共 (\d+) 条', page).group(1))
    if path.startswith("/rounds/"):
        return len(set(re.findall(r'<a href="/rounds/(\d+)">', page)))
    if "/ratings" in path:
        return int(re.search(r'id="ratings-total">共 (\d+) 条', page).group(1))
    if "/turnout" in path:
        return int(re.search(rf'id="{anchor}">[^<\d]*(\d+)', page).group(1))
    if path.startswith("/review/"):  # 缺报周报
        return int(re.search(r"<dt>缺报周报</dt><dd>(\d+)</dd>", page).group(1))
    raise AssertionError(href)


def _kind(href: str) -> str:
    path, _sep, anchor = href.partition("#")
    base = re.sub(r"/dashboard/(street/)?\d+", "/dashboard", path.split("?")[0])
    base = re.sub(r"/review/(town|district)/\d+", "/review/", base)
    extra = [m for m in ("overdue=1", "progress=answered", "progress=finished", "colour=", "round=",
                         "channel=residents", "channel=telephone", "grade=", "community=") if m in path]
    return " ".join(filter(None, [base, *extra, anchor]))


async def _world():
    places, staff, (pa, pb), round_id = await written_off()
    today = dates.today()
    item_a = (await projects.get_project(pa))["item"]
    # Three suggestions this month: one answered, finished and listed for project A, two open,
    # one of them past its due date (overdue).
    for n in range(3):
        receipt = await f.make_suggestion(places, received_on=today.replace(day=1))
        values = {}
        if n == 0:
            values = {Suggestion.status: SuggestionStatus.listed, Suggestion.replied_at: dates.now(),
                      Suggestion.closed_at: dates.now()}
            await WishLink.insert(WishLink(suggestion=receipt.id, wish_item=item_a, created_at=dates.now())).run()
        if n == 2:
            values = {Suggestion.due_on: today - timedelta(days=1)}
        if values:
            await Suggestion.update(values).where(Suggestion.id == receipt.id).run()
    for code, grade in zip(await codes(places, staff, round_id, 2), ["satisfied", "unsatisfied"], strict=True):
        await services.rate_online(pa, code, grade, "路灯还是不够亮" if grade == "unsatisfied" else "")
    await services.record_call(pa, "basic", "", community_id=places["communities"][0], actor=staff)
    # A second round, ticking: 2 codes a community issued, 2 ballots cast.
    ticking = await f.make_round(places, items=2, title="第二批次")
    ballot_codes = await f.open_round(ticking, codes_per_community=2)
    items = await f.item_ids(ticking.id)
    for code in ballot_codes[:2]:
        await casting.cast_ballot(code, items[:1])
    return places, staff, pa, pb, round_id


async def _follow(client, page: str) -> set[str]:
    """Open every linked count; each list shows the count. The kinds of list followed."""
    kinds = set()
    for href, n in _linked_counts(page):
        got = await client.get(href)
        assert got.status_code == 200, href
        assert _count_on(href, got.text) == n, (href, n)
        kinds.add(_kind(href))
    return kinds


EVERY_KIND = {
    "/suggestions/", "/suggestions/ overdue=1", "/suggestions/ progress=answered", "/suggestions/ progress=finished",
    "/rounds/", "/dashboard/turnout codes-total", "/dashboard/turnout ballots-total", "/projects/",
    "/projects/ colour=", "/review/", "/evaluation/ledger", "/dashboard/ratings channel=residents",
    "/dashboard/ratings channel=telephone", "/projects/ round=", "/suggestions/ round=",
    "/dashboard/ratings round= channel=residents",
}


async def test_district_dashboard_figures_lead_to_lists_with_the_same_count(client):
    places, _staff, _pa, _pb, round_id = await _world()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await f.login(client, reviewer.username)
    page = (await client.get(f"/dashboard/{places['district']}")).text
    links = dict(_linked_counts(page))
    town, district = places["town"], places["district"]
    assert links[f"/projects/?town={town}"] == 2 and links["/projects/"] == 2
    first, last = (dates.today().replace(day=1).isoformat(),
                   (dates.today().replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1))
    month = f"date_from={first}&date_to={last.isoformat()}"
    assert links[f"/suggestions/?{month}"] == 3
    assert links[f"/suggestions/?{month}&town={town}&progress=answered"] == 1
    assert links[f"/suggestions/?{month}&town={town}&progress=finished"] == 1
    assert links[f"/dashboard/{district}/turnout?town={town}#codes-total"] == 4
    assert links[f"/dashboard/{district}/turnout#ballots-total"] == 2
    assert links[f"/evaluation/ledger?town={town}"] == 1
    this_month = services.month_of(dates.today())
    assert links[f"/dashboard/{district}/ratings?town={town}&month={this_month}&channel=residents"] == 2
    assert links[f"/dashboard/{district}/ratings?town={town}&month={this_month}&channel=telephone"] == 1
    assert await _follow(client, page) >= EVERY_KIND
    # The money leads to the month's 月调度, which shows the same sums.
    row = page.split('id="money"')[1].split("</tr>", 2)[1]  # the street's row (after the header's)
    cost, spent, social = [v for h, v in MONEY.findall(row)][:3]
    assert html.unescape(MONEY.findall(row)[0][0]) == f"/review/town/{town}?month={this_month}"
    review = (await client.get(f"/review/town/{town}?month={this_month}")).text
    assert f"批复资金 {cost} 万元，已支出 {spent} 万元" in review and f"社会资金 {social} 万元" in review
    # The header's 居民评价 figure leads to the same list.
    assert f'href="/dashboard/{district}/ratings?month={this_month}&amp;channel=residents"' in page
    # The per-round table: its three rates, each defined beside it.
    assert f'<a href="/rounds/{round_id}">' in page and "各批次三率（整个批次）" in page
    assert "批次的响应率、解决率只计该批次项目回应的诉求" in page
    row = page.split(f'<a href="/rounds/{round_id}">')[1].split("</tr>")[0]
    assert [re.sub(r"<[^>]+>", "", c) for c in re.findall(r'<td class="num"[^>]*>(.*?)</td>', row)][1:] == [
        "2", "1", "100%", "100%", "50%", "2"]


async def test_street_dashboard_figures_lead_to_the_streets_lists(client):
    places, staff, *_ = await _world()
    await f.login(client, staff.username)
    town = places["town"]
    page = (await client.get(f"/dashboard/street/{town}")).text
    links = _linked_counts(page)
    assert all(f"town={town}" in h for h, _n in links
               if h.startswith(("/suggestions/?date", "/projects/?t", "/rounds/?")))
    assert not any(h.startswith(f"/dashboard/{places['district']}") for h, _n in links)
    kinds = await _follow(client, page)
    assert kinds >= EVERY_KIND | {"/dashboard/ratings channel=residents grade= community="}
    # Its communities' grades: 满意 1, 不满意 1 this month, in the first community.
    c = places["communities"][0]
    this_month = services.month_of(dates.today())
    assert dict(links)[f"/dashboard/street/{town}/ratings?month={this_month}&community={c}&grade=satisfied"
                       f"&channel=residents"] == 1


async def test_rounds_table_over_the_month_only(client):
    places, staff, _pa, _pb, round_id = await _world()
    await f.login(client, staff.username)
    town = places["town"]
    whole = (await client.get(f"/dashboard/street/{town}")).text
    assert f'href="/dashboard/street/{town}?month=' in whole and "&amp;rounds=month#rounds" in whole
    last_month = services.month_of(dates.today().replace(day=1) - timedelta(days=1))
    page = (await client.get(f"/dashboard/street/{town}?month={last_month}&rounds=month")).text
    assert f"各批次三率（{last_month}）" in page
    row = page.split(f'<a href="/rounds/{round_id}">')[1].split("</tr>")[0]
    # Nothing was received or rated last month: no suggestion, no rate, no rating.
    assert [re.sub(r"<[^>]+>", "", c) for c in re.findall(r'<td class="num"[^>]*>(.*?)</td>', row)][1:] == [
        "2", "0", "—", "—", "—", "0"]
    assert f"/dashboard/street/{town}/ratings?month={last_month}&round={round_id}&channel=residents" in dict(
        _linked_counts(page))


async def test_bad_filter_values_are_refused_in_chinese(client):
    places, _staff, *_ = await _world()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await f.login(client, reviewer.username)
    district = places["district"]
    other = await f.make_places()
    for url, message in [
        ("/suggestions/?progress=done", "办理进度只能是"),
        (f"/dashboard/{district}/ratings?grade=great", "评价结果只能是"),
        (f"/dashboard/{district}/ratings?channel=fax", "评价渠道只能是"),
        (f"/dashboard/{district}/ratings?month=2026-13", "月份格式应为"),
        (f"/dashboard/{district}/ratings?round=abc", "批次应为编号"),
        (f"/dashboard/{district}/turnout?town={other['town']}", "这个镇（街道）不属于本区"),
        (f"/dashboard/{district}?rounds=week", "批次三率的期间只能是"),
    ]:
        got = await client.get(url)
        assert 400 <= got.status_code < 500 and message in got.text, (url, got.status_code)


async def test_project_page_shows_its_three_rates_or_says_there_is_no_suggestion(client):
    _places, staff, pa, pb, _round_id = await _world()
    await f.login(client, staff.username)
    a = (await client.get(f"/evaluation/projects/{pa}")).text
    assert 'id="rate-response">100%<' in a and 'id="rate-resolution">100%<' in a
    assert 'id="rate-satisfaction">50%<' in a and "本项目回应的居民诉求 1 件" in a
    assert "响应率 = 按期答复的诉求" in a and "满意率 =（满意 + 基本满意）÷ 全部评价" in a
    b = (await client.get(f"/evaluation/projects/{pb}")).text
    assert 'id="no-suggestions"' in b and 'id="rate-response">—<' in b and 'id="rate-resolution">—<' in b
