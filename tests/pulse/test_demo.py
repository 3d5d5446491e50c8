"""The demo's 民情热度表: twelve weeks of Dawan's suggestions with 点位, and one warning firing,
in 锦城社区 on 环境卫生; a second run adds nothing."""
from yishi import demo
from yishi.core import dates
from yishi.places.tables import Town
from yishi.pulse import counts
from yishi.suggestions.tables import Suggestion


async def test_demo_fires_one_warning_and_fills_the_table():
    await demo.build(ballots_to_cast=20)
    town = (await Town.select(Town.id).where(Town.name == "大弯街道").first().run())["id"]
    area = await counts.town_area(town)
    alerts = await counts.alerts(area, dates.today())
    # Seven of the rise, and the other demo suggestions of the month may land there too.
    assert [(a.community, a.category) for a in alerts] == [("锦城社区", "环境卫生")] and alerts[0].count >= 7
    heat = await counts.heat(area, dates.today(), 12)
    assert all(n > 0 for n in heat.week_totals)  # every week of the table has cases
    tops = await counts.tops(area, dates.today().strftime("%Y-%m"))
    assert tops.places[0].key == ("锦城社区", "锦城花园")
    spotted = await Suggestion.count().where(Suggestion.spot != "")
    await demo.build(ballots_to_cast=20)
    assert await Suggestion.count().where(Suggestion.spot != "") == spotted
