"""Issuing ballot codes when a freshly drawn code is already taken: the batch is checked against
the stored codes and the clashing ones drawn again; the unique index stays the last guard (a
batch stored by someone else between the check and the insert) and the batch is then drawn and
checked again. The staff member always gets the whole batch; nothing is saved half-way."""
import pytest

from tests import factories as f
from yishi.ballots import casting
from yishi.ballots import codes as code_utils
from yishi.ballots.tables import BallotCode
from yishi.core import db
from yishi.core.tables import AuditEntry


def _draws(monkeypatch, sequence: list[str]) -> list[str]:
    """Make codes.new_code return `sequence` in order (then fail loudly); returns what was drawn."""
    drawn: list[str] = []
    queue = iter(sequence)

    def new_code() -> str:
        code = next(queue)
        drawn.append(code)
        return code

    monkeypatch.setattr(code_utils, "new_code", new_code)
    return drawn


async def _draft():
    places = await f.make_places(2)
    r = await f.make_round(places, items=2)
    return places, r


async def _stored() -> set[str]:
    return {row["code"] for row in await BallotCode.select(BallotCode.code)}


async def test_clashing_code_is_drawn_again_until_the_batch_is_new(monkeypatch):
    places, r = await _draft()
    existing = await casting.issue_codes(r, places["communities"][0], 3, actor=None)
    # The first draw repeats two stored codes; their replacements: one stored again, one new.
    drawn = _draws(monkeypatch, [existing[0], "CCCCCCCC", existing[1], "DDDDDDDD",
                                 existing[2], "EEEEEEEE", "FFFFFFFF"])
    new = await casting.issue_codes(r, places["communities"][1], 4, actor=None)
    assert sorted(new) == ["CCCCCCCC", "DDDDDDDD", "EEEEEEEE", "FFFFFFFF"]
    assert drawn == [existing[0], "CCCCCCCC", existing[1], "DDDDDDDD", existing[2], "EEEEEEEE", "FFFFFFFF"]
    assert await _stored() == set(existing) | set(new)
    rows = await BallotCode.select(BallotCode.community).where(BallotCode.code.is_in(new))
    assert {row["community"] for row in rows} == {places["communities"][1]}
    counts = await AuditEntry.select(AuditEntry.data).where(
        AuditEntry.action == "ballot.codes.issued").order_by(AuditEntry.id).output(load_json=True)
    assert [c["data"]["count"] for c in counts] == [3, 4]


async def test_a_repeat_inside_one_batch_is_drawn_again(monkeypatch):
    places, r = await _draft()
    _draws(monkeypatch, ["CCCCCCCC", "CCCCCCCC", "DDDDDDDD"])
    assert sorted(await casting.issue_codes(r, places["communities"][0], 2, actor=None)) == ["CCCCCCCC", "DDDDDDDD"]


async def test_a_clash_past_the_check_is_caught_by_the_unique_index_and_retried(monkeypatch):
    """Another request stores a code between this batch's check and its insert (simulated: the
    first check sees nothing). The insert is refused as a whole, and the batch drawn again."""
    places, r = await _draft()
    existing = await casting.issue_codes(r, places["communities"][0], 2, actor=None)
    real_taken = casting._taken
    checks: list[set[str]] = []

    async def taken(candidates: set[str]) -> set[str]:
        checks.append(set(candidates))
        return set() if len(checks) == 1 else await real_taken(candidates)

    monkeypatch.setattr(casting, "_taken", taken)
    _draws(monkeypatch, ["CCCCCCCC", existing[0], "DDDDDDDD", "EEEEEEEE"])
    new = await casting.issue_codes(r, places["communities"][1], 2, actor=None)
    assert sorted(new) == ["DDDDDDDD", "EEEEEEEE"]
    assert checks == [{"CCCCCCCC", existing[0]}, {"DDDDDDDD", "EEEEEEEE"}]
    # The refused insert left nothing behind: CCCCCCCC was not kept from the first attempt.
    assert await _stored() == set(existing) | {"DDDDDDDD", "EEEEEEEE"}
    assert await AuditEntry.count().where(AuditEntry.action == "ballot.codes.issued") == 2


async def test_a_clash_on_every_attempt_is_an_error_and_saves_nothing(monkeypatch):
    places, r = await _draft()
    existing = await casting.issue_codes(r, places["communities"][0], 1, actor=None)

    async def blind(candidates: set[str]) -> set[str]:
        return set()

    monkeypatch.setattr(casting, "_taken", blind)
    monkeypatch.setattr(code_utils, "new_code", lambda: existing[0])
    with pytest.raises(Exception) as exc:
        await casting.issue_codes(r, places["communities"][1], 1, actor=None)
    assert db.is_unique_violation(exc.value)
    assert await _stored() == set(existing)
