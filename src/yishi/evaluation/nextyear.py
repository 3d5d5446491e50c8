"""Next year (次年深化推广 / 次年退出): the advice from a written-off project's ratings, the
district's decision (confirmed or overridden with a reason), and carrying a project into a
street's later round as a draft wish-list item linked to it."""
from __future__ import annotations

from typing import Any

from yishi.core import audit, dates
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _
from yishi.evaluation import permissions as perm
from yishi.evaluation import rules, services, settings
from yishi.evaluation.enums import Advice
from yishi.evaluation.tables import Carryover, Decision
from yishi.projects import services as projects
from yishi.projects.enums import ProjectState
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import ItemKind


async def advice_for(project_list: list[dict]) -> list[dict]:
    """Each project with its residents' counts, 满意率, the advice and the decision if any."""
    ids = [p["id"] for p in project_list]
    ratings = await services.ratings_of(ids)
    decisions = ({d["project"]: d for d in await Decision.select().where(Decision.project.is_in(ids)).run()}
                 if ids else {})
    rules_by_district: dict[int, rules.AdviceRule] = {}
    out = []
    for p in project_list:
        d = p["district_id"]
        if d not in rules_by_district:
            rules_by_district[d] = (await settings.of_district(d)).advice
        t = rules.tally(ratings[p["id"]])
        advised = rules.advise(p["state"], t.residents, rules_by_district[d])
        decision = decisions.get(p["id"])
        out.append({**p, "tally": t, "advised": advised, "rule": rules_by_district[d],
                    "decision": decision, "decided": Advice(decision["decided"]) if decision else None})
    return out


async def decide(project_id: int, decided: str, reason: str, *, actor: Any) -> Advice:
    """Confirm the advice, or override it with a reason. A 待观察 may be decided either way."""
    project = await projects.get_project(project_id)
    perm.require(perm.can_decide(actor, project["district_id"]))
    if project["state"] is not ProjectState.written_off:
        raise Conflict(_("项目销账后才能决定次年去留。"))
    try:
        choice = Advice(decided)
    except ValueError:
        raise DomainError(_("请选择深化推广、次年退出或待观察。")) from None
    (row,) = await advice_for([project])
    advised: Advice = row["advised"]
    reason = " ".join((reason or "").split())
    if choice is not advised and not reason:
        raise DomainError(_("与建议（{a}）不同的决定须写明理由。").format(a=advised.label))
    if len(reason) > 2000:
        raise DomainError(_("理由不能超过 2000 个字。"))
    values = dict(advised=advised, decided=choice, reason=reason, satisfaction=row["tally"].residents.satisfaction,
                  ratings=row["tally"].residents.total, decided_by=actor.id, decided_at=dates.now())
    if await Decision.exists().where(Decision.project == project_id):
        await Decision.update({getattr(Decision, k): v for k, v in values.items()}).where(
            Decision.project == project_id).run()
    else:
        await Decision.insert(Decision(project=project_id, **values)).run()
    await audit.record("evaluation.decision.made", actor=actor, object_type="project", object_id=project_id,
                       advised=advised.value, decided=choice.value, reason=reason)
    return choice


async def carry_over(project_id: int, round_id: int, *, reason: str = "", actor: Any) -> int:
    """The project becomes a draft item of a later round of its street. A 深化推广 project is
    carried as it is; a 次年退出 one only with a recorded reason; an undecided one not at all."""
    project = await projects.get_project(project_id)
    round_ = await wishlists.get_round(round_id)
    perm.require(perm.can_carry_over(actor, round_.town_id))
    if round_.town_id != project["town_id"] or round_id == project["round"]:
        raise DomainError(_("只能转入本街道之后的批次。"))
    decision = await Decision.select().where(Decision.project == project_id).first().run()
    if decision is None:
        raise Conflict(_("区里尚未决定这个项目次年的去留，暂不能转入新批次。"))
    reason = " ".join((reason or "").split())
    if decision["decided"] == Advice.drop.value and not reason:
        raise DomainError(_("这个项目已定为次年退出，再次列入须写明理由。"))
    if decision["decided"] == Advice.watch.value and not reason:
        raise DomainError(_("这个项目仍待观察，列入新批次须写明理由。"))
    if await Carryover.exists().where((Carryover.project == project_id) & (Carryover.round == round_id)):
        raise Conflict(_("这个项目已经转入该批次了。"))
    item_id = await wishlists.add_item(
        round_, title=project["title"], description=project["description"], cost_fen=project["cost_fen"],
        kind=ItemKind(project["kind"]), lead_unit=project["lead_unit_display"], actor=actor)
    await Carryover.insert(Carryover(project=project_id, item=item_id, round=round_id, reason=reason,
                                     carried_by=actor.id, carried_at=dates.now())).run()
    await audit.record("evaluation.carried_over", actor=actor, object_type="project", object_id=project_id,
                       round=round_id, item=item_id, reason=reason)
    return item_id


async def carried_from(item_ids: list[int]) -> dict[int, dict]:
    """item id -> the project it was carried from (title, round), for the wish list's pages."""
    if not item_ids:
        return {}
    rows = await Carryover.select(Carryover.item, Carryover.project, Carryover.project.title.as_alias("title"),
                                  Carryover.reason).where(Carryover.item.is_in(item_ids)).run()
    return {r["item"]: r for r in rows}


async def carried_of(project_id: int) -> list[dict]:
    """Where a project was carried: round title and item, newest first."""
    return await Carryover.select(Carryover.round, Carryover.round.title.as_alias("round_title"), Carryover.item,
                                  Carryover.reason).where(Carryover.project == project_id).order_by(
        Carryover.id, ascending=False).run()


async def get_decision(project_id: int) -> dict:
    row = await Decision.select().where(Decision.project == project_id).first().run()
    if row is None:
        raise NotFound(_("尚未决定。"))
    return row
