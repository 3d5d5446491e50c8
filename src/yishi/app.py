"""The Litestar application: create_app(settings) wires every domain's routes."""
from __future__ import annotations

import gc
import hashlib
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, get
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine as Jinja
from litestar.response import Redirect, Template
from litestar.security.session_auth import SessionAuth
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from yishi.ballots import lifecycle
from yishi.ballots import results as ballot_results
from yishi.config import Settings, load_settings
from yishi.core import db as core_db
from yishi.core.limits import AttemptLimiter, DatabaseStore, GrowingDelay
from yishi.core.security import configure_hasher
from yishi.core.templating import configure as configure_jinja
from yishi.suggestions import privacy as suggestion_privacy
from yishi.web.accounts import AuthController, PasswordController, first_password_change
from yishi.web.csrf import CSRFMiddleware
from yishi.web.deps import PathIdsMiddleware, session_user
from yishi.web.district.case_ranking import CaseRankingController
from yishi.web.district.case_rates import CaseRatesController
from yishi.web.district.dashboard import DashboardController
from yishi.web.district.desk import DistrictDeskController, RoundWorkController
from yishi.web.district.lists import DashboardListsController
from yishi.web.errors import EXCEPTION_HANDLERS
from yishi.web.forms import FormRequest
from yishi.web.guards import PUBLIC
from yishi.web.headers import add_security_headers
from yishi.web.help import HelpController
from yishi.web.landing import landing_for
from yishi.web.language import LocaleMiddleware, switch_language
from yishi.web.resident.callback import CallbackController
from yishi.web.resident.projects import PublicProjectController
from yishi.web.resident.rate import RateController
from yishi.web.resident.results import PublicResultsController, RoundDataController
from yishi.web.resident.suggest import PublicSuggestionController
from yishi.web.resident.vote import VoteController
from yishi.web.staff.ballots import BallotStaffController, import_pb_upload
from yishi.web.staff.callbacks import CallbackController as CaseCallbackController
from yishi.web.staff.cases import CaseController
from yishi.web.staff.consult import ConsultController, OpinionController
from yishi.web.staff.council import CouncilController, DecisionController
from yishi.web.staff.evaluation import EvaluationController
from yishi.web.staff.meetings import MeetingController
from yishi.web.staff.paper import PaperController
from yishi.web.staff.project_review import ReviewController
from yishi.web.staff.projects import ProjectController
from yishi.web.staff.pulse import PulseController
from yishi.web.staff.rounds import RoundController
from yishi.web.staff.suggestions import SuggestionController
from yishi.web.staff.suggestions_manage import SuggestionManageController
from yishi.web.staff.supervision import SupervisionController
from yishi.web.staff.units import UnitController
from yishi.web.staff.users import UserAdminController


async def retrieve_user(session: dict[str, Any], connection: ASGIConnection) -> Any:
    return await session_user(session)


@get("/", opt={"exclude_from_auth": True, **PUBLIC}, name="home")
async def home(request: Request) -> Template | Redirect:
    if request.session.get("uid"):
        user = await retrieve_user(request.session, request)
        return Redirect(await landing_for(user) if user else "/login")
    # The published results of closed rounds, for residents to find without a link.
    return Template("home.html", context={"published": await ballot_results.published_rounds()})


@get("/healthz", opt={"exclude_from_auth": True, **PUBLIC}, media_type="text/plain")
async def healthz() -> str:
    return "ok"


