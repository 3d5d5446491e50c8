"""The ticking through HTTP: the resident's ballot page, and the staff's codes and tally."""
import re

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.ballots import casting, lifecycle
from yishi.ballots import codes as code_utils
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode, BallotCodeBatch
from yishi.core import audit, dates
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

USED = "这个选票码已经使用过了。每个选票码只能投一次。"
FORBIDDEN = "您没有权限查看或操作此页面。"


async def _voting(items: int = 3, max_ticks: int = 2, codes_per_community: int = 2):
    places = await f.make_places()
    r = await f.make_round(places, items=items, max_ticks=max_ticks)
    codes = await f.open_round(r, codes_per_community=codes_per_community)
    return places, r, codes, await f.item_ids(r.id)


async def _token(client) -> str:
    # A used code's or a closed round's page has no form; any page's token will do.
    return f.csrf_from((await client.get("/login")).text)


async def _cast(client, code: str, items: list):
    return await client.post(f"/v/{code}", data={"_csrf_token": await _token(client),
                                                  "item": [str(i) for i in items]})


def _checked(page: str) -> list[int]:
    return [int(v) for v in re.findall(r'name="item" value="(\d+)" checked', page)]


async def _nothing_cast(code: str) -> None:
    assert await Ballot.count() == 0
    assert await BallotChoice.count() == 0
    assert (await casting.lookup_code(code)).used is False


# --- the resident's side -----------------------------------------------------------------

async def test_vote_entry_redirects_typed_code_to_ballot(client):
    response = await client.get("/vote", params={"code": "acde-fghj "})
    assert response.status_code == 302
    assert response.headers["location"] == "/v/ACDEFGHJ"


async def test_ballot_page_lists_items_without_login(client):
    _places, _r, codes, _items = await _voting()
    page = await client.get(f"/v/{codes[0]}")
    assert page.status_code == 200
    assert [t for t in ("项目1", "项目2", "项目3") if t in page.text] == ["项目1", "项目2", "项目3"]
    assert code_utils.display(codes[0]) in page.text
    assert "请勾选您最希望办的事，最多 2 项" in page.text


async def test_cast_through_form_shows_receipt(client):
    _places, r, codes, items = await _voting()
    page = await client.get(f"/v/{codes[0]}")
    response = await client.post(f"/v/{codes[0]}", data={"_csrf_token": f.csrf_from(page.text),
                                                          "item": [str(i) for i in items[:2]]})
    assert response.status_code == 200
    assert "提交成功，谢谢您！" in response.text
    (ballot,) = await Ballot.select(Ballot.receipt).run()
    assert code_utils.display(ballot["receipt"]) in response.text
    assert codes[0] not in response.text
    assert (await casting.tally(r.id)).approvals == {items[0]: 1, items[1]: 1}


async def test_cast_unknown_code_404_in_chinese(client):
    _places, _r, codes, items = await _voting()
    unknown = next(c for c in ("ACDEFGHJ", "ACDEFGHK") if c not in codes)
    response = await _cast(client, unknown, [items[0]])
    assert response.status_code == 404
    assert "没有找到这个选票码，请核对后重新输入。" in response.text
    assert await Ballot.count() == 0


async def test_ballot_page_malformed_code_404_in_chinese(client):
    response = await client.get("/v/ABC")
    assert response.status_code == 404
    assert "选票码应为 8 位字母和数字，请核对后重新输入。" in response.text


async def test_cast_used_code_409_in_chinese(client):
    _places, _r, codes, items = await _voting()
    assert (await _cast(client, codes[0], [items[0]])).status_code == 200
    response = await _cast(client, codes[0], [items[1]])
    assert response.status_code == 409
    assert USED in response.text
    assert await Ballot.count() == 1
    assert [c["item"] for c in await BallotChoice.select(BallotChoice.item).run()] == [items[0]]


async def test_ballot_page_used_code_has_no_form(client):
    _places, _r, codes, items = await _voting()
    await casting.cast_ballot(codes[0], [items[0]])
    page = await client.get(f"/v/{codes[0]}")
    assert page.status_code == 200
    assert USED in page.text
    assert 'id="ballot"' not in page.text


async def test_cast_draft_round_409(client):
    places = await f.make_places()
    r = await f.make_round(places, items=2)
    (code,) = await casting.issue_codes(r, places["communities"][0], 1, actor=None)
    response = await _cast(client, code, await f.item_ids(r.id))
    assert response.status_code == 409
    assert "本批次清单尚未开放勾选，请稍后再来。" in response.text
    await _nothing_cast(code)


