"""The rate limits, counted in the shared store: the database (SQLite, PostgreSQL), and Redis
when YISHI_TEST_REDIS_URL (default redis://127.0.0.1:6379/15) answers and the redis package is
installed."""
import asyncio
import os
import uuid
from types import SimpleNamespace

import pytest

from yishi.core import limits
from yishi.core.limits import AttemptLimiter, DatabaseStore, GrowingDelay, store_key
from yishi.core.tables import SharedState


class Clock:
    """Stands in for time.time so a window can pass without waiting."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    # Only the limits' view of the time is replaced: the event loop keeps the real one.
    c = Clock()
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=c))
    return c


REDIS_URL = os.environ.get("YISHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["database", "redis"], autouse=True)
async def store(request):
    global _store
    if request.param == "database":
        _store = DatabaseStore()
        yield _store
        return
    if request.node.get_closest_marker("database_only"):
        pytest.skip("looks at the database table")
    pytest.importorskip("redis")
    from yishi.web.stores import RedisStateStore

    _store = RedisStateStore(REDIS_URL, namespace=f"yishi-test-{uuid.uuid4().hex[:8]}")
    try:
        await _store.store._redis.ping()
    except OSError as exc:
        await _store.close()
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    yield _store
    await _store.store.delete_all()
    await _store.close()


_store = None


def limiter(limit: int, window: float = 60) -> AttemptLimiter:
    return AttemptLimiter(_store, "test", limit, window)


async def test_limiter_allows_until_limit_reached(clock):
    gate = limiter(3)
    for _ in range(2):
        await gate.fail("k")
    assert await gate.blocked_for("k") == 0


async def test_limiter_blocks_after_limit_failures(clock):
    gate = limiter(3)
    for _ in range(3):
        await gate.fail("k")
    assert await gate.blocked_for("k") == 60


async def test_limiter_wait_counts_down_from_oldest_failure(clock):
    gate = limiter(2)
    await gate.fail("k")
    clock.now += 10
    await gate.fail("k")
    clock.now += 20
    # The oldest failure leaves the window at t+60, 30 s from now.
    assert await gate.blocked_for("k") == 30


async def test_limiter_keys_are_independent(clock):
    gate = limiter(1)
    await gate.fail("10.0.0.1|alice")
    assert await gate.blocked_for("10.0.0.1|alice") == 60
    assert await gate.blocked_for("10.0.0.1|bob") == 0
    assert await gate.blocked_for("10.0.0.2|alice") == 0


async def test_limiters_of_other_names_do_not_share_counts(clock):
    await AttemptLimiter(_store, "one", 1, 60).fail("k")
    assert await AttemptLimiter(_store, "two", 1, 60).blocked_for("k") == 0


async def test_limiter_unblocks_when_window_expires(clock):
    gate = limiter(3)
    for _ in range(3):
        await gate.fail("k")
    clock.now += 59.5
    assert await gate.blocked_for("k") == 1  # half a second left rounds up, never down to 0
    clock.now += 0.5
    assert await gate.blocked_for("k") == 0


async def test_limiter_window_slides_over_old_failures(clock):
    gate = limiter(3)
    await gate.fail("k")
    clock.now += 40
    await gate.fail("k")
    await gate.fail("k")
    assert await gate.blocked_for("k") == 20
    clock.now += 20  # the first failure drops out, two remain
    assert await gate.blocked_for("k") == 0
    await gate.fail("k")
    assert await gate.blocked_for("k") == 40


async def test_limiter_reset_clears_failures(clock):
    gate = limiter(2)
    await gate.fail("k")
    await gate.fail("k")
    await gate.reset("k")
    assert await gate.blocked_for("k") == 0
    await gate.fail("k")
    assert await gate.blocked_for("k") == 0


async def test_limiter_reset_of_unknown_key_is_harmless(clock):
    await limiter(2).reset("never-seen")
    assert await limiter(2).blocked_for("never-seen") == 0


async def test_attempt_counts_until_full_then_refuses_uncounted(clock):
    gate = limiter(3)
    assert [await gate.attempt("k") for _ in range(3)] == [0, 0, 0]
    assert await gate.attempt("k") == 60
    clock.now += 30
    assert await gate.attempt("k") == 30  # refusals add nothing: the wait is still the first one's
    clock.now += 30
    assert await gate.attempt("k") == 0


async def test_simultaneous_attempts_never_exceed_the_limit(clock):
    gate = limiter(5)
    waits = await asyncio.gather(*(gate.attempt("k") for _ in range(40)))
    assert waits.count(0) == 5
    assert sorted(set(waits)) == [0, 60]


@pytest.mark.database_only
async def test_checking_keys_leaves_no_rows(clock):
    gate = limiter(3)
    for n in range(20):
        assert await gate.blocked_for(f"10.0.0.1|probe{n}") == 0
    assert await SharedState.count() == 0


@pytest.mark.database_only
async def test_expired_records_are_swept(clock, monkeypatch):
    monkeypatch.setattr(limits, "SWEEP_ONE_IN", 1)  # every change sweeps
    gate = limiter(3)
    for n in range(6):
        await gate.fail(f"old{n}")
    clock.now += 60
    await gate.fail("new")
    assert [r["key"] for r in await SharedState.select(SharedState.key).run()] == ["test|new"]


@pytest.mark.pure
def test_long_keys_are_shortened_but_stay_apart():
    a, b = store_key("login", "x" * 500 + "a"), store_key("login", "x" * 500 + "b")
    assert len(a) == len(b) == 200 and a != b
    assert store_key("login", "alice") == "login|alice"


async def test_long_username_is_limited_like_any_other(clock):
    gate = limiter(1)
    await gate.fail("1.2.3.4|" + "名" * 300)
    assert await gate.blocked_for("1.2.3.4|" + "名" * 300) == 60


def delays(free: int = 3) -> GrowingDelay:
    return GrowingDelay(_store, "acct", free=free, first_delay=10, max_delay=100)


@pytest.mark.pure
def test_delay_doubles_after_the_free_failures_up_to_the_longest():
    assert [delays().delay(n) for n in range(1, 10)] == [0, 0, 0, 10, 20, 40, 80, 100, 100]


async def test_growing_delay_free_attempts_then_waits(clock):
    gate = delays()
    assert [await gate.attempt("alice") for _ in range(3)] == [0, 0, 0]
    assert await gate.blocked_for("alice") == 0
    assert await gate.attempt("alice") == 0  # the 4th may try, and starts a 10 s wait
    assert await gate.attempt("alice") == 10
    clock.now += 10
    assert await gate.attempt("alice") == 0  # the 5th: 20 s
    clock.now += 19
    assert await gate.blocked_for("alice") == 1
    clock.now += 1
    assert await gate.attempt("alice") == 0


async def test_growing_delay_never_longer_than_the_longest(clock):
    gate = delays()
    for _ in range(12):
        clock.now += 1000
        await gate.attempt("alice")
    assert await gate.blocked_for("alice") == 100


async def test_growing_delay_reset_by_success(clock):
    gate = delays()
    for _ in range(4):
        await gate.attempt("alice")
    await gate.reset("alice")
    assert [await gate.attempt("alice") for _ in range(3)] == [0, 0, 0]


async def test_growing_delay_forgets_a_quiet_key(clock):
    gate = delays()
    for _ in range(3):
        await gate.attempt("alice")
    clock.now += 24 * 3600
    assert [await gate.attempt("alice") for _ in range(3)] == [0, 0, 0]


async def test_growing_delay_simultaneous_attempts_only_free_ones_pass(clock):
    gate = delays()
    waits = await asyncio.gather(*(gate.attempt("alice") for _ in range(30)))
    assert waits.count(0) == 4  # three free, and the one that starts the first wait
