"""The 民情热度表's index covers its queries: (town, received_on) found the rows, but every one was
then read from the table for its category, community, 点位 and status; with those columns in
the index SQLite and PostgreSQL count from the index alone. bench/bench_pulse.py, 7 streets x
20,000 suggestions on SQLite: a district's nine weeks grouped by day, community and category
(10,431 groups) went from 460-660 ms to 140-310 ms on the shared machine."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index suggestion_pulse (town, received_on, category, community, spot, status) for the 热度表"

INDEX = ("CREATE INDEX IF NOT EXISTS suggestion_pulse ON suggestion "
         "(town, received_on, category, community, spot, status)")


async def replace_index() -> None:
    engine = engine_finder()
    await engine.run_ddl(INDEX)
    await engine.run_ddl("DROP INDEX IF EXISTS suggestion_town_received")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="suggestions", description=DESCRIPTION)
    manager.add_raw(replace_index)
    return manager
