from __future__ import annotations

import csv
import io

from litestar import Controller, Request, Response, get, post
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Template

from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.ballots import casting, imports, lifecycle, round_settings
from yishi.ballots import codes as code_utils
from yishi.core import dates
from yishi.core.errors import DomainError, NotFound
from yishi.core.i18n import _
from yishi.places import services as places
from yishi.web import deps, guards, links
from yishi.web.forms import form_int, form_ints
from yishi.web.responses import file_response
from yishi.web.staff.rounds import round_context
from yishi.wishlists.services import RoundView


class BallotStaffController(Controller):
    """Staff side of the ticking: open, close, hand out codes, watch the tally."""

    path = "/rounds/{round_id:int}"
    dependencies = deps.ROUND

    @post("/open", guards=[guards.MANAGE_ROUND])
    async def open_voting(self, request: Request, round_id: int, round_: RoundView) -> Redirect:
        await lifecycle.open_voting(round_, actor=request.user)
        return Redirect(f"/rounds/{round_id}")

    @post("/settings", guards=[guards.MANAGE_ROUND])
    async def save_settings(self, request: Request, round_id: int, round_: RoundView) -> Template | Redirect:
        form = await request.form()
        raw = dict(form)
        picked = form.getall("community", []) if hasattr(form, "getall") else form.get("community")
        try:
            communities = form_ints(picked)
            await round_settings.save(
                round_,
                opens_at=dates.parse_datetime(form.get("opens_at"), _("开始时间")),
                closes_at=dates.parse_datetime(form.get("closes_at"), _("截止时间")),
                voter_unit=str(form.get("voter_unit", "")),
                communities=communities,
                actor=request.user,
            )
        except DomainError as exc:
            # Show the form again with what was entered, the message beside it.
            context = await round_context(request.user, round_id)
            raw["community"] = [str(c) for c in (picked if isinstance(picked, list) else [picked] if picked else [])]
            return Template("wishlists/round.html", status_code=exc.status_code, context={
                **context, "error": None, "form": {}, "settings_error": exc.message, "settings_form": raw})
        return Redirect(f"/rounds/{round_id}#settings")

    @post("/close", guards=[guards.MANAGE_ROUND])
    async def close_voting(self, request: Request, round_id: int, round_: RoundView) -> Redirect:
        await lifecycle.close_voting(round_, actor=request.user)
        return Redirect(f"/rounds/{round_id}")

    @post("/codes", guards=[guards.MANAGE_ROUND])
    async def issue_codes(self, request: Request, round_id: int, round_: RoundView) -> Template:
        form = await request.form()
        community_id = form_int(form.get("community"), _("社区"))
        count = form_int(form.get("count"), _("选票码数量"))
        issued = await casting.issue_code_batch(round_, community_id, count, actor=request.user)
        batch = next(b for b in await casting.code_batches(round_id) if b["id"] == issued.id)
        return Template("ballots/codes.html", context={
            "round": round_, "setup": await round_settings.get(round_id), "codes": [{"code": c} for c in issued.codes],
            "display": code_utils.display, "base_url": links.public_base(request), "fresh": True,
            "batch": batch,
        })

    @get("/codes", guards=[guards.MANAGE_ROUND])
    async def list_codes(self, request: Request, round_id: int, round_: RoundView,
                         community: str = "", batch: str = "") -> Template:
        """The unused codes, of one community and/or one issuing batch when asked (a street hands
        them out community by community, a batch (一次发放) to one collector), to print; the same set as a
        file at codes.csv. A batch is shown whole, so printing prints exactly the filtered set."""
        community_id, communities = await _community_filter(round_, community)
        batch_id, batches = await _batch_filter(round_id, batch)
        limit = casting.MAX_CODES_PER_BATCH if batch_id is not None else CODES_ON_PAGE
        unused = await casting.unused_codes(round_id, community_id, limit=limit, batch_id=batch_id)
        return Template("ballots/codes.html", context={
            "round": round_, "setup": await round_settings.get(round_id), "codes": unused,
            "display": code_utils.display,
            "base_url": links.public_base(request), "fresh": False, "communities": communities,
            "community_id": community_id, "on_page": limit, "batches": batches, "batch_id": batch_id,
            "batch": next((b for b in batches if b["id"] == batch_id), None),
        })

    @get("/codes.csv", guards=[guards.MANAGE_ROUND])
    async def export_codes(self, request: Request, round_id: int, round_: RoundView, community: str = "",
                           batch: str = "") -> Response:
        community_id, communities = await _community_filter(round_, community)
        batch_id, batches = await _batch_filter(round_id, batch)
        unused = await casting.unused_codes(round_id, community_id, limit=CODES_IN_FILE, batch_id=batch_id)
        numbers = {b["id"]: b["number"] for b in batches}
        base = links.public_base(request)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_("社区"), _("发放记录"), _("选票码"), _("网址")])
        writer.writerows([c["community"],
                          _("第 {n} 次发放").format(n=numbers[c["batch"]]) if c["batch"] in numbers else "",
                          code_utils.display(c["code"]), f"{base}/v/{c['code']}"] for c in unused)
        name = next((c["name"] for c in communities if c["id"] == community_id), _("全部社区"))
        if batch_id is not None:
            name += _("-第{n}次发放").format(n=numbers[batch_id])
        # A BOM so that Excel on Windows opens the Chinese as UTF-8.
        return file_response(_("选票码-{title}-{community}.csv").format(title=round_.title, community=name),
                             "text/csv; charset=utf-8", ("\ufeff" + out.getvalue()).encode())

    @get("/tally", guards=[guards.VIEW_ROUND])
    async def tally(self, request: HTMXRequest, round_id: int) -> Template:
        """The live tally: the fragment for the round page's htmx poll; opened directly (a link
        shared, a reload) the whole round page, never a bare fragment without layout."""
        context = await round_context(request.user, round_id)
        if not request.htmx:
            return Template("wishlists/round.html", context={**context, "error": None, "form": {}})
        return HTMXTemplate(template_name="ballots/_tally.html", context=context)


