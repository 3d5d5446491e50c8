"""The 民情热度表's figures read from real suggestions: weeks, warnings, the month's top ten,
the reports' figures and the district's rule."""
from datetime import timedelta

import pytest

from tests import factories as f
from yishi.accounts import units
from yishi.accounts.enums import Role, UnitKind
from yishi.cases import services as cases
from yishi.core import dates
from yishi.core.errors import InvalidInput
from yishi.pulse import counts, reports, rules, settings
from yishi.suggestions import catalog, services
from yishi.suggestions.enums import Grade, Track


async def _spread(places, actor, plan):
    """plan: (days ago, community index, category, spot, how many)."""
    today = dates.today()
    ids = []
    for ago, ci, category, spot, n in plan:
        for _i in range(n):
            r = await f.make_suggestion(places, community_index=ci, category=category, spot=spot, actor=actor,
                                        received_on=today - timedelta(days=ago),
                                        content=f"{category}的问题，{ago}天前。")
            ids.append(r.id)
    return ids


@pytest.fixture
async def street():
    places = await f.make_places(n_communities=2)
    staff = await f.make_user(Role.street_staff, places)
    return places, staff


async def test_heat_counts_per_community_category_and_week(street):
    places, staff = street
    today = dates.today()
    ids = await _spread(places, staff, [(0, 0, "养老", "", 3), (7, 0, "养老", "", 1), (0, 1, "教育", "", 2),
                                        (200, 0, "养老", "", 4)])
    await services.merge(ids[0], [ids[1]], actor=staff)  # a duplicate is a supporter, not a case
    area = await counts.town_area(places["town"])
    heat = await counts.heat(area, today, 8)
    assert heat.weeks[-1] == rules.week_of(today) and len(heat.weeks) == 8
    rows = {(r.group, r.label): r.counts for r in heat.rows}
    this, last = rules.week_of(today), rules.week_of(today - timedelta(days=7))
    expect_old = [0] * 8
    expect_old[heat.weeks.index(this)] += 2
    expect_old[heat.weeks.index(last)] += 1
    assert rows[("第1社区", "养老")] == expect_old
    assert rows[("第2社区", "教育")][-1] == 2
    assert heat.total == 5 and heat.peak == 2


async def test_heat_of_one_community_lists_its_spots(street):
    places, staff = street
    await _spread(places, staff, [(0, 0, "养老", "幸福小区3栋", 2), (1, 0, "安全", "", 1), (0, 1, "教育", "别处", 5)])
    area = await counts.town_area(places["town"])
    heat = await counts.heat(area, dates.today(), 8, community=places["communities"][0])
    labels = [(r.group, r.label, r.total) for r in heat.rows]
    assert labels == [("第1社区", "养老", 2), ("第1社区", "安全", 1), ("点位", "幸福小区3栋", 2),
                      ("点位", "（未填点位）", 1)]
    assert heat.total == 3  # the 点位 rows are the same cases again, not added twice


async def test_alert_fires_in_one_community_only(street):
    places, staff = street
    await _spread(places, staff, [(60, 1, "教育", "", 1), (20, 0, "养老", "", 1), (1, 0, "养老", "", 6),
                                  (2, 1, "养老", "", 4)])
    area = await counts.town_area(places["town"])
    alerts = await counts.alerts(area, dates.today(), rules.WarningRule(3, 5, 8))
    assert [(a.community, a.category, a.count, a.median, a.threshold) for a in alerts] == [
        ("第1社区", "养老", 6, 0, 5)]
    assert alerts[0].last == dates.today() and alerts[0].first == dates.today() - timedelta(days=6)


async def test_alert_needs_history_before_the_last_seven_days(street):
    places, staff = street
    await _spread(places, staff, [(1, 0, "养老", "", 9)])
    area = await counts.town_area(places["town"])
    assert await counts.alerts(area, dates.today()) == []


async def test_rule_set_by_district_changes_what_warns(street):
    places, staff = street
    reviewer = await f.make_user(Role.district_reviewer, places)
    await _spread(places, staff, [(40, 0, "养老", "", 1), (1, 0, "养老", "", 3)])
    area = await counts.town_area(places["town"])
    assert await counts.alerts(area, dates.today()) == []  # default: at least 5
    await settings.set_district(places["district"], 2.5, 3, 6, actor=reviewer)
    assert await settings.of_district(places["district"]) == rules.WarningRule(2.5, 3, 6)
    assert [a.count for a in await counts.alerts(area, dates.today())] == [3]
    with pytest.raises(InvalidInput) as refused:
        await settings.set_district(places["district"], 1.0, 3, 6, actor=reviewer)
    assert refused.value.field == "factor"


