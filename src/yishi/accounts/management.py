"""用户管理: the accounts of a district, kept from the browser by the administrator and, for their
own street's members and collectors, by the street's staff. Every change is audited; disabling an
account, resetting or changing its password ends its other sessions (session_version)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column

from yishi.accounts import permissions as perm
from yishi.accounts import services
from yishi.accounts.enums import Role
from yishi.accounts.tables import Unit, User
from yishi.core import audit, passwords
from yishi.core.errors import DomainError, NotFound
from yishi.core.i18n import _
from yishi.core.security import hash_password, verify_password
from yishi.core.tables import AuditEntry
from yishi.places import services as places

PAGE_SIZE = 50


@dataclass(frozen=True)
class Placement:
    """Where an account belongs; the district follows from the street, the street from the community."""

    district_id: int | None = None
    town_id: int | None = None
    community_id: int | None = None
    unit_id: int | None = None


async def place(role: Role, *, district_id: int | None = None, town_id: int | None = None,
                community_id: int | None = None, unit_id: int | None = None) -> Placement:
    """A placement that fits the role: a community names its street, a street must lie in the given
    district; the fields a role does not use are dropped (a member has no unit)."""
    if community_id is not None:
        its_town = await places.town_of_community(community_id)
        if its_town is None:
            raise DomainError(_("找不到所选的社区。"))
        if town_id is not None and its_town != town_id:
            raise DomainError(_("所选社区不属于所选镇（街道）。"))
        town_id = its_town
    if town_id is not None:
        town = await places.town(town_id)
        if town is None:
            raise DomainError(_("找不到所选的镇（街道）。"))
        district_id = town["district"]
    if role in (Role.admin,):
        return Placement()
    if role in (Role.district_reviewer, Role.observer):
        return Placement(district_id=district_id)
    if role is Role.unit_clerk:
        return Placement(unit_id=unit_id)
    if role is not Role.collector:
        community_id = None
    return Placement(town_id=town_id, community_id=community_id)


async def district_of(user: dict) -> int | None:
    """An account's district: its own, its street's, or its unit's."""
    if user.get("district"):
        return user["district"]
    if user.get("town"):
        town = await places.town(user["town"])
        return town["district"] if town else None
    if user.get("unit"):
        row = await Unit.select(Unit.district).where(Unit.id == user["unit"]).first().run()
        return row["district"] if row else None
    return None


def _columns() -> list[Any]:
    return [User.id, User.username, User.display_name, User.phone, User.role, User.district, User.town,
            User.community, User.unit, User.active, User.must_change_password, User.created_at,
            User.town.name.as_alias("town_name"), User.community.name.as_alias("community_name"),
            User.unit.name.as_alias("unit_name")]


async def get_account(user_id: int) -> dict:
    row = await User.select(*_columns()).where(User.id == user_id).first().run()
    if row is None:
        raise NotFound(_("找不到这个账号。"))
    row["role"] = Role(row["role"])
    row["district_of"] = await district_of(row)
    return row


async def list_accounts(viewer: Any, *, q: str = "", town_id: int | None = None, role: Role | None = None,
                        active: bool | None = None, page: int = 1) -> tuple[list[dict], int]:
    """The accounts this viewer may see, filtered; (one page of rows, how many in all)."""
    where = []
    viewer_role = perm.role_of(viewer)
    if viewer_role is Role.street_staff:
        where.append((User.town == viewer.town) & User.role.is_in([r.value for r in perm.STREET_GRANTS]))
    elif viewer_role is Role.district_reviewer:
        where.append((User.district == viewer.district) | (User.town.district == viewer.district)
                     | (User.unit.district == viewer.district))
    elif viewer_role is not Role.admin:
        return [], 0
    q = q.strip()
    if q:
        # A typed % would match everything; a typed _ matches itself among others, harmless.
        pattern = "%" + re.sub(r"[%\\]", "", q) + "%"
        # SQLite's LIKE already ignores ASCII case; PostgreSQL's needs ILIKE.
        postgres = User._meta.db.engine_type == "postgres"

        def like(column: Any) -> Any:
            return column.ilike(pattern) if postgres else column.like(pattern)

        where.append(like(User.username) | like(User.display_name) | like(User.phone))
    if town_id is not None:
        where.append(User.town == town_id)
    if role is not None:
        where.append(User.role == role.value)
    if active is not None:
        where.append(User.active == active)
    query = User.select(*_columns())
    count = User.count()
    for clause in where:
        query = query.where(clause)
        count = count.where(clause)
    total = await count.run()
    rows = await query.order_by(User.town).order_by(User.role).order_by(User.username) \
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE).run()
    for row in rows:
        row["role"] = Role(row["role"])
    return rows, total


def _check_grant(actor: Any, role: Role, town_id: int | None) -> None:
    if not perm.can_manage_account(actor, role, town_id):
        perm.require(False, _("您只能管理本镇（街道）的议事组成员和民情收集员账号。"))


