"""The APScheduler loop that runs every job in bot.jobs.JOBS."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.installations import team_clients
from bot.jobs import JOBS, Job, JobContext
from bot.metrics import Metrics

logger = logging.getLogger(__name__)

# A tick missed while the process was busy or asleep is run once, late, not once per miss;
# one instance per job at a time, so a slow pass is never overlapped by the next.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}


def _run_job(
    job: Job,
    settings: Settings,
    session_factory: sessionmaker[Session],
    client: WebClient,
    clock: Callable[[], datetime],
    metrics: Metrics | None = None,
) -> None:
    context = JobContext(
        settings=settings,
        session_factory=session_factory,
        client=client,
        now=clock(),
        client_for=team_clients(settings, session_factory.kw["bind"]),
        metrics=metrics,
    )
    started = time.perf_counter()
    try:
        job.run(context)
    except Exception:
        if metrics is not None:
            metrics.job(job.name, time.perf_counter() - started, failed=True)
        raise
    seconds = time.perf_counter() - started
    if metrics is not None:
        metrics.job(job.name, seconds)
    logger.debug("job %s finished in %.3fs", job.name, seconds)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def build_scheduler(
    settings: Settings,
    session_factory: sessionmaker[Session],
    client: WebClient,
    metrics: Metrics | None = None,
) -> BackgroundScheduler:
    """A background scheduler with every job added (not started), on the real clock."""
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
    clock = _utc_now
    for job in JOBS:
        scheduler.add_job(
            _run_job,
            "interval",
            seconds=job.every_seconds,
            id=job.name,
            args=[job, settings, session_factory, client, clock, metrics],
        )
    return scheduler


def run_once(
    settings: Settings,
    session_factory: sessionmaker[Session],
    client: WebClient,
    *,
    jobs: tuple[Job, ...] = JOBS,
    clock: Callable[[], datetime] = _utc_now,
    metrics: Metrics | None = None,
) -> list[str]:
    """One pass of every job, in order; returns the names of the jobs run."""
    for job in jobs:
        _run_job(job, settings, session_factory, client, clock, metrics)
    return [job.name for job in jobs]
