"""HTML -> PDF with WeasyPrint, with a CJK font embedded (Noto CJK, OFL)."""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import anyio.to_thread

from yishi.core.templating import make_environment
from yishi.paths import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"


@lru_cache(maxsize=1)
def _environment():
    return make_environment(TEMPLATES)


def render_pdf_sync(template: str, **context: Any) -> bytes:
    # Imported here: WeasyPrint loads pango at import, which pages that never print need not pay.
    from weasyprint import HTML  # noqa: PLC0415 — start-up cost (pango)
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 — start-up cost (pango)

    html = _environment().get_template(template).render(**context)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf(font_config=FontConfiguration())


async def render_pdf(template: str, **context: Any) -> bytes:
    """Layout and font subsetting take a second or more of CPU: keep them off the event loop."""
    return await anyio.to_thread.run_sync(lambda: render_pdf_sync(template, **context))


logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)
