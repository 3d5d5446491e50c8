"""月调度: the monthly review of a street's or the district's projects — colour and why, progress,
money planned and spent, missing weekly reports, open coordination problems, 调度意见."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.places import services as places
from yishi.projects import reports, services, supervision
from yishi.projects.enums import FundingSource
from yishi.projects.rules import Supervision, leverage
from yishi.projects.tables import Funding


@dataclass
class Row:
    project: dict
    supervision: Supervision
    public_fen: int
    social_fen: int
    open_problems: list[dict]
    directives: list[dict]

    @property
    def missing_reports(self) -> int:
        return len(self.supervision.missing_reports)


@dataclass
class Totals:
    projects: int = 0
    cost_fen: int = 0
    spent_fen: int = 0
    public_fen: int = 0
    social_fen: int = 0
    colours: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)
    missing_reports: int = 0
    open_problems: int = 0

    @property
    def leverage(self) -> float | None:
        return leverage(self.social_fen, self.public_fen)

    def add(self, row: Row) -> None:
        p = row.project
        self.projects += 1
        self.cost_fen += p["cost_fen"]
        self.spent_fen += p["spent_fen"]
        self.public_fen += row.public_fen
        self.social_fen += row.social_fen
        self.colours[row.supervision.colour] += 1
        self.states[p["state"]] += 1
        self.missing_reports += row.missing_reports
        self.open_problems += len(row.open_problems)


@dataclass
class Review:
    title: str          # 大弯街道 or 成都市青白江区
    district_name: str
    month: str          # "2026-12"
    today: date
    rows: list[Row]
    totals: Totals
    streets: list[tuple[str, Totals]]  # per street, for the district's review


def check_month(month: str) -> str:
    try:
        year, mon = (int(x) for x in month.split("-"))
        date(year, mon, 1)
    except (ValueError, AttributeError):
        raise DomainError(_("月份应写成 2026-12 这样的格式。")) from None
    return f"{year:04d}-{mon:02d}"


async def monthly_review(*, town_id: int | None = None, district_id: int | None = None, month: str | None = None,
                         today: date | None = None) -> Review:
    """One street's review (town_id) or the whole district's (district_id); rows worst colour first."""
    today = today or services.today()
    month = check_month(month) if month else reports.month_of(today)
    if town_id is not None and district_id is None:
        town = await places.known_town(town_id)
        title, district_name = town["name"], town["district_name"]
        projects = await services.projects_of_town(town_id)
    elif district_id is not None and town_id is None:
        district = await places.known_district(district_id)
        title = district_name = district["name"]
        projects = await services.projects_of_district(district_id)
    else:
        raise ValueError("monthly_review needs exactly one of town_id and district_id")
    ids = [p["id"] for p in projects]
    colours = await supervision.colours(projects, today)
    money = await money_by_project(ids)
    problems: dict[int, list[dict]] = {pid: [] for pid in ids}
    for item in (await reports.open_coordination(town_id=town_id, district_id=district_id)):
        problems.setdefault(item["project"], []).append(item)
    directives: dict[int, list[dict]] = {pid: [] for pid in ids}
    for d in await reports.directives_of(ids, month):
        directives[d["project"]].append(d)
    rows = [Row(p, colours[p["id"]], *money.get(p["id"], (0, 0)), problems[p["id"]], directives[p["id"]])
            for p in projects]
    rows.sort(key=lambda r: (-r.supervision.colour.rank, r.project["town_name"], r.project["id"]))
    totals, by_street = Totals(), dict[str, Totals]()
    for row in rows:
        totals.add(row)
        by_street.setdefault(row.project["town_name"], Totals()).add(row)
    return Review(title, district_name, month, today, rows, totals, sorted(by_street.items()))


async def money_by_project(ids: list[int]) -> dict[int, tuple[int, int]]:
    """(public, social) money of each project that has funding lines."""
    out: dict[int, list[int]] = {}
    if ids:
        for f in await Funding.select(Funding.project, Funding.source, Funding.amount_fen).where(
                Funding.project.is_in(ids)).run():
            pair = out.setdefault(f["project"], [0, 0])
            pair[1 if FundingSource(f["source"]).is_social else 0] += f["amount_fen"]
    return {pid: (pair[0], pair[1]) for pid, pair in out.items()}

