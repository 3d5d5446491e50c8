import os

from piccolo.conf.apps import AppConfig

from yishi.meetings.tables import (
    AgendaItem,
    Attendance,
    Council,
    CouncilMember,
    Decision,
    DecisionHistory,
    DecisionItem,
    Guest,
    ListAdoption,
    Meeting,
    MemberVote,
    ReviewComment,
    Submission,
)

APP_CONFIG = AppConfig(
    app_name="meetings",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Council, CouncilMember, Decision, DecisionItem, Meeting, AgendaItem, Attendance, Guest,
                   MemberVote, Submission, ReviewComment, ListAdoption, DecisionHistory],
    migration_dependencies=["yishi.wishlists.piccolo_app", "yishi.accounts.piccolo_app"],
    commands=[],
)
