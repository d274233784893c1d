"""Scheduled jobs: thin functions that open their own transaction and call services with `now`.

Every job is listed in `JOBS`; the in-process scheduler runs each on its interval, and
`mentorbot jobs run-once` runs each once (for cron-style deployments).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings


@dataclass(frozen=True)
class JobContext:
    settings: Settings
    session_factory: sessionmaker[Session]
    client: WebClient
    now: datetime


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    run: Callable[[JobContext], None]


# Filled in by the features that schedule work (reminders, check-ins, surveys, the dispatcher).
JOBS: tuple[Job, ...] = ()
