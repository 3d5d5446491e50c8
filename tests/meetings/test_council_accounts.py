"""A council member and her account are one person: link one of the street's accounts, or make a
new one with the member (the one-time password shown once), from the council page."""
import re

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.core.errors import Conflict, DomainError
from yishi.meetings import records
from yishi.meetings.enums import MemberCategory
from yishi.meetings.tables import CouncilMember


async def _council():
    places = await f.make_places()
    return places, await f.make_council(places, categories=[MemberCategory.party])


async def test_link_account_of_own_street_and_only_once():
    places, council_id = await _council()
    member_user = await f.make_user(Role.member, places)
    [first] = await records.members_of(council_id)
    await records.link_account(council_id, first["id"], member_user.id)
    assert (await records.members_of(council_id))[0]["username"] == member_user.username
    assert await records.linkable_accounts(council_id, places["town"]) == []
    with pytest.raises(Conflict) as caught:
        await records.add_member(council_id, name="另一位", category=MemberCategory.x, user_id=member_user.id)
    assert caught.value.message == "这个账号已经关联了议事组的另一位成员。"


@pytest.mark.parametrize("whose", ["other_street", "collector", "disabled"])
async def test_link_account_refused_unless_a_council_role_of_the_street(whose):
    places, council_id = await _council()
    other = await f.make_places()
    user = await f.make_user(Role.collector if whose == "collector" else Role.member,
                             other if whose == "other_street" else places)
    if whose == "disabled":
        await User.update({User.active: False}).where(User.id == user.id)
    [first] = await records.members_of(council_id)
    with pytest.raises(DomainError) as caught:
        await records.link_account(council_id, first["id"], user.id)
    assert caught.value.message == "只能关联本镇（街道）在用的议事组成员、召集人或工作人员账号。"


async def _token(client):
    return f.csrf_from((await client.get("/council")).text)


MEMBER = {"name": "张桂兰", "category": "resident", "organisation": "", "contact": "", "term_start": "", "term_end": ""}


async def test_staff_adds_member_with_a_new_account_and_sees_its_password_once(client):
    places, _council_id = await _council()
    await f.make_user(Role.street_staff, places, username="staff")
    await f.login(client, "staff")
    r = await client.post("/council/members", data={**MEMBER, "_csrf_token": await _token(client),
                                                    "account": "new", "username": "dawan_zgl"})
    assert r.status_code == 200
    password = re.search(r'id="one-time-password">([^<]+)<', r.text).group(1)
    user = await User.objects().where(User.username == "dawan_zgl").first()
    assert (user.role, user.town, user.display_name, user.must_change_password) == (
        "member", places["town"], "张桂兰", True)
    member = await CouncilMember.select().where(CouncilMember.name == "张桂兰").first()
    assert member["user"] == user.id
    assert password and password not in (await client.get("/council")).text


async def test_new_account_refused_leaves_no_member(client):
    places, _council_id = await _council()
    await f.make_user(Role.street_staff, places, username="staff")
    await f.make_user(Role.member, places, username="taken")
    await f.login(client, "staff")
    r = await client.post("/council/members", data={**MEMBER, "_csrf_token": await _token(client),
                                                    "account": "new", "username": "taken"})
    assert r.status_code == 400 and "用户名“taken”已被使用。" in r.text
    assert 'value="张桂兰"' in r.text
    assert await CouncilMember.count().where(CouncilMember.name == "张桂兰") == 0


async def test_member_added_with_an_existing_account_linked(client):
    places, _council_id = await _council()
    await f.make_user(Role.street_staff, places, username="staff")
    member_user = await f.make_user(Role.member, places, username="m_zgl")
    await f.login(client, "staff")
    page = await client.get("/council")
    assert "m_zgl" in page.text
    r = await client.post("/council/members", data={**MEMBER, "_csrf_token": f.csrf_from(page.text),
                                                    "account": "link", "user": str(member_user.id)})
    assert r.status_code == 302
    member = await CouncilMember.select().where(CouncilMember.name == "张桂兰").first()
    assert member["user"] == member_user.id
    assert "账号 m_zgl" in f.text((await client.get("/council")).text)


async def test_convener_links_but_cannot_make_accounts(client):
    places, council_id = await _council()
    await f.make_user(Role.convener, places, username="conv")
    member_user = await f.make_user(Role.member, places)
    await f.login(client, "conv")
    page = await client.get("/council")
    assert 'value="new"' not in page.text
    [first] = await records.members_of(council_id)
    r = await client.post(f"/council/members/{first['id']}/account",
                          data={"_csrf_token": f.csrf_from(page.text), "user": str(member_user.id)})
    assert r.status_code == 302
    assert (await records.members_of(council_id))[0]["user"] == member_user.id
    r = await client.post("/council/members", data={**MEMBER, "_csrf_token": f.csrf_from(page.text),
                                                    "account": "new", "username": "sneaky"})
    assert r.status_code == 403
    assert await User.count().where(User.username == "sneaky") == 0
