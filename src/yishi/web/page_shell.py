"""PageShell: a page rendered once and served by joining strings, for the ballot page's hot path.
It needs Litestar's request state for the CSRF token, so it lives in the web layer, not in core."""
from __future__ import annotations

import re
from types import SimpleNamespace

from jinja2 import Environment
from litestar.utils.scope.state import CONNECTION_STATE_KEY, ScopeState
from markupsafe import escape

from yishi.core.i18n import get_locale


class PageShell:
    """A page that is the same for every request but for a few strings (its "holes"), for a hot
    path: rendered once through the app's environment with a marker in each hole, then served by
    joining strings, which costs a few microseconds instead of a Jinja render.

    `csrf_token` is always a hole (base.html carries the token for htmx); the other holes are
    named at construction. Nothing else of the request may show on the page: it is rendered for an
    anonymous visitor (no user) with a stand-in request, and the tests compare it with a normal
    render. With `auto_reload` on (YISHI_RELOAD_TEMPLATES) it renders every time."""

    def __init__(self, template_name: str, holes: tuple[str, ...], context: dict | None = None) -> None:
        self.template_name = template_name
        self.holes = holes
        self.context = dict(context or {})
        self._env: Environment | None = None
        # per language (the page is built in each once): the fixed parts, encoded, and the holes'
        # names between them (one name fewer than parts)
        self._parts: dict[str, tuple[list[bytes], list[str]]] = {}
        self._escape = True

    def _build(self, env: Environment) -> tuple[list[bytes], list[str]]:
        def marker(name: str) -> str:
            return f"\x00{name}\x00"

        state = ScopeState()  # where Litestar's csrf_token() reads the token (ScopeState.from_scope)
        state.csrf_token = marker("csrf_token")
        scope = {"type": "http", "path": "/", "state": {CONNECTION_STATE_KEY: state}}
        request = SimpleNamespace(scope=scope, url=SimpleNamespace(path="/"))
        html = env.get_template(self.template_name).render(
            **self.context, **{name: marker(name) for name in self.holes}, request=request,
            csrf_input=f'<input type="hidden" name="_csrf_token" value="{marker("csrf_token")}" />')
        parts = re.split(r"\x00(\w+)\x00", html)
        names = set(parts[1::2])
        if "\x00" in "".join(parts[::2]) or not names <= {"csrf_token", *self.holes} \
                or not set(self.holes) <= names:
            raise ValueError(f"{self.template_name}: a hole is missing or altered by the template")
        autoescape = env.autoescape
        self._escape = bool(autoescape(self.template_name) if callable(autoescape) else autoescape)
        # The fixed parts encoded once; the holes' names stay str.
        return [p.encode() for p in parts[::2]], parts[1::2]

    def render(self, env: Environment, csrf_token: str, **values: str) -> bytes:
        """The page (UTF-8) with these values in its holes, escaped as the template would."""
        locale = get_locale()
        if self._env is not env or env.auto_reload:
            self._parts, self._env = {}, env
        if locale not in self._parts:
            self._parts[locale] = self._build(env)
        fixed, holes = self._parts[locale]
        values["csrf_token"] = csrf_token
        filled = {name: (str(escape(value)) if self._escape else value).encode() for name, value in values.items()}
        out = [fixed[0]]
        for name, after in zip(holes, fixed[1:], strict=True):
            out += (filled[name], after)
        return b"".join(out)
