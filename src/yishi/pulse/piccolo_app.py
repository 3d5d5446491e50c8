import os

from piccolo.conf.apps import AppConfig

from yishi.pulse.tables import PulseSettings

APP_CONFIG = AppConfig(
    app_name="pulse",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[PulseSettings],
    migration_dependencies=["yishi.places.piccolo_app"],
    commands=[],
)
