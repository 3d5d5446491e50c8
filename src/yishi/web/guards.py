"""Who may use each route, declared on the route as Litestar guards built from the domains' named
predicates (accounts.permissions, meetings.permissions, suggestions.permissions, ...).

Every route handler has a guard, or says in its opt that anyone may use it (PUBLIC);
tests/web/test_guards.py fails on a route that does neither. A guard that needs the object at
hand (the round, the meeting...) loads it through web.deps, which keeps it for the handler."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.ballots import permissions as bperm
from yishi.cases import permissions as cperm
from yishi.core.errors import Forbidden
from yishi.core.i18n import _, _l
from yishi.meetings import permissions as mperm
from yishi.projects import permissions as pperm
from yishi.projects.services import where_of
from yishi.pulse import permissions as pulseperm
from yishi.suggestions import permissions as sperm
from yishi.web import deps

if TYPE_CHECKING:
    from babel.support import LazyProxy

Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]

# opt of a route anyone may use, with no account (residents' pages, the login, static files).
PUBLIC = {"public": True}
# A controller of public pages (its class attributes are shared, so read-only): no sign-in, and public.
PUBLIC_PAGES = MappingProxyType({"exclude_from_auth": True, **PUBLIC})


def _refuse(message: LazyProxy | None) -> None:
    # message is a lazy string (the guards are built at import): translated here, per request.
    raise Forbidden(str(message) if message else _("您没有权限查看或操作此页面。"))


def user_may(allowed: Callable[[Any], bool], message: LazyProxy | None = None) -> Guard:
    """A predicate over the signed-in user alone."""
    async def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        if not allowed(connection.user):
            _refuse(message)
    guard.__qualname__ = f"user_may({getattr(allowed, '__name__', 'predicate')})"
    return guard


def _on(load: Callable[[ASGIConnection], Awaitable[Any]]) -> Callable[..., Guard]:
    def build(allowed: Callable[[Any, Any], bool], message: LazyProxy | None = None) -> Guard:
        async def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
            if not allowed(connection.user, await load(connection)):
                _refuse(message)
        return guard
    return build


round_may = _on(deps.load_round)
meeting_may = _on(deps.load_meeting)
suggestion_may = _on(deps.load_suggestion)
submission_may = _on(deps.load_submission_round)
project_may = _on(deps.load_project)
town_may = _on(deps.load_town)
case_may = _on(deps.load_case)
consult_may = _on(deps.load_consult)
district_may = _on(deps.load_district)


def has_town(user: Any) -> bool:
    return user is not None and user.town is not None


def signed_in(user: Any) -> bool:
    return user is not None


# --- rounds ---------------------------------------------------------------------------------
SIGNED_IN = user_may(signed_in, _l("请先登录。"))
CREATE_ROUND = user_may(perm.can_create_round)
VIEW_ROUND = round_may(lambda u, r: perm.can_view_round(u, r.town_id, r.district_id))
MANAGE_ROUND = round_may(lambda u, r: perm.can_manage_round(u, r.town_id))
EXPORT_ROUND = round_may(lambda u, r: perm.can_export_intent_list(u, r.town_id, r.district_id))
DECIDE_ROUND = round_may(lambda u, r: perm.can_record_decision(u, r.town_id),
                         _l("只有本镇（街道）议事组召集人可以记录议事决定。"))
SUBMIT_ROUND = round_may(lambda u, r: perm.can_view_round(u, r.town_id, r.district_id)
                         and mperm.can_submit(u, r.town_id),
                         _l("只有本镇（街道）工作人员或召集人可以报送或修改意愿清单。"))

# --- paper ballots --------------------------------------------------------------------------
PAPER_PAGE = round_may(lambda u, r: bperm.can_enter_paper(u, r.town_id) or perm.can_manage_round(u, r.town_id))
ENTER_PAPER = round_may(lambda u, r: bperm.can_enter_paper(u, r.town_id))
SUPERVISE_PAPER = round_may(lambda u, r: bperm.can_supervise_paper(u, r.town_id))

# --- the council and its meetings -----------------------------------------------------------
TOWN_COUNCIL = user_may(has_town, _l("您的账号没有所属镇（街道），无法查看议事组。"))
PLAN_MEETING = user_may(lambda u: has_town(u) and mperm.can_plan_meeting(u, u.town),
                        _l("只有本镇（街道）议事组召集人可以安排会议。"))
MANAGE_COUNCIL = user_may(lambda u: has_town(u) and mperm.can_manage_council(u, u.town),
                          _l("只有本镇（街道）工作人员或召集人可以管理议事组。"))
VIEW_MEETING = meeting_may(lambda u, m: mperm.can_view_meeting(u, m.town_id, m.district_id))
CHAIR_MEETING = meeting_may(lambda u, m: mperm.can_view_meeting(u, m.town_id, m.district_id)
                            and mperm.can_plan_meeting(u, m.town_id), _l("您没有权限进行这项会议操作。"))
RUN_MEETING = meeting_may(lambda u, m: mperm.can_view_meeting(u, m.town_id, m.district_id)
                          and mperm.can_run_meeting(u, m.town_id, m.status), _l("您没有权限进行这项会议操作。"))

# --- the district desk ----------------------------------------------------------------------
DISTRICT_DESK = user_may(lambda u: u.district is not None and mperm.can_view_desk(u, u.district),
                         _l("区级审核台只对区级审核人员开放。"))
VIEW_SUBMISSION = submission_may(lambda u, r: mperm.can_view_desk(u, r.district_id)
                                 or perm.can_view_round(u, r.town_id, r.district_id))
REVIEW_SUBMISSION = submission_may(lambda u, r: mperm.can_review(u, r.district_id),
                                   _l("只有区级审核人员可以审核意愿清单。"))

# --- residents' suggestions -----------------------------------------------------------------
SUGGESTIONS = user_may(lambda u: perm.role_of(u) in (Role.admin, Role.district_reviewer) or has_town(u),
                       _l("您的账号没有所属镇（街道），无法查看居民建议。"))
VIEW_SUGGESTION = suggestion_may(lambda u, s: sperm.can_view_suggestions(u, s["town"], s["district_id"]))
HANDLE_SUGGESTION = suggestion_may(lambda u, s: sperm.can_handle_suggestion(u, s["town"]),
                                   _l("只有本镇（街道）工作人员可以办理居民建议。"))
RECORD_SUGGESTIONS = user_may(lambda u: perm.role_of(u) in sperm.RECORDERS | {Role.admin},
                              _l("只有民情收集员和镇（街道）工作人员可以代居民录入建议。"))
UNMASK_PHONE = suggestion_may(lambda u, s: sperm.can_unmask_phone(u, s["town"], s["handler"]),
                              _l("只有办理这条建议的本镇（街道）工作人员可以查看完整电话。"))
# Points, deadlines and settings: the street's staff (the town is checked against the page's town
# in the handler) or an administrator.
TOWN_STAFF = user_may(lambda u: perm.is_admin(u) or perm.role_of(u) in perm.TOWN_STAFF)
CONFIGURE_CATEGORIES = user_may(sperm.can_configure_categories, _l("只有系统管理员可以修改建议类别。"))
PURGE_PERSONAL_DATA = user_may(sperm.can_purge_personal_data, _l("只有系统管理员可以清除个人信息。"))
ADMIN = user_may(perm.is_admin, _l("只有系统管理员可以进行这项操作。"))

# --- delivery (办实事) ------------------------------------------------------------------------
def sees_projects(user: Any) -> bool:
    """Who has a project list at all: the administrator, the district, a street's staff, a unit clerk."""
    role = perm.role_of(user)
    return (role is Role.admin or (role is Role.district_reviewer and user.district is not None)
            or (role in perm.TOWN_STAFF and user.town is not None)
            or (role is Role.unit_clerk and user.unit is not None))