CODES_ON_PAGE = 200
CODES_IN_FILE = 100_000


async def _community_filter(round_: RoundView, raw: str) -> tuple[int | None, list[dict]]:
    communities = await places.communities_of(round_.town_id)
    if not raw:
        return None, communities
    if not raw.isdigit() or int(raw) not in {c["id"] for c in communities}:
        raise NotFound(_("这个批次所在的镇（街道）没有这个社区。"))
    return int(raw), communities


async def _batch_filter(round_id: int, raw: str) -> tuple[int | None, list[dict]]:
    batches = await casting.code_batches(round_id)
    if not raw:
        return None, batches
    if not raw.isdigit() or int(raw) not in {b["id"] for b in batches}:
        raise NotFound(_("本批次没有这次发放的记录。"))
    return int(raw), batches


MAX_PB_BYTES = 20 * 1024 * 1024  # the largest Pabulib file here (Łódź, 90,000 voters) is 3.7 MB


@post("/rounds/import-pb", request_max_body_size=MAX_PB_BYTES, guards=[guards.CREATE_ROUND])
async def import_pb_upload(request: Request) -> Redirect:
    """Staff upload a Pabulib .pb file: it becomes a closed round with its ballots."""
    user = request.user
    form = await request.form()
    town_id = form_int(form.get("town"), _("镇（街道）")) if perm.role_of(user) is Role.admin else user.town
    perm.require(perm.can_manage_round(user, town_id))
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not getattr(upload, "filename", ""):
        raise DomainError(_("请选择要导入的 .pb 文件。"))
    data = await upload.read()
    if not data.strip():
        raise DomainError(_("上传的文件是空的。"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("文件不是 UTF-8 编码的 Pabulib .pb 文件。")) from None
    round_id = await imports.import_pb(text, town_id=town_id, title=str(form.get("title", "") or ""),
                                       actor=user)
    return Redirect(f"/rounds/{round_id}")
