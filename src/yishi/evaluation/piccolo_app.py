import os

from piccolo.conf.apps import AppConfig

from yishi.evaluation.tables import (
    Carryover,
    CaseRankSettings,
    CaseRating,
    Decision,
    DistrictSettings,
    Indicator,
    ObserverScore,
    PaperRating,
    Rating,
    RatingCode,
    RatingMix,
    RatingUse,
    RoundSystem,
    StreetSettings,
    UnitTalk,
    UnsatisfiedCase,
)

APP_CONFIG = AppConfig(
    app_name="evaluation",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[RatingCode, RatingUse, Rating, PaperRating, UnsatisfiedCase, Indicator, RoundSystem,
                   ObserverScore, DistrictSettings, StreetSettings, Decision, Carryover, RatingMix, CaseRating,
                   CaseRankSettings, UnitTalk],
    migration_dependencies=["yishi.projects.piccolo_app", "yishi.cases.piccolo_app"],
    commands=[],
)
