"""The monthly ranking of units and collector teams by 办件三率 (赛马), who is flagged, and the
district's rules for it. Units also carry 双考核: how the streets rated their response at case
meetings (会商), once meetings are recorded. The talks (约谈) are evaluation.talks'."""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from yishi.cases import consult
from yishi.core import audit
from yishi.core.errors import InvalidInput
from yishi.core.i18n import _
from yishi.evaluation import case_rates, case_rules, rules
from yishi.evaluation.case_rules import CaseFigures, RankedRow, RankRule
from yishi.evaluation.tables import CaseRankSettings

FIELDS = ("min_cases", "bottom_n", "bottom_below_pct", "top_volume_n")


async def rule_of(district_id: int) -> RankRule:
    row = await CaseRankSettings.select().where(CaseRankSettings.district == district_id).first().run()
    if row is None:
        return RankRule()
    return RankRule(row["min_cases"], row["bottom_n"], row["bottom_below_pct"] / 100, row["top_volume_n"])


def as_form(rule: RankRule) -> dict[str, int]:
    return {"min_cases": rule.min_cases, "bottom_n": rule.bottom_n,
            "bottom_below_pct": round(rule.bottom_below * 100), "top_volume_n": rule.top_volume_n}


def check(values: dict[str, int]) -> RankRule:
    """The form's numbers as a RankRule, or InvalidInput naming the first out of range."""
    if not 1 <= values["min_cases"] <= 1000:
        raise InvalidInput(_("参加排名的最少派单量应在 1 到 1000 件之间。"), "min_cases")
    if not 0 <= values["bottom_n"] <= 50:
        raise InvalidInput(_("末位名数应在 0 到 50 之间（0 为不标末位）。"), "bottom_n")
    if not 0 <= values["bottom_below_pct"] <= 100:
        raise InvalidInput(_("末位综合得分线应在 0 到 100 之间。"), "bottom_below_pct")
    if not 0 <= values["top_volume_n"] <= 50:
        raise InvalidInput(_("接诉量前列个数应在 0 到 50 之间（0 为不标）。"), "top_volume_n")
    return RankRule(values["min_cases"], values["bottom_n"], values["bottom_below_pct"] / 100, values["top_volume_n"])


async def set_rule(district_id: int, values: dict[str, int], *, actor: Any) -> RankRule:
    rule = check(values)
    if await CaseRankSettings.exists().where(CaseRankSettings.district == district_id):
        await CaseRankSettings.update({getattr(CaseRankSettings, f): values[f] for f in FIELDS}).where(
            CaseRankSettings.district == district_id).run()
    else:
        row: dict[str, Any] = {"district": district_id, **{f: values[f] for f in FIELDS}}
        await CaseRankSettings.insert(CaseRankSettings(**row)).run()
    await audit.record("evaluation.case_rank.settings.set", actor=actor, object_type="district", object_id=district_id,
                       **{f: values[f] for f in FIELDS})
    return rule


# --- the ranking -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    key: Hashable
    name: str
    figures: CaseFigures
    before: CaseFigures
    ranked: RankedRow
    meeting: float | None = None  # 双考核: the streets' response score at meetings, as a fraction
    meeting_before: float | None = None
    absent: int = 0  # summons to meetings of the month it did not answer (报到)


@dataclass
class Ranking:
    month: str
    rule: RankRule
    units: list[Row] = field(default_factory=list)
    teams: list[Row] = field(default_factory=list)
    town_of: dict[Hashable, int] = field(default_factory=dict)
    town_names: dict[Hashable, str] = field(default_factory=dict)

    def unit(self, key: Hashable) -> Row | None:
        return next((r for r in self.units if r.key == key), None)


async def meeting_scores(district_id: int, month: str) -> dict[int, case_rules.MeetingScore]:
    """unit id -> its 双考核 score in the month as a fraction (0–1): the streets' ratings of its
    response at the case meetings held in the month, an absence counting 0 (case_rules.meeting_score).
    Units summoned to no meeting, or not yet rated, are not in it."""
    start, end = case_rules.month_span(month)
    return {unit: case_rules.meeting_score(summons)
            for unit, summons in (await consult.unit_ratings(district_id, start, end)).items()}


def unit_score(fig: CaseFigures, meeting: float | None) -> float | None:
    return case_rules.mean((fig.response, fig.closure, fig.satisfaction, meeting))


def _ranked(group: str, now: case_rates.MonthRates, before: case_rates.MonthRates, rule: RankRule,
            meetings: dict | None = None, meetings_before: dict | None = None) -> list[Row]:
    meeting = None if meetings is None else {k: m.score for k, m in meetings.items() if m.score is not None}
    meeting_before = {k: m.score for k, m in (meetings_before or {}).items() if m.score is not None}
    absent = {k: m.absent for k, m in (meetings or {}).items()}
    keys = {k for m in (now, before) for k, f in m.groups.get(group, {}).items() if not f.empty}
    keys |= set(meeting or {}) | set(meeting_before)
    if meeting is None:
        scores = {k: now.of(group, k).score for k in keys}
        previous = {k: before.of(group, k).score for k in keys}
    else:
        scores = {k: unit_score(now.of(group, k), meeting.get(k)) for k in keys}
        previous = {k: unit_score(before.of(group, k), meeting_before.get(k)) for k in keys}
    volumes = {k: now.of(group, k).dispatched for k in keys}
    names = now.names.get(group, {})
    return [Row(r.key, names.get(r.key, "—"), now.of(group, r.key), before.of(group, r.key), r,
                (meeting or {}).get(r.key), meeting_before.get(r.key), absent.get(r.key, 0))
            for r in case_rules.rank(scores, volumes, previous, rule)]


async def ranking(district_id: int, month: str, now: datetime) -> Ranking:
    rule = await rule_of(district_id)
    this, before = await case_rates.month_rates(district_id, month, now, prep=False)
    meeting = await meeting_scores(district_id, month)
    meeting_before = await meeting_scores(district_id, rules.previous_month(month))
    return Ranking(month, rule, _ranked("unit", this, before, rule, meeting, meeting_before),
                   _ranked("team", this, before, rule), this.town_of, this.names.get("town", {}))