async def create_account(actor: Any, *, username: str, display_name: str, phone: str, role: Role,
                         district_id: int | None = None, town_id: int | None = None,
                         community_id: int | None = None, unit_id: int | None = None) -> tuple[User, str]:
    """A new account with a one-time password (returned, shown once; changed at first login)."""
    if perm.role_of(actor) is Role.street_staff:
        town_id = actor.town  # a street's staff make accounts for their own street only
    where = await place(role, district_id=district_id, town_id=town_id, community_id=community_id, unit_id=unit_id)
    _check_grant(actor, role, where.town_id)
    if len(phone.strip()) > 30:
        raise DomainError(_("联系电话太长。"))
    password = passwords.one_time_password()
    user = await services.create_user(username=username, password=password, display_name=display_name, role=role,
                                      district_id=where.district_id, town_id=where.town_id,
                                      community_id=where.community_id, unit_id=where.unit_id, actor=actor)
    await User.update({User.phone: phone.strip(), User.must_change_password: True}).where(User.id == user.id).run()
    return user, password


async def update_account(actor: Any, user_id: int, *, display_name: str, phone: str, role: Role,
                         district_id: int | None = None, town_id: int | None = None,
                         community_id: int | None = None, unit_id: int | None = None) -> None:
    account = await get_account(user_id)
    _check_grant(actor, account["role"], account["town"])
    if perm.role_of(actor) is Role.street_staff:
        town_id = actor.town
    where = await place(role, district_id=district_id, town_id=town_id, community_id=community_id, unit_id=unit_id)
    _check_grant(actor, role, where.town_id)
    services.check_placement(role, where.district_id, where.town_id, where.community_id)
    if role is Role.unit_clerk:
        where = Placement(unit_id=where.unit_id, district_id=await services.unit_district(where.unit_id))
    display_name, phone = display_name.strip(), phone.strip()
    if not display_name or len(display_name) > 40:
        raise DomainError(_("请填写姓名（不超过 40 个字）。"))
    if len(phone) > 30:
        raise DomainError(_("联系电话太长。"))
    changes: dict[Column | str, Any] = {User.display_name: display_name, User.phone: phone, User.role: role.value,
               User.district: where.district_id, User.town: where.town_id, User.community: where.community_id,
               User.unit: where.unit_id}
    if role is not account["role"]:
        # New rights take effect from the next login; the old session must not keep the old ones
        # in a page left open.
        changes[User.session_version] = User.session_version + 1
    await User.update(changes).where(User.id == user_id).run()
    await audit.record("account.user.updated", actor=actor, object_type="user", object_id=user_id,
                       role=role.value, town=where.town_id, district=where.district_id)


async def set_active(actor: Any, user_id: int, active: bool) -> None:
    """Disable (every session of the account ends at once) or enable an account."""
    account = await get_account(user_id)
    _check_grant(actor, account["role"], account["town"])
    if account["id"] == getattr(actor, "id", None) and not active:
        raise DomainError(_("不能停用自己的账号。"))
    await User.update({User.active: active, User.session_version: User.session_version + 1}) \
        .where(User.id == user_id).run()
    await audit.record("account.user.enabled" if active else "account.user.disabled", actor=actor,
                       object_type="user", object_id=user_id)


async def reset_password(actor: Any, user_id: int) -> str:
    """A one-time password (returned to show once); the account's sessions end, and its next login
    must choose a new password."""
    account = await get_account(user_id)
    _check_grant(actor, account["role"], account["town"])
    password = passwords.one_time_password()
    await User.update({User.password_hash: await hash_password(password), User.must_change_password: True,
                       User.session_version: User.session_version + 1}).where(User.id == user_id).run()
    await audit.record("account.password.reset", actor=actor, object_type="user", object_id=user_id)
    return password


async def change_password(user: Any, *, current: str, new: str, repeat: str) -> int:
    """修改密码 by the account's owner; returns the new session version (this session keeps going,
    every other one ends)."""
    row = await User.select(User.password_hash, User.username, User.session_version).where(
        User.id == user.id).first().run()
    if row is None or not await verify_password(row["password_hash"], current):
        raise DomainError(_("当前密码不正确。"))
    if new != repeat:
        raise DomainError(_("两次输入的新密码不一致。"))
    if new == current:
        raise DomainError(_("新密码不能与当前密码相同。"))
    why = passwords.problem(new, row["username"])
    if why:
        raise DomainError(why)
    version = row["session_version"] + 1
    await User.update({User.password_hash: await hash_password(new), User.must_change_password: False,
                       User.session_version: version}).where(User.id == user.id).run()
    await audit.record("account.password.changed", actor=user, object_type="user", object_id=user.id)
    return version


HISTORY_ACTIONS = ("account.login.succeeded", "account.login.failed", "account.login.blocked",
                   "account.password.changed", "account.password.reset", "account.user.created",
                   "account.user.updated",
                   "account.user.disabled", "account.user.enabled")


async def history(user_id: int, limit: int = 50) -> list[dict]:
    """The account's logins (failed ones too) and changes, newest first, from the audit trail."""
    return await AuditEntry.select(AuditEntry.action, AuditEntry.actor_name, AuditEntry.data,
                                   AuditEntry.created_at).where(
        (AuditEntry.object_type == "user") & (AuditEntry.object_id == user_id)
        & AuditEntry.action.is_in(list(HISTORY_ACTIONS))).order_by(AuditEntry.id, ascending=False) \
        .limit(limit).output(load_json=True).run()
