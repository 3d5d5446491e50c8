"""Composite indexes for the case lists (Piccolo's columns declare one-column indexes only).

A street's open cases by due date and its closed ones by date, a district's, a unit's queue:
with 20,000 cases a street (bench/bench_cases.py) each list reads one index range."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T12:14:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes of dispatch_case and dispatch_case_unit"

INDEXES = (
    "CREATE INDEX dispatch_case_town_state_due ON dispatch_case (town, state, due_at)",
    "CREATE INDEX dispatch_case_town_state_closed ON dispatch_case (town, state, closed_at)",
    "CREATE INDEX dispatch_case_district_state_due ON dispatch_case (district, state, due_at)",
    "CREATE INDEX dispatch_case_escalated ON dispatch_case (district, escalated_at)",
    "CREATE INDEX dispatch_case_unit_queue ON dispatch_case_unit (unit, current, \"case\")",
    "CREATE INDEX dispatch_case_unit_case ON dispatch_case_unit (\"case\")",
)


async def create_indexes() -> None:
    engine = engine_finder()
    for statement in INDEXES:
        await engine.run_ddl(statement)


async def drop_indexes() -> None:
    engine = engine_finder()
    for statement in INDEXES:
        await engine.run_ddl(f"DROP INDEX IF EXISTS {statement.split()[2]}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
