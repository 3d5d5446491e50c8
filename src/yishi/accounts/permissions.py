"""Who may do what: small named predicates over a user and the object at hand.

Each predicate takes plain values (the user row and ids) so the grid of role x object can be
tested without HTTP. Routes call `require(...)`, which turns a False into a 403 in Chinese.
"""
from __future__ import annotations

from typing import Any

from yishi.accounts.enums import Role
from yishi.core.errors import Forbidden
from yishi.core.i18n import _

TOWN_STAFF = {Role.street_staff, Role.convener}
TOWN_PEOPLE = {Role.street_staff, Role.convener, Role.member, Role.collector}


def role_of(user: Any) -> Role | None:
    return Role(user.role) if user is not None else None


def id_of(value: Any) -> Any:
    """A foreign key's id, whether the row came with the related row loaded or only its id."""
    return getattr(value, "id", value)


def is_admin(user: Any) -> bool:
    return role_of(user) is Role.admin


def is_district_reviewer_of(user: Any, district_id: int) -> bool:
    return role_of(user) is Role.district_reviewer and id_of(user.district) == district_id


def belongs_to_town(user: Any, town_id: int) -> bool:
    return role_of(user) in TOWN_PEOPLE and id_of(user.town) == town_id


def is_town_staff(user: Any, town_id: int) -> bool:
    return role_of(user) in TOWN_STAFF and id_of(user.town) == town_id


def is_convener(user: Any, town_id: int) -> bool:
    return role_of(user) is Role.convener and id_of(user.town) == town_id


def can_manage_round(user: Any, town_id: int) -> bool:
    """Compile the wish list, open and close the ticking, hand out ballot codes."""
    return is_admin(user) or is_town_staff(user, town_id)


def can_view_round(user: Any, town_id: int, district_id: int) -> bool:
    return (
        is_admin(user)
        or belongs_to_town(user, town_id)
        or is_district_reviewer_of(user, district_id)
    )


def can_record_decision(user: Any, town_id: int) -> bool:
    return is_admin(user) or is_convener(user, town_id)


def can_export_intent_list(user: Any, town_id: int, district_id: int) -> bool:
    return (
        is_admin(user)
        or is_town_staff(user, town_id)
        or is_district_reviewer_of(user, district_id)
    )


def can_create_round(user: Any) -> bool:
    return is_admin(user) or role_of(user) in TOWN_STAFF


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise Forbidden(message or _("您没有权限查看或操作此页面。"))


# --- who manages whose account (用户管理) -----------------------------------------------------
# A street's staff hand out the accounts their street needs day to day: its council members and
# its suggestion collectors. Staff accounts, conveners, district roles and administrators stay
# with the administrator, so a street cannot raise anyone above itself.
STREET_GRANTS = (Role.member, Role.collector)


def can_open_user_admin(user: Any) -> bool:
    """Who has the 用户管理 page at all: the administrator, a street's staff, the district reviewer
    (who sees the district's accounts and changes none)."""
    role = role_of(user)
    return (role is Role.admin or (role is Role.street_staff and id_of(user.town) is not None)
            or (role is Role.district_reviewer and id_of(user.district) is not None))


def grantable_roles(user: Any) -> tuple[Role, ...]:
    """The roles this user may give an account (create, edit into)."""
    role = role_of(user)
    if role is Role.admin:
        return tuple(Role)
    if role is Role.street_staff and id_of(user.town) is not None:
        return STREET_GRANTS
    return ()


def can_create_accounts(user: Any) -> bool:
    return bool(grantable_roles(user))


def can_manage_account(user: Any, role: Role | str, town_id: int | None) -> bool:
    """Create, edit, disable, reset an account of this role in this town."""
    if is_admin(user):
        return True
    return (role_of(user) is Role.street_staff and id_of(user.town) is not None
            and Role(role) in STREET_GRANTS and town_id == id_of(user.town))


def can_view_account(user: Any, role: Role | str, town_id: int | None, district_id: int | None) -> bool:
    """See an account and its login history. `district_id` is the account's district (its own or
    its street's)."""
    return (can_manage_account(user, role, town_id)
            or (role_of(user) is Role.district_reviewer and district_id is not None
                and id_of(user.district) == district_id))
