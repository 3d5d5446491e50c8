"""Observers' scores on the district's indicator system (评价指标体系). The district edits its
indicators for rounds to come; a round keeps the system it was first scored with (RoundSystem)."""
from __future__ import annotations

from typing import Any, TypedDict

from yishi.core import audit, dates, db
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.evaluation import permissions as perm
from yishi.evaluation.rules import weighted_score
from yishi.evaluation.tables import Indicator, ObserverScore, RoundSystem
from yishi.projects import services as projects
from yishi.projects.enums import ProjectState

# Seed 000 §五 names 办理响应度、解决率、满意度 and 群众参与; a district starts from these.
DEFAULT_SYSTEM = [{"name": "办理响应度", "weight": 25}, {"name": "完成质量", "weight": 35},
                  {"name": "资金使用", "weight": 20}, {"name": "群众参与", "weight": 20}]
NOTE_MAX = 500


async def system_of_district(district_id: int) -> list[dict]:
    rows = await Indicator.select(Indicator.name, Indicator.weight).where(
        Indicator.district == district_id).order_by(Indicator.position).run()
    return [{"name": r["name"], "weight": r["weight"]} for r in rows] or [dict(i) for i in DEFAULT_SYSTEM]


async def set_system(district_id: int, indicators: list[dict], *, actor: Any) -> None:
    """Replace the district's indicators (rounds already scored keep theirs)."""
    perm.require(perm.can_decide(actor, district_id))
    clean = []
    for i in indicators:
        name = (i.get("name") or "").strip()
        if not name:
            continue
        if len(name) > 40:
            raise DomainError(_("指标名称不能超过 40 个字。"))
        if not 1 <= int(i.get("weight") or 0) <= 100:
            raise DomainError(_("“{n}”的权重应为 1 到 100。").format(n=name))
        clean.append({"name": name, "weight": int(i["weight"])})
    if not clean:
        raise DomainError(_("至少要有一项指标。"))
    if len({i["name"] for i in clean}) != len(clean):
        raise DomainError(_("指标名称不能重复。"))
    async with Indicator._meta.db.transaction():
        await Indicator.delete().where(Indicator.district == district_id).run()
        await Indicator.insert(*[Indicator(district=district_id, name=i["name"], weight=i["weight"], position=n)
                                 for n, i in enumerate(clean)]).run()
    await audit.record("evaluation.indicators.set", actor=actor, object_type="district", object_id=district_id,
                       indicators=clean)


async def system_of_round(round_id: int, district_id: int) -> list[dict]:
    """The round's snapshot if it has one, else what it would take now."""
    row = await RoundSystem.select(RoundSystem.indicators).where(RoundSystem.round == round_id).output(
        load_json=True).first().run()
    return row["indicators"] if row else await system_of_district(district_id)


async def _freeze(round_id: int, district_id: int) -> list[dict]:
    system = await system_of_district(district_id)
    try:
        await RoundSystem.insert(RoundSystem(round=round_id, indicators=system, taken_at=dates.now())).run()
    except Exception as exc:
        if not db.is_unique_violation(exc):
            raise
    return await system_of_round(round_id, district_id)


class IndicatorScore(TypedDict):
    """An observer's score of one indicator, as ObserverScore.scores keeps it."""
    score: int
    note: str


async def score(project_id: int, scores: dict[str, int], notes: dict[str, str], note: str, *, actor: Any) -> float:
    """An observer scores (or re-scores) a written-off project: each indicator 1–5 with a note."""
    project = await projects.get_project(project_id)
    perm.require(perm.can_score(actor, project["district_id"]), _("只有本区的观察员可以为项目打分。"))
    if project["state"] is not ProjectState.written_off:
        raise Conflict(_("项目销账后才能打分。"))
    system = await _freeze(project["round"], project["district_id"])
    data: dict[str, IndicatorScore] = {}
    for i in system:
        value = scores.get(i["name"])
        if value is None or value not in (1, 2, 3, 4, 5):
            raise DomainError(_("请为“{n}”打 1 到 5 分。").format(n=i["name"]))
        text = " ".join((notes.get(i["name"]) or "").split())
        if len(text) > NOTE_MAX:
            raise DomainError(_("说明不能超过 {n} 个字。").format(n=NOTE_MAX))
        data[i["name"]] = {"score": value, "note": text}
    total = weighted_score(system, {k: v["score"] for k, v in data.items()})
    note = " ".join((note or "").split())[:NOTE_MAX]
    slot = f"{project_id}:{actor.id}"
    scored_at = dates.now()
    if await ObserverScore.exists().where(ObserverScore.slot == slot):
        await ObserverScore.update({ObserverScore.scores: data, ObserverScore.total: total, ObserverScore.note: note,
                                    ObserverScore.scored_at: scored_at}).where(ObserverScore.slot == slot).run()
    else:
        await ObserverScore.insert(ObserverScore(project=project_id, observer=actor.id, slot=slot, scores=data,
                                                 total=total, note=note, scored_at=scored_at)).run()
    await audit.record("evaluation.observer.scored", actor=actor, object_type="project", object_id=project_id,
                       total=total)
    return total


async def scores_of(project_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {pid: [] for pid in project_ids}
    if not project_ids:
        return out
    for r in await ObserverScore.select(
            ObserverScore.project, ObserverScore.observer,
            ObserverScore.observer.display_name.as_alias("observer_name"),
            ObserverScore.scores, ObserverScore.total, ObserverScore.note, ObserverScore.scored_at).where(
            ObserverScore.project.is_in(project_ids)).order_by(ObserverScore.id).output(load_json=True).run():
        out[r["project"]].append(r)
    return out


def mean_total(rows: list[dict]) -> float | None:
    return round(sum(r["total"] for r in rows) / len(rows), 1) if rows else None