PROJECTS = user_may(sees_projects, _l("您的账号不负责民生微事项目。"))
VIEW_PROJECT = project_may(lambda u, p: pperm.can_view_project(u, where_of(p)))
REPORT_PROJECT = project_may(lambda u, p: pperm.can_report(u, where_of(p)),
                             _l("只有本项目责任单位的经办人或本镇（街道）工作人员可以填报。"))
SUPERVISE_PROJECT = project_may(lambda u, p: pperm.can_supervise(u, where_of(p)),
                                _l("只有本镇（街道）工作人员可以进行这项操作。"))
DIRECT_PROJECT = project_may(lambda u, p: pperm.can_direct(u, where_of(p)),
                             _l("只有镇（街道）或区级调度人员可以进行这项操作。"))
VIEW_STREET = town_may(lambda u, t: pperm.can_view_street(u, t["id"], t["district"]))
VIEW_DISTRICT = district_may(lambda u, d: pperm.can_view_district(u, d["id"]), _l("区级月调度只对本区区级人员开放。"))
MANAGE_UNITS = user_may(pperm.can_manage_directory, _l("只有系统管理员可以维护单位名录。"))

# --- 接诉即办: cases dispatched to units ----------------------------------------------------------
CASES = user_may(cperm.has_case_list, _l("您的账号不负责派单或办理工单。"))
VIEW_CASE = case_may(lambda u, c: cperm.can_view_case(u, c["where"]), _l("这件工单不归您的单位或街道办理。"))
DISPATCH_SUGGESTION = suggestion_may(lambda u, s: cperm.can_dispatch_in(u, s["town"], s["district_id"]),
                                     _l("只有本镇（街道）工作人员或区级人员可以派单。"))
