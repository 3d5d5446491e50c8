import os

from piccolo.conf.apps import AppConfig

from yishi.cases.tables import (
    Case,
    CaseMeeting,
    CaseMeetingCase,
    CaseMeetingItem,
    CaseMeetingUnit,
    CaseOpinion,
    CaseSettings,
    CaseUnit,
    CatalogEntry,
)

APP_CONFIG = AppConfig(
    app_name="cases",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Case, CaseUnit, CatalogEntry, CaseSettings, CaseMeeting, CaseMeetingCase, CaseMeetingUnit,
                   CaseMeetingItem, CaseOpinion],
    migration_dependencies=["yishi.suggestions.piccolo_app", "yishi.projects.piccolo_app"],
    commands=[],
)
