from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Real, Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class District(Table, tablename="district", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-12-06T12:17:46:218110"
VERSION = "1.38.0"
DESCRIPTION = "pulse_settings: a district's early-warning rule (民情热度表)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="pulse", description=DESCRIPTION
    )

    manager.add_table(
        class_name="PulseSettings",
        tablename="pulse_settings",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="PulseSettings",
        tablename="pulse_settings",
        column_name="district",
        db_column_name="district",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": District,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="PulseSettings",
        tablename="pulse_settings",
        column_name="factor",
        db_column_name="factor",
        column_class_name="Real",
        column_class=Real,
        params={
            "default": 3.0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="PulseSettings",
        tablename="pulse_settings",
        column_name="min_count",
        db_column_name="min_count",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 5,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="PulseSettings",
        tablename="pulse_settings",
        column_name="weeks",
        db_column_name="weeks",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 8,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
