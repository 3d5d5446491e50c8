"""Suggestion.spot (点位), and an index on (town, received_on) for the 民情热度表: every count it
shows is one street's (or district's) suggestions received between two days."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

ID = "2026-12-06T12:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Suggestion.spot (点位); index suggestion (town, received_on)"

# Piccolo declares one-column indexes only: the two-column one is written here by hand.
INDEX = "CREATE INDEX IF NOT EXISTS suggestion_town_received ON suggestion (town, received_on)"


async def add_index() -> None:
    await engine_finder().run_ddl(INDEX)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="suggestions", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Suggestion",
        tablename="suggestion",
        column_name="spot",
        db_column_name="spot",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 40,
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
    manager.add_raw(add_index)

    return manager
