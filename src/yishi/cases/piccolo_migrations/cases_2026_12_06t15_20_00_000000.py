from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Case.reopens: times a 不满意 at the 回访 sent the case back to its unit"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Case", tablename="dispatch_case", column_name="reopens", db_column_name="reopens",
        column_class_name="Integer", column_class=Integer,
        params={"default": 0, "null": False, "primary_key": False, "unique": False, "index": False,
                "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
        schema=None,
    )
    return manager
