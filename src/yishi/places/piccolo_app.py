import os

from piccolo.conf.apps import AppConfig

from yishi.places.tables import Community, District, Town

APP_CONFIG = AppConfig(
    app_name="places",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[District, Town, Community],
    migration_dependencies=[],
    commands=[],
)
