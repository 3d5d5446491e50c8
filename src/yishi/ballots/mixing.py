"""The mix of a round's ballots (core/mixing.py says why): in one transaction every ballot of the
round and its ticks are deleted and inserted again in the order of their random ids (same ids,
same receipts, so every receipt still checks), and every spent code and paper ballot form of the
round is written again unchanged, one by one in a random order. Afterwards all of them carry the
mix's transaction id (xmin) and the heap's order is the mix's, not the casting's: nothing an
insider reads from the tables pairs a spent code with its ballot any more.

When: as the round is counted (lifecycle.count_round, in the count's own transaction, so no
published result rests on unmixed rows), and while the ticking goes on, from the scheduled run
(mix_due) for every round with ballots cast since its last mix.

Casting goes on during a mix. The mix copies the round's ballots first (one statement), then the
ticks of exactly those ballots (a ballot and its ticks are committed together, so the copy is
whole), and deletes and inserts only what it copied: a ballot committed meanwhile is not touched,
keeps its own xmin and is mixed next time. Spent codes are never written by anything else (a
cast and a paper entry only spend unused codes), and a paper form the mix writes again while a
collector enters it waits for the other's row lock and then writes the newer row. Two mixes of
one round are serialised by an advisory lock.

On SQLite there is nothing to mix: no xmin, and a table's rows are kept in rowid order, which for
ballots and ticks is their random id. mix_round does nothing there and returns 0."""
from __future__ import annotations

from yishi.ballots.tables import Ballot, BallotChoice, BallotCode, BallotMix, PaperBallot
from yishi.core import mixing

BALLOTS = mixing.Kind(lock=0x6D697862,  # 'mixb'
                      marker=BallotMix, count_column="ballots",
                      counts="SELECT round, count(*) AS n FROM ballot GROUP BY round",
                      tables=(Ballot, BallotChoice, BallotCode, PaperBallot))


async def _mix(r: int) -> int:
    ballots = await mixing.rewrite_shuffled([
        (Ballot, f"round = {r}", "id"),
        (BallotChoice, f"ballot IN (SELECT id FROM {mixing.stash_of(Ballot)})", "ballot, id"),
    ])
    await mixing.restamp_shuffled(BallotCode, "used_at", f"round = {r} AND used_at IS NOT NULL")
    await mixing.restamp_shuffled(PaperBallot, "status", f"round = {r}")
    return ballots


async def mix_round(round_id: int, *, force: bool = True) -> int | None:
    """Mix the round's ballots (in the caller's transaction if there is one); how many ballots
    were mixed. Without `force`, nothing (None) when no ballot came since the round's last mix.
    Does nothing on SQLite (0)."""
    return await mixing.mix(BALLOTS, round_id, _mix, force=force)


async def due_rounds() -> list[int]:
    """Rounds with more ballots than at their last mix (or never mixed). Empty on SQLite."""
    return await mixing.due_rounds(BALLOTS)


async def mix_due() -> dict[int, int]:
    """The scheduled pass (yishi periodic): every round with ballots since its last mix, each in
    a transaction of its own, then VACUUM. {round id: ballots mixed}."""
    return await mixing.mix_due(BALLOTS, lambda r: mix_round(r, force=False))
