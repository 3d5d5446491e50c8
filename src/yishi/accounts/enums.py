import enum


class Role(str, enum.Enum):
    admin = "admin"
    district_reviewer = "district_reviewer"
    street_staff = "street_staff"
    convener = "convener"
    member = "member"
    collector = "collector"

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
}
