"""Grades, channels and decisions of 评实效. Labels go through gettext."""
from yishi.core.enums import LabelledEnum
from yishi.core.i18n import N_


class Satisfaction(LabelledEnum):
    satisfied = "satisfied", N_("满意")
    basic = "basic", N_("基本满意")
    unsatisfied = "unsatisfied", N_("不满意")


class RatingChannel(LabelledEnum):
    online = "online", N_("网上评价")  # with a rating code (or an unused ballot code) on a phone
    paper = "paper", N_("纸质评价")  # a paper form entered twice by collectors
    telephone = "telephone", N_("电话回访")  # 电话回访: staff record the answer; counted apart


class Advice(LabelledEnum):
    """次年: what to do with a written-off project next year."""

    extend = "extend", N_("深化推广")
    drop = "drop", N_("次年退出")
    watch = "watch", N_("待观察")


class Band(LabelledEnum):
    """The monthly ranking's bands (seed 003); `none` is a street in none of them."""

    advanced = "advanced", N_("先进类")
    improving = "improving", N_("进步类")
    rectify = "rectify", N_("整改类")
    none = "none", N_("—")


class CaseColour(LabelledEnum):
    """不满意问题台账: answered, open within the due date, then yellow, then red."""

    answered = "answered", N_("已答复")
    open = "open", N_("办理中")
    yellow = "yellow", N_("黄色预警")
    red = "red", N_("红色督办")
