"""A table that scrolls sideways must be reachable by keyboard (axe: scrollable-region-focusable):
its scrolling box is focusable and named. Found in the walk (issue 13) on the paper-ballot, the
statistics and the district statistics pages; checked here over the templates those pages use."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SCROLLING = re.compile(r'<div[^>]*(?:class="table-(?:scroll|wrap)"|overflow-x)[^>]*>')
FOUND_IN_THE_WALK = ["ballots/paper.html", "suggestions/stats.html", "evaluation/dashboard.html", "accounts/user.html"]
# And every other template with such a box: axe found the evaluation pages' tables once it ran
# over every page (tests/e2e/test_page_walk.py), so a new page is held to it too.
PAGES = sorted({*FOUND_IN_THE_WALK, *(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                                      if SCROLLING.search(p.read_text(encoding="utf-8")))})


@pytest.mark.parametrize("page", PAGES)
def test_sideways_scrolling_tables_are_focusable_regions_with_a_name(page):
    boxes = SCROLLING.findall((TEMPLATES / page).read_text(encoding="utf-8"))
    assert boxes, page
    for box in boxes:
        assert 'tabindex="0"' in box and 'role="region"' in box and "aria-label=" in box, box
