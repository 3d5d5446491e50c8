import enum


class Role(str, enum.Enum):
    admin = "admin"
    district_reviewer = "district_reviewer"
    street_staff = "street_staff"
    convener = "convener"
    member = "member"
    collector = "collector"
    # 责任单位经办人: belongs to one unit and reports on that unit's projects only.
    unit_clerk = "unit_clerk"
    # 市民观察员 / 专业观察团 / 第三方: scores delivered projects of their district (evaluation).
    observer = "observer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.admin: "系统管理员",
    Role.district_reviewer: "区级审核人员",
    Role.street_staff: "镇（街道）工作人员",
    Role.convener: "议事组召集人",
    Role.member: "议事组成员",
    Role.collector: "民情收集员",
    Role.unit_clerk: "责任单位经办人",
    Role.observer: "观察员",
}


class UnitKind(str, enum.Enum):
    """Who carries a project out: the kinds of unit in a district's directory (seed 000 §四)."""

    district_department = "district_department"
    town = "town"
    community = "community"
    enterprise = "enterprise"
    social_org = "social_org"

    @property
    def label(self) -> str:
        return UNIT_KIND_LABELS[self]


UNIT_KIND_LABELS = {
    UnitKind.district_department: "区级部门",
    UnitKind.town: "镇街",
    UnitKind.community: "村社区",
    UnitKind.enterprise: "企业",
    UnitKind.social_org: "社会组织",
}
