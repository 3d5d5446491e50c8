"""Who may do what with councils, meetings and the district desk: named predicates over a user,
the town or district at hand and the meeting's state, combined with and/or. Tested as a grid
of role x meeting state (tests/meetings/test_permissions.py)."""
from __future__ import annotations

from typing import Any

from yishi.accounts.permissions import (
    belongs_to_town,
    id_of,
    is_admin,
    is_convener,
    is_district_reviewer_of,
    is_town_staff,
    require,
)
from yishi.meetings.enums import MeetingStatus

__all__ = ["require"]


def can_view_council(user: Any, town_id: int, district_id: int) -> bool:
    return is_admin(user) or belongs_to_town(user, town_id) or is_district_reviewer_of(user, district_id)


def can_manage_council(user: Any, town_id: int) -> bool:
    """Add members, set terms and the quorum rules: the street's staff and convener."""
    return is_admin(user) or is_town_staff(user, town_id)


can_view_meeting = can_view_council


def can_plan_meeting(user: Any, town_id: int) -> bool:
    return is_admin(user) or is_convener(user, town_id)


def can_edit_agenda(user: Any, town_id: int, status: MeetingStatus) -> bool:
    """The agenda is fixed once the meeting starts."""
    return can_plan_meeting(user, town_id) and status is MeetingStatus.planned


def can_run_meeting(user: Any, town_id: int, status: MeetingStatus) -> bool:
    """Mark attendance, add guests, take notes, record votes: until the minutes are closed."""
    return can_plan_meeting(user, town_id) and status is not MeetingStatus.closed


def can_record_votes(user: Any, town_id: int, status: MeetingStatus) -> bool:
    """A show of hands is recorded only while the meeting is under way."""
    return can_plan_meeting(user, town_id) and status is MeetingStatus.open


can_decide = can_record_votes
can_close_minutes = can_record_votes


def is_member_user(user: Any, member: dict | None) -> bool:
    return user is not None and member is not None and member.get("user") == id_of(user)


def can_sign_in(user: Any, member: dict | None, status: MeetingStatus) -> bool:
    """A member signs themself in on their phone, before or during the meeting."""
    return is_member_user(user, member) and status is not MeetingStatus.closed


def can_vote_self(user: Any, member: dict | None, present: bool, status: MeetingStatus) -> bool:
    return is_member_user(user, member) and present and status is MeetingStatus.open


def can_submit(user: Any, town_id: int) -> bool:
    """Send the intent list to the district, and send it again after a return. Not to change it:
    the items and the resolution change only by a 复议 meeting's votes (can_plan_meeting plans
    it, members vote, can_decide decides)."""
    return is_admin(user) or is_town_staff(user, town_id)


def can_review(user: Any, district_id: int) -> bool:
    return is_district_reviewer_of(user, district_id)


def can_view_desk(user: Any, district_id: int) -> bool:
    return is_admin(user) or can_review(user, district_id)
