import os

from piccolo.conf.apps import AppConfig

from yishi.ballots.tables import (
    Ballot,
    BallotChoice,
    BallotCode,
    BallotCodeBatch,
    BallotMix,
    PaperBallot,
    RoundResult,
    RoundSetting,
)

APP_CONFIG = AppConfig(
    app_name="ballots",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[BallotCodeBatch, BallotCode, Ballot, BallotChoice, RoundSetting, PaperBallot, RoundResult,
                   BallotMix],
    migration_dependencies=["yishi.wishlists.piccolo_app"],
    commands=[],
)
