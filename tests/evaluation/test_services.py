"""Ratings in three channels, one per code per project, secrecy, and the ledger."""
from datetime import date

import pytest

from tests import factories as f
from tests.evaluation.setup import codes, written_off
from yishi.accounts.enums import Role
from yishi.ballots.tables import BallotCode
from yishi.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from yishi.core.tables import AuditEntry
from yishi.evaluation import rules, services, settings
from yishi.evaluation.enums import CaseColour
from yishi.evaluation.tables import PaperRating, Rating, RatingUse, UnsatisfiedCase
from yishi.projects import services as projects
from yishi.projects import supervision


async def _grades(project_id: int) -> list[tuple[str, str, str]]:
    return [(r["grade"], r["channel"], r["comment"]) for r in await Rating.select().where(
        Rating.project == project_id).order_by(Rating.id).run()]


async def test_rate_online_once_then_refused_in_chinese():
    places, staff, (pid, other), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    await services.rate_online(pid, code.lower()[:4] + "-" + code[4:], "satisfied", "  座椅很方便  ")
    with pytest.raises(Conflict) as info:
        await services.rate_online(pid, code, "unsatisfied")
    assert info.value.message == "这个评价码已经评价过这个项目了，每个评价码对每个项目只能评价一次。谢谢您的参与！"
    await services.rate_online(other, code, "basic")  # the same code rates another project
    assert await _grades(pid) == [("satisfied", "online", "座椅很方便")]
    assert await _grades(other) == [("basic", "online", "")]


async def test_rating_row_holds_no_code_and_no_time():
    columns = {c._meta.name for c in Rating._meta.columns}
    assert columns == {"id", "project", "community", "grade", "comment", "channel", "month"}
    assert {c._meta.name for c in RatingUse._meta.columns} == {"id", "project", "slot"}


async def test_rate_online_audit_names_no_code_nor_grade():
    places, staff, (pid, _), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    await services.rate_online(pid, code, "unsatisfied", "灯不亮")
    entry = await AuditEntry.select().where(
        AuditEntry.action == "evaluation.rated").first().output(load_json=True).run()
    assert entry["data"] == {"channel": "online"}


async def test_unknown_code_and_wrong_round_refused():
    _places, _staff, (pid, _), _round_id = await written_off()
    with pytest.raises(InvalidInput) as info:
        await services.rate_online(pid, "ACDEFGHJ", "satisfied")
    assert (info.value.message, info.value.field) == ("没有找到这个评价码，请核对纸条上印的评价码。", "code")
    with pytest.raises(InvalidInput):
        await services.rate_online(pid, "ACD", "satisfied")
    places2, staff2, (_pid2, _), round2 = await written_off()
    (code2,) = await codes(places2, staff2, round2, 1)
    with pytest.raises(DomainError) as info:
        await services.rate_online(pid, code2, "satisfied")
    assert info.value.message == "这个评价码不是本项目所在批次的，请核对。"


async def test_unused_ballot_code_of_the_round_serves_a_used_one_does_not():
    places, _staff, (pid, _), round_id = await written_off()
    await BallotCode.insert(BallotCode(round=round_id, community=places["communities"][0], code="KMNPQRTU"),
                            BallotCode(round=round_id, community=places["communities"][0], code="VWXY3467",
                                       used_at=projects.now(), channel="online")).run()
    await services.rate_online(pid, "KMNP-QRTU", "basic")
    with pytest.raises(Conflict) as info:
        await services.rate_online(pid, "VWXY3467", "basic")
    assert info.value.message == "这个选票码已经投过票，不能再用来评价。请向社区领取评价码。"
    assert await _grades(pid) == [("basic", "online", "")]


async def test_rating_before_write_off_refused_unless_street_allows_underway():
    places, ids = await f.make_projects(items=1)
    staff = await f.make_user(Role.street_staff, places)
    pid = ids[0]
    round_id = (await projects.get_project(pid))["round"]
    (code,) = await codes(places, staff, round_id, 1)
    with pytest.raises(Conflict) as info:
        await services.rate_online(pid, code, "satisfied")
    assert info.value.message == "这个项目还没有销账，暂时不能评价。"
    await f.start_project(pid, staff)
    with pytest.raises(Conflict) as info:
        await services.rate_online(pid, code, "satisfied")
    assert info.value.message == "这个项目正在实施中，本街道规定完工销账后才能评价。"
    await settings.set_rate_while_underway(places["town"], True, actor=staff)
    await services.rate_online(pid, code, "satisfied")
    assert await _grades(pid) == [("satisfied", "online", "")]


async def test_reopened_project_keeps_its_ratings_and_a_code_cannot_rate_again():
    places, staff, (pid, _), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    await services.rate_online(pid, code, "unsatisfied", "座椅松动")
    await projects.reopen(pid, "居民反映座椅松动", actor=staff)
    await projects.file_completion(pid, "已加固", 9000_00, actor=staff)
    await projects.write_off(pid, good="加固", lessons="", actor=staff)
    with pytest.raises(Conflict):
        await services.rate_online(pid, code, "satisfied")
    assert await _grades(pid) == [("unsatisfied", "online", "座椅松动")]