async def test_cast_closed_round_409(client):
    _places, r, codes, items = await _voting()
    page = await client.get(f"/v/{codes[0]}")  # the page was open before the close
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    response = await client.post(f"/v/{codes[0]}", data={"_csrf_token": f.csrf_from(page.text),
                                                          "item": [str(items[0])]})
    assert response.status_code == 409
    assert "本批次的群众勾选已经结束，感谢您的关注。" in response.text
    await _nothing_cast(codes[0])


async def test_cast_too_many_ticks_400_nothing_saved_ticks_kept(client):
    _places, _r, codes, items = await _voting(items=3, max_ticks=2)
    response = await _cast(client, codes[0], items)
    assert response.status_code == 400
    assert "最多只能勾选 2 项，您勾选了 3 项。请取消一些后再提交。" in response.text
    assert _checked(response.text) == items
    await _nothing_cast(codes[0])
    assert await BallotCode.select(BallotCode.used_at, BallotCode.channel).where(
        BallotCode.code == codes[0]).first() == {"used_at": None, "channel": None}


async def test_cast_item_of_another_round_400_nothing_saved(client):
    places, _r, codes, items = await _voting()
    other = await f.make_round(places, items=1, title="另一批次")
    (foreign,) = await f.item_ids(other.id)
    response = await _cast(client, codes[0], [items[0], foreign])
    assert response.status_code == 400
    assert "提交的项目不在本次清单上，请刷新页面后重新勾选。" in response.text
    await _nothing_cast(codes[0])


async def test_cast_empty_ballot_400_nothing_saved(client):
    _places, _r, codes, _items = await _voting()
    response = await _cast(client, codes[0], [])
    assert response.status_code == 400
    assert "请至少勾选一项。" in response.text
    await _nothing_cast(codes[0])


async def test_cast_junk_item_value_400_nothing_saved(client):
    _places, _r, codes, items = await _voting()
    page = await client.get(f"/v/{codes[0]}")
    response = await client.post(f"/v/{codes[0]}", data={"_csrf_token": f.csrf_from(page.text),
                                                          "item": [str(items[0]), "1 OR 1=1"]})
    assert response.status_code == 400
    assert "提交的内容格式不对，请刷新页面后重新提交。" in response.text
    await _nothing_cast(codes[0])


async def test_cast_without_csrf_token_403(client):
    _places, _r, codes, items = await _voting()
    await client.get(f"/v/{codes[0]}")
    response = await client.post(f"/v/{codes[0]}", data={"item": [str(items[0])]})
    assert response.status_code == 403
    assert "页面已过期或来源不明，请返回上一页、刷新后再提交。" in response.text
    await _nothing_cast(codes[0])


# --- the staff's side --------------------------------------------------------------------

async def _staff(client, role: Role = Role.convener, items: int = 2):
    places = await f.make_places()
    user = await f.make_user(role, places)
    token = await f.login(client, user.username)
    r = await f.make_round(places, items=items)
    return places, token, r


