import enum


class MemberCategory(str, enum.Enum):
    """The five fixed categories of a 5+X council, and X."""

    party = "party"
    worker = "worker"
    party_member = "party_member"
    grid = "grid"
    resident = "resident"
    x = "x"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    MemberCategory.party: "镇（街道）党（工）委委员",
    MemberCategory.worker: "村（社区）工作者代表",
    MemberCategory.party_member: "党员代表",
    MemberCategory.grid: "网格员代表",
    MemberCategory.resident: "村（居）民代表",
    MemberCategory.x: "X(其他利益相关方)",
}
FIXED_CATEGORIES = [c for c in MemberCategory if c is not MemberCategory.x]


class MeetingStep(str, enum.Enum):
    """Which of the three-step method's council meetings this is."""

    consult = "consult"
    decide = "decide"

    @property
    def label(self) -> str:
        return {"consult": "民主恳谈交清单", "decide": "民主议事定方向"}[self.value]


class MeetingStatus(str, enum.Enum):
    """planned: agenda still editable; open: under way, agenda fixed; closed: minutes final."""

    planned = "planned"
    open = "open"
    closed = "closed"

    @property
    def label(self) -> str:
        return {"planned": "筹备中", "open": "会议进行中", "closed": "纪要已定稿"}[self.value]


class Presence(str, enum.Enum):
    present = "present"
    leave = "leave"

    @property
    def label(self) -> str:
        return {"present": "出席", "leave": "请假"}[self.value]


class VoteChoice(str, enum.Enum):
    yes = "yes"
    no = "no"
    abstain = "abstain"

    @property
    def label(self) -> str:
        return {"yes": "赞成", "no": "反对", "abstain": "弃权"}[self.value]


class SubmissionStatus(str, enum.Enum):
    submitted = "submitted"
    approved = "approved"
    returned = "returned"

    @property
    def label(self) -> str:
        return {"submitted": "已提交", "approved": "已批准", "returned": "已退回"}[self.value]
