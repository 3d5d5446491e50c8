"""Who reads the 民情热度表: a street's staff their street's, the district its streets'; an
administrator all. Council members and collectors see cases one by one, not the street's pulse."""
from __future__ import annotations

from typing import Any

from yishi.accounts.permissions import is_admin, is_district_reviewer_of, is_town_staff


def can_view_street(user: Any, town_id: int, district_id: int) -> bool:
    return is_admin(user) or is_town_staff(user, town_id) or is_district_reviewer_of(user, district_id)


def can_view_district(user: Any, district_id: int) -> bool:
    return is_admin(user) or is_district_reviewer_of(user, district_id)


def can_set_rule(user: Any, district_id: int) -> bool:
    """The early warning's thresholds, as the district sets 评实效's."""
    return is_admin(user) or is_district_reviewer_of(user, district_id)
