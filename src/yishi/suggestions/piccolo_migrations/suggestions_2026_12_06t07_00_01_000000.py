from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T07:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "suggestion_wish_link (WishLink) moves to the wishlists app; table and rows kept"


class LetGo(MigrationManager):
    """Forgets WishLink in suggestions' migration state without dropping it: the wishlists app
    owns the same table from its migration wishlists_2026_12_06t07_00_00 on."""

    async def _run_drop_tables(self, backwards: bool = False) -> None:
        return None


async def forwards():
    manager = LetGo(
        migration_id=ID, app_name="suggestions", description=DESCRIPTION
    )

    manager.drop_table(
        class_name="WishLink", tablename="suggestion_wish_link", schema=None
    )

    return manager
