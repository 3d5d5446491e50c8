"""The demo's 办件三率: two months of Dawan's cases, a ranking with a 末位 unit and a 接诉量前列
one, a 约谈 with the first followed up the month after; a second run adds nothing."""
from yishi import demo
from yishi.cases.tables import Case
from yishi.core import dates
from yishi.evaluation import case_ranking, rules, talks
from yishi.places.tables import District


async def test_demo_ranks_flags_and_follows_up_a_talk():
    await demo.build(ballots_to_cast=20)
    district = (await District.select(District.id).first().run())["id"]
    second = rules.previous_month(dates.today().strftime("%Y-%m"))
    first = rules.previous_month(second)
    ranking = await case_ranking.ranking(district, first, dates.now())
    flags = {r.name: (r.ranked.bottom, r.ranked.top_volume) for r in ranking.units if r.ranked.flagged}
    assert flags == {"区住房和城乡建设局": (True, False), "区公安分局大弯派出所": (False, True)}
    assert len([r for r in ranking.teams if r.ranked.rank]) == 2
    [talk] = await talks.talks_of(district)
    assert (talk["unit_name"], talk["month"], bool(talk["follow_up"])) == ("区住房和城乡建设局", first, True)
    [fu] = talks.follow_ups([talk], await case_ranking.ranking(district, second, dates.now()))
    assert fu.change is not None and fu.change > 0
    cases = await Case.count()
    await demo.build(ballots_to_cast=20)
    assert await Case.count() == cases
