from piccolo.columns import ForeignKey, Serial, Varchar
from piccolo.table import Table

from yishi.places.enums import CommunityKind, TownKind


class District(Table, tablename="district"):
    """区."""

    id: Serial
    name = Varchar(length=60, unique=True)


class Town(Table, tablename="town"):
    """镇/街道: a council belongs to one."""

    id: Serial
    district = ForeignKey(District, null=False)
    name = Varchar(length=60)
    kind = Varchar(length=10, choices=TownKind, default=TownKind.street)


class Community(Table, tablename="community"):
    """村/社区: residents belong to one."""

    id: Serial
    town = ForeignKey(Town, null=False)
    name = Varchar(length=60)
    kind = Varchar(length=10, choices=CommunityKind, default=CommunityKind.community)
