"""Pabulib (.pb) files: read one with approval ballots into an Election, write one back."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from yishi.ballots.rules.model import Cost, Election, Project, approval_counts, as_exact

_SECTIONS = ("meta", "projects", "votes")
_APPROVAL_TYPES = ("approval", "choose-1")


class PbFormatError(ValueError):
    """A .pb text that cannot be read. ``kind`` names the fault, ``line`` its line in the file
    (1-based, where there is one) and ``params`` the particulars, so that a user interface can
    say it in its own words; ``str()`` is the technical detail, in English, for logs and tools."""

    _DETAIL: ClassVar[dict[str, str]] = {
        "unreadable": "cannot be read as ';'-separated text: {error}",
        "before_section": "content before the first section: {row}",
        "missing_section": "missing {section} section",
        "vote_type": "only approval ballots are supported, not {value!r}",
        "no_budget": "META has no budget",
        "bad_budget": "the budget {value!r} is not an amount of money",
        "no_column": "{section} has no {column} column",
        "no_project_id": "project without an id: {row}",
        "duplicate_project": "duplicate project id {pid!r}",
        "no_cost": "project {pid!r} has no cost",
        "bad_cost": "project {pid!r} has a cost that is not an amount of money: {value!r}",
        "unknown_projects": "vote {number} approves unknown projects {ids}",
    }

    def __init__(self, kind: str, line: int | None = None, **params: object) -> None:
        self.kind, self.line, self.params = kind, line, params
        detail = self._DETAIL[kind].format(**params)
        super().__init__(f"line {line}: {detail}" if line else detail)


def _missing(cell: str) -> bool:
    return not cell or cell.lower() == "none"


def _read_text(text_or_path: str | Path) -> str:
    if isinstance(text_or_path, Path):
        return text_or_path.read_text(encoding="utf-8-sig")
    # A file's content always has a line break; a path never does.
    if "\n" not in text_or_path and "\r" not in text_or_path:
        return Path(text_or_path).read_text(encoding="utf-8-sig")
    return text_or_path.removeprefix("\ufeff")


@dataclass
class _Section:
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    header_line: int = 0
    lines: list[int] = field(default_factory=list)  # the line each row starts on


def _sections(text: str) -> dict[str, _Section]:
    """Split a .pb text into its sections; blank rows dropped, line numbers kept."""
    out: dict[str, _Section] = {}
    current: str | None = None
    expect_header = False
    # newline="" hands the csv module raw line ends, so CRLF, LF, a mix of both
    # and line breaks inside quoted cells all read correctly.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    line = 1  # where the next row starts
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise PbFormatError("unreadable", reader.line_num or line, error=str(exc)) from exc
        start, line = line, reader.line_num + 1
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if cells[0].lower() in _SECTIONS and not any(cells[1:]):
            current = cells[0].lower()
            out[current] = _Section()
            expect_header = True
        elif current is None:
            raise PbFormatError("before_section", start, row=row)
        elif expect_header:
            out[current].header.extend(c.lower() for c in cells)
            out[current].header_line = start
            expect_header = False
        else:
            out[current].rows.append(cells)
            out[current].lines.append(start)
    for name in _SECTIONS:
        if name not in out:
            raise PbFormatError("missing_section", None, section=name.upper())
    return out


def _parse_meta(rows: list[list[str]]) -> dict[str, str]:
    # An unquoted ';' inside a value would split it; keep the rest together.
    return {row[0]: ";".join(row[1:]) for row in rows}


# An amount as a file writes it: digits, an optional decimal point or comma, an optional exponent
# of at most three digits; or a fraction (write_pb's exact form). Fraction("1e999999999") would
# build a billion-digit number first.
_AMOUNT = re.compile(r"\s*\+?((\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d{1,3})?|\d+\s*/\s*\d+)\s*")


def _amount(text: str) -> Cost:
    """A non-negative amount, or ValueError."""
    if len(text) > 200 or not _AMOUNT.fullmatch(text):
        raise ValueError(text)
    try:
        value = as_exact(text)
    except (ValueError, ArithmeticError) as exc:
        raise ValueError(text) from exc
    if value < 0:
        raise ValueError(text)
    return value


def _parse_projects(section: _Section) -> dict[str, Project]:
    header = section.header
    for required in ("project_id", "cost"):
        if required not in header:
            raise PbFormatError("no_column", section.header_line or None, section="PROJECTS", column=required)
    projects: dict[str, Project] = {}
    for row, line in zip(section.rows, section.lines, strict=True):
        cells = dict(zip(header, row, strict=False))  # a short row leaves its last columns empty
        pid = cells["project_id"]
        if _missing(pid):
            raise PbFormatError("no_project_id", line, row=row)
        if pid in projects:
            raise PbFormatError("duplicate_project", line, pid=pid)
        if _missing(cells.get("cost", "")):
            raise PbFormatError("no_cost", line, pid=pid)
        try:
            cost = _amount(cells["cost"])
        except ValueError:
            raise PbFormatError("bad_cost", line, pid=pid, value=cells["cost"]) from None
        name = cells.get("name", "")
        extra = {
            k: v for k, v in cells.items() if k not in ("project_id", "cost", "name") and not _missing(v)
        }
        projects[pid] = Project(pid, cost, "" if _missing(name) else name, extra)
    return projects


def _parse_votes(
    section: _Section, projects: Mapping[str, Project]
) -> tuple[list[frozenset[str]], list[str]]:
    header = section.header
    if "vote" not in header:
        raise PbFormatError("no_column", section.header_line or None, section="VOTES", column="vote")
    vote_at = header.index("vote")
    id_at = header.index("voter_id") if "voter_id" in header else None
    ballots: list[frozenset[str]] = []
    voter_ids: list[str] = []
    # Voters who wrote the same cell share one ballot object: it is read once, and
    # counting ballots (rules.model._distinct_ballots) then finds them the same by
    # identity instead of comparing sets: 8-20 us of the 150-500 us MES takes on
    # the smallest Warszawa and Gdynia files (December 2026).
    read: dict[str, frozenset[str]] = {}
    same: dict[frozenset[str], frozenset[str]] = {}  # and so do cells naming one set in other orders
    for number, (row, line) in enumerate(zip(section.rows, section.lines, strict=True), 1):
        cell = row[vote_at] if vote_at < len(row) else ""
        ballot = read.get(cell)
        if ballot is None:
            ballot = frozenset() if _missing(cell) else frozenset(p.strip() for p in cell.split(",") if p.strip())
            unknown = ballot - projects.keys()
            if unknown:
                raise PbFormatError("unknown_projects", line, number=number, ids=sorted(unknown))
            read[cell] = ballot = same.setdefault(ballot, ballot)
        ballots.append(ballot)
        voter_ids.append(row[id_at] if id_at is not None and id_at < len(row) else str(number))
    return ballots, voter_ids


def parse_pb(text_or_path: str | Path) -> Election:
    """Read a Pabulib file (a path, or the file's text) with approval ballots. A file that
    cannot be read raises PbFormatError (a ValueError) naming the fault and its line."""
    sections = _sections(_read_text(text_or_path))
    meta_section = sections["meta"]
    meta = _parse_meta(meta_section.rows)
    meta_line = {row[0]: line for row, line in zip(meta_section.rows, meta_section.lines, strict=True)}
    vote_type = meta.get("vote_type", "approval").strip().lower()
    if vote_type not in _APPROVAL_TYPES:
        raise PbFormatError("vote_type", meta_line.get("vote_type"), value=vote_type)
    if _missing(meta.get("budget", "")):
        raise PbFormatError("no_budget", None)
    try:
        budget = _amount(meta["budget"])
    except ValueError:
        raise PbFormatError("bad_budget", meta_line.get("budget"), value=meta["budget"]) from None
    projects = _parse_projects(sections["projects"])
    ballots, voter_ids = _parse_votes(sections["votes"], projects)
    return Election(projects, budget, ballots, meta, None, voter_ids)


def _format_amount(value: Cost) -> str:
    value = as_exact(value)
    if isinstance(value, int):
        return str(value)
    # Exact decimal when one exists; otherwise n/d, which Fraction and gmpy2 both read.
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = value * 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


_META_FIRST = ("description", "country", "unit", "instance")


def write_pb(election: Election) -> str:
    """Serialise to Pabulib text (LF line ends, ';' separated, quoted as needed).

    Counts, budget and vote type are written from the data, not copied from META.
    Weighted voters are written as that many identical rows.
    """
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";", lineterminator="\n")
    counts = approval_counts(election)
    rows = _vote_rows(election)

    meta = {key: election.meta.get(key, "") for key in _META_FIRST}
    meta.update(election.meta)
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(len(rows))
    meta["budget"] = _format_amount(election.budget)
    meta["vote_type"] = "approval"
    out.writerow(["META"])
    out.writerow(["key", "value"])
    out.writerows(meta.items())

    # Every project's other columns, in first-seen order; votes are recounted.
    extra_keys = list(dict.fromkeys(k for p in election.projects.values() for k in p.extra if k != "votes"))
    out.writerow(["PROJECTS"])
    out.writerow(["project_id", "cost", "votes", "name", *extra_keys])
    for pid, project in election.projects.items():
        extras = [project.extra.get(k, "None") for k in extra_keys]
        out.writerow([pid, _format_amount(project.cost), counts[pid], project.name, *extras])

    out.writerow(["VOTES"])
    out.writerow(["voter_id", "vote"])
    out.writerows(rows)
    return buffer.getvalue()


def _vote_rows(election: Election) -> list[tuple[str, str]]:
    ids = election.voter_ids or [str(i) for i in range(1, len(election.ballots) + 1)]
    order = {pid: i for i, pid in enumerate(election.projects)}
    rows: list[tuple[str, str]] = []
    for voter, ballot, weight in zip(ids, election.ballots, election.voter_weights(), strict=True):
        vote = ",".join(sorted(ballot, key=order.__getitem__))
        rows.extend((voter if copy == 0 else f"{voter}#{copy + 1}", vote) for copy in range(weight))
    return rows
