import os

from piccolo.conf.apps import AppConfig

from yishi.core.tables import AuditEntry, SharedState

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[AuditEntry, SharedState],
    migration_dependencies=[],
    commands=[],
)
