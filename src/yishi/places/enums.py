from yishi.core.enums import LabelledEnum
from yishi.core.i18n import N_


class TownKind(LabelledEnum):
    town = "town", N_("镇")
    street = "street", N_("街道")


class CommunityKind(LabelledEnum):
    community = "community", N_("社区")
    village = "village", N_("村")
