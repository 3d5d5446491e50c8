"""Counting rules for approval ballots: greedy, Method of Equal Shares, Pabulib I/O.

Pure functions over plain data; nothing here knows about the database or the web.
model.py holds the election and its approvals; greedy.py, mes.py the rules; pabulib.py the files.
"""

from yishi.ballots.rules.greedy import fill_up, greedy, greedy_variant
from yishi.ballots.rules.mes import mes, mes_add1, mes_plain
from yishi.ballots.rules.model import Cost, Election, Project, approval_counts, as_exact
from yishi.ballots.rules.pabulib import PbFormatError, parse_pb, write_pb

__all__ = [
    "Cost",
    "Election",
    "PbFormatError",
    "Project",
    "approval_counts",
    "as_exact",
    "fill_up",
    "greedy",
    "greedy_variant",
    "mes",
    "mes_add1",
    "mes_plain",
    "parse_pb",
    "write_pb",
]
