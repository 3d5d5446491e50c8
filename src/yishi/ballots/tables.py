from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from yishi.accounts.tables import User
from yishi.places.tables import Community
from yishi.wishlists.tables import Round, WishItem


class BallotCodeBatch(Table, tablename="ballot_batch"):
    """一次发放 (an issuing batch; 批次 in the UI is the round): the codes one "生成选票码" made together,
    for one community: when and by whom, so a street can print or export exactly the set it handed to
    one collector."""

    id: Serial
    round = ForeignKey(Round, null=False, index=True)
    community = ForeignKey(Community, null=False)
    size = Integer(default=0)  # not "count": that would hide Table.count()
    issued_at = Timestamptz()
    issued_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)


class BallotCode(Table, tablename="ballot_code"):
    """选票码: one vote, usable once. Knows whether it was used, never how."""

    id: Serial
    round = ForeignKey(Round, null=False)
    community = ForeignKey(Community, null=False)
    code = Varchar(length=16, unique=True)
    used_at = Timestamptz(null=True, default=None)
    channel = Varchar(length=8, null=True, default=None)
    # None for the codes issued before batches were kept.
    batch = ForeignKey(BallotCodeBatch, null=True, default=None, index=True, on_delete=OnDelete.set_null)


class Ballot(Table, tablename="ballot"):
    """A cast ballot. Deliberately holds nothing that leads back to its code or its resident:
    no code, no timestamp; the receipt is random and unrelated to the code."""

    id: Serial
    round = ForeignKey(Round, null=False, index=True)
    community = ForeignKey(Community, null=False)
    receipt = Varchar(length=16, unique=True)


class BallotChoice(Table, tablename="ballot_choice"):
    id: Serial
    ballot = ForeignKey(Ballot, null=False, index=True)
    item = ForeignKey(WishItem, null=False, index=True)


class RoundSetting(Table, tablename="ballot_round_setting"):
    """The ticking's own setup, beside the round: when it opens and closes by itself, whether a
    code stands for one resident or one household (户), and which communities take part.
    Frozen with the list when the ticking opens."""

    id: Serial
    round = ForeignKey(Round, null=False, unique=True)
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    voter_unit = Varchar(length=12, default="resident")
    # Community ids taking part, comma-separated; empty means every community of the town.
    communities = Text(default="")
    # When paper ballots were first printed for the round. A round that uses paper is counted
    # only when staff confirm that the paper ballots returned by the closing time are all
    # entered (lifecycle.close_if_due, lifecycle.confirm_count).
    paper_printed_at = Timestamptz(null=True, default=None)


class PaperBallot(Table, tablename="paper_ballot"):
    """A returned paper ballot, entered twice by two different people. It holds the code (a
    paper ballot carries it) and the ticks only until the two entries agree or a supervisor
    decides: then the ticks become an ordinary, code-less Ballot and are erased here."""

    id: Serial
    round = ForeignKey(Round, null=False, index=True)
    community = ForeignKey(Community, null=False)
    code = ForeignKey(BallotCode, null=False, unique=True)
    status = Varchar(length=12, default="pending")  # pending, conflict, counted, spoiled
    first_by = ForeignKey(User, null=False)
    # Sorted item ids joined by ',', or '-' for a ballot entered as spoiled; '' once erased.
    first_entry = Text(default="")
    second_by = ForeignKey(User, null=True, default=None)
    second_entry = Text(default="")
    resolved_by = ForeignKey(User, null=True, default=None)


class RoundResult(Table, tablename="ballot_round_result"):
    """The result published when the ticking closed; a recount must reproduce it exactly."""

    id: Serial
    round = ForeignKey(Round, null=False, unique=True)
    ballots = Integer(default=0)
    # {"item id": approvals} as canonical JSON, and its SHA-256.
    approvals = Text(default="{}")
    digest = Varchar(length=64)
    published_at = Timestamptz()


class BallotMix(Table, tablename="ballot_mix"):
    """When a round's ballots were last mixed (ballots.mixing) and how many there were then: a
    round with more ballots than that has ballots still paired with their codes by PostgreSQL's
    transaction ids, and is mixed again."""

    id: Serial
    round = ForeignKey(Round, null=False, unique=True, on_delete=OnDelete.cascade)
    ballots = Integer(default=0)
    mixed_at = Timestamptz()
