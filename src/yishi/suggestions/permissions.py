"""Who may do what with residents' suggestions, built from the accounts predicates.

Residents need no account: they submit and look up by tracking code. Everyone else is bound to a
town (street) or a district."""
from __future__ import annotations

from typing import Any

from yishi.accounts.enums import Role
from yishi.accounts.permissions import (
    belongs_to_town,
    is_admin,
    is_district_reviewer_of,
    is_town_staff,
    require,
    role_of,
)

__all__ = ["require"]

RECORDERS = {Role.collector, Role.street_staff, Role.convener}


def can_view_suggestions(user: Any, town_id: int, district_id: int) -> bool:
    """See the list, a suggestion (phone masked) and the numbers."""
    return is_admin(user) or belongs_to_town(user, town_id) or is_district_reviewer_of(user, district_id)


def can_record_suggestion(user: Any, town_id: int) -> bool:
    """Enter a suggestion on a resident's behalf, or import a spreadsheet of them."""
    return is_admin(user) or (role_of(user) in RECORDERS and belongs_to_town(user, town_id))


def can_handle_suggestion(user: Any, town_id: int) -> bool:
    """Grade, route, reply, close, reject, merge, turn into a wish-list item."""
    return is_admin(user) or is_town_staff(user, town_id)


def can_export_suggestions(user: Any, town_ids: list[int]) -> bool:
    """A bulk file of residents' cases (masked) is for those who handle or review them, not for
    every council member or collector who may read the list."""
    return (is_admin(user) or role_of(user) is Role.district_reviewer
            or any(is_town_staff(user, t) for t in town_ids))


def can_unmask_phone(user: Any, town_id: int, handler_id: int | None) -> bool:
    """Only the street's own staff handling the case; not an administrator, not the district.
    Before anyone takes the case (grading makes the grader its handler) the street's staff
    triaging it may; after, only its handler."""
    return is_town_staff(user, town_id) and (handler_id is None or handler_id == user.id)


def can_manage_points(user: Any, town_id: int) -> bool:
    return is_admin(user) or is_town_staff(user, town_id)


def can_configure_deadlines(user: Any, town_id: int) -> bool:
    return is_admin(user) or is_town_staff(user, town_id)


def can_configure_categories(user: Any) -> bool:
    return is_admin(user)


def can_purge_personal_data(user: Any) -> bool:
    return is_admin(user)
