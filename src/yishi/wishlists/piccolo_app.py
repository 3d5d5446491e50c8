import os

from piccolo.conf.apps import AppConfig

from yishi.wishlists.tables import Round, WishItem, WishLink

APP_CONFIG = AppConfig(
    app_name="wishlists",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Round, WishItem, WishLink],
    migration_dependencies=["yishi.accounts.piccolo_app"],
    commands=[],
)
