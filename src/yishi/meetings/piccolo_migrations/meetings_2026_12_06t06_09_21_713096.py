from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T06:09:21:713096"
VERSION = "1.38.0"
DESCRIPTION = "micro_project moves to the projects app (table kept for its migration to copy)"


class LetGo(MigrationManager):
    """Forgets micro_project in meetings' migration state without dropping it: the projects
    app's migration (which runs after this one, as projects depends on meetings) copies its
    rows into `project`, then drops it. On a fresh database the same happens with no rows."""

    async def _run_drop_tables(self, backwards: bool = False) -> None:
        return None


async def forwards():
    manager = LetGo(
        migration_id=ID, app_name="meetings", description=DESCRIPTION
    )

    manager.drop_table(
        class_name="MicroProject", tablename="micro_project", schema=None
    )

    return manager
