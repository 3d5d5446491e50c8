from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Suggestion(Table, tablename="suggestion", schema=None):
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


class User(Table, tablename="yishi_user", schema=None):
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


class WishItem(Table, tablename="wish_item", schema=None):
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


ID = "2026-12-06T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "suggestion_wish_link (WishLink) moves from the suggestions app to wishlists; table and rows kept"


class TakeOver(MigrationManager):
    """Adds WishLink to wishlists' migration state without creating anything: the table exists
    already (made by the suggestions app's first migration, which on a fresh database runs after
    this one, as suggestions depends on wishlists). The suggestions app forgets it in its own
    migration (suggestions_2026_12_06t07_00_01), also without touching the table or its rows."""

    async def _run_add_tables(self, backwards: bool = False) -> None:
        return None

    async def _run_add_columns(self, backwards: bool = False) -> None:
        return None


async def forwards():
    manager = TakeOver(
        migration_id=ID, app_name="wishlists", description=DESCRIPTION
    )

    manager.add_table(
        class_name="WishLink",
        tablename="suggestion_wish_link",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="WishLink",
        tablename="suggestion_wish_link",
        column_name="suggestion",
        db_column_name="suggestion",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Suggestion,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="WishLink",
        tablename="suggestion_wish_link",
        column_name="wish_item",
        db_column_name="wish_item",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": WishItem,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="WishLink",
        tablename="suggestion_wish_link",
        column_name="created_by",
        db_column_name="created_by",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": User,
            "on_delete": OnDelete.set_null,
            "on_update": OnUpdate.cascade,
            "target_column": None,
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

    manager.add_column(
        table_class_name="WishLink",
        tablename="suggestion_wish_link",
        column_name="created_at",
        db_column_name="created_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
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
