"""Observers score on the district's indicators; a round keeps the system it was scored with."""
import pytest

from tests import factories as f
from tests.evaluation.setup import written_off
from yishi.accounts.enums import Role
from yishi.core.errors import Conflict, DomainError, Forbidden
from yishi.evaluation import observers
from yishi.projects import services as projects

SCORES = {"办理响应度": 5, "完成质量": 4, "资金使用": 3, "群众参与": 5}


async def test_observer_scores_on_the_default_system():
    places, _staff, (pid, _), _round_id = await written_off()
    observer = await f.make_user(Role.observer, places)
    total = await observers.score(pid, SCORES, {"完成质量": "  座椅牢固 "}, "", actor=observer)
    # 25*5/5 + 35*4/5 + 20*3/5 + 20*5/5 = 25 + 28 + 12 + 20
    assert total == 85.0
    (row,) = (await observers.scores_of([pid]))[pid]
    assert (row["total"], row["scores"]["完成质量"]) == (85.0, {"score": 4, "note": "座椅牢固"})
    assert await observers.score(pid, {**SCORES, "资金使用": 5}, {}, "", actor=observer) == 93.0
    assert len((await observers.scores_of([pid]))[pid]) == 1  # re-scoring replaces


async def test_round_keeps_its_system_when_the_district_changes_it():
    places, _staff, (pid, other), round_id = await written_off()
    observer = await f.make_user(Role.observer, places)
    reviewer = await f.make_user(Role.district_reviewer, places)
    await observers.score(pid, SCORES, {}, "", actor=observer)
    await observers.set_system(places["district"], [{"name": "创新性", "weight": 100}], actor=reviewer)
    assert await observers.system_of_district(places["district"]) == [{"name": "创新性", "weight": 100}]
    assert [i["name"] for i in await observers.system_of_round(round_id, places["district"])] == [
        "办理响应度", "完成质量", "资金使用", "群众参与"]
    assert await observers.score(other, SCORES, {}, "", actor=observer) == 85.0


async def test_score_refused_for_others_missing_values_and_unfinished_projects():
    places, staff, (pid, _), _round_id = await written_off()
    with pytest.raises(Forbidden) as info:
        await observers.score(pid, SCORES, {}, "", actor=staff)
    assert info.value.message == "只有本区的观察员可以为项目打分。"
    stranger = await f.make_user(Role.observer, await f.make_places())
    with pytest.raises(Forbidden):
        await observers.score(pid, SCORES, {}, "", actor=stranger)
    observer = await f.make_user(Role.observer, places)
    with pytest.raises(DomainError) as info:
        await observers.score(pid, {**SCORES, "群众参与": 6}, {}, "", actor=observer)
    assert info.value.message == "请为“群众参与”打 1 到 5 分。"
    await projects.reopen(pid, "返工", actor=staff)
    with pytest.raises(Conflict):
        await observers.score(pid, SCORES, {}, "", actor=observer)


async def test_set_system_checks_weights_and_names():
    places = await f.make_places()
    reviewer = await f.make_user(Role.district_reviewer, places)
    with pytest.raises(DomainError) as info:
        await observers.set_system(places["district"], [{"name": "质量", "weight": 0}], actor=reviewer)
    assert info.value.message == "“质量”的权重应为 1 到 100。"
    with pytest.raises(DomainError):
        await observers.set_system(places["district"], [{"name": "质量", "weight": 5}, {"name": "质量", "weight": 5}],
                                   actor=reviewer)
    with pytest.raises(DomainError):
        await observers.set_system(places["district"], [{"name": " ", "weight": 5}], actor=reviewer)
