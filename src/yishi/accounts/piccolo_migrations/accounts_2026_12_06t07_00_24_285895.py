from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-12-06T07:00:24:285895"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="User",
        tablename="yishi_user",
        column_name="role",
        db_column_name="role",
        params={
            "choices": Enum(
                "Role",
                {
                    "admin": "admin",
                    "district_reviewer": "district_reviewer",
                    "street_staff": "street_staff",
                    "convener": "convener",
                    "member": "member",
                    "collector": "collector",
                    "unit_clerk": "unit_clerk",
                    "observer": "observer",
                },
            )
        },
        old_params={
            "choices": Enum(
                "Role",
                {
                    "admin": "admin",
                    "district_reviewer": "district_reviewer",
                    "street_staff": "street_staff",
                    "convener": "convener",
                    "member": "member",
                    "collector": "collector",
                    "unit_clerk": "unit_clerk",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
