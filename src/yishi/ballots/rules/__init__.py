"""Counting rules for approval ballots (see mes.py; split by topic in the next commit)."""

from yishi.ballots.rules.mes import *  # noqa: F403
from yishi.ballots.rules.mes import PbFormatError, __all__ as _names

__all__ = [*_names, "PbFormatError"]
