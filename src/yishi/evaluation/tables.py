from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Real, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from yishi.accounts.tables import Unit, User
from yishi.cases.tables import Case
from yishi.evaluation.enums import Advice, RatingChannel, Satisfaction
from yishi.places.tables import Community, District, Town
from yishi.projects.tables import Project
from yishi.wishlists.tables import Round, WishItem


class RatingCode(Table, tablename="rating_code"):
    """评价码, printed by the street per community: one rating per project. Knows which projects
    it rated (RatingUse), never how."""

    id: Serial
    round = ForeignKey(Round, null=False, index=True)
    community = ForeignKey(Community, null=False)
    code = Varchar(length=16, unique=True)
    printed_at = Timestamptz()


class RatingUse(Table, tablename="rating_use"):
    """That a code rated a project, in any channel: `slot` ("project:r<rating code id>" or
    "project:b<ballot code id>") is unique, so a code rates a project once, whoever is first.
    Holds no grade and no time; the Rating holds no code."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    slot = Varchar(length=40, unique=True)


class Rating(Table, tablename="rating"):
    """A resident's rating. Deliberately holds nothing that leads back to a code, a ballot or a
    resident: no code, no timestamp, only the month (for the monthly rates)."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    community = ForeignKey(Community, null=True, default=None)
    grade = Varchar(length=12, choices=Satisfaction)
    comment = Text(default="")
    channel = Varchar(length=10, choices=RatingChannel)
    month = Varchar(length=7)  # "2026-11"


class PaperRating(Table, tablename="paper_rating"):
    """A paper rating form, entered twice by two different people. Holds the code's slot and the
    entries only until the two agree or a supervisor decides; then they become a code-less
    Rating and are erased here (as ballots.tables.PaperBallot)."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    community = ForeignKey(Community, null=False)
    slot = Varchar(length=40, unique=True)
    status = Varchar(length=12, default="pending")  # pending, conflict, counted
    first_by = ForeignKey(User, null=False)
    first_entry = Text(default="")  # JSON {"grade", "comment"}; '' once erased
    second_by = ForeignKey(User, null=True, default=None)
    second_entry = Text(default="")
    resolved_by = ForeignKey(User, null=True, default=None)


class UnsatisfiedCase(Table, tablename="unsatisfied_case"):
    """不满意问题台账: a 不满意 with a comment, for the lead unit to answer by `due`. Either a
    project's (a resident's rating of a project: `project`) or a case's (回访 of an answered case,
    evaluation.callbacks: `case`, answered when the unit answers the reopened case again)."""

    id: Serial
    project = ForeignKey(Project, null=True, default=None, index=True, on_delete=OnDelete.cascade)
    case = ForeignKey(Case, null=True, default=None, index=True, on_delete=OnDelete.cascade)
    rating = ForeignKey(Rating, null=True, default=None, on_delete=OnDelete.set_null)
    unit = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.set_null)
    comment = Text()
    channel = Varchar(length=10, choices=RatingChannel)
    opened_on = Date()
    due = Date()
    answer = Text(default="")
    answered_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    answered_at = Timestamptz(null=True, default=None)


class CaseRating(Table, tablename="case_rating"):
    """回访: the resident's rating of one answer of a case, online at /t/CODE or told to staff on
    the telephone. Not secret as project ratings are: the case is the resident's own, reached by
    the resident's tracking code. `slot` ("case:answer_no") is unique, so each answer is rated
    once, whoever is first; a 不满意 reopens the case and its next answer is rated again."""

    id: Serial
    case = ForeignKey(Case, null=False, index=True, on_delete=OnDelete.cascade)
    grade = Varchar(length=12, choices=Satisfaction)
    channel = Varchar(length=10, choices=RatingChannel)  # online or telephone
    comment = Text(default="")
    month = Varchar(length=7, index=True)  # "2026-11", the month of the rating
    rated_at = Timestamptz()
    called_on = Date(null=True, default=None)  # the call's date (telephone only)
    recorded_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)  # null online
    answer_no = Integer(default=1)  # 1 for the first answer, 2 after a reopen answered again...
    slot = Varchar(length=40, unique=True)  # "case:answer_no"


class Indicator(Table, tablename="evaluation_indicator"):
    """The district's current 评价指标体系; rounds already scored keep their snapshot."""

    id: Serial
    district = ForeignKey(District, null=False, index=True)
    name = Varchar(length=40)
    weight = Integer(default=25)
    position = Integer(default=0)


