"""The hub pages (the round page, the round's council work, the council page) show every meeting
of a round or council: their database queries must not grow with the number of meetings."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from tests import factories as f
from tests.meetings import setup
from yishi.meetings import meeting
from yishi.meetings.enums import MeetingStep
from yishi.wishlists.tables import Round


@contextmanager
def counting_queries():
    """Counts the statements Piccolo sends to the database while the block runs."""
    engine = Round._meta.db
    seen = []
    original = engine.run_querystring

    async def counted(querystring, *args, **kwargs):
        seen.append(str(querystring))
        return await original(querystring, *args, **kwargs)

    engine.run_querystring = counted
    try:
        yield seen
    finally:
        del engine.run_querystring


async def _round_with_meetings(n: int):
    places, convener, r, _ids = await setup.counted_round()
    council_id, _members = await setup.council(places)
    for i in range(n):
        await meeting.create_meeting(council_id, step=MeetingStep.decide, title=f"民主议事会{i + 1}",
                                     held_at=datetime(2026, 3, 12 + i, 6, 30, tzinfo=UTC),
                                     place="党群服务中心", round_id=r.id, actor=convener)
    return convener, r


@pytest.mark.parametrize("page", ["/rounds/{id}", "/rounds/{id}/council-work", "/council"])
async def test_hub_page_queries_do_not_grow_with_its_meetings(client, page):
    counts = []
    for n in (1, 3):
        convener, r = await _round_with_meetings(n)
        await f.login(client, convener.username)
        with counting_queries() as seen:
            response = await client.get(page.format(id=r.id))
        assert response.status_code == 200
        assert response.text.count("民主议事会") >= n
        counts.append(len(seen))
        await client.post("/logout", data={"_csrf_token": f.csrf_from(response.text)})
    assert counts[0] == counts[1], counts
