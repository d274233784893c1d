"""Scheduled jobs: thin functions that open their own transaction and call services with `now`.

Every job is listed in `JOBS`; the in-process scheduler runs each on its interval, and
`mentorbot jobs run-once` runs each once (for cron-style deployments).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.deps import Deps

if TYPE_CHECKING:
    from bot.metrics import Metrics


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    session_factory: sessionmaker[Session]
    client: WebClient
    now: datetime
    # With many workspaces, each one's client (None where the app is not installed).
    client_for: Callable[[str], WebClient | None] | None = None
    # Where jobs record what they did (the dispatcher: each message's outcome); None: nowhere.
    metrics: Metrics | None = None

    def client_of(self, team_id: str) -> WebClient | None:
        return self.client_for(team_id) if self.client_for is not None else self.client

    def deps(self) -> Deps:
        """What flows need, on this pass's clock."""
        now = self.now
        return Deps(settings=self.settings, session_factory=self.session_factory, clock=lambda: now)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[JobContext], None]


def _all_jobs() -> tuple[Job, ...]:
    # Imported here: job modules import JobContext from this module.
    from bot.jobs.closing import close_ended_programs
    from bot.jobs.digests import queue_digests
    from bot.jobs.dispatcher import dispatch_outbox
    from bot.jobs.maintenance import purge_processed_requests
    from bot.jobs.pair_health import close_missed, watch_silent_pairs
    from bot.jobs.retention import purge_uninstalled
    from bot.jobs.rounds import show_publishing_progress
    from bot.jobs.surveys import queue_surveys

    # The dispatcher runs last but one so that `jobs run-once` also sends what the others
    # queued; publishing's progress is shown after it.
    return (
        Job("purge_processed_requests", 6 * 3600, purge_processed_requests),
        Job("close_missed_sessions", 15 * 60, close_missed),
        # Before the pair jobs: a pair completed here is never nudged, flagged or surveyed again.
        Job("close_ended_programs", 15 * 60, close_ended_programs),
        Job("watch_silent_pairs", 3600, watch_silent_pairs),
        Job("queue_surveys", 3600, queue_surveys),
        Job("queue_digests", 1800, queue_digests),
        Job("purge_uninstalled_workspaces", 6 * 3600, purge_uninstalled),
        Job("dispatch_outbox", 5, dispatch_outbox),
        Job("show_publishing_progress", 5, show_publishing_progress),
    )


JOBS: tuple[Job, ...] = _all_jobs()
