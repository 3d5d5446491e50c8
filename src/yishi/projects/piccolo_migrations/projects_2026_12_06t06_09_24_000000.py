"""Moves meetings' micro_project rows into `project` (same ids), then drops micro_project.

Runs after the migration that created `project` (IDs sort in time order) and after meetings'
migration that let go of micro_project (projects depends on meetings). Hand-written: Piccolo's
auto-migrations cannot move rows between apps."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T06:09:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "copy micro_project into project, drop micro_project"

COPY = """
INSERT INTO project (id, round, item, submission, title, description, kind, cost_fen, lead_unit_name,
    lead_unit, implementer, responsible_name, responsible_phone, planned_start, planned_end, state,
    state_reason, started_on, plan_status, plan_approved_at, progress_pct, spent_fen, completion_report,
    completed_at, written_off_at, review_good, review_lessons, created_at)
SELECT m.id, m.round, m.item, m.submission, m.title, COALESCE(w.description, ''), m.kind, m.cost_fen,
    m.lead_unit, NULL, NULL, '', '', NULL, NULL, 'planning', '', NULL, 'draft', NULL, 0, 0, '', NULL, NULL,
    '', '', m.created_at
FROM micro_project m LEFT JOIN wish_item w ON w.id = m.item
"""
# The copied ids were not drawn from project's sequence: move it past them.
RESEQUENCE = ("SELECT setval(pg_get_serial_sequence('project', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL)"
              " FROM project")


async def move_rows() -> None:
    engine = engine_finder()
    await engine.run_ddl(COPY)
    if engine.engine_type == "postgres":
        await engine.run_ddl(RESEQUENCE)
    await engine.run_ddl("DROP TABLE micro_project")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="projects", description=DESCRIPTION)
    manager.add_raw(move_rows)
    return manager