def shared_store(settings: Settings) -> Any:
    """The database, or Redis/Valkey when YISHI_STORE_URL names one (web.stores)."""
    if settings.store_url:
        from yishi.web.stores import RedisStateStore  # noqa: PLC0415 — needs the redis package, only then

        return RedisStateStore(settings.store_url)
    return DatabaseStore()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()
    configure_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)
    suggestion_privacy.configure(settings.secret_key)
    engine = core_db.configure(settings.database_url)
    key = hashlib.sha256(settings.secret_key.encode()).digest()

    session_auth = SessionAuth[Any, Any](
        retrieve_user_handler=retrieve_user,
        session_backend_config=CookieBackendConfig(
            secret=key, httponly=True, samesite="lax", secure=settings.secure_cookies,
            max_age=12 * 3600, key="yishi_session",
        ),
    )

    def jinja_setup(engine_: Jinja) -> None:
        configure_jinja(engine_.engine)
        # Templates ship with the code: checking each file's mtime on every render is wasted I/O.
        engine_.engine.auto_reload = settings.reload_templates

    async def on_startup(app: Litestar) -> None:
        await core_db.start(engine)
        # Closes rounds whose closing time has passed, every ~30 s (ballots.lifecycle).
        app.state.round_closer = lifecycle.start_closer()
        # Everything built so far (routes, templates, tables) lives as long as the process: keep
        # it out of the cyclic garbage collector's full passes, which otherwise walk all of it
        # again and again while requests come in. Once per process (tests start many apps,
        # whose leftovers must stay collectable).
        if not gc.get_freeze_count():
            gc.collect()
            gc.freeze()

    async def on_shutdown(app: Litestar) -> None:
        await lifecycle.stop_closer(app.state.pop("round_closer", None))
        if hasattr(app.state.shared_store, "close"):
            await app.state.shared_store.close()
        await core_db.stop(engine)

    app = Litestar(
        route_handlers=[
            home,
            healthz,
            switch_language,
            HelpController,
            AuthController,
            PasswordController,
            UserAdminController,
            RoundController,
            BallotStaffController,
            import_pb_upload,
            VoteController,
            PaperController,
            RoundDataController,
            PublicResultsController,
            DecisionController,
            CouncilController,
            MeetingController,
            RoundWorkController,
            DistrictDeskController,
            CaseRatesController,
            CaseRankingController,
            PublicSuggestionController,
            CallbackController,
            SuggestionController,
            PulseController,
            SuggestionManageController,
            ProjectController,
            CaseController,
            CaseCallbackController,
            ConsultController,
            OpinionController,
            ReviewController,
            UnitController,
            SupervisionController,
            PublicProjectController,
            RateController,
            EvaluationController,
            DashboardController,
            DashboardListsController,
            # Static files need neither the login nor the session (an opt, not a path pattern
            # that every request would be matched against).
            create_static_files_router(path="/static", directories=[settings.static_dir],
                                       opt={"exclude_from_auth": True, "skip_session": True, **PUBLIC}),
        ],
        template_config=TemplateConfig(directory=Path(settings.templates_dir), engine=Jinja,
                                       engine_callback=jinja_setup),
        # CSRF on every route: Litestar's CSRFMiddleware (web.csrf: refusing a token that is not
        # ASCII text with its 403, not a 500), inside the session and login as Litestar's own would be.
        # LocaleMiddleware: the request's language (web.language) for its page, fragment or error.
        middleware=[LocaleMiddleware, PathIdsMiddleware, DefineMiddleware(CSRFMiddleware, config=CSRFConfig(
            secret=settings.secret_key, cookie_httponly=False, cookie_samesite="lax",
            cookie_secure=settings.secure_cookies))],
        request_class=FormRequest,  # forms read without NUL characters (web.forms)
        plugins=[HTMXPlugin()],
        on_app_init=[session_auth.on_app_init],
        on_startup=[on_startup],
        # A one-time password (a reset, a new account) must be changed before any other page.
        before_request=first_password_change,
        on_shutdown=[on_shutdown],
        before_send=[add_security_headers],
        exception_handlers=EXCEPTION_HANDLERS,
        # No OpenAPI pages: every route is an HTML page or a file, not an API to document.
        openapi_config=None,
        debug=False,
    )
    app.state.settings = settings
    # Every count a limit keeps lives in the shared store, so N processes limit as one.
    store = app.state.shared_store = shared_store(settings)
    app.state.login_limiter = AttemptLimiter(store, "login.address", settings.login_attempts,
                                             settings.login_window_seconds)
    app.state.account_limiter = GrowingDelay(store, "login.account", settings.account_free_failures,
                                             settings.account_first_delay, settings.account_max_delay)
    return app
