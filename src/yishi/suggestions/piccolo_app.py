import os

from piccolo.conf.apps import AppConfig

from yishi.suggestions.tables import Category, ObservationPoint, Suggestion, TrackSetting

APP_CONFIG = AppConfig(
    app_name="suggestions",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Category, TrackSetting, ObservationPoint, Suggestion],
    migration_dependencies=["yishi.wishlists.piccolo_app"],
    commands=[],
)
