"""用户管理 services: create with a one-time password, edit, disable, reset, change, history."""
import pytest

from tests import factories as f
from yishi.accounts import management, services
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.core.errors import DomainError, Forbidden


async def _row(user_id):
    return await User.select().where(User.id == user_id).first().run()


async def test_create_account_gives_one_time_password_to_change_at_first_login():
    places = await f.make_places()
    admin = await f.make_user(Role.admin)
    user, password = await management.create_account(admin, username="dawan_li", display_name="李秀英",
                                                     phone="13800000000", role=Role.collector,
                                                     community_id=places["communities"][1])
    row = await _row(user.id)
    assert (row["town"], row["community"], row["phone"], row["must_change_password"]) == (
        places["town"], places["communities"][1], "13800000000", True)
    assert (await services.authenticate("dawan_li", password)).id == user.id


async def test_street_staff_creates_member_of_own_street_whatever_town_is_posted():
    mine, theirs = await f.make_places(), await f.make_places()
    staff = await f.make_user(Role.street_staff, mine)
    user, _ = await management.create_account(staff, username="m1", display_name="成员", phone="",
                                              role=Role.member, town_id=theirs["town"])
    assert (await _row(user.id))["town"] == mine["town"]


@pytest.mark.parametrize("role", [Role.street_staff, Role.convener, Role.admin, Role.district_reviewer])
async def test_street_staff_cannot_create_above_members_and_collectors(role):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    with pytest.raises(Forbidden) as caught:
        await management.create_account(staff, username="x1", display_name="x", phone="", role=role,
                                        district_id=places["district"])
    assert caught.value.message == "您只能管理本镇（街道）的议事组成员和民情收集员账号。"
    assert await User.count().where(User.username == "x1") == 0


async def test_community_of_another_street_refused():
    mine, theirs = await f.make_places(), await f.make_places()
    admin = await f.make_user(Role.admin)
    with pytest.raises(DomainError) as caught:
        await management.create_account(admin, username="c1", display_name="c", phone="", role=Role.collector,
                                        town_id=mine["town"], community_id=theirs["communities"][0])
    assert caught.value.message == "所选社区不属于所选镇（街道）。"


async def test_update_account_changes_role_and_ends_sessions():
    places = await f.make_places()
    admin = await f.make_user(Role.admin)
    member = await f.make_user(Role.member, places)
    await management.update_account(admin, member.id, display_name="王芳", phone="028-1234", role=Role.convener,
                                    town_id=places["town"])
    row = await _row(member.id)
    assert (row["display_name"], row["phone"], row["role"], row["session_version"]) == ("王芳", "028-1234",
                                                                                        "convener", 2)


async def test_update_account_same_role_keeps_sessions():
    places = await f.make_places()
    admin = await f.make_user(Role.admin)
    member = await f.make_user(Role.member, places)
    await management.update_account(admin, member.id, display_name="王芳", phone="", role=Role.member,
                                    town_id=places["town"])
    assert (await _row(member.id))["session_version"] == 1


async def test_street_staff_cannot_raise_own_member_to_convener():
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    member = await f.make_user(Role.member, places)
    with pytest.raises(Forbidden):
        await management.update_account(staff, member.id, display_name="x", phone="", role=Role.convener)
    assert (await _row(member.id))["role"] == "member"


async def test_disable_ends_sessions_and_login_enable_restores():
    places = await f.make_places()
    admin = await f.make_user(Role.admin)
    member = await f.make_user(Role.member, places)
    await management.set_active(admin, member.id, False)
    assert await services.get_active_user(member.id, 1) is None
    assert await services.authenticate(member.username, f.PASSWORD) is None
    await management.set_active(admin, member.id, True)
    assert (await services.authenticate(member.username, f.PASSWORD)).id == member.id
    assert (await _row(member.id))["session_version"] == 3


async def test_admin_cannot_disable_self():
    admin = await f.make_user(Role.admin)
    with pytest.raises(DomainError) as caught:
        await management.set_active(admin, admin.id, False)
    assert caught.value.message == "不能停用自己的账号。"


async def test_reset_password_replaces_old_one_and_ends_sessions():
    places = await f.make_places()
    admin = await f.make_user(Role.admin)
    member = await f.make_user(Role.member, places)
    password = await management.reset_password(admin, member.id)
    assert await services.authenticate(member.username, f.PASSWORD) is None
    assert (await services.authenticate(member.username, password)).id == member.id
    row = await _row(member.id)
    assert (row["must_change_password"], row["session_version"]) == (True, 2)


async def test_change_password_checks_and_rehashes():
    places = await f.make_places()
    member = await f.make_user(Role.member, places)
    await User.update({User.must_change_password: True}).where(User.id == member.id)
    version = await management.change_password(member, current=f.PASSWORD, new="river-bend-42",
                                               repeat="river-bend-42")
    row = await _row(member.id)
    assert (version, row["session_version"], row["must_change_password"]) == (2, 2, False)
    assert row["password_hash"].startswith("$argon2id$")
    assert (await services.authenticate(member.username, "river-bend-42")).id == member.id


@pytest.mark.parametrize(("current", "new", "repeat", "message"), [
    ("wrong-one-1", "river-bend-42", "river-bend-42", "当前密码不正确。"),
    (f.PASSWORD, "river-bend-42", "river-bend-43", "两次输入的新密码不一致。"),
    (f.PASSWORD, f.PASSWORD, f.PASSWORD, "新密码不能与当前密码相同。"),
    (f.PASSWORD, "woaini1314", "woaini1314", "这个密码太常见，很容易被猜到，请换一个。"),
    (f.PASSWORD, "short", "short", "密码至少需要 8 个字符。"),
])
async def test_change_password_refused_with_reason(current, new, repeat, message):
    places = await f.make_places()
    member = await f.make_user(Role.member, places)
    with pytest.raises(DomainError) as caught:
        await management.change_password(member, current=current, new=new, repeat=repeat)
    assert caught.value.message == message
    assert (await _row(member.id))["session_version"] == 1


async def test_list_accounts_street_staff_sees_own_members_and_collectors_only():
    mine, theirs = await f.make_places(), await f.make_places()
    staff = await f.make_user(Role.street_staff, mine)
    member = await f.make_user(Role.member, mine, username="m_mine")
    collector = await f.make_user(Role.collector, mine, username="c_mine")
    await f.make_user(Role.convener, mine)
    await f.make_user(Role.member, theirs)
    await f.make_user(Role.admin)
    rows, total = await management.list_accounts(staff)
    assert ([r["id"] for r in rows], total) == ([collector.id, member.id], 2)


async def test_list_accounts_reviewer_sees_own_district_and_filters():
    mine, theirs = await f.make_places(), await f.make_places()
    reviewer = await f.make_user(Role.district_reviewer, mine)
    member = await f.make_user(Role.member, mine, username="wang_fang")
    await f.make_user(Role.member, theirs)
    rows, total = await management.list_accounts(reviewer)
    assert total == 2  # the reviewer and the member
    rows, total = await management.list_accounts(reviewer, q="WANG", role=Role.member, active=True)
    assert ([r["id"] for r in rows], total) == ([member.id], 1)
    rows, total = await management.list_accounts(reviewer, active=False)
    assert total == 0
