import os

from piccolo.conf.apps import AppConfig

from yishi.accounts.tables import Unit, User

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Unit, User],
    migration_dependencies=["yishi.places.piccolo_app"],
    commands=[],
)
