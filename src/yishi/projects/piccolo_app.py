import os

from piccolo.conf.apps import AppConfig

from yishi.projects.tables import (
    CalendarDay,
    Coordination,
    Directive,
    Funding,
    Milestone,
    Photo,
    Project,
    ProjectHistory,
    SupervisionSettings,
    WeeklyReport,
)

APP_CONFIG = AppConfig(
    app_name="projects",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Project, Funding, Milestone, ProjectHistory, WeeklyReport, Coordination, Photo, Directive,
                   CalendarDay, SupervisionSettings],
    # meetings first: its migration that lets go of micro_project runs before ours takes the rows.
    migration_dependencies=["yishi.meetings.piccolo_app", "yishi.accounts.piccolo_app"],
    commands=[],
)