async def test_issue_codes_route_shows_fresh_codes(client):
    places, token, r = await _staff(client, Role.street_staff)
    response = await client.post(f"/rounds/{r.id}/codes", data={
        "_csrf_token": token, "community": str(places["communities"][1]), "count": "3"})
    assert response.status_code == 200
    issued = [row["code"] for row in await BallotCode.select(BallotCode.code).where(
        BallotCode.community == places["communities"][1]).order_by(BallotCode.code).run()]
    assert len(issued) == 3
    assert [code_utils.display(c) in response.text for c in issued] == [True, True, True]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"count": "0"}, "每次可生成 1 到 5000 个选票码。"),
        ({"count": "5001"}, "每次可生成 1 到 5000 个选票码。"),
        ({"count": "十"}, "选票码数量应为整数。"),
        ({"count": ""}, "请填写选票码数量。"),
        ({"count": "3", "community": ""}, "请填写社区。"),
    ],
)
async def test_issue_codes_route_invalid_400(client, form, message):
    places, token, r = await _staff(client)
    data = {"_csrf_token": token, "community": str(places["communities"][0]), **form}
    response = await client.post(f"/rounds/{r.id}/codes", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert await BallotCode.count() == 0


async def test_issue_codes_route_community_of_another_town_400(client):
    _places, token, r = await _staff(client)
    other = await f.make_places()
    response = await client.post(f"/rounds/{r.id}/codes", data={
        "_csrf_token": token, "community": str(other["communities"][0]), "count": "3"})
    assert response.status_code == 400
    assert "所选社区不属于本镇（街道）。" in response.text
    assert await BallotCode.count() == 0


async def test_list_codes_shows_unused_only(client):
    _places, _staff_token, r = await _staff(client)
    codes = await f.open_round(r, codes_per_community=2)
    await casting.cast_ballot(codes[0], [(await f.item_ids(r.id))[0]])
    page = await client.get(f"/rounds/{r.id}/codes")
    assert page.status_code == 200
    assert [code_utils.display(c) in page.text for c in codes] == [False, True, True, True]


async def test_list_codes_filtered_by_community_and_exported(client):
    # Found in the walk (issue 13): 192 codes on one page with no filter.
    places, _staff_token, r = await _staff(client)
    codes = await f.open_round(r, codes_per_community=2)  # two in each of the two communities, in order
    first, second = places["communities"]
    page = await client.get(f"/rounds/{r.id}/codes", params={"community": str(second)})
    assert [code_utils.display(c) in page.text for c in codes] == [False, False, True, True]
    assert f'href="/rounds/{r.id}/codes.csv?community={second}"' in page.text
    csv = await client.get(f"/rounds/{r.id}/codes.csv", params={"community": str(first)})
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "社区,发放记录,选票码,网址"
    assert [line.split(",")[:3] for line in lines[1:]] == [["第1社区", "第 1 次发放", code_utils.display(c)]
                                                           for c in codes[:2]]
    assert (await client.get(f"/rounds/{r.id}/codes", params={"community": "999999"})).status_code == 404
    assert len((await client.get(f"/rounds/{r.id}/codes.csv")).content.decode("utf-8-sig").splitlines()) == 5


async def test_list_codes_filtered_by_issuing_batch_printed_and_exported(client):
    # Found in the walk (issue 13): filter by community and by issuing batch, print or export the set.
    places, _staff_token, r = await _staff(client, Role.street_staff)
    first, second = places["communities"]
    other_staff = await f.make_user(Role.convener, places)
    await User.update({User.display_name: "李召集"}).where(User.id == other_staff.id)
    other_staff.display_name = "李召集"
    staff = await User.objects().where(User.role == Role.street_staff.value).first()
    before = await casting.issue_codes(r, first, 2, actor=staff)
    await BallotCode.update({BallotCode.batch: None}).where(BallotCode.code.is_in(before))  # issued before batches
    one = await casting.issue_code_batch(r, first, 3, actor=staff)
    two = await casting.issue_code_batch(r, first, 2, actor=other_staff)
    three = await casting.issue_code_batch(r, second, 1, actor=staff)
    await BallotCode.update({BallotCode.used_at: dates.now()}).where(BallotCode.code == one.codes[0])  # spent

    page = await client.get(f"/rounds/{r.id}/codes", params={"batch": str(two.id)})
    assert page.status_code == 200
    shown = [c for c in before + one.codes + two.codes + three.codes if code_utils.display(c) in page.text]
    assert shown == two.codes
    # The community and who issued them are names, marked for the English page's translators.
    assert '第 3 次发放：<span translate="no">第1社区</span>' in page.text and "李召集" in page.text
    assert "打印这 2 个选票码" in page.text
    assert f'href="/rounds/{r.id}/codes.csv?batch={two.id}"' in page.text

    page = await client.get(f"/rounds/{r.id}/codes", params={"batch": str(one.id), "community": str(first)})
    shown = [c for c in before + one.codes + two.codes + three.codes if code_utils.display(c) in page.text]
    assert shown == one.codes[1:]
    assert f'href="/rounds/{r.id}/codes.csv?community={first}&amp;batch={one.id}"' in page.text
    # A batch of one community asked with the other: nothing, not the other's codes.
    page = await client.get(f"/rounds/{r.id}/codes", params={"batch": str(one.id), "community": str(second)})
    assert "没有未使用的选票码" in page.text

    csv = await client.get(f"/rounds/{r.id}/codes.csv", params={"batch": str(one.id), "community": str(first)})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[:3] for line in lines[1:]] == [["第1社区", "第 2 次发放", code_utils.display(c)]
                                                           for c in one.codes[1:]]
    disposition = csv.headers["content-disposition"]
    assert "-第2次发放.csv" in disposition or "%E7%AC%AC2%E6%AC%A1" in disposition
    everything = (await client.get(f"/rounds/{r.id}/codes.csv")).content.decode("utf-8-sig").splitlines()
    assert len(everything) == 1 + 2 + 2 + 2 + 1
    assert sum(1 for line in everything if line.split(",")[1] == "") == 2  # the codes from before batches

    other_round = await f.make_round(places, items=1)
    for bad in (str(await BallotCodeBatch.count() + 100), "abc", "-1"):
        response = await client.get(f"/rounds/{r.id}/codes", params={"batch": bad})
        assert response.status_code == 404
        assert "本批次没有这次发放的记录。" in response.text
    other_batch = await casting.issue_code_batch(other_round, first, 1, actor=staff)
    assert (await client.get(f"/rounds/{r.id}/codes.csv", params={"batch": str(other_batch.id)})).status_code == 404