async def test_paper_double_entry_agrees_and_erases_the_entries():
    places, staff, (pid, _), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    c1 = await f.make_user(Role.collector, places)
    c2 = await f.make_user(Role.collector, places)
    assert await services.enter_paper(pid, code, "basic", "还行", actor=c1) == "pending"
    assert await _grades(pid) == []
    with pytest.raises(Conflict) as info:
        await services.enter_paper(pid, code, "basic", "还行", actor=c1)
    assert info.value.message == "您已经录入过这张评价表。第二遍须由另一位收集员录入，以便核对。"
    assert await services.enter_paper(pid, code, "basic", "还行", actor=c2) == "counted"
    assert await _grades(pid) == [("basic", "paper", "还行")]
    paper = await PaperRating.select(
        PaperRating.status, PaperRating.first_entry, PaperRating.second_entry).first().run()
    assert paper == {"status": "counted", "first_entry": "", "second_entry": ""}
    with pytest.raises(Conflict):
        await services.rate_online(pid, code, "satisfied")


async def test_paper_entries_differ_then_supervisor_keeps_the_second():
    places, staff, (pid, _), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    c1 = await f.make_user(Role.collector, places)
    c2 = await f.make_user(Role.collector, places)
    await services.enter_paper(pid, code, "satisfied", "", actor=c1)
    assert await services.enter_paper(pid, code, "unsatisfied", "噪音大", actor=c2) == "conflict"
    (held,) = await services.held([pid])
    assert (held["first"]["grade_label"], held["second"]["grade_label"], held["second"]["comment"]) == (
        "满意", "不满意", "噪音大")
    with pytest.raises(Forbidden):
        await services.resolve_paper(held["id"], "second", actor=c1)
    await services.resolve_paper(held["id"], "second", actor=staff)
    assert await _grades(pid) == [("unsatisfied", "paper", "噪音大")]
    assert await UnsatisfiedCase.count().where(UnsatisfiedCase.project == pid) == 1


async def test_paper_after_online_refused():
    places, staff, (pid, _), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    await services.rate_online(pid, code, "satisfied")
    c1 = await f.make_user(Role.collector, places)
    with pytest.raises(Conflict):
        await services.enter_paper(pid, code, "satisfied", "", actor=c1)


async def test_collector_of_another_community_may_not_enter():
    places, staff, (pid, _), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1, community_index=1)
    c1 = await f.make_user(Role.collector, places)  # bound to the first community
    with pytest.raises(Forbidden):
        await services.enter_paper(pid, code, "satisfied", "", actor=c1)


async def test_telephone_follow_up_counted_apart():
    places, staff, (pid, _), round_id = await written_off()
    (code,) = await codes(places, staff, round_id, 1)
    await services.rate_online(pid, code, "satisfied")
    await services.record_call(pid, "unsatisfied", "", community_id=None, actor=staff)
    await services.record_call(pid, "basic", "", community_id=None, actor=staff)
    t = rules.tally((await services.ratings_of([pid]))[pid])
    assert (t.residents.total, t.residents.satisfaction,
            t.telephone.total, t.telephone.satisfaction) == (1, 1.0, 2, 0.5)
    collector = await f.make_user(Role.collector, places)
    with pytest.raises(Forbidden):
        await services.record_call(pid, "basic", "", community_id=None, actor=collector)


async def test_unsatisfied_with_comment_opens_a_case_due_in_working_days():
    places, staff, (pid, _), round_id = await written_off()
    two = await codes(places, staff, round_id, 2)
    await services.rate_online(pid, two[0], "unsatisfied")  # no comment: no case
    await services.rate_online(pid, two[1], "unsatisfied", "晚上灯不亮")
    (case,) = await UnsatisfiedCase.select().run()
    opened = case["opened_on"]
    assert case["comment"] == "晚上灯不亮"
    assert case["due"] == (await supervision.calendar_of(places["district"])).add_workdays(opened, 5)
    (row,) = await services.ledger([pid], today=case["due"])
    assert row["colour"] is CaseColour.open
    (row,) = await services.ledger([pid], today=date(2099, 1, 1))
    assert row["colour"] is CaseColour.red
    # The lead unit has no clerk in yishi: the street answers for it.
    await services.answer_case(case["id"], "已更换灯泡 3 只", actor=staff)
    (row,) = await services.ledger([pid], today=date(2099, 1, 1))
    assert (row["colour"], row["answer"]) == (CaseColour.answered, "已更换灯泡 3 只")
    with pytest.raises(Conflict):
        await services.answer_case(case["id"], "再答", actor=staff)


async def test_case_answered_by_the_lead_units_clerk_not_another_units():
    places = await f.make_places()
    lead = await f.make_unit(places, "城管办")
    other = await f.make_unit(places, "水务局")
    places, staff, (pid, _), round_id = await written_off(places, lead_units=["城管办", ""])
    (code,) = await codes(places, staff, round_id, 1)
    await services.rate_online(pid, code, "unsatisfied", "不好")
    (case,) = await UnsatisfiedCase.select().run()
    assert case["unit"] == lead
    with pytest.raises(Forbidden):
        await services.answer_case(case["id"], "答", actor=await f.make_clerk(places, other))
    await services.answer_case(case["id"], "已整改", actor=await f.make_clerk(places, lead))


async def test_print_codes_bounds():
    places, staff, _ids, round_id = await written_off()
    with pytest.raises(DomainError):
        await services.print_codes(round_id, places["communities"][0], 0, actor=staff)
    made = await codes(places, staff, round_id, 3)
    assert len(set(made)) == 3 and all(len(c) == 8 for c in made)
