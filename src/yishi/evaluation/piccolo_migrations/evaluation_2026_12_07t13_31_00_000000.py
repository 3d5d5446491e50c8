from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Round(Table, tablename="round", schema=None):
    pass


ID = "2026-12-07T13:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "RatingMix: when the ratings of a round's projects were last mixed, and how many there were then"


def _params(**extra):
    return {"null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **extra}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="evaluation", description=DESCRIPTION)
    manager.add_table(class_name="RatingMix", tablename="rating_mix", schema=None, columns=None)
    manager.add_column(
        table_class_name="RatingMix", tablename="rating_mix", column_name="round", db_column_name="round",
        column_class_name="ForeignKey", column_class=ForeignKey,
        params=_params(references=Round, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade,
                       target_column=None, unique=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="RatingMix", tablename="rating_mix", column_name="ratings", db_column_name="ratings",
        column_class_name="Integer", column_class=Integer, params=_params(default=0), schema=None,
    )
    manager.add_column(
        table_class_name="RatingMix", tablename="rating_mix", column_name="mixed_at", db_column_name="mixed_at",
        column_class_name="Timestamptz", column_class=Timestamptz, params=_params(default=TimestamptzNow()),
        schema=None,
    )
    return manager
