"""办件三率 read from real cases: grouped by unit (首接负责制), community, street and collector
team, one month at a time, with the month before for 环比."""
from __future__ import annotations

from datetime import datetime, timedelta

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.cases import services
from yishi.cases.services import Dispatch
from yishi.core.dates import CHINA
from yishi.evaluation import case_rates
from yishi.suggestions.enums import Channel

NOW = datetime(2026, 12, 20, 12, 0, tzinfo=CHINA)


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=CHINA)


async def world() -> dict:
    places = await f.make_places()
    w = {"places": places, "a": await f.make_unit(places, name="城管办"), "b": await f.make_unit(places, name="住建局"),
         "staff": await f.make_user(Role.street_staff, places), "collector": await f.make_user(Role.collector, places)}
    w["clerk_a"], w["clerk_b"] = await f.make_clerk(places, w["a"]), await f.make_clerk(places, w["b"])
    return w


async def handled(w: dict, unit: str, day: int, *, accept_after: timedelta | None = timedelta(hours=1),
                  close_after: timedelta | None = timedelta(days=1), community_index: int = 0, collected: bool = False,
                  month: int = 11) -> int:
    s = await f.make_suggestion(w["places"], community_index=community_index,
                                channel=Channel.visit if collected else None,
                                actor=w["collector"] if collected else None)
    start = at(day, month=month)
    case_id = await services.dispatch(s.id, Dispatch(w[unit]), actor=w["staff"], now=start)
    clerk = w["clerk_" + unit]
    if accept_after is not None:
        await services.accept(case_id, actor=clerk, now=start + accept_after)
        if close_after is not None:
            await services.reply(case_id, "已处理。", actor=clerk, now=start + close_after)
            await services.close(case_id, "", actor=w["staff"], now=start + close_after)
    return case_id


async def test_month_rates_by_unit_community_street_and_team():
    w = await world()
    await handled(w, "a", 3)
    await handled(w, "a", 5, accept_after=timedelta(hours=30), close_after=timedelta(days=28))  # late twice
    await handled(w, "b", 9, community_index=1, collected=True)
    await handled(w, "b", 10, accept_after=None, community_index=1)  # never signed for
    now, before = await case_rates.month_rates(w["places"]["district"], "2026-11", NOW)
    a, b = now.of("unit", w["a"]), now.of("unit", w["b"])
    assert (a.dispatched, a.response, a.closed, a.on_time) == (2, 0.5, 1, 1.0)  # the late one closed in December
    assert (b.dispatched, b.response, b.due, b.closure) == (2, 0.5, 2, 0.5)
    town = now.of("town", w["places"]["town"])
    assert (town.dispatched, town.response, now.whole.dispatched) == (4, 0.5, 4)
    c0, c1 = (now.of("community", c) for c in w["places"]["communities"])
    assert (c0.dispatched, c1.dispatched) == (2, 2)
    # The collector belongs to the first community: the case she brought in counts for its team.
    team = now.of("team", w["places"]["communities"][0])
    assert (team.dispatched, team.response, list(now.groups["team"])) == (1, 1.0, [w["places"]["communities"][0]])
    assert now.names["unit"][w["a"]] == "城管办"
    assert before.whole.empty and before.of("unit", w["a"]).score is None
    december, _ = await case_rates.month_rates(w["places"]["district"], "2026-12", NOW)
    assert (december.of("unit", w["a"]).closed, december.of("unit", w["a"]).on_time) == (1, 0.0)


async def test_street_scope_leaves_other_streets_out():
    w, other = await world(), await world()
    await handled(w, "a", 3)
    await handled(other, "a", 3)
    now, _ = await case_rates.month_rates(w["places"]["district"], "2026-11", NOW, town_id=w["places"]["town"])
    assert now.whole.dispatched == 1 and list(now.names["town"]) == [w["places"]["town"]]


async def test_empty_month_reads_nothing():
    w = await world()
    now, _before = await case_rates.month_rates(w["places"]["district"], "2026-11", NOW)
    assert now.whole.empty and now.whole.response is None and all(not g for g in now.groups.values())


async def test_satisfaction_counts_residents_ratings_of_the_month_telephone_apart():
    from yishi.cases.tables import Case
    from yishi.evaluation import callbacks

    w = await world()
    ids = [await handled(w, "a", 3), await handled(w, "a", 4), await handled(w, "a", 5)]
    codes = [r["code"] for r in await Case.select(Case.suggestion.tracking_code.as_alias("code")).where(
        Case.id.is_in(ids)).order_by(Case.id).run()]
    await callbacks.rate_online(codes[0], "satisfied", now=at(6))
    await callbacks.rate_online(codes[1], "basic", now=at(6))
    await callbacks.record_call(ids[2], "satisfied", "", at(7).date(), actor=w["staff"], now=at(7))
    now, _before = await case_rates.month_rates(w["places"]["district"], "2026-11", NOW)
    a = now.of("unit", w["a"])
    assert (a.ratings.total, a.satisfaction, a.telephone.total) == (2, 1.0, 1)
    assert now.whole.satisfaction == 1.0 and now.of("community", w["places"]["communities"][0]).ratings.total == 2
    december, _ = await case_rates.month_rates(w["places"]["district"], "2026-12", NOW)
    assert december.whole.satisfaction is None
