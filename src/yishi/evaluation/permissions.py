"""Who may do what in 评实效: named predicates over a user and plain ids, tested as a grid
(tests/evaluation/test_permissions.py)."""
from __future__ import annotations

from typing import Any

from yishi.accounts.enums import Role
from yishi.accounts.permissions import id_of, is_admin, is_district_reviewer_of, is_town_staff, require, role_of
from yishi.ballots.permissions import can_enter_paper
from yishi.projects.permissions import Where, is_unit_clerk_of

__all__ = ["can_enter_paper", "require"]


def is_observer_of(user: Any, district_id: int) -> bool:
    return role_of(user) is Role.observer and id_of(user.district) == district_id


def can_print_codes(user: Any, town_id: int) -> bool:
    """Print a street's rating codes and set whether residents may rate while under way."""
    return is_admin(user) or is_town_staff(user, town_id)


def can_record_call(user: Any, where: Where) -> bool:
    """电话回访: the street's staff, or the district's."""
    return is_admin(user) or is_town_staff(user, where.town_id) or is_district_reviewer_of(user, where.district_id)


def can_resolve_paper(user: Any, town_id: int) -> bool:
    return is_admin(user) or is_town_staff(user, town_id)


def can_answer_case(user: Any, where: Where) -> bool:
    """A ledger case: the lead unit's clerk answers it, or the street for a unit without an account."""
    return is_unit_clerk_of(user, where) or is_town_staff(user, where.town_id) or is_admin(user)


def can_score(user: Any, district_id: int) -> bool:
    return is_observer_of(user, district_id)


def can_decide(user: Any, district_id: int) -> bool:
    """Confirm or override next year's advice, edit the indicators and the thresholds."""
    return is_admin(user) or is_district_reviewer_of(user, district_id)


def can_carry_over(user: Any, town_id: int) -> bool:
    return is_admin(user) or is_town_staff(user, town_id)
