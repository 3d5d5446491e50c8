"""States and kinds of delivery (办实事). Labels go through gettext: core.i18n is domain-free."""
from yishi.core.enums import LabelledEnum
from yishi.core.i18n import N_


class ProjectState(LabelledEnum):
    planning = "planning", N_("待制定方案")  # 待制定方案: the unit drafts the plan, the street approves it
    underway = "underway", N_("实施中")
    completed = "completed", N_("已完工待验收")  # 已完工待验收: completion report filed, the street checks it
    written_off = "written_off", N_("已销账")
    paused = "paused", N_("暂缓")
    stopped = "stopped", N_("终止")


class PlanStatus(LabelledEnum):
    draft = "draft", N_("编制中")  # the unit is writing it
    submitted = "submitted", N_("待街道审定")  # sent to the street
    approved = "approved", N_("已审定")  # the baseline


class FundingSource(LabelledEnum):
    """财政资金, and the four kinds of 社会资金 seed 000 counts as leveraged money."""

    public = "public", N_("财政资金")
    enterprise = "enterprise", N_("社会资金（企业）")
    social_org = "social_org", N_("社会资金（社会组织）")
    volunteer = "volunteer", N_("社会资金（志愿服务折算）")
    other = "other", N_("社会资金（其他）")

    @property
    def is_social(self) -> bool:
        return self is not FundingSource.public


class Colour(LabelledEnum):
    """蓝黄红 supervision (seed 002); green is "on plan", none is "not supervised in this state"."""

    none = "none", N_("不督办")
    green = "green", N_("正常")
    blue = "blue", N_("蓝色提醒")
    yellow = "yellow", N_("黄色预警")
    red = "red", N_("红色督办")

    @property
    def rank(self) -> int:
        return ["none", "green", "blue", "yellow", "red"].index(self.value)
