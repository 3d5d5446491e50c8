"""The half-year or yearly 评估报告 (评实效 assessment report) of a district: the three rates over
the period per street, the streets in order, residents' ratings and observers' scores per
written-off project, next year's advice and decisions, and the ledger of unsatisfied cases.
Plain data here; exports.report_pdf lays it out as the dossier's other papers (GB/T 9704)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.evaluation import nextyear, observers, rates, rules, services, settings
from yishi.evaluation.enums import Advice, CaseColour
from yishi.places import services as places
from yishi.projects import services as projects
from yishi.projects.enums import ProjectState

PERIOD = re.compile(r"^(\d{4})(?:-(H1|H2))?$")


def period_months(period: str) -> tuple[str, str, str]:
    """"2026" -> ("2026-01", "2026-12", "2026年度"); "2026-H1" -> ("2026-01", "2026-06", "2026年上半年")."""
    m = PERIOD.match(period or "")
    if not m:
        raise DomainError(_("评估期应写作 2026（年度）、2026-H1（上半年）或 2026-H2（下半年）。"))
    year, half = m.group(1), m.group(2)
    if half == "H1":
        return f"{year}-01", f"{year}-06", _("{y}年上半年").format(y=year)
    if half == "H2":
        return f"{year}-07", f"{year}-12", _("{y}年下半年").format(y=year)
    return f"{year}-01", f"{year}-12", _("{y}年度").format(y=year)


@dataclass
class Report:
    district_name: str
    period: str
    label: str
    streets: list[dict]      # name, response, resolution, satisfaction, ratings, telephone, score, rank
    whole: dict
    projects: list[dict]     # written off: title, street, tally, advice, decision, observer mean
    cases: dict              # open, yellow, red, answered
    advice_rule: str
    definitions: dict


async def build(district_id: int, period: str) -> Report:
    first, last, label = period_months(period)
    district = await places.known_district(district_id)
    towns = await places.towns(await places.town_ids_of_district(district_id))
    figs = await rates.suggestion_figures(district_id, first, last)
    tallies = await rates.counts(by="town", district_id=district_id, months=(first, last))
    rows = []
    for t in towns:
        fig, tally = figs[t["id"]], tallies.get(t["id"], rules.Tally())
        town_rates = rates.Rates(fig.response_rate, fig.resolution_rate, tally.residents.satisfaction,
                                 tally.residents.total, tally.telephone)
        rows.append({"name": t["name"], "rates": town_rates, "cases": fig.cases})
    ranked = {x.key: x for x in rules.rank({i: r["rates"].score for i, r in enumerate(rows)}, {}, rules.BandRule())}
    for i, r in enumerate(rows):
        r["rank"] = ranked[i].rank
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))
    whole_tally = rules.Tally()
    for t in tallies.values():
        whole_tally = rules.Tally(whole_tally.residents + t.residents, whole_tally.telephone + t.telephone)
    whole = {"rates": rates.Rates(figs[0].response_rate, figs[0].resolution_rate, whole_tally.residents.satisfaction,
                                  whole_tally.residents.total, whole_tally.telephone), "cases": figs[0].cases}
    done = [p for p in await projects.projects_of_district(district_id) if p["state"] is ProjectState.written_off]
    advice = await nextyear.advice_for(done)
    scores = await observers.scores_of([p["id"] for p in done])
    for a in advice:
        a["observer_mean"] = observers.mean_total(scores[a["id"]])
    ledger = await services.ledger([p["id"] for p in await projects.projects_of_district(district_id)])
    cases = {c: sum(1 for x in ledger if x["colour"] is c) for c in CaseColour}
    rule = (await settings.of_district(district_id)).advice
    return Report(district["name"], period, label, rows, whole, advice, cases, rule.describe(), rules.definitions())


def advice_counts(report: Report) -> dict[Advice, int]:
    out = {a: 0 for a in Advice}
    for p in report.projects:
        chosen = p["decided"] or p["advised"]
        if chosen is not None:
            out[chosen] += 1
    return out
