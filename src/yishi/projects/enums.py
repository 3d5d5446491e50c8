"""States and kinds of delivery (办实事). Labels go through gettext: core.i18n is domain-free."""
import enum

from yishi.core.i18n import _


class ProjectState(str, enum.Enum):
    planning = "planning"        # 待制定方案: the unit drafts the plan, the street approves it
    underway = "underway"        # 实施中
    completed = "completed"      # 已完工待验收: completion report filed, the street checks it
    written_off = "written_off"  # 已销账
    paused = "paused"            # 暂缓
    stopped = "stopped"          # 终止

    @property
    def label(self) -> str:
        return {
            "planning": _("待制定方案"), "underway": _("实施中"), "completed": _("已完工待验收"),
            "written_off": _("已销账"), "paused": _("暂缓"), "stopped": _("终止"),
        }[self.value]


class PlanStatus(str, enum.Enum):
    draft = "draft"          # the unit is writing it
    submitted = "submitted"  # sent to the street
    approved = "approved"    # the baseline

    @property
    def label(self) -> str:
        return {"draft": _("编制中"), "submitted": _("待街道审定"), "approved": _("已审定")}[self.value]


class FundingSource(str, enum.Enum):
    """财政资金, and the four kinds of 社会资金 seed 000 counts as leveraged money."""

    public = "public"
    enterprise = "enterprise"
    social_org = "social_org"
    volunteer = "volunteer"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "public": _("财政资金"), "enterprise": _("社会资金（企业）"), "social_org": _("社会资金（社会组织）"),
            "volunteer": _("社会资金（志愿服务折算）"), "other": _("社会资金（其他）"),
        }[self.value]

    @property
    def is_social(self) -> bool:
        return self is not FundingSource.public


class Colour(str, enum.Enum):
    """蓝黄红 supervision (seed 002); green is "on plan", none is "not supervised in this state"."""

    none = "none"
    green = "green"
    blue = "blue"
    yellow = "yellow"
    red = "red"

    @property
    def label(self) -> str:
        return {"none": _("不督办"), "green": _("正常"), "blue": _("蓝色提醒"), "yellow": _("黄色预警"),
                "red": _("红色督办")}[self.value]

    @property
    def rank(self) -> int:
        return ["none", "green", "blue", "yellow", "red"].index(self.value)
