"""The demo's 评实效: ratings in three channels, a ledger case, an observer's score, the seven
streets ranked, the 回访 of cases in each of its states; a second run adds nothing."""
from yishi import demo, demo_case_rates
from yishi.cases import services as cases
from yishi.cases.enums import CaseState
from yishi.cases.tables import Case
from yishi.core import audit, dates
from yishi.evaluation import callbacks, rates, rules, services
from yishi.evaluation.tables import CaseRating, ObserverScore, Rating, UnsatisfiedCase
from yishi.places.tables import District

# 不满意 with a comment: the online ones the seeded draw gave a comment, and the 电话回访 one.
CASES = 3


async def test_demo_rates_ranks_seven_streets_and_is_idempotent():
    await demo.build(ballots_to_cast=30)
    rows = await Rating.select(Rating.project, Rating.grade, Rating.channel).run()
    (_pid,) = {r["project"] for r in rows}
    t = rules.tally([(r["grade"], r["channel"]) for r in rows])
    assert (t.residents.satisfied, t.residents.basic, t.residents.unsatisfied) == (28, 9, 4)
    assert (t.telephone.total, t.telephone.unsatisfied) == (4, 1)
    assert await UnsatisfiedCase.count().where(UnsatisfiedCase.project.is_not_null()) == CASES
    # 回访: 满意, 基本满意 and 不满意 online, 满意 and 不满意 by telephone (one 满意 the district's, on
    # a case sent up to it), two 不满意 of one case.
    # (demo_case_rates' two months of cases are rated too, 满意 and 基本满意 only: left out here.)
    rates_demo = [words for _category, words in demo_case_rates.WORDS.values()]
    rated = sorted((r["grade"], r["channel"], r["answer_no"]) for r in await CaseRating.select().where(
        CaseRating.case.suggestion.content.not_in(rates_demo)).run())
    assert rated == [("basic", "online", 1), ("satisfied", "online", 1), ("satisfied", "telephone", 1),
                     ("satisfied", "telephone", 1), ("unsatisfied", "online", 1), ("unsatisfied", "online", 1),
                     ("unsatisfied", "telephone", 2)]
    reopened = await Case.select(Case.id, Case.state, Case.reopens, Case.escalated_at).where(Case.reopens > 0).order_by(
        Case.reopens).run()
    assert [(r["state"], r["reopens"], r["escalated_at"] is not None) for r in reopened] == [
        ("accepted", 1, False), ("accepted", 2, True)]
    assert await UnsatisfiedCase.count().where(UnsatisfiedCase.case.is_not_null()) == 3
    states = {(await callbacks.status_of(await cases.get_case(r["id"]))).state
              for r in await Case.select(Case.id).where(Case.state.is_in([CaseState.answered, CaseState.closed])).run()}
    assert {"open", "rated", "expired"} <= states
    # 25 + 35×4/5 + 20×4/5 + 20
    assert [r["total"] for r in await ObserverScore.select(ObserverScore.total).run()] == [89.0]
    district = (await District.select(District.id).first().run())["id"]
    ranking = await rates.ranking(district, services.month_of(dates.today()))
    assert len(ranking) == 7 and len({r.town_name for r in ranking}) == 7
    # A case's history reads as its story happened, not every step at the minute the demo ran:
    # its last 派单 and its 签收 are stamped with the case's own moments, and the chain still holds.
    stories = await Case.select(Case.suggestion, Case.dispatched_at, Case.accepted_at).where(
        Case.accepted_at.is_not_null() & Case.suggestion.content.not_in(rates_demo)).run()
    assert len(stories) >= 10
    for c in stories:
        entries = await audit.entries_for("suggestion", c["suggestion"])
        moments = {e["action"]: e["created_at"] for e in entries}  # the last of each action
        assert (moments["case.dispatched"], moments["case.accepted"]) == (c["dispatched_at"], c["accepted_at"])
        assert min(e["created_at"] for e in entries) < c["dispatched_at"]  # the suggestion came in first
    assert (await audit.verify()).bad_id is None
    counts = (await Rating.count(), await ObserverScore.count(), await UnsatisfiedCase.count(),
              await CaseRating.count())
    await demo.build(ballots_to_cast=30)
    assert (await Rating.count(), await ObserverScore.count(), await UnsatisfiedCase.count(),
            await CaseRating.count()) == counts
