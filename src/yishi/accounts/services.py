"""Accounts: create users, check logins."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from yishi.accounts.enums import Role
from yishi.accounts.tables import Unit, User
from yishi.core import audit
from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.core.security import burn_verify, hash_password, needs_rehash, verify_password

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")


async def create_user(
    *,
    username: str,
    password: str,
    display_name: str,
    role: Role,
    district_id: int | None = None,
    town_id: int | None = None,
    community_id: int | None = None,
    unit_id: int | None = None,
    actor: User | None = None,
) -> User:
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise DomainError(_("用户名应为 2 到 40 个字母、数字或 _ . -。"))
    if len(password) < 8:
        raise DomainError(_("密码至少需要 8 个字符。"))
    check_placement(role, district_id, town_id, community_id)
    if role is Role.unit_clerk:
        district_id = await unit_district(unit_id)
    elif unit_id is not None:
        raise DomainError(_("只有责任单位经办人可以指定所属单位。"))
    if await User.exists().where(User.username == username):
        raise DomainError(_("用户名“{name}”已被使用。").format(name=username))
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=await hash_password(password),
        role=role,
        district=district_id,
        town=town_id,
        community=community_id,
        unit=unit_id,
        created_at=datetime.now(UTC),
    )
    await user.save()
    await audit.record("account.user.created", actor=actor, object_type="user", object_id=user.id,
                       username=username, role=role.value)
    return user


def check_placement(role: Role, district_id: int | None, town_id: int | None, community_id: int | None) -> None:
    """The place a role needs to be bound to, or a DomainError saying which."""
    if role in (Role.street_staff, Role.convener, Role.member) and town_id is None:
        raise DomainError(_("该角色需要指定所属镇（街道）。"))
    if role is Role.district_reviewer and district_id is None:
        # Without a district the round list would not be narrowed at all.
        raise DomainError(_("区级审核人员需要指定所属区。"))
    if role is Role.observer and district_id is None:
        # An observer scores the projects of one district.
        raise DomainError(_("观察员需要指定所属区。"))
    if role is Role.collector and community_id is None and town_id is None:
        raise DomainError(_("民情收集员需要指定所属社区或镇（街道）。"))


async def unit_district(unit_id: int | None) -> int:
    """A unit clerk's district, which follows from the unit (the unit decides what a clerk sees)."""
    unit = await Unit.select(Unit.id, Unit.district).where(Unit.id == unit_id).first().run() if unit_id else None
    if unit is None:
        raise DomainError(_("责任单位经办人需要指定所属单位。"))
    return unit["district"]


async def authenticate(username: str, password: str) -> User | None:
    user = await User.objects().where(User.username == username.strip()).first()
    if user is None or not user.active:
        await burn_verify(password)
        return None
    if not await verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash) and not user.must_change_password:
        # Costs raised since this hash was made: the password is at hand, so bring it up to them.
        user.password_hash = await hash_password(password)
        await User.update({User.password_hash: user.password_hash}).where(User.id == user.id).run()
    return user


async def user_id_of(username: str) -> int | None:
    row = await User.select(User.id).where(User.username == username.strip()).first().run()
    return row["id"] if row else None


async def set_language(user_id: int, locale: str) -> None:
    """The language this account chose with the header's switch (a preference: not audited)."""
    await User.update({User.language: locale}).where(User.id == user_id).run()


async def get_active_user(user_id: int, session_version: int) -> User | None:
    user = await User.objects().where(User.id == user_id).first()
    if user is None or not user.active or user.session_version != session_version:
        return None
    return user
