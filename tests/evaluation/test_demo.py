"""The demo's 评实效: ratings in three channels, a ledger case, an observer's score, the seven
streets ranked; a second run adds nothing."""
from yishi import demo
from yishi.core import dates
from yishi.evaluation import rates, rules, services
from yishi.evaluation.tables import ObserverScore, Rating, UnsatisfiedCase
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
    assert await UnsatisfiedCase.count() == CASES
    # 25 + 35×4/5 + 20×4/5 + 20
    assert [r["total"] for r in await ObserverScore.select(ObserverScore.total).run()] == [89.0]
    district = (await District.select(District.id).first().run())["id"]
    ranking = await rates.ranking(district, services.month_of(dates.today()))
    assert len(ranking) == 7 and len({r.town_name for r in ranking}) == 7
    counts = (await Rating.count(), await ObserverScore.count(), await UnsatisfiedCase.count())
    await demo.build(ballots_to_cast=30)
    assert (await Rating.count(), await ObserverScore.count(), await UnsatisfiedCase.count()) == counts
