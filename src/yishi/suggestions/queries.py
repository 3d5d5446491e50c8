"""Finding suggestions: the staff list with its filters, per-filter counts and text search, and the
numbers per street, community, category and channel. Read-only; no web imports."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from piccolo.query.functions.aggregate import Count

from yishi.core import dates
from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.core.numbers import parse_int
from yishi.places import services as places
from yishi.suggestions import privacy, rules
from yishi.suggestions.catalog import track_days
from yishi.suggestions.enums import FINAL_STATUSES, OPEN_STATUSES, Channel, Grade, SuggestionStatus, Track
from yishi.suggestions.tables import Suggestion

PER_PAGE = 20
EXPORT_MAX = 20000
FACETS = ("status", "grade", "track", "category", "community", "channel")


@dataclass(frozen=True)
class Scope:
    """The towns a user may see: None means every town (an administrator)."""

    town_ids: tuple[int, ...] | None


async def scope_of_district(district_id: int) -> Scope:
    return Scope(tuple(await places.town_ids_of_district(district_id)))


@dataclass
class Filters:
    status: str = ""
    grade: str = ""
    track: str = ""
    category: int | None = None
    community: int | None = None
    channel: str = ""
    town: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    overdue: bool = False
    progress: str = ""  # "answered" (a reply was given) or "finished" (办结, 纳入清单 or 不予采纳)
    # ?round=N: the suggestions its projects answer. The web layer, which may read the projects,
    # turns it into `ids` (never read from the URL).
    round: int | None = None
    ids: tuple[int, ...] | None = None

    def query_string(self, **override: Any) -> str:
        """The filters as URL parameters, for pagination and export links."""

        values = {**self.__dict__, **override}
        pairs = {k: ("1" if v is True else v.isoformat() if isinstance(v, date) else v)
                 for k, v in values.items() if v not in (None, "", False) and k != "ids"}
        return urlencode(pairs)

    @property
    def active(self) -> bool:
        return any(v not in (None, "", False) for k, v in self.__dict__.items() if k != "ids")


def _enum_value(raw: str, enum_cls: Any) -> str:
    try:
        return enum_cls(raw).value
    except ValueError:
        return ""


def _int(raw: Any) -> int | None:
    try:
        return parse_int(raw)
    except ValueError:
        return None


def _date(raw: Any) -> date | None:
    try:
        return dates.parse_date(raw, "")
    except DomainError:
        return None


PROGRESS = ("answered", "finished")


def progress_label(value: str) -> str:
    return {"answered": _("已答复"), "finished": _("已办结")}.get(value, "")


def filters_from(params: Mapping[str, Any]) -> Filters:
    """URL parameters -> filters. A value that makes no sense is dropped, not an error: a stale
    bookmark still opens the list. Except `progress` (已答复 / 已办结, the figures the dashboard
    links here): a list that silently showed every suggestion instead would pass for the figure."""
    get = lambda k: str(params.get(k) or "").replace("\x00", "").strip()  # noqa: E731 — NUL: PostgreSQL refuses it
    progress = get("progress")
    if progress and progress not in PROGRESS:
        raise DomainError(_("办理进度只能是“已答复”（answered）或“已办结”（finished）。"))
    return Filters(progress=progress, round=_int(get("round")),
        status=_enum_value(get("status"), SuggestionStatus), grade=_enum_value(get("grade"), Grade),
        track=_enum_value(get("track"), Track), category=_int(get("category")),
        community=_int(get("community")), channel=_enum_value(get("channel"), Channel),
        town=_int(get("town")), date_from=_date(get("date_from")), date_to=_date(get("date_to")),
        q=get("q")[:100], overdue=get("overdue") in ("1", "true", "on"),
    )


_LIKE_SPECIAL = re.compile(r"[%_\\]")


def _text_condition(term: str):
    """One search word: a phone number finds by keyed hash, a tracking code by code, anything
    else by substring of content, reply or lead unit (LIKE works on Chinese text as it is)."""
    digits = re.sub(r"[\s\-+]", "", term)
    if digits.isdigit() and len(digits) >= 10:
        try:
            phone = privacy.normalise_phone(term)
        except DomainError:
            phone = ""
        if phone:
            return Suggestion.phone_hash == privacy.vault().lookup_hash(phone)
    pattern = "%" + _LIKE_SPECIAL.sub("", term) + "%"
    postgres = Suggestion._meta.db.engine_type == "postgres"

    def like(column):
        return column.ilike(pattern) if postgres else column.like(pattern)

    condition = like(Suggestion.content) | like(Suggestion.reply) | like(Suggestion.lead_unit)
    code = rules.normalise_code(term)
    if rules.is_plausible_code(code):
        condition = condition | (Suggestion.tracking_code == code)
    return condition


def _conditions(scope: Scope, f: Filters, skip: str = "") -> list:
    conditions: list = []
    if scope.town_ids is not None:
        conditions.append(Suggestion.town.is_in(list(scope.town_ids) or [-1]))
    if f.town is not None:
        conditions.append(Suggestion.town == f.town)
    if f.ids is not None:
        conditions.append(Suggestion.id.is_in(list(f.ids) or [-1]))
    elif f.round is not None:  # not resolved by the web layer: nothing rather than everything
        conditions.append(Suggestion.id == -1)
    if skip != "status":
        if f.status:
            conditions.append(Suggestion.status == f.status)
        else:
            conditions.append(Suggestion.status != SuggestionStatus.merged.value)
    if f.grade and skip != "grade":
        conditions.append(Suggestion.grade == f.grade)
    if f.track and skip != "track":
        conditions.append(Suggestion.track == f.track)
    if f.category is not None and skip != "category":
        conditions.append(Suggestion.category == f.category)
    if f.community is not None and skip != "community":
        conditions.append(Suggestion.community == f.community)
    if f.channel and skip != "channel":
        conditions.append(Suggestion.channel == f.channel)
    if f.date_from:
        conditions.append(Suggestion.received_on >= f.date_from)
    if f.date_to:
        conditions.append(Suggestion.received_on <= f.date_to)
    if f.overdue:
        conditions.append(Suggestion.status.is_in([s.value for s in OPEN_STATUSES]))
        conditions.append(Suggestion.due_on < rules.today_in_china())
    # The same tests as rules.add_case's answered and finished.
    if f.progress == "answered":
        conditions.append(Suggestion.replied_at.is_not_null())
    elif f.progress == "finished":
        conditions.append(Suggestion.status.is_in([s.value for s in FINAL_STATUSES]))
    for term in f.q.split()[:5]:
        conditions.append(_text_condition(term))
    return conditions


def _where(query, conditions: list):
    for c in conditions:
        query = query.where(c)
    return query


@dataclass
class Page:
    rows: list[dict]
    total: int
    page: int
    pages: int
    counts: dict[str, dict[Any, int]] = field(default_factory=dict)


def _list_query():
    return Suggestion.select(
        Suggestion.id, Suggestion.tracking_code, Suggestion.content, Suggestion.status, Suggestion.grade,
        Suggestion.track, Suggestion.tier, Suggestion.channel, Suggestion.received_on, Suggestion.due_on,
        Suggestion.supporters, Suggestion.lead_unit, Suggestion.phone_masked, Suggestion.submitter_name,
        Suggestion.spot,
        Suggestion.reply, Suggestion.replied_at, Suggestion.closed_at,
        Suggestion.town.name.as_alias("town_name"),
        Suggestion.community.name.as_alias("community_name"),
        Suggestion.category.name.as_alias("category_name"),
    )


async def search(scope: Scope, f: Filters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    conditions = _conditions(scope, f)
    total = await _where(Suggestion.count(), conditions).run()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = await _where(_list_query(), conditions).order_by(Suggestion.id, ascending=False).limit(
        per_page).offset((page - 1) * per_page).run()
    today = rules.today_in_china()
    for row in rows:
        row["status"] = SuggestionStatus(row["status"])
        row["flag"] = rules.flag(row["status"], row["received_on"], row["due_on"], today)
    return Page(rows=rows, total=total, page=page, pages=pages, counts=await facets(scope, f))


async def facets(scope: Scope, f: Filters) -> dict[str, dict[Any, int]]:
    """For each filter, how many suggestions each of its values would give with the others kept."""
    counts: dict[str, dict[Any, int]] = {}
    for name in FACETS:
        column = getattr(Suggestion, name)
        rows = await _where(Suggestion.select(column.as_alias("value"), Count(alias="n")),
                            _conditions(scope, f, skip=name)).group_by(column).run()
        counts[name] = {r["value"]: r["n"] for r in rows}
    return counts


async def export_rows(scope: Scope, f: Filters) -> list[dict]:
    rows = await _where(_list_query(), _conditions(scope, f)).order_by(Suggestion.id).limit(EXPORT_MAX).run()
    today = rules.today_in_china()
    for row in rows:
        row["status"] = SuggestionStatus(row["status"])
        row["flag"] = rules.flag(row["status"], row["received_on"], row["due_on"], today)
    return rows


GROUPINGS = ("town", "community", "category", "channel")


async def figures(scope: Scope, f: Filters, by: str) -> rules.Summary:
    """The numbers for the stats page, grouped by town, community, category or channel. The status
    filters do not apply: the rates need every case."""
    unfiltered_status = replace(f, status="", overdue=False, progress="")
    conditions = [c for c in _conditions(scope, unfiltered_status, skip="status")]
    return await _summary(conditions, by)


async def figures_of(suggestion_ids: list[int] | set[int], received: tuple[date, date] | None = None) -> rules.Figures:
    """The same figures (响应率, 解决率, ...) for a given set of suggestions, e.g. those a project
    answers; merged duplicates are left out as everywhere else. `received`: only those received
    between these two days (both included), as a month's figures count them."""
    if not suggestion_ids:
        return rules.Figures()
    conditions = [Suggestion.id.is_in(sorted(suggestion_ids))]
    if received is not None:
        conditions += [Suggestion.received_on >= received[0], Suggestion.received_on <= received[1]]
    return (await _summary(conditions, "")).total


