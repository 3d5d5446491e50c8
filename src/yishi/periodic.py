"""What must happen on a schedule, one pass per call: `yishi periodic`, which cron or a systemd
timer runs every few minutes (README, "定时任务"). Later the delivery reminders join it.

Every step is a conditional change in the database, so two passes at once (two timers, a slow
pass overlapping the next, several machines) do each thing once: a due round goes from voting to
counted in one transaction (ballots.lifecycle.count_round), and a suggestion's personal data is
cleared only while it is still there (suggestions.retention.purge_personal_data). The server
also ends due rounds by itself (ballots.lifecycle.start_closer), so a site without the timer, the
demo among them, still closes its rounds on time; the timer is what purges, and what mixes the
ballots and ratings of rounds still being ticked or rated (ballots/mixing.py, evaluation/mixing.py:
two passes at once mix a round once, the second finds nothing new since the first's mix)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from yishi.ballots import lifecycle
from yishi.ballots import mixing as ballot_mixing
from yishi.evaluation import mixing as rating_mixing
from yishi.suggestions import retention


@dataclass(frozen=True)
class Pass:
    closed_rounds: list[int]  # the rounds this pass counted (another pass's are not here)
    purged: int  # suggestions whose personal data this pass cleared
    retention_days: int = retention.RETENTION_DAYS
    # {round id: rows mixed} for the rounds whose ballots, or ratings, this pass mixed (PostgreSQL
    # only; a round counted above was mixed by its count).
    mixed_ballots: dict[int, int] = field(default_factory=dict)
    mixed_ratings: dict[int, int] = field(default_factory=dict)


async def run_once(now: datetime | None = None) -> Pass:
    closed = await lifecycle.close_due_rounds(now)
    purged = await retention.purge_personal_data(older_than_days=retention.RETENTION_DAYS, now=now)
    return Pass(closed, purged, mixed_ballots=await ballot_mixing.mix_due(),
                mixed_ratings=await rating_mixing.mix_due())
