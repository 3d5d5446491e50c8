"""回访 of cases: CaseRating; the ledger of unsatisfied cases takes a case's entries as well as a
project's (`case` added, `project` made nullable); the district's rating window.

SQLite cannot drop a NOT NULL: the table is copied into one declared without it (the way
SQLite's own documentation gives for ALTER TABLE beyond what it supports)."""
from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table


class Case(Table, tablename="dispatch_case", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


class User(Table, tablename="yishi_user", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False, index_method=IndexMethod.btree,
                choices=None, db_column_name="id", secret=False)


ID = "2026-12-07T15:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "CaseRating (回访); unsatisfied_case.case, project nullable; case_rating_days"

SATISFACTION = Enum("Satisfaction", {"satisfied": "satisfied", "basic": "basic", "unsatisfied": "unsatisfied"})
CHANNEL = Enum("RatingChannel", {"online": "online", "paper": "paper", "telephone": "telephone"})


def _params(**extra):
    return {"null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **extra}


async def project_nullable() -> None:
    engine = engine_finder()
    if engine.engine_type != "sqlite":
        await engine.run_ddl('ALTER TABLE "unsatisfied_case" ALTER COLUMN "project" DROP NOT NULL')
        return
    rows = await engine.run_ddl("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'unsatisfied_case'")
    sql = rows[0]["sql"]
    old = '"project" INTEGER NOT NULL REFERENCES'
    if old not in sql:
        return
    sql = sql.replace(old, '"project" INTEGER REFERENCES').replace(
        '"unsatisfied_case"', '"unsatisfied_case_new"', 1)
    await engine.run_ddl(sql)
    await engine.run_ddl('INSERT INTO "unsatisfied_case_new" SELECT * FROM "unsatisfied_case"')
    await engine.run_ddl('DROP TABLE "unsatisfied_case"')
    await engine.run_ddl('ALTER TABLE "unsatisfied_case_new" RENAME TO "unsatisfied_case"')
    await engine.run_ddl('CREATE INDEX IF NOT EXISTS unsatisfied_case_project ON "unsatisfied_case" ("project")')


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="evaluation", description=DESCRIPTION)
    manager.add_raw(project_nullable)
    manager.add_column(
        table_class_name="UnsatisfiedCase", tablename="unsatisfied_case", column_name="case", db_column_name="case",
        column_class_name="ForeignKey", column_class=ForeignKey,
        params=_params(references=Case, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade, target_column=None,
                       null=True, default=None, index=True),
        schema=None,
    )
    manager.add_column(
        table_class_name="DistrictSettings", tablename="evaluation_settings", column_name="case_rating_days",
        db_column_name="case_rating_days", column_class_name="Integer", column_class=Integer,
        params=_params(default=15), schema=None,
    )
    manager.add_table(class_name="CaseRating", tablename="case_rating", schema=None, columns=None)
    columns = [
        ("case", ForeignKey, _params(references=Case, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade,
                                     target_column=None, index=True)),
        ("grade", Varchar, _params(length=12, default="", choices=SATISFACTION)),
        ("channel", Varchar, _params(length=10, default="", choices=CHANNEL)),
        ("comment", Text, _params(default="")),
        ("month", Varchar, _params(length=7, default="", index=True)),
        ("rated_at", Timestamptz, _params(default=TimestamptzNow())),
        ("called_on", Date, _params(null=True, default=None)),
        ("recorded_by", ForeignKey, _params(references=User, on_delete=OnDelete.set_null,
                                            on_update=OnUpdate.cascade, target_column=None, null=True,
                                            default=None)),
        ("answer_no", Integer, _params(default=1)),
        ("slot", Varchar, _params(length=40, default="", unique=True)),
    ]
    for name, cls, params in columns:
        manager.add_column(table_class_name="CaseRating", tablename="case_rating", column_name=name,
                           db_column_name=name, column_class_name=cls.__name__, column_class=cls, params=params,
                           schema=None)
    return manager
