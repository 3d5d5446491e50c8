"""Grades, channels and decisions of 评实效. Labels go through gettext."""
import enum

from yishi.core.i18n import _


class Grade(str, enum.Enum):
    satisfied = "satisfied"
    basic = "basic"
    unsatisfied = "unsatisfied"

    @property
    def label(self) -> str:
        return {"satisfied": _("满意"), "basic": _("基本满意"), "unsatisfied": _("不满意")}[self.value]


class Channel(str, enum.Enum):
    online = "online"        # with a rating code (or an unused ballot code) on a phone
    paper = "paper"          # a paper form entered twice by collectors
    telephone = "telephone"  # 电话回访: staff record the answer; counted apart

    @property
    def label(self) -> str:
        return {"online": _("网上评价"), "paper": _("纸质评价"), "telephone": _("电话回访")}[self.value]


class Advice(str, enum.Enum):
    """次年: what to do with a written-off project next year."""

    extend = "extend"
    drop = "drop"
    watch = "watch"

    @property
    def label(self) -> str:
        return {"extend": _("深化推广"), "drop": _("次年退出"), "watch": _("待观察")}[self.value]


class Band(str, enum.Enum):
    """The monthly ranking's bands (seed 003); `none` is a street in none of them."""

    advanced = "advanced"
    improving = "improving"
    rectify = "rectify"
    none = "none"

    @property
    def label(self) -> str:
        return {"advanced": _("先进类"), "improving": _("进步类"), "rectify": _("整改类"), "none": _("—")}[self.value]


class CaseColour(str, enum.Enum):
    """不满意问题台账: answered, open within the due date, then yellow, then red."""

    answered = "answered"
    open = "open"
    yellow = "yellow"
    red = "red"

    @property
    def label(self) -> str:
        return {"answered": _("已答复"), "open": _("办理中"), "yellow": _("黄色预警"), "red": _("红色督办")}[self.value]
