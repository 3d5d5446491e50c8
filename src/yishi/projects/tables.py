from piccolo.columns import JSON, BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from yishi.accounts.tables import Unit, User
from yishi.meetings.tables import Submission
from yishi.places.tables import District
from yishi.projects.enums import FundingSource, PlanStatus, ProjectState
from yishi.wishlists.enums import ItemKind
from yishi.wishlists.tables import Round, WishItem


class Project(Table, tablename="project"):
    """民生微事: an item the district approved, carried out by a unit on a plan to write-off.
    Until 2026-12 this was meetings' `micro_project`; the projects app's first migration moved
    the rows here."""

    id: Serial
    round = ForeignKey(Round, null=False, index=True)
    item = ForeignKey(WishItem, null=False, unique=True)
    submission = ForeignKey(Submission, null=False)
    title = Varchar(length=80)
    description = Text(default="")
    kind = Varchar(length=12, choices=ItemKind)
    # 批复资金: the approved cost. The funding lines may add social money on top of it.
    cost_fen = BigInt(default=0)
    # The item's free-text 牵头单位, kept as typed; lead_unit links it to the directory.
    lead_unit_name = Varchar(length=80, default="")
    lead_unit = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.set_null)
    implementer = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.set_null)
    # 责任人: a unit's officer named in an official plan, shown to staff only (never public).
    responsible_name = Varchar(length=40, default="")
    responsible_phone = Varchar(length=30, default="")
    planned_start = Date(null=True, default=None)
    planned_end = Date(null=True, default=None)
    state = Varchar(length=12, choices=ProjectState, default=ProjectState.planning)
    state_reason = Text(default="")
    # Set when the project first enters 实施中: weekly reports are owed from that week on.
    started_on = Date(null=True, default=None)
    plan_status = Varchar(length=10, choices=PlanStatus, default=PlanStatus.draft)
    plan_approved_at = Timestamptz(null=True, default=None)
    progress_pct = Integer(default=0)
    spent_fen = BigInt(default=0)
    # 完工报告 and 复盘 (好经验、好做法 / 问题与教训).
    completion_report = Text(default="")
    completed_at = Timestamptz(null=True, default=None)
    written_off_at = Timestamptz(null=True, default=None)
    review_good = Text(default="")
    review_lessons = Text(default="")
    created_at = Timestamptz()


class Funding(Table, tablename="project_funding"):
    """One funding line: a source and who gives it (a named enterprise, a volunteer team)."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    source = Varchar(length=12, choices=FundingSource)
    funder = Varchar(length=80, default="")
    amount_fen = BigInt(default=0)


class Milestone(Table, tablename="project_milestone"):
    """时间节点. `baseline_due` is the due date the street approved; `due` the current one."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    position = Integer(default=0)
    task = Varchar(length=120)
    owner = Varchar(length=60, default="")
    due = Date()
    baseline_due = Date(null=True, default=None)
    done_on = Date(null=True, default=None)


class ProjectHistory(Table, tablename="project_history"):
    """What happened to a project, who did it and when; read on the project's page (the audit
    trail holds the same, for the whole system)."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    action = Varchar(length=60)
    actor = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    actor_name = Varchar(length=80, default="")
    note = Text(default="")
    data = JSON(default="{}")
    at = Timestamptz()


class WeeklyReport(Table, tablename="project_weekly_report"):
    """周报告: one per project and ISO week; `slot` ("project:monday") makes it so in the database."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    week_start = Date()
    progress_pct = Integer(default=0)
    done = Text(default="")
    next_plan = Text(default="")
    spent_fen = BigInt(default=0)
    filed_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    filed_at = Timestamptz()
    slot = Varchar(length=40, unique=True)


class Coordination(Table, tablename="project_coordination"):
    """需协调事项 raised in a weekly report: open until the street or district answers it."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    report = ForeignKey(WeeklyReport, null=True, default=None, on_delete=OnDelete.set_null)
    text = Text()
    raised_at = Timestamptz()
    answer = Text(default="")
    answered_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    answered_at = Timestamptz(null=True, default=None)


class Photo(Table, tablename="project_photo"):
    """A re-encoded photo on disk under data_dir/photos by content hash; a report's or the
    completion report's (report None)."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    report = ForeignKey(WeeklyReport, null=True, default=None, on_delete=OnDelete.cascade)
    sha256 = Varchar(length=64)
    width = Integer()
    height = Integer()
    size = Integer()
    uploaded_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz()


class Directive(Table, tablename="project_directive"):
    """调度意见 from the monthly review: what to do, by whom, by when; the unit answers it."""

    id: Serial
    project = ForeignKey(Project, null=False, index=True, on_delete=OnDelete.cascade)
    month = Varchar(length=7)  # "2026-11"
    text = Text()
    assignee = Varchar(length=80, default="")
    due = Date(null=True, default=None)
    issued_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    issued_at = Timestamptz()
    answer = Text(default="")
    answered_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    answered_at = Timestamptz(null=True, default=None)


class CalendarDay(Table, tablename="calendar_day"):
    """A district's local addition to the national calendar: an extra holiday or workday."""

    id: Serial
    district = ForeignKey(District, null=False, index=True)
    day = Date()
    workday = Boolean(default=False)
    note = Varchar(length=80, default="")
    slot = Varchar(length=40, unique=True)


class SupervisionSettings(Table, tablename="supervision_settings"):
    """A district's 蓝黄红 thresholds; a district without a row uses rules.DEFAULTS."""

    id: Serial
    district = ForeignKey(District, null=False, unique=True)
    blue_due_within = Integer(default=3)
    report_grace_days = Integer(default=1)
    red_overdue_days = Integer(default=5)
    red_missing_reports = Integer(default=2)
