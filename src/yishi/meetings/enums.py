from yishi.core.enums import LabelledEnum
from yishi.core.i18n import N_


class MemberCategory(LabelledEnum):
    """The five fixed categories of a 5+X council, and X."""

    party = "party", N_("镇（街道）党（工）委委员")
    worker = "worker", N_("村（社区）工作者代表")
    party_member = "party_member", N_("党员代表")
    grid = "grid", N_("网格员代表")
    resident = "resident", N_("村（居）民代表")
    x = "x", N_("X(其他利益相关方)")


FIXED_CATEGORIES = [c for c in MemberCategory if c is not MemberCategory.x]


class MeetingStep(LabelledEnum):
    """Which of the three-step method's council meetings this is."""

    consult = "consult", N_("民主恳谈交清单")
    decide = "decide", N_("民主议事定方向")


class MeetingStatus(LabelledEnum):
    """planned: agenda still editable; open: under way, agenda fixed; closed: minutes final."""

    planned = "planned", N_("筹备中")
    open = "open", N_("会议进行中")
    closed = "closed", N_("纪要已定稿")


class Presence(LabelledEnum):
    present = "present", N_("出席")
    leave = "leave", N_("请假")


class VoteChoice(LabelledEnum):
    yes = "yes", N_("赞成")
    no = "no", N_("反对")
    abstain = "abstain", N_("弃权")


class SubmissionStatus(LabelledEnum):
    submitted = "submitted", N_("已提交")
    approved = "approved", N_("已批准")
    returned = "returned", N_("已退回")
