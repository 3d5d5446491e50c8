from piccolo.columns import Boolean, ForeignKey, Text, Timestamptz, Varchar
from piccolo.table import Table

from yishi.accounts.tables import User
from yishi.meetings.enums import MemberCategory
from yishi.places.tables import Town
from yishi.wishlists.tables import Round, WishItem


class Council(Table, tablename="council"):
    """民情协商"5+X"组 of one town/street."""

    town = ForeignKey(Town, null=False, unique=True)
    name = Varchar(length=80)


class CouncilMember(Table, tablename="council_member"):
    council = ForeignKey(Council, null=False)
    name = Varchar(length=40)
    category = Varchar(length=16, choices=MemberCategory)
    organisation = Varchar(length=80, default="")
    user = ForeignKey(User, null=True)
    active = Boolean(default=True)


class Decision(Table, tablename="decision"):
    """民主议事定方向: the council's resolution on a round; its approved items form the 意愿清单."""

    round = ForeignKey(Round, null=False, unique=True)
    resolution = Text(default="")
    decided_by = ForeignKey(User, null=True)
    decided_at = Timestamptz()


class DecisionItem(Table, tablename="decision_item"):
    decision = ForeignKey(Decision, null=False, index=True)
    item = ForeignKey(WishItem, null=False)
    approved = Boolean(default=False)
