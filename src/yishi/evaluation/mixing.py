"""The mix of a round's ratings, as ballots.mixing mixes its ballots (core/mixing.py says why): a
code's use (RatingUse) and its rating are written in one transaction, so on PostgreSQL they share
its transaction id (xmin) and the heap keeps both in the order they came. In one transaction
every rating of the round's projects and every use of a code on them is deleted and inserted
again in the order of their random ids (same ids), and every paper form written again one by
one in a random order; a case in the ledger keeps its rating (deleting a rating empties the case's link, which is
put back in the same transaction, so the case too carries the mix's xmin).

When: from the scheduled pass (mix_due, in `yishi periodic`) for every round with ratings since
its last mix. Ratings are read live (the rates, the dashboard), so there is no moment like a
ballot round's count to mix at: the window is until the next pass.

Ratings come in during a mix: the mix copies the round's ratings first, then the cases of exactly
those ratings (a rating and its case are committed together), and deletes and inserts only what
it copied; a rating committed meanwhile keeps its own xmin and is mixed next time. The uses are
copied on their own: a use and its rating are not linked in any row, so each is whole alone.
On SQLite there is nothing to mix (rows kept by their random rowid, no xmin)."""
from __future__ import annotations

from yishi.core import mixing
from yishi.evaluation.tables import PaperRating, Rating, RatingMix, RatingUse, UnsatisfiedCase

_OF_ROUND = "project IN (SELECT id FROM project WHERE round = {})"
_CASES = "yishi_mix_case"

RATINGS = mixing.Kind(lock=0x6D697872,  # 'mixr'
                      marker=RatingMix, count_column="ratings",
                      counts="SELECT p.round, count(*) AS n FROM rating r JOIN project p ON p.id = r.project"
                             " GROUP BY p.round",
                      tables=(Rating, RatingUse, PaperRating, UnsatisfiedCase))


async def _mix(r: int) -> int:
    where = _OF_ROUND.format(r)
    ratings = await mixing.rewrite_shuffled(
        [(Rating, where, "id"), (RatingUse, where, "id")],
        between=[f"CREATE TEMP TABLE {_CASES} ON COMMIT DROP AS SELECT id, rating FROM unsatisfied_case"
                 f" WHERE rating IN (SELECT id FROM {mixing.stash_of(Rating)})"])
    await mixing.run(Rating, f"UPDATE unsatisfied_case c SET rating = m.rating FROM {_CASES} m WHERE c.id = m.id;"
                             f" DROP TABLE {_CASES}")
    await mixing.restamp_shuffled(PaperRating, "status", where)
    return ratings


async def mix_round(round_id: int, *, force: bool = True) -> int | None:
    """Mix the ratings of the round's projects; how many ratings were mixed. Without `force`,
    nothing (None) when no rating came since the round's last mix. Nothing on SQLite (0)."""
    return await mixing.mix(RATINGS, round_id, _mix, force=force)


async def due_rounds() -> list[int]:
    return await mixing.due_rounds(RATINGS)


async def mix_due() -> dict[int, int]:
    """The scheduled pass: every round with ratings since its last mix, then VACUUM."""
    return await mixing.mix_due(RATINGS, lambda r: mix_round(r, force=False))