async def test_tops_this_month_against_last(street):
    places, staff = street
    today = dates.today()
    last_month = today.replace(day=1) - timedelta(days=1)
    await _spread(places, staff, [(0, 0, "养老", "幸福小区3栋", 3), (0, 1, "教育", "", 1),
                                  ((today - last_month).days, 0, "养老", "幸福小区3栋", 1),
                                  ((today - last_month).days, 1, "安全", "菜市场", 2)])
    area = await counts.town_area(places["town"])
    tops = await counts.tops(area, today.strftime("%Y-%m"))
    assert [(t.key, t.this, t.last) for t in tops.topics] == [("养老", 3, 1), ("教育", 1, 0)]
    assert [(t.key, t.this, t.last) for t in tops.places] == [(("第1社区", "幸福小区3栋"), 3, 1)]
    assert (tops.this_total, tops.last_total) == (4, 3)


async def test_weekly_report_against_the_week_before_with_rates(street):
    places, staff = street
    today = dates.today()
    monday = rules.week_of(today)
    ids = await _spread(places, staff, [((today - monday).days, 0, "养老", "幸福小区3栋", 2),
                                        ((today - monday).days + 7, 1, "养老", "", 1)])
    await services.grade(ids[0], grade=Grade.C, track=Track.now, actor=staff)
    await services.close(ids[0], "已安排社区养老服务站上门服务。", actor=staff)
    area = await counts.town_area(places["town"])
    r = await reports.weekly(area, monday)
    assert (r.total, r.previous_total) == (2, 1)
    assert [(x.name, x.this, x.last) for x in r.categories] == [("养老", 2, 1)]
    assert r.figures.resolution_rate == 0.5
    assert [(x.name, x.this, x.last) for x in r.groups] == [("第1社区", 2, 0), ("第2社区", 0, 1)]
    assert r.places[0].key == ("第1社区", "幸福小区3栋")


async def test_topic_lists_cases_units_and_rates(street):
    places, staff = street
    ids = await _spread(places, staff, [(0, 0, "养老", "", 2), (0, 1, "教育", "", 1)])
    await services.grade(ids[0], grade=Grade.C, track=Track.now, lead_unit="社区养老服务站",
                         actor=staff)
    await services.close(ids[0], "已上门。", actor=staff)
    area = await counts.town_area(places["town"])
    cats = {c["name"]: c["id"] for c in await catalog.categories()}
    first = dates.today().replace(day=1)
    t = await reports.topic(area, cats["养老"], first, dates.today())
    assert t.figures.cases == 2 and len(t.cases) == 2
    assert [(u, n, fig.resolution_rate) for u, n, fig in t.units] == [("社区养老服务站", 1, 1.0),
                                                                       ("（未定牵头单位）", 1, 0.0)]
    assert [(g.name, g.this) for g in t.groups] == [("第1社区", 2)]


async def test_topic_groups_dispatched_cases_by_the_unit_they_went_to(street):
    """The 专题报告 names the unit a case was dispatched to as in the units directory now (here
    renamed since the dispatch, so the suggestion's text still says the old name); a suggestion
    never dispatched keeps the lead unit the street typed."""
    places, staff = street
    ids = await _spread(places, staff, [(0, 0, "养老", "", 4)])
    unit = await f.make_unit(places, name="民政办")
    for sid in ids[:2]:
        await cases.dispatch(sid, cases.Dispatch(unit), actor=staff)
    await units.update_unit(unit, name="社会事务办", kind=UnitKind.district_department, contact_name="张联络",
                            contact_phone="028-83912345", active=True)
    await services.grade(ids[2], grade=Grade.C, track=Track.now, lead_unit="社区养老服务站", actor=staff)
    area = await counts.town_area(places["town"])
    cats = {c["name"]: c["id"] for c in await catalog.categories()}
    t = await reports.topic(area, cats["养老"], dates.today().replace(day=1), dates.today())
    assert [(u, n) for u, n, _fig in t.units] == [("社会事务办", 2), ("社区养老服务站", 1), ("（未定牵头单位）", 1)]