class RoundSystem(Table, tablename="evaluation_round_system"):
    """The indicator system a round is scored with, copied on its first observer's score."""

    id: Serial
    round = ForeignKey(Round, null=False, unique=True)
    indicators = JSON(default="[]")  # [{"name", "weight"}]
    taken_at = Timestamptz()


class ObserverScore(Table, tablename="observer_score"):
    """One observer's score of one project: {"indicator": {"score": 1..5, "note": ""}}."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    observer = ForeignKey(User, null=False)
    scores = JSON(default="{}")
    total = Real(default=0.0)
    note = Text(default="")
    scored_at = Timestamptz()
    slot = Varchar(length=40, unique=True)  # "project:observer"


class DistrictSettings(Table, tablename="evaluation_settings"):
    """A district's thresholds; a district without a row uses the rules' defaults."""

    id: Serial
    district = ForeignKey(District, null=False, unique=True)
    extend_at_pct = Integer(default=90)
    min_ratings = Integer(default=10)
    advanced_at_pct = Integer(default=90)
    improving_points = Integer(default=5)
    rectify_below_pct = Integer(default=70)
    case_due_workdays = Integer(default=5)
    case_red_after = Integer(default=3)
    case_rating_days = Integer(default=15)  # 回访: days after a case's answer its resident may rate it


class StreetSettings(Table, tablename="evaluation_street_settings"):
    id: Serial
    town = ForeignKey(Town, null=False, unique=True)
    rate_while_underway = Boolean(default=False)


class Decision(Table, tablename="evaluation_decision"):
    """The district's confirmed (or overridden) next-year decision on a written-off project."""

    id: Serial
    project = ForeignKey(Project, null=False, unique=True, on_delete=OnDelete.cascade)
    advised = Varchar(length=10, choices=Advice)
    decided = Varchar(length=10, choices=Advice)
    reason = Text(default="")
    satisfaction = Real(null=True, default=None)
    ratings = Integer(default=0)
    decided_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    decided_at = Timestamptz()


class Carryover(Table, tablename="evaluation_carryover"):
    """A project carried into a later round as a draft wish-list item (or listed again after a
    次年退出 decision, with the reason)."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    item = ForeignKey(WishItem, null=False, unique=True, on_delete=OnDelete.cascade)
    round = ForeignKey(Round, null=False)
    reason = Text(default="")
    carried_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    carried_at = Timestamptz()


class RatingMix(Table, tablename="rating_mix"):
    """When the ratings of a round's projects were last mixed (evaluation.mixing) and how many
    there were then: a round with more ratings than that is mixed again."""

    id: Serial
    round = ForeignKey(Round, null=False, unique=True, on_delete=OnDelete.cascade)
    ratings = Integer(default=0)
    mixed_at = Timestamptz()


class CaseRankSettings(Table, tablename="case_rank_settings"):
    """A district's rules for the monthly ranking of units and collector teams (办件三率);
    a district without a row uses evaluation.case_rules.RankRule's defaults."""

    id: Serial
    district = ForeignKey(District, null=False, unique=True)
    min_cases = Integer(default=3)
    bottom_n = Integer(default=3)
    bottom_below_pct = Integer(default=90)
    top_volume_n = Integer(default=3)


class UnitTalk(Table, tablename="unit_talk"):
    """约谈: the district's talk with the head of a unit flagged in a month's ranking, what was
    agreed, and, the month after, how it was followed up. One per unit and ranking month (`slot`).
    The unit's name is kept as it was, so the record reads the same after a rename or removal."""

    id: Serial
    district = ForeignKey(District, null=False, index=True)
    unit = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.set_null)
    unit_name = Varchar(length=80)
    month = Varchar(length=7)  # the ranking's month, "2026-11"
    reason = Varchar(length=12)  # bottom, volume or both
    held_on = Date()
    head = Varchar(length=60)  # who was talked to: the unit's head
    talked_by = Varchar(length=60)  # who for the district
    agreed = Text()
    recorded_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz()
    follow_up = Text(default="")
    followed_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    followed_at = Timestamptz(null=True, default=None)
    slot = Varchar(length=40, unique=True)  # "district:unit:month"
