"""Piccolo's configuration: the app registry, and the engine (DB) Piccolo asks for.

The app and the `yishi` command read the settings once and configure the engine from them
(core.db.configure); DB is then that engine. Only when Piccolo asks first (the `piccolo`
command, a script that configured nothing) is the engine built here, from YISHI_DATABASE_URL
(SQLite in the data folder by default). Importing this module or a table touches no disk.
"""
from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from yishi.config import read_settings
from yishi.core import db as core_db

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
        "yishi.evaluation.piccolo_app",
        "yishi.cases.piccolo_app",
        "yishi.pulse.piccolo_app",
    ]
)


def __getattr__(name: str) -> Engine:
    # A module __getattr__ (PEP 562): Piccolo's engine_finder reads DB with getattr.
    if name == "DB":
        return core_db.current() or core_db.configure(read_settings().database_url)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
