"""The login limiter and password hashing."""
from types import SimpleNamespace

import pytest

from yishi.core import security
from yishi.core.security import AttemptLimiter


class Clock:
    """Stands in for time.monotonic so the window can pass without waiting."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    # Only the limiter's view of time.monotonic is replaced: the event loop keeps the real one.
    c = Clock()
    monkeypatch.setattr(security, "time", SimpleNamespace(monotonic=c))
    return c


def test_limiter_allows_until_limit_reached(clock):
    limiter = AttemptLimiter(limit=3, window=60)
    for _ in range(2):
        limiter.fail("k")
    assert limiter.blocked_for("k") == 0


def test_limiter_blocks_after_limit_failures(clock):
    limiter = AttemptLimiter(limit=3, window=60)
    for _ in range(3):
        limiter.fail("k")
    assert limiter.blocked_for("k") == 60


def test_limiter_wait_counts_down_from_oldest_failure(clock):
    limiter = AttemptLimiter(limit=2, window=60)
    limiter.fail("k")
    clock.now += 10
    limiter.fail("k")
    clock.now += 20
    # The oldest failure leaves the window at t+60, 30 s from now.
    assert limiter.blocked_for("k") == 30


def test_limiter_keys_are_independent(clock):
    limiter = AttemptLimiter(limit=1, window=60)
    limiter.fail("10.0.0.1|alice")
    assert limiter.blocked_for("10.0.0.1|alice") == 60
    assert limiter.blocked_for("10.0.0.1|bob") == 0
    assert limiter.blocked_for("10.0.0.2|alice") == 0


def test_limiter_unblocks_when_window_expires(clock):
    limiter = AttemptLimiter(limit=3, window=60)
    for _ in range(3):
        limiter.fail("k")
    clock.now += 59.5
    assert limiter.blocked_for("k") == 1  # half a second left rounds up, never down to 0
    clock.now += 0.5
    assert limiter.blocked_for("k") == 0


def test_limiter_window_slides_over_old_failures(clock):
    limiter = AttemptLimiter(limit=3, window=60)
    limiter.fail("k")
    clock.now += 40
    limiter.fail("k")
    limiter.fail("k")
    assert limiter.blocked_for("k") == 20
    clock.now += 20  # the first failure drops out, two remain
    assert limiter.blocked_for("k") == 0
    limiter.fail("k")
    assert limiter.blocked_for("k") == 40


def test_limiter_reset_clears_failures(clock):
    limiter = AttemptLimiter(limit=2, window=60)
    limiter.fail("k")
    limiter.fail("k")
    limiter.reset("k")
    assert limiter.blocked_for("k") == 0
    limiter.fail("k")
    assert limiter.blocked_for("k") == 0


def test_limiter_reset_of_unknown_key_is_harmless(clock):
    limiter = AttemptLimiter(limit=2, window=60)
    limiter.reset("never-seen")
    assert limiter.blocked_for("never-seen") == 0


async def test_verify_password_right_and_wrong():
    hashed = await security.hash_password("correct-horse-9")
    assert hashed.startswith("$argon2id$")
    assert await security.verify_password(hashed, "correct-horse-9") is True
    assert await security.verify_password(hashed, "correct-horse-8") is False


async def test_verify_password_garbage_hash_is_false():
    assert await security.verify_password("not-a-hash", "anything") is False


def test_limiter_checking_keys_leaves_no_state(clock):
    limiter = AttemptLimiter(limit=3, window=60)
    for n in range(100):
        assert limiter.blocked_for(f"10.0.0.1|probe{n}") == 0
    assert len(limiter._failures) == 0


def test_limiter_forgets_expired_keys_when_table_grows(clock):
    limiter = AttemptLimiter(limit=3, window=60)
    limiter.sweep_above = 5
    for n in range(6):
        limiter.fail(f"old{n}")
    clock.now += 60
    limiter.fail("recent")
    limiter.fail("new")
    assert sorted(limiter._failures) == ["new", "recent"]
    assert limiter.blocked_for("new") == 0
