"""The district desk: submit, return with comments, revise, resubmit, approve; versions compared."""
import pytest

from yishi.accounts.enums import Role
from yishi.core.errors import Conflict, DomainError
from yishi.meetings import desk, meeting, services
from yishi.meetings.enums import SubmissionStatus
from yishi.meetings.tables import MicroProject, ReviewComment, Submission
from yishi.wishlists import services as wishlists
from tests import factories as f
from tests.meetings import setup


async def decided():
    ctx = await setup.decide_meeting()
    await setup.vote_all(ctx, ctx["ids"][0])
    await setup.vote_all(ctx, ctx["ids"][1])
    await meeting.decide(ctx["meeting"], "同意实施项目1和项目2。", "", actor=ctx["convener"])
    ctx["round"] = await wishlists.get_round(ctx["round"].id)
    ctx["reviewer"] = await f.make_user(Role.district_reviewer, ctx["places"])
    return ctx


async def test_submit_undecided_list_refused_nothing_saved():
    places, convener, r, ids = await setup.counted_round()
    with pytest.raises(Conflict) as info:
        await desk.submit(r, "", actor=convener)
    assert info.value.message == "本批次尚未形成意愿清单，不能报送区级审核。"
    assert await Submission.count() == 0


async def test_submit_then_list_frozen_until_verdict():
    ctx = await decided()
    sid = await desk.submit(ctx["round"], "请审议。", actor=ctx["convener"])
    sub = await desk.get_submission(sid)
    assert (sub["version"], sub["status"]) == (1, SubmissionStatus.submitted)
    assert [i["id"] for i in sub["snapshot"]["items"]] == ctx["ids"][:2]
    with pytest.raises(Conflict) as info:
        await desk.submit(ctx["round"], "再报一次", actor=ctx["convener"])
    assert info.value.message == "意愿清单已报送区级审核，审核结束前不能修改。"
    with pytest.raises(Conflict):
        await desk.revise(ctx["round"], ctx["ids"][:1], "改", actor=ctx["convener"])
    assert await Submission.count() == 1


async def test_return_needs_a_comment():
    ctx = await decided()
    sid = await desk.submit(ctx["round"], "", actor=ctx["convener"])
    with pytest.raises(DomainError) as info:
        await desk.review(sid, approve=False, comment="", item_comments={}, actor=ctx["reviewer"])
    assert info.value.message == "退回时请填写总体意见，或至少对一个项目写明意见。"
    assert (await desk.get_submission(sid))["status"] is SubmissionStatus.submitted


async def test_full_cycle_return_revise_resubmit_approve():
    ctx = await decided()
    ids = ctx["ids"]
    v1 = await desk.submit(ctx["round"], "", actor=ctx["convener"])
    await desk.review(v1, approve=False, comment="请压缩费用。", item_comments={ids[1]: "项目2费用偏高"},
                      actor=ctx["reviewer"])
    assert (await desk.get_submission(v1))["status"] is SubmissionStatus.returned
    assert [c["text"] for c in await desk.comments_of(v1)] == ["项目2费用偏高"]
    with pytest.raises(DomainError):  # unchanged list, no note
        await desk.submit(ctx["round"], "", actor=ctx["convener"])
    await desk.revise(ctx["round"], ids[:1], "同意实施项目1。", actor=ctx["convener"])
    v2 = await desk.submit(ctx["round"], "已按意见删去项目2。", actor=ctx["convener"])
    versions = await desk.versions(ctx["round"].id)
    assert [(v["version"], v["status"]) for v in versions] == [(1, SubmissionStatus.returned),
                                                                (2, SubmissionStatus.submitted)]
    diff = desk.compare(versions[0]["snapshot"], versions[1]["snapshot"])
    assert [i["id"] for i in diff["removed"]] == [ids[1]]
    assert diff["added"] == [] and diff["resolution_changed"] is True
    assert (diff["total_before"], diff["total_after"]) == (30000_00, 10000_00)
    await desk.review(v2, approve=True, comment="同意。", item_comments={}, actor=ctx["reviewer"])
    projects = await desk.projects_of(ctx["round"].id)
    assert [(p["item"], p["cost_fen"], p["status"]) for p in projects] == [(ids[0], 10000_00, "approved")]
    with pytest.raises(Conflict):
        await desk.revise(ctx["round"], ids, "再改", actor=ctx["convener"])
    with pytest.raises(Conflict) as info:
        await desk.review(v2, approve=False, comment="再退", item_comments={}, actor=ctx["reviewer"])
    assert info.value.message == "这份报送已经审核过（已批准），不能重复审核。"
    assert await MicroProject.count() == 1


async def test_desk_lists_latest_version_per_round():
    ctx = await decided()
    v1 = await desk.submit(ctx["round"], "", actor=ctx["convener"])
    await desk.review(v1, approve=False, comment="补充材料", item_comments={}, actor=ctx["reviewer"])
    await desk.submit(ctx["round"], "已补充。", actor=ctx["convener"])
    rows = await desk.desk(ctx["places"]["district"])
    assert [(r["version"], r["status"]) for r in rows] == [(2, SubmissionStatus.submitted)]
    assert await desk.desk(ctx["places"]["district"], SubmissionStatus.returned) == []


async def test_item_comment_for_unlisted_item_refused():
    ctx = await decided()
    sid = await desk.submit(ctx["round"], "", actor=ctx["convener"])
    with pytest.raises(DomainError):
        await desk.review(sid, approve=False, comment="", item_comments={ctx["ids"][2]: "不在清单"},
                          actor=ctx["reviewer"])
    assert await ReviewComment.count() == 0


async def test_approval_carries_each_items_lead_unit_to_its_micro_project():
    from yishi.wishlists.tables import WishItem

    places, convener, r, ids = await setup.counted_round()
    # Set while compiling (wishlists.add_item); written here on the seeded items.
    await WishItem.update({WishItem.lead_unit: "大弯街道城管办"}).where(WishItem.id == ids[0])
    await setup.decide_through_meeting(r, ids[:2], "同意实施项目1和项目2。", actor=convener)
    round_ = await wishlists.get_round(r.id)
    reviewer = await f.make_user(Role.district_reviewer, places)
    v1 = await desk.submit(round_, "", actor=convener)
    assert [i["lead_unit"] for i in (await desk.get_submission(v1))["snapshot"]["items"]] == ["大弯街道城管办", ""]
    await desk.review(v1, approve=True, comment="同意。", item_comments={}, actor=reviewer)
    projects = await desk.projects_of(r.id)
    assert [(p["item"], p["lead_unit"]) for p in projects] == [(ids[0], "大弯街道城管办"), (ids[1], "")]


async def test_approval_of_a_snapshot_from_before_lead_units_still_works():
    places, convener, r, ids = await setup.counted_round()
    await setup.decide_through_meeting(r, ids[:1], "同意实施项目1。", actor=convener)
    v1 = await desk.submit(await wishlists.get_round(r.id), "", actor=convener)
    sub = await desk.get_submission(v1)
    old = {**sub["snapshot"], "items": [{k: v for k, v in i.items() if k != "lead_unit"} for i in sub["snapshot"]["items"]]}
    await Submission.update({Submission.snapshot: old}).where(Submission.id == v1)
    await desk.review(v1, approve=True, comment="同意。", item_comments={}, actor=await f.make_user(
        Role.district_reviewer, places))
    assert [p["lead_unit"] for p in await desk.projects_of(r.id)] == [""]
