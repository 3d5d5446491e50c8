from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

from yishi.accounts.enums import Role
from yishi.places.tables import Community, District, Town


class User(Table, tablename="yishi_user"):
    """A staff account. Residents need none. Rights are bound to a district, town or community."""

    username = Varchar(length=40, unique=True)
    display_name = Varchar(length=40)
    password_hash = Varchar(length=200)
    role = Varchar(length=24, choices=Role)
    district = ForeignKey(District, null=True)
    town = ForeignKey(Town, null=True)
    community = ForeignKey(Community, null=True)
    active = Boolean(default=True)
    # Bumped on password change so older sessions stop working.
    session_version = Integer(default=1)
    created_at = Timestamptz()
