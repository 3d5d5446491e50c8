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


def _id(value: Any) -> Any:
    return getattr(value, "id", value)


def is_admin(user: Any) -> bool:
    return role_of(user) is Role.admin


def is_district_reviewer_of(user: Any, district_id: int) -> bool:
    return role_of(user) is Role.district_reviewer and _id(user.district) == district_id


def belongs_to_town(user: Any, town_id: int) -> bool:
    return role_of(user) in TOWN_PEOPLE and _id(user.town) == town_id


def is_town_staff(user: Any, town_id: int) -> bool:
    return role_of(user) in TOWN_STAFF and _id(user.town) == town_id


def is_convener(user: Any, town_id: int) -> bool:
    return role_of(user) is Role.convener and _id(user.town) == town_id


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
