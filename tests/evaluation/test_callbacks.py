"""回访: a resident rates each answer of a case once, within the window; 不满意 reopens the case
to its unit and into the ledger; the second reopen sends it up to the district."""
from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.cases import history, queries, services
from yishi.cases.enums import CaseState
from yishi.cases.services import Dispatch
from yishi.core import audit, i18n
from yishi.core.errors import Conflict, Forbidden, InvalidInput
from yishi.evaluation import callbacks, settings
from yishi.evaluation.enums import CaseColour, RatingChannel, Satisfaction
from yishi.evaluation.tables import CaseRating, UnsatisfiedCase
from yishi.suggestions import services as suggestions
from yishi.suggestions.enums import SuggestionStatus

ANSWERED = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 09:00 on 10 March in China


def china(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=8)


async def answered_case(*, close: bool = False):
    places = await f.make_places()
    unit = await f.make_unit(places, name="城管办")
    w = {"places": places, "unit": unit, "staff": await f.make_user(Role.street_staff, places),
         "clerk": await f.make_clerk(places, unit)}
    s = await f.make_suggestion(places)
    w["code"] = s.tracking_code
    w["suggestion"] = s.id
    w["case"] = await services.dispatch(s.id, Dispatch(unit), actor=w["staff"], now=ANSWERED - timedelta(days=1))
    await services.accept(w["case"], actor=w["clerk"])
    await services.reply(w["case"], "已派人修好三盏路灯。", actor=w["clerk"], now=ANSWERED)
    if close:
        await services.close(w["case"], "", actor=w["staff"], now=ANSWERED + timedelta(hours=2))
    return w


async def test_a_satisfied_rating_is_kept_with_its_answer_and_month():
    w = await answered_case()
    st = await callbacks.rate_online(w["code"], "satisfied", "  修得很快  ", now=china(date(2026, 3, 12)))
    assert st.answer_no == 1
    (row,) = await CaseRating.select().run()
    assert (row["grade"], row["channel"], row["comment"], row["month"], row["answer_no"], row["slot"],
            row["recorded_by"], row["called_on"]) == ("satisfied", "online", "修得很快", "2026-03", 1,
                                                     f"{w['case']}:1", None, None)
    assert (await services.get_case(w["case"]))["state"] is CaseState.answered
    assert "case.rated" in [e["action"] for e in await audit.entries_for("suggestion", w["suggestion"])]


async def test_the_window_is_open_through_its_last_day_and_closed_the_next():
    w = await answered_case(close=True)  # closed two hours after the answer: the answer's day counts
    case = await services.get_case(w["case"])
    st = await callbacks.status_of(case, date(2026, 3, 25))
    assert (st.state, st.answered_on, st.last_day) == ("open", date(2026, 3, 10), date(2026, 3, 25))
    assert (await callbacks.status_of(case, date(2026, 3, 26))).state == "expired"
    with pytest.raises(Conflict, match="评价期已过"):
        await callbacks.rate_online(w["code"], "satisfied", now=china(date(2026, 3, 26), hour=0))
    await callbacks.rate_online(w["code"], "basic", now=china(date(2026, 3, 25), hour=23))
    assert await CaseRating.count() == 1


async def test_the_window_follows_the_districts_setting():
    w = await answered_case()
    values = {**settings.as_form(settings.DEFAULTS), "case_rating_days": 3}
    reviewer = await f.make_user(Role.district_reviewer, w["places"])
    await settings.set_district(w["places"]["district"], values, actor=reviewer)
    case = await services.get_case(w["case"])
    assert (await callbacks.status_of(case, date(2026, 3, 13))).state == "open"
    assert (await callbacks.status_of(case, date(2026, 3, 14))).state == "expired"


async def test_nothing_to_rate_before_the_answer():
    places = await f.make_places()
    unit = await f.make_unit(places)
    s = await f.make_suggestion(places)
    await services.dispatch(s.id, Dispatch(unit), actor=await f.make_user(Role.street_staff, places))
    with pytest.raises(Conflict, match="还没有答复"):
        await callbacks.rate_online(s.tracking_code, "satisfied")


