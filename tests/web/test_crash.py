"""A crash in the middle of the ticking: the real server takes ballots from many residents at
once, is killed with SIGKILL (no clean-up of any kind), and started again on the same database.
Every ballot it acknowledged (answered with a receipt) is stored with its ticks; nothing is
half-stored: each ballot has all its ticks, and the codes marked used are exactly as many as the
ballots. The figures are printed (in the summary at the end of the run)."""
from __future__ import annotations

import asyncio
import os
import re
import signal

import httpx

from tests import factories as f
from yishi.ballots import codes as code_utils
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode

IN_FLIGHT = 16
KILL_AFTER = 120  # acknowledged ballots before the kill: the load is in full swing by then


async def _cast(c: httpx.AsyncClient, code: str, token: str, ticks: list[int]) -> str | None:
    """The receipt, or None when no answer came (the server died) or it was not a receipt."""
    try:
        r = await c.post(f"/v/{code}", data={"_csrf_token": token, "item": [str(t) for t in ticks]})
    except httpx.HTTPError:
        return None
    match = re.search(r'id="receipt">([^<]+)<', r.text)
    return match.group(1) if r.status_code == 200 and match else None


async def test_sigkill_mid_load_loses_no_acknowledged_ballot_and_half_stores_none(start_server_process, figures):
    places = await f.make_places()
    r = await f.make_round(places, items=4, max_ticks=2)
    codes = await f.open_round(r, codes_per_community=300)
    items = await f.item_ids(r.id)
    proc, url = start_server_process()
    acknowledged: dict[str, str] = {}  # code -> receipt as shown
    queue = list(codes)
    killed = asyncio.Event()

    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        token = f.csrf_from((await c.get(f"/v/{codes[0]}")).text)

        async def resident(n: int) -> None:
            while queue and not killed.is_set():
                code = queue.pop()
                receipt = await _cast(c, code, token, [items[n % 4], items[(n + 1) % 4]])
                if receipt:
                    acknowledged[code] = receipt
                    if len(acknowledged) >= KILL_AFTER and not killed.is_set():
                        killed.set()
                        os.kill(proc.pid, signal.SIGKILL)

        await asyncio.gather(*[resident(n) for n in range(IN_FLIGHT)])
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    # Restarted on the same database: it starts, and what it finds is whole.
    proc, url = start_server_process()
    rows = await Ballot.select(Ballot.id, Ballot.receipt).where(Ballot.round == r.id)
    ballots = {b["id"]: b["receipt"] for b in rows}
    ticks_per_ballot = {}
    for row in await BallotChoice.select(BallotChoice.ballot).where(BallotChoice.ballot.is_in(list(ballots) or [0])):
        ticks_per_ballot[row["ballot"]] = ticks_per_ballot.get(row["ballot"], 0) + 1
    used = {row["code"] for row in await BallotCode.select(BallotCode.code).where(
        (BallotCode.round == r.id) & BallotCode.used_at.is_not_null())}
    stored_receipts = {code_utils.display(receipt) for receipt in ballots.values()}
    figures(f"crash: {len(codes)} codes, {IN_FLIGHT} in flight, SIGKILL after {len(acknowledged)} acknowledged: "
          f"{len(ballots)} ballots stored, {len(used)} codes used, "
          f"{len(ballots) - len(acknowledged)} stored whose answer never arrived")
    assert set(acknowledged.values()) <= stored_receipts, "an acknowledged ballot was lost"
    assert set(acknowledged) <= used
    assert {b: ticks_per_ballot.get(b, 0) for b in ballots} == {b: 2 for b in ballots}, "a ballot without its ticks"
    assert len(used) == len(ballots), "a code marked used without its ballot (or the reverse)"

    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        token = f.csrf_from((await c.get(f"/v/{codes[0]}")).text)
        again = await c.post(f"/v/{next(iter(acknowledged))}", data={"_csrf_token": token, "item": [str(items[0])]})
        assert again.status_code == 409
        fresh = next(code for code in codes if code not in used)
        assert await _cast(c, fresh, token, items[:2]) is not None
    assert await Ballot.count().where(Ballot.round == r.id) == len(ballots) + 1
