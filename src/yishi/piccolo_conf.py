"""Piccolo's configuration: the engine comes from YISHI_DATABASE_URL (SQLite by default)."""
from piccolo.conf.apps import AppRegistry

from yishi.config import load_settings
from yishi.core.db import make_engine

DB = make_engine(load_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "yishi.core.piccolo_app",
        "yishi.places.piccolo_app",
        "yishi.accounts.piccolo_app",
        "yishi.wishlists.piccolo_app",
        "yishi.ballots.piccolo_app",
        "yishi.meetings.piccolo_app",
        "yishi.projects.piccolo_app",
        "yishi.suggestions.piccolo_app",
    ]
)
