"""The rules a new password must meet, and one-time passwords."""
import re

import pytest

from yishi.core import passwords

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(("password", "message"), [
    ("short7!", "密码至少需要 8 个字符。"),
    ("x" * 129, "密码不能超过 128 个字符。"),
    ("12345678", "这个密码太常见，很容易被猜到，请换一个。"),
    ("Password1", "这个密码太常见，很容易被猜到，请换一个。"),
    ("woaini1314", "这个密码太常见，很容易被猜到，请换一个。"),
    ("1qaz2wsx", "这个密码太常见，很容易被猜到，请换一个。"),
    ("aaaaaaaaaa", "这个密码太常见，很容易被猜到，请换一个。"),
    ("abababab", "这个密码太常见，很容易被猜到，请换一个。"),
    ("98765432", "这个密码太常见，很容易被猜到，请换一个。"),
    ("abcdefghij", "这个密码太常见，很容易被猜到，请换一个。"),
    ("dawan_wang-2026", "密码不能包含用户名。"),
])
def test_password_problem_names_the_reason(password, message):
    assert passwords.problem(password, "dawan_wang") == message


@pytest.mark.parametrize("password", ["qingbai-river-77", "黄桷树下开会2026", "Tz9-ma4k-Lp"])
def test_password_problem_none_for_a_good_password(password):
    assert passwords.problem(password, "dawan_wang") is None


def test_common_list_is_lower_case_and_has_no_comments():
    common = passwords.common_passwords()
    assert len(common) > 80
    assert all(p == p.lower() and not p.startswith("#") for p in common)


def test_one_time_password_readable_and_varied():
    seen = {passwords.one_time_password() for _ in range(200)}
    assert len(seen) == 200
    assert all(re.fullmatch(r"[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}", p) for p in seen)
    assert all(passwords.problem(p) is None for p in seen)
