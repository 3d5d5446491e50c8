from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from yishi.accounts.enums import Role, UnitKind
from yishi.places.tables import Community, District, Town


class Unit(Table, tablename="unit"):
    """A unit in the district's directory (牵头责任单位 or 实施主体), kept by the administrator.
    Lives in accounts because a unit clerk's account points at it."""

    id: Serial
    district = ForeignKey(District, null=False, index=True)
    name = Varchar(length=80)
    kind = Varchar(length=24, choices=UnitKind, default=UnitKind.district_department)
    # A unit's office contact, published to staff: not a resident's personal data.
    contact_name = Varchar(length=40, default="")
    contact_phone = Varchar(length=30, default="")
    active = Boolean(default=True)
    # "district:name" is unique: one entry per name in a district, even when two admins race.
    slot = Varchar(length=120, unique=True)


class User(Table, tablename="yishi_user"):
    """A staff account. Residents need none. Rights are bound to a district, town or community."""

    id: Serial
    username = Varchar(length=40, unique=True)
    display_name = Varchar(length=40)
    password_hash = Varchar(length=200)
    role = Varchar(length=24, choices=Role)
    district = ForeignKey(District, null=True)
    town = ForeignKey(Town, null=True)
    community = ForeignKey(Community, null=True)
    # A unit clerk's unit; None for every other role.
    unit = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.set_null)
    # A work phone, shown to the account's managers (not to residents).
    phone = Varchar(length=30, default="")
    active = Boolean(default=True)
    # Set by a reset or a bulk import (a one-time password): the next login must choose a new one.
    must_change_password = Boolean(default=False)
    # Bumped on password change so older sessions stop working.
    session_version = Integer(default=1)
    # The language chosen with the header's switch (core.i18n.LOCALES); "" until one is chosen,
    # then it follows the account from device to device, ahead of the cookie and the browser's.
    language = Varchar(length=10, default="")
    created_at = Timestamptz()
