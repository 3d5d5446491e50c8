"""Results: the public page after close (with the receipt check), the recount, the exports."""
from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Response, Template

from yishi.ballots import casting, exports, results
from yishi.ballots import codes as code_utils
from yishi.core import audit
from yishi.core.errors import Conflict, NotFound
from yishi.core.i18n import _
from yishi.web import deps, guards
from yishi.web.responses import file_response
from yishi.wishlists import services as wishlists
from yishi.wishlists.services import RoundView


async def _public_context(round_id: int) -> dict:
    round_ = await wishlists.get_round(round_id)
    if round_.status not in results.CLOSED:
        raise Conflict(await results.not_yet_message(round_))
    kept = await results.published(round_id)
    if kept is None:
        raise NotFound(_("该批次没有公布的勾选结果。"))
    items = await wishlists.items_of(round_id)
    ranked = sorted(items, key=lambda i: (-kept.approvals.get(i["id"], 0), i["position"], i["id"]))
    tally = await casting.tally(round_id)
    # The audit chain's head when this result was published (its close, import or last recount):
    # printed so that a copy kept elsewhere can later show the trail was not rewritten since.
    chain = await audit.head_of(PUBLISHING, "round", round_id)
    return {"round": round_, "kept": kept, "ranked": ranked, "tally": tally, "chain": chain,
            "top": max(kept.approvals.values(), default=0), "checked": None, "receipt": ""}


PUBLISHING = ("ballot.round.closed", "ballot.round.recounted", "ballot.round.imported")


class PublicResultsController(Controller):
    """Anyone, no account: the published result and the check that a receipt was counted."""

    path = "/results/{round_id:int}"
    opt = guards.PUBLIC_PAGES

    @get("/")
    async def page(self, round_id: int, receipt: str | None = None) -> Template:
        context = await _public_context(round_id)
        if receipt:
            context["receipt"] = code_utils.display(code_utils.normalise(receipt))
            context["checked"] = await results.receipt_counted(round_id, receipt)
        return Template("ballots/results.html", context=context)

    @get("/receipts.txt", media_type="text/plain; charset=utf-8")
    async def receipts(self, round_id: int) -> str:
        await _public_context(round_id)
        return "\n".join(code_utils.display(r) for r in await results.receipts_of(round_id)) + "\n"


class RoundDataController(Controller):
    """Staff: the recount and the files."""

    path = "/rounds/{round_id:int}"
    dependencies = deps.ROUND

    @post("/recount", guards=[guards.MANAGE_ROUND])
    async def recount(self, request: Request, round_id: int, round_: RoundView) -> Template:
        outcome = await results.recount(round_, actor=request.user)
        context = await _public_context(round_id)
        context["recount"] = outcome
        return Template("ballots/results.html", context=context)

    @get("/export/{what:str}", guards=[guards.EXPORT_ROUND])
    async def export(self, request: Request, round_id: int, what: str) -> Response:
        build = exports.EXPORTS.get(what)
        if build is None:
            raise NotFound(_("没有这种导出文件。"))
        name, mime, data = await build(round_id)
        return file_response(name, mime, data)
