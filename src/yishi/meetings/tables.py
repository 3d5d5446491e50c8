from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from yishi.accounts.tables import User
from yishi.meetings.enums import MeetingStatus, MeetingStep, MemberCategory, Presence, SubmissionStatus, VoteChoice
from yishi.places.tables import Town
from yishi.wishlists.tables import Round, WishItem


class Council(Table, tablename="council"):
    """民情协商"5+X"组 of one town/street, with its own quorum and majority rules."""

    id: Serial
    town = ForeignKey(Town, null=False, unique=True)
    name = Varchar(length=80)
    # Quorum: more than this share (in %) of the members present, and, if set, every fixed
    # category present. Majority: more than pass_share_pct % of those present vote 赞成.
    quorum_share_pct = Integer(default=50)
    quorum_all_fixed = Boolean(default=True)
    pass_share_pct = Integer(default=50)


class CouncilMember(Table, tablename="council_member"):
    id: Serial
    council = ForeignKey(Council, null=False)
    name = Varchar(length=40)
    category = Varchar(length=16, choices=MemberCategory)
    organisation = Varchar(length=80, default="")
    user = ForeignKey(User, null=True)
    active = Boolean(default=True)
    term_start = Date(null=True, default=None)
    term_end = Date(null=True, default=None)
    contact = Varchar(length=60, default="")


class Meeting(Table, tablename="meeting"):
    """A council meeting serving one step of the three-step method."""

    id: Serial
    council = ForeignKey(Council, null=False, index=True)
    round = ForeignKey(Round, null=True, default=None)
    step = Varchar(length=10, choices=MeetingStep)
    title = Varchar(length=80)
    held_at = Timestamptz()
    place = Varchar(length=80, default="")
    convener = ForeignKey(User, null=True)
    status = Varchar(length=10, choices=MeetingStatus, default=MeetingStatus.planned)
    started_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    # 复议: the returned submission (意愿清单 version) this 民主议事定方向 meeting reconsiders;
    # None for the round's first decision. Set when the meeting is planned, never changed.
    revises: "ForeignKey[Submission]" = ForeignKey("Submission", null=True, default=None)


class AgendaItem(Table, tablename="agenda_item"):
    id: Serial
    meeting = ForeignKey(Meeting, null=False, index=True)
    position = Integer(default=0)
    title = Varchar(length=120)
    notes = Text(default="")


class Attendance(Table, tablename="attendance"):
    """One member's sign-in. `slot` ("meeting:member") is unique: one row per member and meeting."""

    id: Serial
    meeting = ForeignKey(Meeting, null=False, index=True)
    member = ForeignKey(CouncilMember, null=False)
    presence = Varchar(length=10, choices=Presence)
    self_signed = Boolean(default=False)
    recorded_at = Timestamptz()
    slot = Varchar(length=40, unique=True)


class Guest(Table, tablename="meeting_guest"):
    """X: invited to one meeting, does not count towards quorum and does not vote."""

    id: Serial
    meeting = ForeignKey(Meeting, null=False, index=True)
    name = Varchar(length=40)
    organisation = Varchar(length=80, default="")
    reason = Varchar(length=200, default="")


class MemberVote(Table, tablename="member_vote"):
    """A member's vote on one wish-list item. `slot` ("meeting:item:member") is unique, so the
    database itself refuses a second vote even when two requests race."""

    id: Serial
    meeting = ForeignKey(Meeting, null=False, index=True)
    item = ForeignKey(WishItem, null=False)
    member = ForeignKey(CouncilMember, null=False)
    choice = Varchar(length=8, choices=VoteChoice)
    by_self = Boolean(default=False)
    recorded_by = ForeignKey(User, null=True)
    recorded_at = Timestamptz()
    slot = Varchar(length=60, unique=True)


class Decision(Table, tablename="decision"):
    """民主议事定方向: the council's resolution on a round; its approved items form the 意愿清单."""

    id: Serial
    round = ForeignKey(Round, null=False, unique=True)
    resolution = Text(default="")
    decided_by = ForeignKey(User, null=True)
    decided_at = Timestamptz()
    meeting = ForeignKey(Meeting, null=True, default=None)
    # Why the council's choice differs from the greedy-by-approvals result, if it does.
    departure_reason = Text(default="")


class DecisionItem(Table, tablename="decision_item"):
    id: Serial
    decision = ForeignKey(Decision, null=False, index=True)
    item = ForeignKey(WishItem, null=False)
    approved = Boolean(default=False)


class Submission(Table, tablename="submission"):
    """One version of a round's intent list as sent to the district; never changed afterwards
    except for the district's verdict. `snapshot` holds what was sent, for comparing versions."""

    id: Serial
    round = ForeignKey(Round, null=False, index=True)
    version = Integer()
    status = Varchar(length=10, choices=SubmissionStatus, default=SubmissionStatus.submitted)
    snapshot = JSON(default="{}")
    note = Text(default="")
    submitted_by = ForeignKey(User, null=True)
    submitted_at = Timestamptz()
    reviewed_by = ForeignKey(User, null=True)
    reviewed_at = Timestamptz(null=True, default=None)
    comment = Text(default="")
    slot = Varchar(length=40, unique=True)


class ReviewComment(Table, tablename="review_comment"):
    id: Serial
    submission = ForeignKey(Submission, null=False, index=True)
    item = ForeignKey(WishItem, null=True, default=None)
    text = Text()


class ListAdoption(Table, tablename="list_adoption"):
    """民主恳谈交清单: the meeting whose quorate council adopted (定稿) a round's wish list, with the
    list as it was adopted. One per round; the list is frozen from then on."""

    id: Serial
    round = ForeignKey(Round, null=False, unique=True)
    meeting = ForeignKey(Meeting, null=False, index=True)
    snapshot = JSON(default="{}")
    adopted_by = ForeignKey(User, null=True)
    adopted_at = Timestamptz()


class DecisionHistory(Table, tablename="decision_history"):
    """A round's earlier decision, replaced by the decision of a 复议 meeting after the district
    returned the list. Kept as it was (the meeting, the resolution, the approved items), so every
    meeting's decision stays on record; `decision` holds the round's current one. `slot`
    ("round:n", the n-th replacement) is unique, so two 复议 decisions cannot both replace it."""

    id: Serial
    round = ForeignKey(Round, null=False, index=True)
    meeting = ForeignKey(Meeting, null=True, default=None)
    resolution = Text(default="")
    departure_reason = Text(default="")
    approved = JSON(default="[]")
    decided_by = ForeignKey(User, null=True)
    decided_at = Timestamptz()
    superseded_at = Timestamptz()
    slot = Varchar(length=40, unique=True)
