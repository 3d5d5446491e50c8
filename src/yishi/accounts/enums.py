from yishi.core.enums import LabelledEnum
from yishi.core.i18n import N_


class Role(LabelledEnum):
    admin = "admin", N_("系统管理员")
    district_reviewer = "district_reviewer", N_("区级审核人员")
    street_staff = "street_staff", N_("镇（街道）工作人员")
    convener = "convener", N_("议事组召集人")
    member = "member", N_("议事组成员")
    collector = "collector", N_("民情收集员")
    # 责任单位经办人: belongs to one unit and reports on that unit's projects only.
    unit_clerk = "unit_clerk", N_("责任单位经办人")
    # 市民观察员 / 专业观察团 / 第三方: scores delivered projects of their district (evaluation).
    observer = "observer", N_("观察员")


class UnitKind(LabelledEnum):
    """Who carries a project out: the kinds of unit in a district's directory (seed 000 §四)."""

    district_department = "district_department", N_("区级部门")
    town = "town", N_("镇街")
    community = "community", N_("村社区")
    enterprise = "enterprise", N_("企业")
    social_org = "social_org", N_("社会组织")
