"""Races against the real server (`yishi serve` in its own process, see live_server): 100
simultaneous posts of one ballot code store one ballot; 100 simultaneous votes of one council
member on one item store one vote. The counts are printed (in the summary at the end of the run)."""
from __future__ import annotations

import asyncio
from collections import Counter

import httpx

from tests import factories as f
from tests.meetings import setup
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode
from yishi.meetings.tables import MemberVote

N = 100


def _client(live_server: str) -> httpx.AsyncClient:
    # One connection per post, all opened at once: the server sees 100 requests in flight.
    return httpx.AsyncClient(base_url=live_server, timeout=60, follow_redirects=False,
                             limits=httpx.Limits(max_connections=N, max_keepalive_connections=N))


async def _burst(c: httpx.AsyncClient, url: str, data: dict, headers: dict | None = None) -> Counter:
    start = asyncio.Event()

    async def one() -> int:
        await start.wait()
        return (await c.post(url, data=data, headers=headers or {})).status_code

    tasks = [asyncio.create_task(one()) for _ in range(N)]
    await asyncio.sleep(0.05)
    start.set()
    return Counter(await asyncio.gather(*tasks))


async def test_one_code_posted_100_times_at_once_stores_one_ballot(live_server, figures):
    places = await f.make_places()
    r = await f.make_round(places, items=3, max_ticks=2)
    codes = await f.open_round(r, codes_per_community=1)
    items = await f.item_ids(r.id)
    async with _client(live_server) as c:
        token = f.csrf_from((await c.get(f"/v/{codes[0]}")).text)
        statuses = await _burst(c, f"/v/{codes[0]}", {"_csrf_token": token, "item": [str(items[0]), str(items[2])]})
    ballots = await Ballot.count().where(Ballot.round == r.id)
    ticks = await BallotChoice.count()
    used = await BallotCode.count().where(BallotCode.used_at.is_not_null())
    figures(f"race: {N} posts of one ballot code: answers {dict(sorted(statuses.items()))}; "
            f"{ballots} ballot, {ticks} ticks, {used} code used")
    assert statuses[200] == 1 and statuses[409] == N - 1
    assert (ballots, ticks, used) == (1, 2, 1)


async def test_one_member_voting_100_times_at_once_stores_one_vote(live_server, figures):
    ctx = await setup.decide_meeting(with_member_user=True)
    url = f"/meetings/{ctx['meeting'].id}/my-vote/{ctx['ids'][0]}"
    async with _client(live_server) as c:
        token = f.csrf_from((await c.get("/login")).text)
        r = await c.post("/login", data={"username": ctx["member_user"].username, "password": f.PASSWORD,
                                         "_csrf_token": token, "next": "/rounds"})
        assert r.status_code in (302, 303)
        statuses = await _burst(c, url, {"_csrf_token": token, "choice": "yes"}, {"hx-request": "true"})
    votes = await MemberVote.select(MemberVote.member, MemberVote.choice).where(
        MemberVote.meeting == ctx["meeting"].id).run()
    figures(f"race: {N} votes of one member on one item: answers {dict(sorted(statuses.items()))}; "
          f"{len(votes)} vote stored")
    assert statuses[200] == 1 and statuses[409] == N - 1
    assert votes == [{"member": ctx["members"][4], "choice": "yes"}]
