"""Next year's advice, the district's decision, carrying a project into a later round."""
import pytest

from tests import factories as f
from tests.evaluation.setup import codes, written_off
from yishi.accounts.enums import Role
from yishi.core.errors import Conflict, DomainError, Forbidden
from yishi.evaluation import nextyear, services, settings
from yishi.evaluation.enums import Advice
from yishi.evaluation.tables import Carryover
from yishi.projects import services as projects
from yishi.wishlists import services as wishlists


async def _rate(places, staff, round_id, pid, grades):
    for code, grade in zip(await codes(places, staff, round_id, len(grades)), grades, strict=True):
        await services.rate_online(pid, code, grade)


async def _low_threshold(places, reviewer, **over):
    values = {**settings.as_form(settings.DEFAULTS), "min_ratings": 3, **over}
    await settings.set_district(places["district"], values, actor=reviewer)


async def test_advice_from_ratings_at_the_threshold():
    places, staff, (pid, other), round_id = await written_off()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await _low_threshold(places, reviewer, extend_at_pct=75)
    await _rate(places, staff, round_id, pid, ["satisfied", "basic", "basic", "unsatisfied"])  # 75 %
    await _rate(places, staff, round_id, other, ["satisfied"])
    a, b = await nextyear.advice_for([await projects.get_project(pid), await projects.get_project(other)])
    assert (a["advised"], a["tally"].residents.satisfaction, b["advised"]) == (Advice.extend, 0.75, Advice.watch)
    assert a["rule"].describe().startswith("满意率不低于 75% 且评价不少于 3 条")


async def test_decide_override_needs_a_reason_and_is_recorded():
    places, staff, (pid, _), round_id = await written_off()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await _low_threshold(places, reviewer)
    await _rate(places, staff, round_id, pid, ["unsatisfied", "unsatisfied", "satisfied"])
    with pytest.raises(Forbidden):
        await nextyear.decide(pid, "drop", "", actor=staff)
    with pytest.raises(DomainError) as info:
        await nextyear.decide(pid, "extend", "", actor=reviewer)
    assert info.value.message == "与建议（次年退出）不同的决定须写明理由。"
    assert await nextyear.decide(pid, "drop", "", actor=reviewer) is Advice.drop
    d = await nextyear.get_decision(pid)
    assert (d["advised"], d["decided"], d["ratings"], round(d["satisfaction"], 4)) == ("drop", "drop", 3, 0.3333)
    await nextyear.decide(pid, "extend", "整改后居民认可", actor=reviewer)
    d = await nextyear.get_decision(pid)
    assert (d["advised"], d["decided"], d["reason"]) == ("drop", "extend", "整改后居民认可")


async def test_decide_refused_for_a_reopened_project():
    places, staff, (pid, _), _round_id = await written_off()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await projects.reopen(pid, "返工", actor=staff)
    with pytest.raises(Conflict):
        await nextyear.decide(pid, "watch", "", actor=reviewer)
    (row,) = await nextyear.advice_for([await projects.get_project(pid)])
    assert row["advised"] is None


async def test_carry_extended_project_into_next_round_as_draft_item():
    places, staff, (pid, _), round_id = await written_off()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await _low_threshold(places, reviewer)
    await _rate(places, staff, round_id, pid, ["satisfied"] * 3)
    nxt = await f.make_round(places, items=0, title="第二批次")
    with pytest.raises(Conflict) as info:
        await nextyear.carry_over(pid, nxt.id, actor=staff)
    assert info.value.message == "区里尚未决定这个项目次年的去留，暂不能转入新批次。"
    await nextyear.decide(pid, "extend", "", actor=reviewer)
    with pytest.raises(DomainError):
        await nextyear.carry_over(pid, round_id, actor=staff)
    item_id = await nextyear.carry_over(pid, nxt.id, actor=staff)
    (item,) = await wishlists.items_of(nxt.id)
    project = await projects.get_project(pid)
    assert (item["id"], item["title"], item["cost_fen"]) == (item_id, project["title"], project["cost_fen"])
    assert (await nextyear.carried_from([item_id]))[item_id]["project"] == pid
    with pytest.raises(Conflict):
        await nextyear.carry_over(pid, nxt.id, actor=staff)


async def test_dropped_project_listed_again_only_with_a_reason():
    places, staff, (pid, _), round_id = await written_off()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await _low_threshold(places, reviewer)
    await _rate(places, staff, round_id, pid, ["unsatisfied"] * 3)
    await nextyear.decide(pid, "drop", "", actor=reviewer)
    nxt = await f.make_round(places, items=0, title="第二批次")
    with pytest.raises(DomainError) as info:
        await nextyear.carry_over(pid, nxt.id, actor=staff)
    assert info.value.message == "这个项目已定为次年退出，再次列入须写明理由。"
    await nextyear.carry_over(pid, nxt.id, reason="换了施工单位，居民联名要求再做", actor=staff)
    (row,) = await Carryover.select(Carryover.reason).run()
    assert row["reason"] == "换了施工单位，居民联名要求再做"