async def _summary(conditions: list, by: str) -> rules.Summary:
    rows = await _where(Suggestion.select(
        Suggestion.status, Suggestion.supporters, Suggestion.grade, Suggestion.due_on, Suggestion.received_on,
        Suggestion.replied_at, Suggestion.closed_at, Suggestion.town, Suggestion.channel,
        Suggestion.town.name.as_alias("town_name"), Suggestion.community.name.as_alias("community_name"),
        Suggestion.category.name.as_alias("category_name"), Suggestion.community,
    ), conditions).run()
    days_by_town: dict[int, dict[Track, int]] = {}
    for row in rows:
        if row["town"] not in days_by_town:
            days_by_town[row["town"]] = await track_days(row["town"])
        row["due"] = rules.effective_due(row["due_on"], row["received_on"], days_by_town[row["town"]])
        row["replied_on"] = rules.china_date(row["replied_at"])
        row["closed_on"] = rules.china_date(row["closed_at"])
    keys = {
        "town": lambda r: r["town_name"],
        "community": lambda r: (r["town_name"], r["community_name"]),
        "category": lambda r: r["category_name"],
        "channel": lambda r: Channel(r["channel"]).label,
    }
    return rules.summarise(rows, rules.today_in_china(), keys.get(by, keys["community"]))
