"""States and kinds of a case (接诉即办: 派单 → 签收 → 答复 → 办结). Imports nothing else of the app."""
from yishi.core.enums import LabelledEnum
from yishi.core.i18n import N_


class CaseState(LabelledEnum):
    """待签收 → 办理中 → 已答复 → 已办结; 已退单 back to the street, 待区级交办 after 提级."""

    dispatched = "dispatched", N_("待签收")
    accepted = "accepted", N_("办理中")
    answered = "answered", N_("已答复")
    returned = "returned", N_("已退单")
    escalated = "escalated", N_("待区级交办")
    closed = "closed", N_("已办结")

    @property
    def is_open(self) -> bool:
        return self is not CaseState.closed


OPEN_STATES = frozenset(s for s in CaseState if s is not CaseState.closed)
# Waiting on the street (or, after 提级, the district) to dispatch: no unit holds the case.
UNDISPATCHED = frozenset({CaseState.returned, CaseState.escalated})


class CaseKind(LabelledEnum):
    """诉求类型 (seed 003: 咨询、投诉、建议、应急; 求助 for a resident asking for help)."""

    consult = "consult", N_("咨询")
    help = "help", N_("求助")
    complaint = "complaint", N_("投诉")
    suggestion = "suggestion", N_("建议")


class Urgency(LabelledEnum):
    """四级响应 (seed 003): 特急 and 紧急 counted in hours, around the clock; 一般 in working days,
    by track (即可办 / 限期办 / 研究办) and kind."""

    normal = "normal", N_("一般")
    urgent = "urgent", N_("紧急")
    critical = "critical", N_("特急")

    @property
    def in_hours(self) -> bool:
        return self is not Urgency.normal


class UnitRole(LabelledEnum):
    lead = "lead", N_("主办")
    assist = "assist", N_("协办")


class MeetingKind(LabelledEnum):
    """会商的形式 (seeds 001, 003): the street blows the whistle and the units report, a meeting
    on the spot, or a joint meeting of the departments concerned."""

    whistle = "whistle", N_("吹哨报到")
    on_site = "on_site", N_("现场办公会")
    joint = "joint", N_("联席会商")


class MeetingLevel(LabelledEnum):
    """Who holds it: the street (街道协调办), or the district for cases sent up (县级会商办)."""

    street = "street", N_("街道会商")
    district = "district", N_("县级会商办")


class MeetingState(LabelledEnum):
    """待召开 → 已召开 → 已办结; a planned meeting may be called off (已取消)."""

    planned = "planned", N_("待召开")
    held = "held", N_("已召开")
    closed = "closed", N_("已办结")
    cancelled = "cancelled", N_("已取消")
