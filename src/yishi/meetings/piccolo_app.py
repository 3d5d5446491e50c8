import os

from piccolo.conf.apps import AppConfig

from yishi.meetings.tables import Council, CouncilMember, Decision, DecisionItem

APP_CONFIG = AppConfig(
    app_name="meetings",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Council, CouncilMember, Decision, DecisionItem],
    migration_dependencies=["yishi.wishlists.piccolo_app", "yishi.accounts.piccolo_app"],
    commands=[],
)
