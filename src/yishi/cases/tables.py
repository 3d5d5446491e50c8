from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from yishi.accounts.tables import Unit, User
from yishi.cases.enums import CaseKind, CaseState, MeetingKind, MeetingLevel, MeetingState, UnitRole, Urgency
from yishi.places.tables import District, Town
from yishi.suggestions.enums import Track
from yishi.suggestions.tables import Category, Suggestion


class Case(Table, tablename="dispatch_case"):
    """A suggestion handed to a unit (派单): one per suggestion, from its first dispatch on.

    The suggestion keeps its own fields (status, reply, lead_unit as text); the case adds who
    holds it and by when. `owner` is the first unit that accepted (首接负责制): set once, it
    stays until the case is closed, whatever happens after."""

    id: Serial
    suggestion = ForeignKey(Suggestion, null=False, unique=True, on_delete=OnDelete.no_action)
    # The suggestion's street and district, copied so the street's list and the district's read
    # one table (20,000 cases a street: bench/bench_cases.py).
    town = ForeignKey(Town, null=False, on_delete=OnDelete.no_action)
    district = ForeignKey(District, null=False, on_delete=OnDelete.no_action)
    kind = Varchar(length=12, choices=CaseKind, default=CaseKind.suggestion)
    urgency = Varchar(length=10, choices=Urgency, default=Urgency.normal)
    track = Varchar(length=12, choices=Track, default=Track.now)
    state = Varchar(length=12, choices=CaseState, default=CaseState.dispatched)
    lead_unit = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.set_null)
    owner = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.set_null)
    catalog_entry = Integer(null=True, default=None)  # the 派单目录 line it was dispatched by
    note = Text(default="")  # 派单说明 for the unit
    dispatched_at = Timestamptz(null=True, default=None)
    accept_by = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    due_at = Timestamptz(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    reply = Text(default="")
    return_reason = Text(default="")
    returns = Integer(default=0)
    escalated_at = Timestamptz(null=True, default=None)
    escalate_reason = Text(default="")
    closed_at = Timestamptz(null=True, default=None)
    # 回访: times a 不满意 sent it back to its unit (cases.services.reopen); its answer in hand
    # is answer number reopens + 1.
    reopens = Integer(default=0)
    created_at = Timestamptz()


class CaseUnit(Table, tablename="dispatch_case_unit"):
    """A unit a case is dispatched to: its lead (主办) and assisting units (协办). A clerk's queue
    reads this table; a lead unit that sends the case back stays here, marked returned."""

    id: Serial
    case = ForeignKey(Case, null=False, on_delete=OnDelete.cascade)
    unit = ForeignKey(Unit, null=False, on_delete=OnDelete.no_action)
    role = Varchar(length=8, choices=UnitRole, default=UnitRole.lead)
    # Still holding the case: False once it sent it back or the street dispatched elsewhere.
    current = Boolean(default=True)
    dispatched_at = Timestamptz()
    slot = Varchar(length=40, unique=True)  # "case:unit": one row per unit a case has reached


class CatalogEntry(Table, tablename="dispatch_catalog"):
    """派单目录: a district's three-level classification of what residents ask (seed 003), each
    line naming the unit it goes to by default. `category` links a line to a suggestion category,
    so the dispatch form can pre-fill it."""

    id: Serial
    district = ForeignKey(District, null=False, index=True)
    level1 = Varchar(length=30)
    level2 = Varchar(length=30, default="")
    level3 = Varchar(length=30, default="")
    category = ForeignKey(Category, null=True, default=None, on_delete=OnDelete.set_null)
    unit = ForeignKey(Unit, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=12, choices=CaseKind, default=CaseKind.suggestion)
    active = Boolean(default=True)
    slot = Varchar(length=120, unique=True)  # "district:level1/level2/level3"


class CaseSettings(Table, tablename="dispatch_settings"):
    """A district's time limits; a district without a row uses cases.rules.DEFAULTS."""

    id: Serial
    district = ForeignKey(District, null=False, unique=True)
    accept_hours = Integer(default=24)
    urgent_accept_hours = Integer(default=1)
    urgent_hours = Integer(default=24)
    critical_hours = Integer(default=2)
    # {"now": {"consult": 1, ...}, "deadline": {...}, "study": {...}}: working days per track and kind.
    workdays = JSON(default="{}")
    blue_within = Integer(default=1)
    red_after = Integer(default=3)


class CaseMeeting(Table, tablename="case_meeting"):
    """A 会商 on one or more cases: held by a street, or by the district (县级会商办) for cases
    sent up to it. `town` is the street of its cases (None for a district meeting on cases of
    several streets); `held_at` is the meeting's date and time as planned, then as held."""

    id: Serial
    town = ForeignKey(Town, null=True, default=None, on_delete=OnDelete.no_action)
    district = ForeignKey(District, null=False, on_delete=OnDelete.no_action, index=True)
    level = Varchar(length=10, choices=MeetingLevel, default=MeetingLevel.street)
    kind = Varchar(length=10, choices=MeetingKind, default=MeetingKind.whistle)
    state = Varchar(length=10, choices=MeetingState, default=MeetingState.planned)
    held_at = Timestamptz()
    place = Varchar(length=100, default="")
    topic = Varchar(length=200, default="")
    convened_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    convener_name = Varchar(length=80, default="")  # as it was when called (an account may be renamed)
    summary = Text(default="")  # 会议纪要, written when it is recorded as held
    cancel_reason = Text(default="")
    created_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)


