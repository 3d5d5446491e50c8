"""What must happen on a schedule, one pass per call: `yishi periodic`, which cron or a systemd
timer runs every few minutes (README, "定时任务"). Later the delivery reminders join it.

Every step is a conditional change in the database, so two passes at once (two timers, a slow
pass overlapping the next, several machines) do each thing once: a due round goes from voting to
counted in one transaction (ballots.lifecycle.count_round), and a suggestion's personal data is
cleared only while it is still there (suggestions.retention.purge_personal_data). The server
also ends due rounds by itself (ballots.lifecycle.start_closer), so a site without the timer, the
demo among them, still closes its rounds on time; the timer is what purges."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from yishi.ballots import lifecycle
from yishi.suggestions import retention


@dataclass(frozen=True)
class Pass:
    closed_rounds: list[int]  # the rounds this pass counted (another pass's are not here)
    purged: int  # suggestions whose personal data this pass cleared
    retention_days: int = retention.RETENTION_DAYS


async def run_once(now: datetime | None = None) -> Pass:
    closed = await lifecycle.close_due_rounds(now)
    purged = await retention.purge_personal_data(older_than_days=retention.RETENTION_DAYS, now=now)
    return Pass(closed, purged)
