from piccolo.columns import ForeignKey, Timestamptz, Varchar
from piccolo.table import Table

from yishi.places.tables import Community
from yishi.wishlists.tables import Round, WishItem


class BallotCode(Table, tablename="ballot_code"):
    """选票码: one vote, usable once. Knows whether it was used, never how."""

    round = ForeignKey(Round, null=False)
    community = ForeignKey(Community, null=False)
    code = Varchar(length=16, unique=True)
    used_at = Timestamptz(null=True, default=None)
    channel = Varchar(length=8, null=True, default=None)


class Ballot(Table, tablename="ballot"):
    """A cast ballot. Deliberately holds nothing that leads back to its code or its resident:
    no code, no timestamp; the receipt is random and unrelated to the code."""

    round = ForeignKey(Round, null=False, index=True)
    community = ForeignKey(Community, null=False)
    receipt = Varchar(length=16, unique=True)


class BallotChoice(Table, tablename="ballot_choice"):
    ballot = ForeignKey(Ballot, null=False, index=True)
    item = ForeignKey(WishItem, null=False, index=True)