async def test_a_second_rating_of_the_same_answer_is_refused():
    w = await answered_case()
    await callbacks.rate_online(w["code"], "satisfied", now=china(date(2026, 3, 11)))
    with pytest.raises(Conflict, match="已经评价过了（满意）"):
        await callbacks.rate_online(w["code"], "unsatisfied", "还是不亮", now=china(date(2026, 3, 11)))
    assert await CaseRating.count() == 1 and await UnsatisfiedCase.count() == 0


async def test_two_ratings_of_the_same_answer_at_once_keep_one():
    w = await answered_case()
    at = china(date(2026, 3, 11))
    results = await asyncio.gather(callbacks.rate_online(w["code"], "satisfied", now=at),
                                   callbacks.rate_online(w["code"], "basic", now=at), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Status"]
    assert await CaseRating.count() == 1


async def test_unsatisfied_needs_a_reason_and_a_known_grade():
    w = await answered_case()
    with pytest.raises(InvalidInput, match="哪里不满意"):
        await callbacks.rate_online(w["code"], "unsatisfied", "   ", now=china(date(2026, 3, 11)))
    with pytest.raises(InvalidInput, match="请选择"):
        await callbacks.rate_online(w["code"], "great", now=china(date(2026, 3, 11)))
    assert await CaseRating.count() == 0


async def test_unsatisfied_reopens_the_case_to_its_unit_with_a_due_date_and_a_ledger_entry():
    w = await answered_case(close=True)
    await callbacks.rate_online(w["code"], "unsatisfied", "只修了一盏，另外两盏还是黑的", now=china(date(2026, 3, 12)))
    case = await services.get_case(w["case"])
    # 12 March 2026 is a Thursday: five working days on is Thursday 19 March.
    assert (case["state"], case["owner_name"], case["reopens"], case["closed_at"]) == (
        CaseState.accepted, "城管办", 1, None)
    assert services.rules.due_text(case["due_at"], case["urgency"]).startswith("2026-03-19")
    assert (await suggestions.get(w["suggestion"]))["status"] is SuggestionStatus.in_progress
    (entry,) = await UnsatisfiedCase.select().run()
    assert (entry["case"], entry["project"], entry["unit"], entry["comment"], entry["channel"], entry["due"]) == (
        w["case"], None, w["unit"], "只修了一盏，另外两盏还是黑的", "online", date(2026, 3, 19))
    (row,) = await callbacks.ledger(town_id=w["places"]["town"], today=date(2026, 3, 13))
    assert (row["colour"], row["unit_display"]) == (CaseColour.open, "城管办")
    # The unit's queue shows it again, and its clerk answers it.
    queue = await queries.list_cases(queries.Scope(unit_id=w["unit"]), tab="open", page=1,
                                     now=china(date(2026, 3, 13)))
    assert [r["id"] for r in queue.rows] == [w["case"]]
    texts = [h["text"] for h in await history.history(w["suggestion"])]
    assert any(t.startswith("居民不满意，退回重办") and "重办期限：2026-03-19" in t for t in texts)
    # Nothing to rate while the unit is at it again.
    with pytest.raises(Conflict, match="正在重新办理"):
        await callbacks.rate_online(w["code"], "satisfied", now=china(date(2026, 3, 13)))
    await services.reply(w["case"], "三盏都已修好，夜里亮了。", actor=w["clerk"], now=china(date(2026, 3, 16)))
    (row,) = await callbacks.ledger(town_id=w["places"]["town"], today=date(2026, 3, 17))
    assert (row["colour"], row["answer"]) == (CaseColour.answered, "三盏都已修好，夜里亮了。")
    st = await callbacks.rate_online(w["code"], "satisfied", now=china(date(2026, 3, 17)))
    assert st.answer_no == 2
    assert [r["answer_no"] for r in await callbacks.ratings_of_case(w["case"])] == [1, 2]


async def test_the_second_reopen_sends_the_case_up_to_the_district():
    w = await answered_case()
    await callbacks.rate_online(w["code"], "unsatisfied", "没修好", now=china(date(2026, 3, 11)))
    await services.reply(w["case"], "又修了一次。", actor=w["clerk"], now=china(date(2026, 3, 12)))
    assert (await services.get_case(w["case"]))["escalated_at"] is None
    # The resident reads the site in English; the reason the case keeps is for staff, in Chinese.
    with i18n.language("en"):
        await callbacks.rate_online(w["code"], "unsatisfied", "还是不亮", now=china(date(2026, 3, 13)))
    case = await services.get_case(w["case"])
    assert (case["state"], case["reopens"], case["owner_name"]) == (CaseState.accepted, 2, "城管办")
    assert case["escalated_at"] is not None and "第 2 次答复仍不满意" in case["escalate_reason"]
    entries = await audit.entries_for("suggestion", w["suggestion"])
    assert [e["action"] for e in entries].count("case.escalated") == 1
    texts = [h["text"] for h in await history.history(w["suggestion"])]
    assert any(t.startswith("自动提级") for t in texts)
    assert await UnsatisfiedCase.count() == 2
    # The first entry counts as answered (the unit answered it), with the answer that did; the
    # second is open until the unit answers again, then shows that answer.
    rows = {r["comment"]: r for r in await callbacks.ledger(today=date(2026, 3, 13))}
    assert (rows["没修好"]["colour"], rows["没修好"]["answer"]) == (CaseColour.answered, "又修了一次。")
    assert (rows["还是不亮"]["colour"], rows["还是不亮"]["answer"]) == (CaseColour.open, "")
    await services.reply(w["case"], "换了整条线路，三盏都亮了。", actor=w["clerk"], now=china(date(2026, 3, 16)))
    rows = {r["comment"]: r for r in await callbacks.ledger(today=date(2026, 3, 17))}
    assert [(rows[c]["colour"], rows[c]["answer"]) for c in ("没修好", "还是不亮")] == [
        (CaseColour.answered, "又修了一次。"), (CaseColour.answered, "换了整条线路，三盏都亮了。")]


async def test_a_telephone_call_is_recorded_on_its_day_by_the_streets_staff():
    w = await answered_case()
    at = china(date(2026, 3, 30))
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        await callbacks.record_call(w["case"], "satisfied", "", date(2026, 3, 31), actor=w["staff"], now=at)
    with pytest.raises(InvalidInput, match="不能早于答复日期"):
        await callbacks.record_call(w["case"], "satisfied", "", date(2026, 3, 9), actor=w["staff"], now=at)
    with pytest.raises(Conflict, match="评价期已过"):  # a call after the window
        await callbacks.record_call(w["case"], "satisfied", "", date(2026, 3, 26), actor=w["staff"], now=at)
    with pytest.raises(Forbidden):  # the unit that answered does not rate itself
        await callbacks.record_call(w["case"], "satisfied", "", date(2026, 3, 20), actor=w["clerk"], now=at)
    # A call made within the window may be typed in after it.
    await callbacks.record_call(w["case"], "basic", "居民说基本解决", date(2026, 3, 20), actor=w["staff"], now=at)
    (row,) = await CaseRating.select().run()
    assert (row["channel"], row["called_on"], row["month"], row["recorded_by"], row["grade"]) == (
        RatingChannel.telephone.value, date(2026, 3, 20), "2026-03", w["staff"].id, Satisfaction.basic.value)
    with pytest.raises(Conflict, match="已经评价过了"):
        await callbacks.rate_online(w["code"], "satisfied", now=china(date(2026, 3, 21)))


async def test_a_suggestion_turned_down_on_its_own_page_is_not_rated_nor_reopened():
    w = await answered_case()
    await suggestions.reject(w["suggestion"], "不属于本街道职责", "已转交市级部门。", actor=w["staff"])
    await services.follow_suggestion(w["suggestion"], actor=w["staff"])
    assert (await services.get_case(w["case"]))["state"] is CaseState.closed
    with pytest.raises(Conflict):
        await callbacks.rate_online(w["code"], "unsatisfied", "不同意", now=china(date(2026, 3, 11)))
    assert await CaseRating.count() == 0 and (await services.get_case(w["case"]))["reopens"] == 0