async def test_issue_codes_records_the_batch_with_time_and_issuer(client):
    places, token, r = await _staff(client, Role.street_staff)
    response = await client.post(f"/rounds/{r.id}/codes", data={
        "_csrf_token": token, "community": str(places["communities"][1]), "count": "3"})
    (batch,) = await BallotCodeBatch.select().run()
    assert batch["size"] == 3 and batch["community"] == places["communities"][1]
    assert await BallotCode.count().where(BallotCode.batch == batch["id"]) == 3
    staff = await User.objects().get(User.id == batch["issued_by"])
    assert (f'第 1 次发放：<span translate="no">第2社区</span>，{dates.local_text(batch["issued_at"])}，'
            f'<span translate="no">{staff.display_name}</span>。') in response.text


async def test_open_and_close_through_routes(client):
    _places, token, r = await _staff(client)
    await f.adopt_list(r)
    assert (await client.post(f"/rounds/{r.id}/open", data={"_csrf_token": token})).headers["location"] == \
        f"/rounds/{r.id}"
    assert (await wishlists.get_round(r.id)).status is RoundStatus.voting
    assert (await client.post(f"/rounds/{r.id}/close", data={"_csrf_token": token})).status_code == 302
    assert (await wishlists.get_round(r.id)).status is RoundStatus.counted
    response = await client.post(f"/rounds/{r.id}/close", data={"_csrf_token": token})
    assert response.status_code == 409
    assert "该批次当前不在勾选中，无法结束勾选。" in response.text


