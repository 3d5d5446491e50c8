"""The closing rule for paper ballots through HTTP, as staff, collectors and residents see it; and
the results chart that names its own fonts."""
import re

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting, lifecycle, paper
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

STATE = "勾选已截止，纸质选票录入中"


async def _voting():
    places = await f.make_places(2)
    r = await f.make_round(places, items=3, max_ticks=2)
    codes = await f.open_round(r, codes_per_community=2)
    a = await f.make_user(Role.collector, places)
    b = await f.make_user(Role.collector, places)
    return places, r, codes, await f.item_ids(r.id), a, b


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_staff_end_a_paper_round_see_the_state_then_confirm_the_count(client):
    places, r, codes, items, a, b = await _voting()
    await paper.enter(codes[0], [items[0]], actor=a)
    staff = await f.make_user(Role.street_staff, places)
    token = await f.login(client, staff.username)
    page = await client.get(f"/rounds/{r.id}")
    assert "本批次用了纸质选票：结束后先把已交回的纸质选票录入完，再确认计票、公布结果。" in page.text

    response = await client.post(f"/rounds/{r.id}/close", data={"_csrf_token": token})
    assert response.status_code in (302, 303) and response.headers["location"] == f"/rounds/{r.id}"
    assert (await wishlists.get_round(r.id)).status is RoundStatus.voting
    html = (await client.get(f"/rounds/{r.id}")).text
    text = _text(html)
    assert STATE in text
    # The heading says the same as the ballots card: not "群众勾选中" any more.
    assert re.search(r'<span class="status s-voting">勾选已截止，纸质选票录入中</span>', html)
    assert "群众勾选进行中" not in text
    assert "还有 1 张等第二遍录入。" in text
    assert "还有 1 张纸质选票没有录完或等审核，处理完才能确认计票。" in text
    assert "纸质选票已全部录入，计票并公布结果" not in text
    assert f'action="/rounds/{r.id}/codes"' not in html  # nothing more goes out
    assert "（已截止；纸质选票录入完毕、确认后计票）" in text

    # Counting now is refused, in Chinese, and changes nothing; residents see why there is no result.
    refused = await client.post(f"/rounds/{r.id}/paper/count", data={"_csrf_token": token})
    assert refused.status_code == 409
    assert "还有 1 张纸质选票未完成两次录入或正等待审核，全部处理完才能计票。" in refused.text
    public = await client.get(f"/results/{r.id}")
    assert public.status_code == 409
    assert "勾选已截止，纸质选票正在录入。全部录入、计票后公布结果，请稍后再来。" in public.text
    ballot = await client.get(f"/v/{codes[1]}")
    assert "截止，感谢您的关注。" in ballot.text

    await paper.enter(codes[0], [items[0]], actor=b)
    text = _text((await client.get(f"/rounds/{r.id}")).text)
    assert "已录入的纸质选票都已处理完毕。" in text and "纸质选票已全部录入，计票并公布结果" in text
    paper_page = _text((await client.get(f"/rounds/{r.id}/paper")).text)
    assert STATE in paper_page and "只录入截止前交回的纸质选票" in paper_page
    assert "下载选票 PDF" not in paper_page and "纸质选票已全部录入，计票并公布结果" in paper_page

    response = await client.post(f"/rounds/{r.id}/paper/count", data={"_csrf_token": token})
    assert response.status_code in (302, 303)
    assert (await wishlists.get_round(r.id)).status is RoundStatus.counted
    assert (await client.get(f"/results/{r.id}")).status_code == 200


async def test_collector_cannot_confirm_the_count(client):
    _places, r, codes, items, a, _b = await _voting()
    await paper.enter(codes[0], [items[0]], actor=a)
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    token = await f.login(client, a.username)
    assert (await client.post(f"/rounds/{r.id}/paper/count", data={"_csrf_token": token})).status_code == 403
    assert (await wishlists.get_round(r.id)).status is RoundStatus.voting


async def test_confirm_count_without_csrf_403(client):
    places, r, _codes, _items, _a, _b = await _voting()
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)  # no paper: counted
    staff = await f.make_user(Role.street_staff, places)
    await f.login(client, staff.username)
    assert (await client.post(f"/rounds/{r.id}/paper/count", data={})).status_code == 403


async def test_results_list_each_item_full_name_count_and_cost_in_order(client):
    """The chart is an HTML list (ballots/_bars.html): it reflows on a phone, where the old SVG
    shrank its labels to about 10 px and cut long names."""
    _places, r, codes, items, _a, _b = await _voting()
    await casting.cast_ballot(codes[0], [items[1]])
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    page = await client.get(f"/results/{r.id}")
    rows = re.findall(r'<li data-item="(\d+)">\s*<span class="label"><span class="rank">(\d+)</span>([^<]+)</span>.*?'
                      r'<span class="n">(\d+)<small>票</small></span>\s*'
                      r'<span class="cost">预计费用 ([\d,.]+) 元</span>',
                      f.unmarked(page.text), re.S)
    assert rows[0] == (str(items[1]), "1", "项目2", "1", "20,000.00")
    assert [row[1] for row in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert "results-chart" not in page.text and 'style="' not in page.text.split("<main")[1]


async def test_round_page_names_the_ballots_held_for_a_supervisor(client):
    places, r, codes, items, a, b = await _voting()
    await paper.enter(codes[0], [items[0]], actor=a)
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    await paper.enter(codes[0], [items[1]], actor=b)  # differs: held
    staff = await f.make_user(Role.street_staff, places)
    await f.login(client, staff.username)
    text = _text((await client.get(f"/rounds/{r.id}")).text)
    assert "还有 1 张两遍录入不一致，等审核人处理。" in text
    paper_page = _text((await client.get(f"/rounds/{r.id}/paper")).text)
    assert "纸质选票 勾选已截止" in paper_page and "两遍录入不一致，待审核（1）" in paper_page
