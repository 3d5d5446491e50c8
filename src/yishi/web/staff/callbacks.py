"""回访 on the case page: the street's staff (and the district's, on a case sent up to it) ring
the resident and record what was said (满意 / 基本满意 / 不满意, the call's date), and the
resident's telephone number is shown in full for the call, each look on record
(suggestions.services.reveal_phone). The case page includes cases/_callback.html with `panel`;
a refused call form comes back on its own page (/cases/N/callback), so this module needs
nothing of web/staff/cases.py.

Who may see the full number: the street's staff as on the suggestion's page (its handler, or any
of them before one takes it), the clerk of the unit that owns the case (or holds it as 主办),
who may need to ring the resident to do the work, and the district on a case sent up to it,
which may record the call."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Template

from yishi.cases import permissions as cperm
from yishi.cases.rules import Actor
from yishi.core import dates
from yishi.core.errors import DomainError, Forbidden
from yishi.core.i18n import _, _l
from yishi.evaluation import callbacks
from yishi.evaluation.enums import Satisfaction
from yishi.suggestions import permissions as sperm
from yishi.suggestions import rules as srules
from yishi.suggestions import services as suggestions
from yishi.web import deps, forms, guards

CALL_BACK = guards.case_may(callbacks.can_call_back, _l(callbacks.CALL_BACK_REFUSED))


def may_unmask(user: Any, case: dict, suggestion: dict) -> bool:
    actor = cperm.actor_of(user, case["where"])
    if actor is Actor.lead_unit or (actor is Actor.district and callbacks.can_call_back(user, case)):
        return True
    return sperm.can_unmask_phone(user, case["town"], suggestion["handler"])


async def panel(user: Any, case: dict, *, phone: str | None = None) -> dict[str, Any]:
    """What the case page's 回访 part shows (cases/_callback.html): the state of the current
    answer's rating, the ratings so far, the phone (masked, or in full once asked for) and the
    call form for the street's staff."""
    st = await callbacks.status_of(case)
    s = await suggestions.get(case["suggestion"])
    can_call = callbacks.can_call_back(user, case)
    return {"cbk": {
        "status": st, "why": (w.message if (w := callbacks.refusal(st)) else ""),
        "ratings": await callbacks.ratings_of_case(case["id"]), "grades": list(Satisfaction),
        "can_call": can_call and st.state in (callbacks.OPEN, callbacks.EXPIRED),
        "can_unmask": may_unmask(user, case, s), "phone_masked": s["phone_masked"], "purged": s["purged_at"],
        "phone": phone, "today": dates.today().isoformat(),
        "min_day": st.answered_on.isoformat() if st.answered_on else "",
    }}


class CallbackController(Controller):
    path = "/cases"

    async def _page(self, request: Request, case: dict, *, status_code: int = 200, phone: str | None = None,
                    error: str | None = None, form: dict | None = None) -> Template:
        return Template("cases/callback.html", status_code=status_code, context={
            "c": case, "display_code": srules.display_code, "error": error, "form": form or {},
            **await panel(request.user, case, phone=phone)})

    @get("/{case_id:int}/callback", guards=[guards.VIEW_CASE], dependencies=deps.CASE)
    async def callback_page(self, request: Request, case: dict) -> Template:
        return await self._page(request, case)

    @post("/{case_id:int}/callback", guards=[guards.VIEW_CASE, CALL_BACK], dependencies=deps.CASE)
    async def record(self, request: Request, case: dict) -> Template | Redirect:
        form = await request.form()
        typed = {k: forms.text(form, k) for k in ("grade", "comment", "called_on")}
        try:
            called_on = forms.optional_date(form, "called_on", _("通话日期"))
            await callbacks.record_call(case["id"], typed["grade"], typed["comment"], called_on, actor=request.user)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            return await self._page(request, case, status_code=exc.status_code, error=exc.message, form=typed)
        return Redirect(f"/cases/{case['id']}?done=called#callback")

    @post("/{case_id:int}/phone", guards=[guards.VIEW_CASE], dependencies=deps.CASE)
    async def phone(self, request: HTMXRequest, case: dict) -> Template:
        s = await suggestions.get(case["suggestion"])
        if not may_unmask(request.user, case, s):
            raise Forbidden(_("只有办理这件工单的街道工作人员或承办单位经办人可以查看完整电话。"))
        number = await suggestions.reveal_phone(case["suggestion"], actor=request.user)
        if request.htmx:
            return HTMXTemplate(template_name="cases/_case_phone.html", context={
                "c": case, **await panel(request.user, case, phone=number)})
        return await self._page(request, case, phone=number)
