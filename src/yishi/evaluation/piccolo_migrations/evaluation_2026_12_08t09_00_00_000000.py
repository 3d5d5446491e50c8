from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class District(Table, tablename="district", schema=None):
    pass


class Unit(Table, tablename="unit", schema=None):
    pass


class User(Table, tablename="yishi_user", schema=None):
    pass


ID = "2026-12-08T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "CaseRankSettings and UnitTalk: the monthly ranking's rules per district, and 约谈 with flagged units"


def _params(**extra):
    return {"null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **extra}


def _fk(references, *, null: bool = False, unique: bool = False, index: bool = False,
        on_delete: OnDelete = OnDelete.cascade) -> dict:
    return _params(references=references, on_delete=on_delete, on_update=OnUpdate.cascade, target_column=None,
                   null=null, unique=unique, index=index, **({"default": None} if null else {}))


def _add(manager: MigrationManager, class_name: str, tablename: str, name: str, column_class, params: dict) -> None:
    manager.add_column(table_class_name=class_name, tablename=tablename, column_name=name, db_column_name=name,
                       column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="evaluation", description=DESCRIPTION)
    manager.add_table(class_name="CaseRankSettings", tablename="case_rank_settings", schema=None, columns=None)
    _add(manager, "CaseRankSettings", "case_rank_settings", "district", ForeignKey, _fk(District, unique=True))
    for name, default in (("min_cases", 3), ("bottom_n", 3), ("bottom_below_pct", 90), ("top_volume_n", 3)):
        _add(manager, "CaseRankSettings", "case_rank_settings", name, Integer, _params(default=default))

    manager.add_table(class_name="UnitTalk", tablename="unit_talk", schema=None, columns=None)
    t = ("UnitTalk", "unit_talk")
    _add(manager, *t, "district", ForeignKey, _fk(District, index=True))
    _add(manager, *t, "unit", ForeignKey, _fk(Unit, null=True, on_delete=OnDelete.set_null))
    _add(manager, *t, "unit_name", Varchar, _params(length=80, default=""))
    _add(manager, *t, "month", Varchar, _params(length=7, default=""))
    _add(manager, *t, "reason", Varchar, _params(length=12, default=""))
    _add(manager, *t, "held_on", Date, _params(default=DateNow()))
    _add(manager, *t, "head", Varchar, _params(length=60, default=""))
    _add(manager, *t, "talked_by", Varchar, _params(length=60, default=""))
    _add(manager, *t, "agreed", Text, _params(default=""))
    _add(manager, *t, "recorded_by", ForeignKey, _fk(User, null=True, on_delete=OnDelete.set_null))
    _add(manager, *t, "recorded_at", Timestamptz, _params(default=TimestamptzNow()))
    _add(manager, *t, "follow_up", Text, _params(default=""))
    _add(manager, *t, "followed_by", ForeignKey, _fk(User, null=True, on_delete=OnDelete.set_null))
    _add(manager, *t, "followed_at", Timestamptz, _params(default=None, null=True))
    _add(manager, *t, "slot", Varchar, _params(length=40, default="", unique=True))
    return manager
