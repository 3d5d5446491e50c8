from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-25T23:16:14:036208"
VERSION = "1.38.0"
DESCRIPTION = "wish item lead unit (牵头单位)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="wishlists", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="WishItem",
        tablename="wish_item",
        column_name="lead_unit",
        db_column_name="lead_unit",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 80,
            "default": "",
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
