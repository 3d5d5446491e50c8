"""The intent list's way to the district: the round's council work (meetings, submission, the
复议 meeting after a return), the versions compared, and the district reviewer's desk."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Template

from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.meetings import desk, meeting, records
from yishi.meetings import permissions as perm
from yishi.meetings.enums import SubmissionStatus
from yishi.projects import services as projects
from yishi.web import deps, guards
from yishi.web.forms import refused
from yishi.wishlists import services as wishlists


async def work_context(user: Any, round_id: int, **extra: Any) -> dict[str, Any]:
    round_ = await wishlists.get_round(round_id)
    versions = await desk.versions(round_id)
    last = versions[-1] if versions else None
    decision = await records.decision_of(round_id)
    context = {
        "round": round_, "meetings": await meeting.meetings_of_round(round_id), "versions": versions, "last": last,
        "comments": await desk.comments_of(last["id"]) if last else [],
        "projects": await desk.projects_of(round_id),
        "can_submit": perm.can_submit(user, round_.town_id),
        "can_plan": perm.can_plan_meeting(user, round_.town_id) and getattr(user, "town", None) == round_.town_id,
        "decision": decision, "error": None, "form": {},
        **await desk.revision_state(round_id, last, decision),
    }
    context.update(extra)
    return context


class RoundWorkController(Controller):
    path = "/rounds/{round_id:int}"
    dependencies = deps.ROUND

    @get("/council-work", guards=[guards.VIEW_ROUND])
    async def work(self, request: HTMXRequest, round_id: int) -> Template:
        context = await work_context(request.user, round_id)
        if request.htmx:
            return HTMXTemplate(template_name="meetings/_round_work.html", context=context)
        return Template("meetings/round_work.html", context=context)

    async def _act(self, request: Request, round_id: int, action) -> Template | Redirect:
        round_ = await deps.load_round(request)
        form = await request.form()
        try:
            await action(round_, form)
        except DomainError as exc:
            return refused("meetings/round_work.html", exc, await work_context(request.user, round_id), form)
        return Redirect(f"/rounds/{round_id}/council-work")

    @post("/submit", guards=[guards.SUBMIT_ROUND])
    async def submit(self, request: Request, round_id: int) -> Template | Redirect:
        async def act(round_, form):
            await desk.submit(round_, str(form.get("note", "")), actor=request.user)
        return await self._act(request, round_id, act)

    @post("/revise", guards=[guards.SUBMIT_ROUND])
    async def revise(self, request: Request, round_id: int) -> Template | Redirect:
        """The old form that let the street edit the approved items and the resolution, kept only to
        refuse: a returned list changes only by a 复议 meeting's votes."""
        async def act(round_, form):
            raise desk.direct_edit_refused()
        return await self._act(request, round_id, act)

    @get("/submissions", guards=[guards.VIEW_ROUND])
    async def submissions(self, request: Request, round_id: int, a: int | None = None,
                          b: int | None = None) -> Template:
        context = await work_context(request.user, round_id)
        versions = context["versions"]
        by_no = {v["version"]: v for v in versions}
        diff = None
        if len(versions) >= 2:
            newer: int = b if b is not None and b in by_no else versions[-1]["version"]
            b, a = newer, a if a in by_no else max(1, newer - 1)
            if a in by_no and a != b:
                diff = desk.compare(by_no[a]["snapshot"], by_no[b]["snapshot"])
        return Template("meetings/versions.html", context={**context, "diff": diff, "a": a, "b": b})


class DistrictDeskController(Controller):
    path = "/district"
    dependencies = deps.SUBMISSION

    @get("/", guards=[guards.DISTRICT_DESK])
    async def desk_page(self, request: Request, status: str | None = None) -> Template:
        user = request.user
        try:
            wanted = SubmissionStatus(status) if status else None
        except ValueError:
            wanted = None
        rows = await desk.desk(user.district)
        counts = {s: sum(1 for r in rows if r["status"] is s) for s in SubmissionStatus}
        return Template("meetings/desk.html", context={
            "rows": [r for r in rows if wanted is None or r["status"] is wanted], "counts": counts,
            "wanted": wanted, "total": len(rows)})

    async def _review_context(self, request: Request, submission_id: int, **extra: Any) -> dict[str, Any]:
        sub = await desk.get_submission(submission_id)
        round_ = await wishlists.get_round(sub["round"])
        versions = await desk.versions(round_.id)
        previous = [v for v in versions if v["version"] < sub["version"]]
        return {
            "sub": sub, "round": round_, "versions": versions,
            "diff": desk.compare(previous[-1]["snapshot"], sub["snapshot"]) if previous else None,
            "previous": previous[-1] if previous else None,
            "comments": await desk.comments_of(submission_id),
            "meetings": await meeting.meetings_of_round(round_.id),
            "can_review": perm.can_review(request.user, round_.district_id)
            and sub["status"] is SubmissionStatus.submitted and sub["id"] == versions[-1]["id"],
            "error": None, "form": {}, **extra,
        }

    @get("/submissions/{submission_id:int}", guards=[guards.VIEW_SUBMISSION])
    async def review_page(self, request: Request, submission_id: int) -> Template:
        return Template("meetings/review.html", context=await self._review_context(request, submission_id))

    @post("/submissions/{submission_id:int}/review", guards=[guards.REVIEW_SUBMISSION])
    async def review(self, request: Request, submission_id: int) -> Template | Redirect:
        form = await request.form()
        action = str(form.get("action", ""))
        try:
            if action not in ("approve", "return"):
                raise DomainError(_("请选择“批准”或“退回修改”。"))
            item_comments = {}
            for key, value in form.items():
                if key.startswith("comment_") and key[8:].isdigit():
                    item_comments[int(key[8:])] = str(value)
            # An approval hands every item on to delivery (办实事) in the same transaction.
            await desk.review(submission_id, approve=action == "approve", comment=str(form.get("comment", "")),
                              item_comments=item_comments, actor=request.user,
                              on_approved=projects.start_from_approval)
        except DomainError as exc:
            return refused("meetings/review.html", exc, await self._review_context(request, submission_id), form)
        return Redirect(f"/district/submissions/{submission_id}")
