"""Accounts: creating users and checking logins."""
import pytest

from tests import factories as f
from yishi.accounts import services
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.core.errors import DomainError
from yishi.core.tables import AuditEntry


async def test_create_user_stores_hash_and_audits():
    places = await f.make_places()
    user = await services.create_user(username="  dawan_zhaoji ", password="correct-horse-9",
                                      display_name=" 王建国 ", role=Role.convener, town_id=places["town"])
    row = await User.select().where(User.id == user.id).first()
    assert row["username"] == "dawan_zhaoji"
    assert row["display_name"] == "王建国"
    assert row["role"] == "convener"
    assert row["town"] == places["town"]
    assert row["active"] is True
    assert row["password_hash"].startswith("$argon2id$")
    assert "correct-horse-9" not in row["password_hash"]
    audit = await AuditEntry.select(AuditEntry.action, AuditEntry.object_id, AuditEntry.data).run()
    assert [(a["action"], a["object_id"]) for a in audit] == [("account.user.created", user.id)]


async def test_create_user_blank_display_name_falls_back_to_username():
    user = await services.create_user(username="admin2", password="correct-horse-9", display_name="  ",
                                      role=Role.admin)
    assert user.display_name == "admin2"


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("a", "用户名应为 2 到 40 个字母、数字或 _ . -。"),
        ("", "用户名应为 2 到 40 个字母、数字或 _ . -。"),
        ("x" * 41, "用户名应为 2 到 40 个字母、数字或 _ . -。"),
        ("王建国", "用户名应为 2 到 40 个字母、数字或 _ . -。"),
        ("bad name", "用户名应为 2 到 40 个字母、数字或 _ . -。"),
        ("a/b", "用户名应为 2 到 40 个字母、数字或 _ . -。"),
    ],
)
async def test_create_user_bad_username_refused(username, message):
    with pytest.raises(DomainError) as caught:
        await services.create_user(username=username, password="correct-horse-9", display_name="x",
                                   role=Role.admin)
    assert caught.value.message == message
    assert await User.count() == 0


async def test_create_user_short_password_refused():
    with pytest.raises(DomainError) as caught:
        await services.create_user(username="admin", password="1234567", display_name="x", role=Role.admin)
    assert caught.value.message == "密码至少需要 8 个字符。"
    assert await User.count() == 0


async def test_create_user_password_of_exactly_eight_accepted():
    user = await services.create_user(username="admin", password="12345678", display_name="x", role=Role.admin)
    assert (await services.authenticate("admin", "12345678")).id == user.id


@pytest.mark.parametrize("role", [Role.street_staff, Role.convener, Role.member])
async def test_create_user_town_role_without_town_refused(role):
    with pytest.raises(DomainError) as caught:
        await services.create_user(username="someone", password="correct-horse-9", display_name="x", role=role)
    assert caught.value.message == "该角色需要指定所属镇（街道）。"
    assert await User.count() == 0


async def test_create_user_collector_without_place_refused():
    with pytest.raises(DomainError) as caught:
        await services.create_user(username="someone", password="correct-horse-9", display_name="x",
                                   role=Role.collector)
    assert caught.value.message == "民情收集员需要指定所属社区或镇（街道）。"


async def test_create_user_reviewer_without_district_refused():
    # A reviewer bound to no district would be listed every round of every district.
    with pytest.raises(DomainError) as caught:
        await services.create_user(username="someone", password="correct-horse-9", display_name="x",
                                   role=Role.district_reviewer)
    assert caught.value.message == "区级审核人员需要指定所属区。"
    assert await User.count() == 0


async def test_create_user_duplicate_username_refused():
    await services.create_user(username="dawan", password="correct-horse-9", display_name="x", role=Role.admin)
    with pytest.raises(DomainError) as caught:
        await services.create_user(username=" dawan ", password="other-horse-9", display_name="y",
                                   role=Role.admin)
    assert caught.value.message == "用户名“dawan”已被使用。"
    assert await User.count() == 1


async def test_authenticate_right_password_returns_user():
    user = await f.make_user(Role.admin, username="admin")
    found = await services.authenticate("admin", f.PASSWORD)
    assert found is not None
    assert found.id == user.id


async def test_authenticate_strips_username():
    user = await f.make_user(Role.admin, username="admin")
    found = await services.authenticate("  admin ", f.PASSWORD)
    assert found.id == user.id


async def test_authenticate_wrong_password_returns_none():
    await f.make_user(Role.admin, username="admin")
    assert await services.authenticate("admin", f.PASSWORD + "x") is None


async def test_authenticate_unknown_user_returns_none():
    assert await services.authenticate("nobody", f.PASSWORD) is None


async def test_authenticate_inactive_user_returns_none():
    user = await f.make_user(Role.admin, username="admin")
    await User.update({User.active: False}).where(User.id == user.id)
    assert await services.authenticate("admin", f.PASSWORD) is None


async def test_get_active_user_checks_session_version_and_active():
    user = await f.make_user(Role.admin)
    assert (await services.get_active_user(user.id, 1)).id == user.id
    assert await services.get_active_user(user.id, 2) is None
    assert await services.get_active_user(user.id + 1000, 1) is None
    await User.update({User.active: False}).where(User.id == user.id)
    assert await services.get_active_user(user.id, 1) is None


async def test_authenticate_brings_an_old_hash_up_to_todays_costs():
    from argon2 import PasswordHasher  # a hasher of other costs, this test only

    user = await f.make_user(Role.admin, username="admin")
    old = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1).hash(f.PASSWORD)
    await User.update({User.password_hash: old}).where(User.id == user.id)
    assert (await services.authenticate("admin", f.PASSWORD)).id == user.id
    new = (await User.select(User.password_hash).where(User.id == user.id).first())["password_hash"]
    assert new != old and "t=1,p=4" in new  # the costs the tests configure
    assert (await services.authenticate("admin", f.PASSWORD)).id == user.id
