from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T00:23:37:217388"
VERSION = "1.38.0"
DESCRIPTION = "RoundSetting.paper_printed_at: a round that used paper is counted after paper entry"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="ballots", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="RoundSetting",
        tablename="ballot_round_setting",
        column_name="paper_printed_at",
        db_column_name="paper_printed_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
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
