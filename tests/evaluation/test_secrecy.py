"""No rating can be linked to the code that gave it, nor to a resident's ballot, by someone who
reads the whole database: the pairings an insider would try do not pair."""
import pytest

from tests import factories as f
from tests.evaluation.setup import codes, written_off
from yishi.accounts.enums import Role
from yishi.evaluation import services
from yishi.evaluation.tables import PaperRating, Rating, RatingCode, RatingUse, UnsatisfiedCase

N = 20


async def _rate_twenty():
    """20 codes rate one project in the order they were printed (the worst case: any order the
    database keeps then matches the codes' own order), each with a comment of its own; every
    one 不满意, so every one also opens a case in the ledger."""
    places, staff, (pid, _other), round_id = await written_off()
    printed = await codes(places, staff, round_id, N)
    truth = {}
    for n, code in enumerate(printed):
        await services.rate_online(pid, code, "unsatisfied", f"意见{n:02d}")
        truth[code] = f"意见{n:02d}"
    return places, staff, pid, round_id, truth


async def _uses_in_order(order_by) -> list[str]:
    """The codes behind rating_use rows, in an order an insider can ask for."""
    code_of = {f"r{r['id']}": r["code"] for r in await RatingCode.select(RatingCode.id, RatingCode.code).run()}
    rows = await RatingUse.select(RatingUse.slot, RatingUse.id).order_by(order_by).run()
    return [code_of[r["slot"].split(":")[1]] for r in rows]


def _paired(uses: list[str], comments: list[str], truth: dict[str, str]) -> int:
    return sum(truth[code] == comment for code, comment in zip(uses, comments, strict=True))


async def test_rating_ids_and_the_ledger_pair_no_code_with_its_rating():
    *_rest, truth = await _rate_twenty()
    uses = await _uses_in_order(RatingUse.id)
    by_rating_id = [r["comment"] for r in await Rating.select(Rating.comment).order_by(Rating.id).run()]
    # The ledger's cases are numbered in the order they were opened, and each names its rating.
    comment_of = {r["id"]: r["comment"] for r in await Rating.select(Rating.id, Rating.comment).run()}
    by_case = [comment_of[r["rating"]] for r in await UnsatisfiedCase.select(UnsatisfiedCase.rating).order_by(
        UnsatisfiedCase.id).run()]
    attempts = {"use id × rating id": (uses, by_rating_id), "use id × case id": (uses, by_case)}
    if Rating._meta.db.engine_type == "sqlite":  # the rows as the tables hand them out (by rowid)
        stored_uses = [r["slot"] for r in await RatingUse.raw("SELECT slot FROM rating_use").run()]
        code_of = {f"r{r['id']}": r["code"] for r in await RatingCode.select(RatingCode.id, RatingCode.code).run()}
        attempts["stored order"] = ([code_of[s.split(":")[1]] for s in stored_uses],
                                    [r["comment"] for r in await Rating.raw("SELECT comment FROM rating").run()])
    assert len(uses) == len(by_rating_id) == len(by_case) == N
    for name, (u, c) in attempts.items():
        # With ids that grow together every pair would be right (20); a random order gets about one.
        assert _paired(u, c, truth) < N // 2, name


async def test_counted_paper_form_forgets_its_code():
    places, staff, (pid, _other), round_id = await written_off()
    printed = await codes(places, staff, round_id, 3)
    c1, c2 = await f.make_user(Role.collector, places), await f.make_user(Role.collector, places)
    for code in printed:
        await services.enter_paper(pid, code, "unsatisfied", "噪音大", actor=c1)
        assert await services.enter_paper(pid, code, "unsatisfied", "噪音大", actor=c2) == "counted"
    slots = {r["slot"] for r in await PaperRating.select(PaperRating.slot).run()}
    rating_code_ids = {r["id"] for r in await RatingCode.select(RatingCode.id).run()}
    assert not any(s.endswith(f":r{i}") for s in slots for i in rating_code_ids)
    # The code still rated the project once: a third entry, or the code online, is refused.
    with pytest.raises(Exception) as info:
        await services.enter_paper(pid, printed[0], "satisfied", "", actor=c1)
    assert "只能评价一次" in info.value.message
    assert await RatingUse.count().where(RatingUse.project == pid).run() == 3


@pytest.mark.xfail(strict=True, reason="known, not closed: on PostgreSQL a code's use and its rating, written in "
                   "one transaction, share the transaction id (xmin)")
async def test_postgres_xmin_pairs_a_code_with_its_rating():
    if Rating._meta.db.engine_type != "postgres":
        pytest.skip("PostgreSQL's system columns only")
    *_rest, truth = await _rate_twenty()
    code_of = {f"r{r['id']}": r["code"] for r in await RatingCode.select(RatingCode.id, RatingCode.code).run()}
    comment_of = {r["xmin"]: r["comment"] for r in await Rating.raw(
        "SELECT comment, xmin::text AS xmin FROM rating").run()}
    guess = {code_of[r["slot"].split(":")[1]]: comment_of.get(r["xmin"]) for r in await RatingUse.raw(
        "SELECT slot, xmin::text AS xmin FROM rating_use").run()}
    assert sum(truth[c] == g for c, g in guess.items()) < N // 2