ESCALATE_SUGGESTION = suggestion_may(lambda u, s: sperm.can_handle_suggestion(u, s["town"]),
                                     _l("只有本镇（街道）工作人员可以提级。"))
CASE_CATALOG = user_may(lambda u: perm.is_admin(u) or (perm.role_of(u) is Role.district_reviewer
                                                       and u.district is not None),
                        _l("派单目录和办理时限由区级人员维护。"))
# 会商: a clerk sees only the meetings her unit was summoned to; a street its own; the district all.
VIEW_CONSULT = consult_may(lambda u, m: cperm.can_view_meeting(u, m["where"]), _l("您的单位或街道没有参加这次会商。"))
CALL_CONSULT = user_may(cperm.can_call_meeting, _l("只有街道工作人员和区级审核人员可以召集会商。"))

# --- 民情热度表 ----------------------------------------------------------------------------------
PULSE_STREET = town_may(lambda u, t: pulseperm.can_view_street(u, t["id"], t["district"]),
                        _l("只有本镇（街道）工作人员和区级审核人员可以查看民情热度表。"))
PULSE_DISTRICT = district_may(lambda u, d: pulseperm.can_view_district(u, d["id"]),
                              _l("全区民情热度表只对本区区级审核人员开放。"))
PULSE_RULE = district_may(lambda u, d: pulseperm.can_set_rule(u, d["id"]), _l("只有区级审核人员可以修改预警规则。"))

# --- 用户管理 -----------------------------------------------------------------------------------
account_may = _on(deps.load_account)
USER_ADMIN = user_may(perm.can_open_user_admin,
                      _l("只有系统管理员、镇（街道）工作人员和区级审核人员可以查看用户管理。"))
VIEW_ACCOUNT = account_may(lambda u, a: perm.can_view_account(u, a["role"], a["town"], a["district_of"]),
                           _l("您没有权限查看这个账号。"))
MANAGE_ACCOUNT = account_may(lambda u, a: perm.can_manage_account(u, a["role"], a["town"]),
                             _l("您只能管理本镇（街道）的议事组成员和民情收集员账号。"))
CREATE_ACCOUNTS = user_may(perm.can_create_accounts, _l("只有系统管理员和镇（街道）工作人员可以新建账号。"))