class CaseMeetingCase(Table, tablename="case_meeting_case"):
    """A case on a meeting's agenda and the meeting's decision on it: the 主责 unit, the 配合
    units, what is to be done and by when. `dispatched`: the decision set the case's units (it
    was not owned yet); otherwise it stood by the unit that owns it (首接负责制)."""

    id: Serial
    meeting = ForeignKey(CaseMeeting, null=False, on_delete=OnDelete.cascade)
    case = ForeignKey(Case, null=False, on_delete=OnDelete.cascade, index=True)
    lead_unit = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.set_null)
    assist_units = JSON(default="[]")  # unit ids, 配合单位
    decision = Text(default="")
    due_on = Date(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    dispatched = Boolean(default=False)
    slot = Varchar(length=40, unique=True)  # "meeting:case"


class CaseMeetingUnit(Table, tablename="case_meeting_unit"):
    """A unit summoned to a meeting (吹哨), whether it came (报到), and the two ratings of
    双考核: the street's of the unit's response, the unit's of the street's preparation (1–5,
    None until given). The rankings read this table."""

    id: Serial
    meeting = ForeignKey(CaseMeeting, null=False, on_delete=OnDelete.cascade)
    unit = ForeignKey(Unit, null=False, on_delete=OnDelete.no_action, index=True)
    reported = Boolean(default=False)
    reported_at = Timestamptz(null=True, default=None)
    reported_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    attendee = Varchar(length=80, default="")  # who came for the unit
    response_score = Integer(null=True, default=None)
    response_note = Text(default="")
    response_rated_at = Timestamptz(null=True, default=None)
    prep_score = Integer(null=True, default=None)
    prep_note = Text(default="")
    prep_rated_at = Timestamptz(null=True, default=None)
    slot = Varchar(length=40, unique=True)  # "meeting:unit"


class CaseMeetingItem(Table, tablename="case_meeting_item"):
    """A follow-up item of a meeting (会后事项): what a unit is to do and by when; the unit's
    clerk answers it from her queue."""

    id: Serial
    meeting = ForeignKey(CaseMeeting, null=False, on_delete=OnDelete.cascade)
    unit = ForeignKey(Unit, null=False, on_delete=OnDelete.no_action, index=True)
    case = ForeignKey(Case, null=True, default=None, on_delete=OnDelete.set_null)
    what = Text()
    due_on = Date(null=True, default=None)
    answer = Text(default="")
    answered_at = Timestamptz(null=True, default=None)
    answered_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class CaseOpinion(Table, tablename="dispatch_case_opinion"):
    """协办意见: an assisting unit's opinion on a case it assists, one per unit (rewritten in
    place; every version is in the audit trail). The lead unit and the street read it."""

    id: Serial
    case = ForeignKey(Case, null=False, on_delete=OnDelete.cascade, index=True)
    unit = ForeignKey(Unit, null=False, on_delete=OnDelete.no_action)
    text = Text()
    written_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    written_at = Timestamptz()
    slot = Varchar(length=40, unique=True)  # "case:unit"