async def test_tally_fragment_exact_counts(client):
    _places, _staff_token, r = await _staff(client, items=2)
    codes = await f.open_round(r, codes_per_community=2)
    items = await f.item_ids(r.id)
    await casting.cast_ballot(codes[0], items)
    await casting.cast_ballot(codes[2], [items[1]])
    response = await client.get(f"/rounds/{r.id}/tally", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert re.findall(r'id="ballots-count">(\d+)<', response.text) == ["2"]
    assert "50.0%" in response.text
    rows = re.findall(r'<tr><td>([^<]+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td>',
                      f.unmarked(response.text))
    assert rows == [("第1社区", "2", "1"), ("第2社区", "2", "1")]
    counts = re.findall(r'data-item="(\d+)">.*?<span class="n">(\d+)', response.text, re.S)
    assert {int(i): int(n) for i, n in counts} == {items[0]: 1, items[1]: 2}


async def test_tally_opened_directly_is_the_whole_round_page(client):
    # Found in the walk (issue 13): /rounds/N/tally typed or reloaded showed a bare fragment.
    _places, _staff_token, r = await _staff(client, items=2)
    await f.open_round(r, codes_per_community=2)
    response = await client.get(f"/rounds/{r.id}/tally")
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<!doctype html>")
    assert '<nav class="tabs"' in response.text and r.title in response.text
    assert response.text.count('id="ballots-count"') == 1


@pytest.mark.parametrize("role", [Role.member, Role.collector, Role.district_reviewer])
async def test_staff_actions_by_viewer_roles_403(client, role):
    places, token, r = await _staff(client, role)
    for path, form in [("/open", {}), ("/codes", {"community": str(places["communities"][0]), "count": "2"})]:
        response = await client.post(f"/rounds/{r.id}{path}", data={"_csrf_token": token, **form})
        assert response.status_code == 403
        assert FORBIDDEN in response.text
    assert (await client.get(f"/rounds/{r.id}/codes")).status_code == 403
    # They may watch the count.
    assert (await client.get(f"/rounds/{r.id}/tally")).status_code == 200
    assert (await wishlists.get_round(r.id)).status is RoundStatus.draft
    assert await BallotCode.count() == 0


PB_SMALL = """META
key;value
description;测试导入
country;China
unit;测试
instance;2026
num_projects;2
num_votes;3
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name
p1;60;2;路灯
p2;50;2;座椅
VOTES
voter_id;vote
v1;p1
v2;p1,p2
v3;p2
"""


async def test_import_pb_upload_makes_a_closed_round_with_its_ballots(client):
    from yishi.ballots.tables import Ballot
    from yishi.wishlists.tables import Round

    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    token = await f.login(client, staff.username)
    r = await client.post("/rounds/import-pb", data={"_csrf_token": token, "title": "导入测试"},
                          files={"file": ("small.pb", PB_SMALL.encode(), "text/plain")})
    assert r.status_code in (302, 303), r.text
    round_id = int(r.headers["location"].rsplit("/", 1)[1])
    row = await Round.select(Round.title, Round.status, Round.town).where(Round.id == round_id).first()
    assert row == {"title": "导入测试", "status": "counted", "town": places["town"]}
    assert await Ballot.count().where(Ballot.round == round_id) == 3
    page = await client.get(f"/rounds/{round_id}")
    assert "路灯" in page.text and "座椅" in page.text


async def test_import_pb_upload_bad_file_is_400_in_chinese_and_saves_nothing(client):
    from yishi.wishlists.tables import Round

    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    token = await f.login(client, staff.username)
    r = await client.post("/rounds/import-pb", data={"_csrf_token": token},
                          files={"file": ("bad.pb", "这不是 pb 文件".encode(), "text/plain")})
    assert r.status_code == 400
    assert "不是有效的 Pabulib（.pb）文件：第 1 行：文件应以 META 开头，这一行在 META 之前。" in r.text
    assert "content before" not in r.text  # the technical detail stays in the log
    assert await Round.count() == 0
    r = await client.post("/rounds/import-pb", data={"_csrf_token": token},
                          files={"file": ("latin1.pb", "caf\xe9".encode("latin-1"), "text/plain")})
    assert r.status_code == 400 and "UTF-8" in r.text


async def test_import_pb_upload_refused_for_a_council_member(client):
    places = await f.make_places()
    member = await f.make_user(Role.member, places)
    token = await f.login(client, member.username)
    r = await client.post("/rounds/import-pb", data={"_csrf_token": token},
                          files={"file": ("small.pb", PB_SMALL.encode(), "text/plain")})
    assert r.status_code == 403


async def test_home_links_published_results_of_closed_rounds_only(client):
    # Found in the walk (issue 13): the home page had no way to the results of closed rounds.
    places = await f.make_places()
    closed = await f.make_round(places, title="2026年首批次")
    codes = await f.open_round(closed, codes_per_community=1)
    await casting.cast_ballot(codes[0], (await f.item_ids(closed.id))[:1])
    await lifecycle.close_voting(await wishlists.get_round(closed.id), actor=None)
    await f.make_round(places, title="2026年第二批次")  # still being compiled: nothing to show
    page = await client.get("/")
    links = re.findall(r'<a href="/results/(\d+)">[^<]*· ([^<]+)</a>', f.unmarked(page.text))
    assert links == [(str(closed.id), "2026年首批次")]
    assert "1 张选票" in page.text
    page = await client.get(f"/results/{closed.id}")
    assert page.status_code == 200
    closing = await audit.head_of("ballot.round.closed", "round", closed.id)  # the head at publication
    assert f"审计日志链头：#{closing.entry_id} <code>{closing.hash}</code>" in page.text


# --- guessing codes ------------------------------------------------------------------------

async def test_ballot_pages_refuse_a_client_after_thirty_unknown_codes(client):
    from yishi.web.resident import vote

    _places, _r, codes, items = await _voting()
    wrong = [c for c in (code_utils.new_code() for _ in range(200)) if c not in codes][:vote.WRONG_CODE_LIMIT]
    for n, code in enumerate(wrong):
        # Typos that cannot be guesses (too short) and a used code never count.
        assert (await client.get("/v/ABC")).status_code == 404
        if n == 0:
            assert (await _cast(client, codes[1], [items[0]])).status_code == 200
            assert (await _cast(client, codes[1], [items[0]])).status_code == 409
        response = await (_cast(client, code, [items[0]]) if n % 2 else client.get(f"/v/{code}"))
        assert response.status_code == 404, (n, response.status_code)
    # The 31st try is refused before the code is looked at: a real, unused code is not served...
    refused = await client.get(f"/v/{codes[0]}")
    assert refused.status_code == 429
    assert "输错的选票码太多，请 10 分钟后再试。" in refused.text
    # ...and cannot be spent.
    assert (await _cast(client, codes[0], [items[0]])).status_code == 429
    assert (await casting.lookup_code(codes[0])).used is False
    assert await Ballot.count() == 1
