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
    MemberCategory.party: "镇(街道)党(工)委委员",
    MemberCategory.worker: "村(社区)工作者代表",
    MemberCategory.party_member: "党员代表",
    MemberCategory.grid: "网格员代表",
    MemberCategory.resident: "村(居)民代表",
    MemberCategory.x: "X(其他利益相关方)",
}
FIXED_CATEGORIES = [c for c in MemberCategory if c is not MemberCategory.x]
