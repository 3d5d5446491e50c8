from yishi.core.enums import LabelledEnum
from yishi.core.i18n import N_


class ItemKind(LabelledEnum):
    universal = "universal", N_("普惠性")
    special = "special", N_("特色")
    pilot = "pilot", N_("试点")


class RoundStatus(LabelledEnum):
    """A round's wish list: compiled, ticked by residents, then decided by the council."""

    draft = "draft", N_("清单编制中")
    voting = "voting", N_("群众勾选中")
    counted = "counted", N_("勾选已结束")
    decided = "decided", N_("已形成意愿清单")
