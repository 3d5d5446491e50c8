"""寻民意: take in residents' suggestions from every channel, grade and route them, answer each one.

Business rules only: no web imports. Every state change is one function that checks the current
state, raises a DomainError a person can read, and writes an audit entry (the suggestion's
history). Personal data never goes into the audit trail.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from yishi.core import audit
from yishi.core.errors import Conflict, DomainError, InvalidInput, NotFound
from yishi.core.i18n import N_, _, ngettext
from yishi.places import services as places
from yishi.suggestions import privacy, rules
from yishi.suggestions.catalog import ensure_categories, track_days
from yishi.suggestions.enums import OPEN_STATUSES, Channel, Grade, SuggestionStatus, Tier, Track
from yishi.suggestions.inputs import SuggestionInput
from yishi.suggestions.tables import Category, Suggestion

CONTENT_MIN = 5
CONTENT_MAX = 1000
NAME_MAX = 20
SPOT_MAX = 40
LEAD_UNIT_MAX = 80
REPLY_MAX = 2000
BACKDATE_DAYS = 365
MERGE_MAX = 50


def _now() -> datetime:
    return datetime.now(UTC)


def _db():
    return Suggestion._meta.db


# --- intake ------------------------------------------------------------------------------------

def check_content(content: str) -> str:
    content = (content or "").strip()
    if len(content) < CONTENT_MIN:
        raise InvalidInput(_("请写下您的建议，至少 {n} 个字。").format(n=CONTENT_MIN), "content")
    if len(content) > CONTENT_MAX:
        raise InvalidInput(_("建议内容不能超过 {n} 个字（现在 {m} 个字），请精简后再提交。").format(
            n=CONTENT_MAX, m=len(content)), "content")
    return content


def check_name(name: str) -> str:
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        raise InvalidInput(_("姓名不能超过 {n} 个字。").format(n=NAME_MAX), "name")
    return name


_SPACES = re.compile(r"\s+")


def check_spot(spot: str) -> str:
    """点位 as the 热度表 counts it: full-width letters and digits made half-width (NFKC: "３栋"
    and "3栋" are one building), runs of spaces made one, at most SPOT_MAX characters."""
    spot = _SPACES.sub(" ", unicodedata.normalize("NFKC", spot or "")).strip()
    if len(spot) > SPOT_MAX:
        raise InvalidInput(_("点位不能超过 {n} 个字。").format(n=SPOT_MAX), "spot")
    return spot


async def _check_category(category_id: int | None) -> int:
    if category_id is None:
        raise InvalidInput(_("请选择建议类别。"), "category")
    await ensure_categories()
    if not await Category.exists().where((Category.id == category_id) & (Category.active == True)):  # noqa: E712
        raise InvalidInput(_("所选类别不存在，请重新选择。"), "category")
    return category_id


async def _community_town(community_id: int | None, town_id: int | None = None) -> int:
    if community_id is None:
        raise InvalidInput(_("请选择所在社区（村）。"), "community")
    town = await places.town_of_community(community_id)
    if town is None or (town_id is not None and town != town_id):
        raise InvalidInput(_("所选社区（村）不存在，请重新选择。"), "community")
    return town


def _check_received_on(received_on: date | None, today: date) -> date:
    if received_on is None:
        return today
    if received_on > today:
        raise InvalidInput(_("收集日期不能晚于今天。"), "received_on")
    if received_on < today - timedelta(days=BACKDATE_DAYS):
        raise InvalidInput(_("收集日期不能早于一年前。"), "received_on")
    return received_on


@dataclass
class Prepared:
    """A suggestion checked and ready to insert: imports check every row before saving any."""

    town_id: int
    community_id: int
    category_id: int
    content: str
    name: str
    phone: dict[str, str]
    received_on: date
    spot: str = ""


async def prepare(data: SuggestionInput, *, town_id: int | None = None, allow_backdate: bool = False,
                  today: date | None = None) -> Prepared:
    """Check every field, so the form can point at all that is wrong at once."""
    today = today or rules.today_in_china()
    errors: dict[str, str] = {}

    async def check(step):
        try:
            result = step()
            return await result if hasattr(result, "__await__") else result
        except InvalidInput as exc:
            errors[exc.field] = exc.message
        except DomainError as exc:  # the phone's own check
            errors["phone"] = exc.message

    content = await check(lambda: check_content(data.content))
    category_id = await check(lambda: _check_category(data.category_id))
    resolved_town = await check(lambda: _community_town(data.community_id, town_id))
    name = await check(lambda: check_name(data.name))
    spot = await check(lambda: check_spot(data.spot))
    phone = await check(lambda: privacy.vault().seal(data.phone))
    received_on = await check(lambda: _check_received_on(data.received_on, today) if allow_backdate else today)
    if errors:
        field, message = next(iter(errors.items()))
        if len(errors) > 1:
            message = ngettext("有 {n} 处需要修改，请看下面标红的地方。", "有 {n} 处需要修改，请看下面标红的地方。",
                               len(errors)).format(n=len(errors))
        raise InvalidInput(message, field, errors)
    if data.community_id is None:  # _community_town refused it above
        raise InvalidInput(_("请选择所在社区（村）。"), "community")
    return Prepared(town_id=resolved_town, community_id=data.community_id, category_id=category_id,
                    content=content, name=name, phone=phone, received_on=received_on, spot=spot or "")


async def _new_tracking_code() -> str:
    for _attempt in range(20):
        code = rules.new_code()
        if not await Suggestion.exists().where(Suggestion.tracking_code == code):
            return code
    raise Conflict(_("系统繁忙，请稍后再试。"))  # pragma: no cover - 25^8 codes


def _row(p: Prepared, *, channel: Channel, code: str, point_id: int | None, actor: Any) -> Suggestion:
    return Suggestion(
        tracking_code=code, town=p.town_id, community=p.community_id, point=point_id, channel=channel,
        category=p.category_id, content=p.content, submitter_name=p.name, received_on=p.received_on, spot=p.spot,
        recorded_by=getattr(actor, "id", None), status=SuggestionStatus.received, created_at=_now(),
        supporters=1, phone_cipher=p.phone["phone_cipher"], phone_hash=p.phone["phone_hash"],
        phone_masked=p.phone["phone_masked"],
    )


@dataclass(frozen=True)
class Receipt:
    id: int
    tracking_code: str


async def submit(data: SuggestionInput, *, channel: Channel, point_id: int | None = None,
                 town_id: int | None = None, actor: Any = None) -> Receipt:
    """One suggestion in: from the public form (no actor) or entered by a collector (actor)."""
    prepared = await prepare(data, town_id=town_id, allow_backdate=actor is not None)
    code = await _new_tracking_code()
    async with _db().transaction():
        row = _row(prepared, channel=channel, code=code, point_id=point_id, actor=actor)
        await row.save()
        await audit.record("suggestion.received", actor=actor, object_type="suggestion", object_id=row.id,
                           channel=channel.value, on_behalf=actor is not None)
    return Receipt(id=row.id, tracking_code=code)


async def submit_many(prepared: list[tuple[Prepared, Channel]], *, actor: Any) -> list[Receipt]:
    """An import: every row in one transaction, so a failure leaves nothing half-saved."""
    receipts = []
    async with _db().transaction():
        for p, channel in prepared:
            code = await _new_tracking_code()
            row = _row(p, channel=channel, code=code, point_id=None, actor=actor)
            await row.save()
            await audit.record("suggestion.received", actor=actor, object_type="suggestion",
                               object_id=row.id, channel=channel.value, on_behalf=True, imported=True)
            receipts.append(Receipt(id=row.id, tracking_code=code))
    return receipts


# --- reading one -------------------------------------------------------------------------------

def _detail_query():
    return Suggestion.select(
        Suggestion.all_columns(exclude=[Suggestion.phone_cipher]),
        Suggestion.community.name.as_alias("community_name"),
        Suggestion.town.name.as_alias("town_name"),
        Suggestion.town.district.as_alias("district_id"),
        Suggestion.category.name.as_alias("category_name"),
        Suggestion.point.name.as_alias("point_name"),
        Suggestion.recorded_by.display_name.as_alias("recorded_by_name"),
        Suggestion.handler.display_name.as_alias("handler_name"),
        Suggestion.merged_into.tracking_code.as_alias("merged_into_code"),
    )


async def get(suggestion_id: int) -> dict:
    row = await _detail_query().where(Suggestion.id == suggestion_id).first().run()
    if row is None:
        raise NotFound(_("找不到这条建议。"))
    row["status"] = SuggestionStatus(row["status"])
    return row


async def merged_children(suggestion_id: int) -> list[dict]:
    return await Suggestion.select(Suggestion.id, Suggestion.tracking_code, Suggestion.content,
                                   Suggestion.received_on, Suggestion.channel).where(
        Suggestion.merged_into == suggestion_id).order_by(Suggestion.id).run()


async def reveal_phone(suggestion_id: int, *, actor: Any) -> str:
    """The full number for the staff member handling the case; each look is on record."""
    row = await Suggestion.select(Suggestion.phone_cipher, Suggestion.purged_at).where(
        Suggestion.id == suggestion_id).first().run()
    if row is None:
        raise NotFound(_("找不到这条建议。"))
    if not row["phone_cipher"]:
        raise NotFound(_("这条建议没有留联系电话，或个人信息已按规定清除。"))
    phone = privacy.vault().decrypt(row["phone_cipher"])
    await audit.record("suggestion.phone.unmasked", actor=actor, object_type="suggestion",
                       object_id=suggestion_id)
    return phone


# --- the resident's view -----------------------------------------------------------------------

@dataclass(frozen=True)
class Tracking:
    code: str
    received_on: date
    category: str
    community: str
    content: str
    status: SuggestionStatus
    reply: str
    reject_reason: str
    replied_at: datetime | None
    closed_at: datetime | None
    merged: bool
    supporters: int
    answer_id: int  # the suggestion that answers this code: itself, or the one it was merged into
    # The wish-list items that answer it: filled by wishlists.sources.track, which reads the link.
    wish_items: tuple[dict, ...] = ()


async def track(raw_code: str) -> Tracking:
    """What a tracking code shows. An unknown code raises NotFound and says nothing more."""
    code = rules.normalise_code(raw_code)
    if not rules.is_plausible_code(code):
        raise NotFound(_("查不到这个查询码，请核对后重新输入。"))
    own = await _detail_query().where(Suggestion.tracking_code == code).first().run()
    if own is None:
        raise NotFound(_("查不到这个查询码，请核对后重新输入。"))
    answer = own
    for _hop in range(5):  # merges are flattened, so one hop is the rule; the bound is a guard
        if not answer["merged_into"]:
            break
        answer = await _detail_query().where(Suggestion.id == answer["merged_into"]).first().run()
    return Tracking(
        code=code, received_on=own["received_on"], category=own["category_name"],
        community=own["community_name"], content=own["content"], status=SuggestionStatus(answer["status"]),
        reply=answer["reply"], reject_reason=answer["reject_reason"], replied_at=answer["replied_at"],
        closed_at=answer["closed_at"], merged=answer["id"] != own["id"], supporters=answer["supporters"],
        answer_id=answer["id"],
    )


# --- triage and handling -----------------------------------------------------------------------

def _wrong_state(current: SuggestionStatus, doing: str) -> Conflict:
    return Conflict(_("这条建议现在是“{state}”，不能{doing}。请刷新页面查看最新情况。").format(
        state=current.label, doing=doing))


async def _load_for_change(suggestion_id: int, allowed: set[SuggestionStatus], doing: str) -> dict:
    row = await Suggestion.select().where(Suggestion.id == suggestion_id).first().run()
    if row is None:
        raise NotFound(_("找不到这条建议。"))
    status = SuggestionStatus(row["status"])
    if status not in allowed:
        raise _wrong_state(status, doing)
    return row


async def _apply(suggestion_id: int, expected: SuggestionStatus, values: dict[Any, Any], doing: str) -> None:
    """Update only if nobody changed the state meanwhile (two staff on one case)."""
    changed = await Suggestion.update(values).where(
        (Suggestion.id == suggestion_id) & (Suggestion.status == expected)
    ).returning(Suggestion.id).run()
    if not changed:
        current = await Suggestion.select(Suggestion.status).where(Suggestion.id == suggestion_id).first().run()
        raise _wrong_state(SuggestionStatus(current["status"]) if current else expected, doing)


def _check_reply(reply: str, required: bool = True) -> str:
    reply = (reply or "").strip()
    if required and not reply:
        raise InvalidInput(_("请填写给居民的答复。"), "reply")
    if len(reply) > REPLY_MAX:
        raise InvalidInput(_("答复不能超过 {n} 个字。").format(n=REPLY_MAX), "reply")
    return reply


async def grade(suggestion_id: int, *, grade: Grade, track: Track, tier: Tier | None = None,
                lead_unit: str = "", due_on: date | None = None, actor: Any) -> None:
    """Set or change grade, track (and so the due date), tier and lead unit. Each change is kept."""
    row = await _load_for_change(suggestion_id, set(OPEN_STATUSES), _("分级"))
    lead_unit = (lead_unit or "").strip()
    if len(lead_unit) > LEAD_UNIT_MAX:
        raise InvalidInput(_("牵头单位不能超过 {n} 个字。").format(n=LEAD_UNIT_MAX), "lead_unit")
    received_on = row["received_on"]
    if due_on is None:
        due_on = rules.due_date(received_on, track, await track_days(row["town"]))
    elif due_on < received_on:
        raise InvalidInput(_("办理期限不能早于收到建议的日期。"), "due_on")
    new = {"grade": grade.value, "track": track.value, "tier": tier.value if tier else "",
           "lead_unit": lead_unit, "due_on": due_on}
    changes = {k: [_plain(row[k]), _plain(v)] for k, v in new.items() if row[k] != v}
    if not changes:
        return
    status = SuggestionStatus(row["status"])
    values: dict[Any, Any] = {getattr(Suggestion, k): v for k, v in new.items()}
    if status is SuggestionStatus.received:
        values[Suggestion.status] = SuggestionStatus.graded
        values[Suggestion.graded_at] = _now()
    if row["handler"] is None and actor is not None and not _is_admin(actor):
        values[Suggestion.handler] = actor.id
    async with _db().transaction():
        await _apply(suggestion_id, status, values, _("分级"))
        await audit.record("suggestion.graded" if status is SuggestionStatus.received else "suggestion.regraded",
                           actor=actor, object_type="suggestion", object_id=suggestion_id, changes=changes)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _is_admin(actor: Any) -> bool:
    return getattr(actor, "role", None) == "admin"


async def start_handling(suggestion_id: int, *, actor: Any) -> None:
    await _load_for_change(suggestion_id, {SuggestionStatus.graded}, _("开始办理（请先分级）"))
    values: dict[Any, Any] = {Suggestion.status: SuggestionStatus.in_progress}
    if actor is not None and not _is_admin(actor):
        values[Suggestion.handler] = actor.id
    async with _db().transaction():
        await _apply(suggestion_id, SuggestionStatus.graded, values, _("开始办理"))
        await audit.record("suggestion.started", actor=actor, object_type="suggestion", object_id=suggestion_id)


async def hand_over(suggestion_id: int, lead_unit: str) -> None:
    """派单 (cases.services.dispatch): the suggestion is 办理中 with the unit named as its lead
    unit. The dispatch writes the audit entry (the suggestion's history) itself."""
    row = await _load_for_change(suggestion_id, set(OPEN_STATUSES), _("派单"))
    values: dict[Any, Any] = {Suggestion.lead_unit: lead_unit[:LEAD_UNIT_MAX]}
    if SuggestionStatus(row["status"]) is not SuggestionStatus.in_progress:
        values[Suggestion.status] = SuggestionStatus.in_progress
    await _apply(suggestion_id, SuggestionStatus(row["status"]), values, _("派单"))


async def answer(suggestion_id: int, reply: str, *, actor: Any) -> None:
    """An interim answer while the case is open ("已转交区住建局研究"): the resident sees it, and
    the first answer is what the response rate measures."""
    row = await _load_for_change(suggestion_id, set(OPEN_STATUSES), _("答复"))
    reply = _check_reply(reply)
    values: dict[Any, Any] = {Suggestion.reply: reply}
    if row["replied_at"] is None:
        values[Suggestion.replied_at] = _now()
    async with _db().transaction():
        await _apply(suggestion_id, SuggestionStatus(row["status"]), values, _("答复"))
        await audit.record("suggestion.answered", actor=actor, object_type="suggestion", object_id=suggestion_id,
                           reply=reply)


async def close(suggestion_id: int, reply: str, *, actor: Any) -> None:
    """已办结: closing needs the answer the resident will read."""
    row = await _load_for_change(suggestion_id, {SuggestionStatus.graded, SuggestionStatus.in_progress},
                                 _("办结（请先分级）"))
    reply = _check_reply(reply)
    await _finish(row, SuggestionStatus.closed, {Suggestion.reply: reply}, "suggestion.closed", actor, reply=reply)


async def reject(suggestion_id: int, reason: str, reply: str, *, actor: Any) -> None:
    """不予采纳: a reason is required, and an answer to the resident like any closing."""
    row = await _load_for_change(suggestion_id, set(OPEN_STATUSES), _("不予采纳"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("不予采纳必须写明理由。"), "reason")
    if len(reason) > REPLY_MAX:
        raise InvalidInput(_("理由不能超过 {n} 个字。").format(n=REPLY_MAX), "reason")
    reply = _check_reply(reply)
    await _finish(row, SuggestionStatus.rejected, {Suggestion.reply: reply, Suggestion.reject_reason: reason},
                  "suggestion.rejected", actor, reply=reply, reason=reason)


async def _finish(row: dict, status: SuggestionStatus, values: dict[Any, Any], action: str, actor: Any,
                  **data: Any) -> None:
    now = _now()
    values = {**values, Suggestion.status: status, Suggestion.closed_at: now}
    if row["replied_at"] is None:
        values[Suggestion.replied_at] = now
    async with _db().transaction():
        await _apply(row["id"], SuggestionStatus(row["status"]), values, status.label)
        await audit.record(action, actor=actor, object_type="suggestion", object_id=row["id"], **data)


async def merge(primary_id: int, absorbed_ids: list[int], *, actor: Any) -> int:
    """One suggestion absorbs duplicates: their supporters count towards it, and every absorbed
    submitter's tracking code shows its answer. Returns the new supporter count."""
    absorbed_ids = sorted(set(absorbed_ids) - {primary_id})
    if not absorbed_ids:
        raise InvalidInput(_("请选择要合并进来的重复建议。"), "absorbed")
    if len(absorbed_ids) > MERGE_MAX:
        raise InvalidInput(_("一次最多合并 {n} 条。").format(n=MERGE_MAX), "absorbed")
    primary = await Suggestion.select().where(Suggestion.id == primary_id).first().run()
    if primary is None:
        raise NotFound(_("找不到这条建议。"))
    if SuggestionStatus(primary["status"]) is SuggestionStatus.merged:
        raise Conflict(_("这条建议已被合并到另一条建议，请在那一条上合并。"))
    others = await Suggestion.select().where(Suggestion.id.is_in(absorbed_ids)).run()
    if len(others) != len(absorbed_ids):
        raise NotFound(_("要合并的建议中有找不到的，请刷新后重试。"))
    for other in others:
        if other["town"] != primary["town"]:
            raise Conflict(_("只能合并同一镇（街道）的建议。"))
        if SuggestionStatus(other["status"]) not in OPEN_STATUSES:
            raise Conflict(_("建议 {code} 已是“{state}”，不能再合并。").format(
                code=rules.display_code(other["tracking_code"]), state=SuggestionStatus(other["status"]).label))
    added = sum(o["supporters"] for o in others)
    now = _now()
    async with _db().transaction():
        changed = await Suggestion.update({
            Suggestion.status: SuggestionStatus.merged, Suggestion.merged_into: primary_id, Suggestion.closed_at: now,
        }).where(Suggestion.id.is_in(absorbed_ids) & Suggestion.status.is_in(list(OPEN_STATUSES))).returning(
            Suggestion.id).run()
        if len(changed) != len(absorbed_ids):
            raise Conflict(_("有建议刚被其他人处理过，请刷新页面后重试。"))
        # Flatten: what was merged into an absorbed one now points at the primary directly.
        await Suggestion.update({Suggestion.merged_into: primary_id}).where(
            Suggestion.merged_into.is_in(absorbed_ids)).run()
        await Suggestion.update({Suggestion.supporters: Suggestion.supporters + added}).where(
            Suggestion.id == primary_id).run()
        await audit.record("suggestion.merged", actor=actor, object_type="suggestion", object_id=primary_id,
                           absorbed=absorbed_ids, supporters_added=added)
        for other in others:
            await audit.record("suggestion.merged_into", actor=actor, object_type="suggestion",
                               object_id=other["id"], primary=primary_id)
    return primary["supporters"] + added


LISTED_REPLY = N_("您的建议已纳入《{round}》民生微事服务期望清单（项目：{item}），"
                "将由居民勾选、“5+X”议事组民主议事后确定是否实施。感谢您的参与！")


async def linkable(suggestion_ids: list[int], town_id: int) -> list[dict]:
    """The suggestions, checked as a wish-list item of this street may answer them (open, or
    already listed): wishlists.sources links them."""
    suggestion_ids = sorted(set(suggestion_ids))
    if not suggestion_ids:
        raise InvalidInput(_("请至少选择一条建议。"), "suggestions")
    rows = await Suggestion.select().where(Suggestion.id.is_in(suggestion_ids)).run()
    if len(rows) != len(suggestion_ids):
        raise NotFound(_("要纳入清单的建议中有找不到的，请刷新后重试。"))
    for row in rows:
        if row["town"] != town_id:
            raise Conflict(_("只能把本镇（街道）的建议纳入本镇（街道）的清单。"))
        if SuggestionStatus(row["status"]) not in OPEN_STATUSES | {SuggestionStatus.listed}:
            raise Conflict(_("建议 {code} 已是“{state}”，不能纳入清单。").format(
                code=rules.display_code(row["tracking_code"]), state=SuggestionStatus(row["status"]).label))
    return rows


def listed_reply(reply: str, *, round_title: str, item_title: str) -> str:
    """The answer residents read when their suggestion is put on a wish list: the one typed, or
    the standard one naming the list and the item."""
    return _check_reply(reply, required=False) or _(LISTED_REPLY).format(round=round_title, item=item_title)


async def mark_listed(row: dict, *, reply: str, now: datetime, item_id: int, item_title: str, actor: Any) -> None:
    """A suggestion (its row, as linkable read it) answered by a wish-list item: 已纳入清单."""
    values: dict[Any, Any] = {Suggestion.status: SuggestionStatus.listed, Suggestion.reply: reply}
    if row["closed_at"] is None:
        values[Suggestion.closed_at] = now
    if row["replied_at"] is None:
        values[Suggestion.replied_at] = now
    await _apply(row["id"], SuggestionStatus(row["status"]), values, _("纳入清单"))
    await audit.record("suggestion.listed", actor=actor, object_type="suggestion", object_id=row["id"],
                       wish_item=item_id, item_title=item_title)


async def reopen_unlisted(suggestion_id: int, *, item_id: int, actor: Any) -> bool:
    """A listed suggestion no item answers any more goes back to the open cases, its 已纳入清单
    answer withdrawn (it is no longer true). False if it was not listed."""
    row = await Suggestion.select(Suggestion.status, Suggestion.grade).where(
        Suggestion.id == suggestion_id).first().run()
    if row is None or row["status"] != SuggestionStatus.listed.value:
        return False
    back = SuggestionStatus.graded if row["grade"] else SuggestionStatus.received
    await _apply(suggestion_id, SuggestionStatus.listed, {Suggestion.status: back, Suggestion.reply: "",
                                                Suggestion.replied_at: None, Suggestion.closed_at: None},
                 _("移出清单"))
    await audit.record("suggestion.unlisted", actor=actor, object_type="suggestion", object_id=suggestion_id,
                       wish_item=item_id, status=back.value)
    return True


async def reopen_for_case(suggestion_id: int) -> None:
    """回访: the resident was not satisfied and the case goes back to its unit (cases.services.reopen,
    which writes the audit entry): a closed suggestion is 办理中 again; its last answer stays,
    so the resident still reads it, marked as being handled again."""
    row = await Suggestion.select(Suggestion.status).where(Suggestion.id == suggestion_id).first().run()
    if row is None or row["status"] != SuggestionStatus.closed.value:
        return
    await _apply(suggestion_id, SuggestionStatus.closed, {Suggestion.status: SuggestionStatus.in_progress,
                                                          Suggestion.closed_at: None}, _("重新办理"))


async def contents_of(suggestion_ids: list[int], *, town_id: int) -> list[str]:
    """The residents' words of the given suggestions of one town, in the order given."""
    rows = await Suggestion.select(Suggestion.id, Suggestion.content).where(
        Suggestion.id.is_in(sorted(set(suggestion_ids)) or [0]) & (Suggestion.town == town_id)).run()
    by_id = {r["id"]: r["content"] for r in rows}
    return [by_id[i] for i in dict.fromkeys(suggestion_ids) if i in by_id]


async def candidates_for_list(town_id: int, *, picked: list[int] | None = None, limit: int = 200) -> list[dict]:
    """Suggestions a council may turn into wish-list items: the street's open cases (merged ones
    are answered through their primary), graded A first, then by supporters, then oldest first;
    the first `limit` of them. `picked` ones are always included, so a form shown again keeps
    them ticked. A street has hundreds of open cases at most: they are ranked here, in full."""
    columns = (Suggestion.id, Suggestion.tracking_code, Suggestion.content, Suggestion.status, Suggestion.grade,
               Suggestion.supporters, Suggestion.received_on, Suggestion.community.name.as_alias("community_name"),
               Suggestion.category.name.as_alias("category_name"))
    rows = await Suggestion.select(*columns).where(
        (Suggestion.town == town_id) & Suggestion.merged_into.is_null()
        & Suggestion.status.is_in([s.value for s in OPEN_STATUSES])).run()
    rank = {"A": 0, "B": 1, "C": 2}
    rows.sort(key=lambda r: (rank.get(r["grade"], 3), -r["supporters"], r["received_on"], r["id"]))
    rows = rows[:limit]
    missing = sorted(set(picked or []) - {r["id"] for r in rows})
    if missing:
        rows += await Suggestion.select(*columns).where(
            Suggestion.id.is_in(missing) & (Suggestion.town == town_id)).order_by(Suggestion.id).run()
    for r in rows:
        r["display_code"] = rules.display_code(r["tracking_code"])
    return rows
