"""Password hashing (the limits are tested in test_limits.py)."""
from yishi.core import security


async def test_verify_password_right_and_wrong():
    hashed = await security.hash_password("correct-horse-9")
    assert hashed.startswith("$argon2id$")
    assert await security.verify_password(hashed, "correct-horse-9") is True
    assert await security.verify_password(hashed, "correct-horse-8") is False


async def test_verify_password_garbage_hash_is_false():
    assert await security.verify_password("not-a-hash", "anything") is False
