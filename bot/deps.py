"""What flows, handlers and jobs share: settings, the database, the clock, and the app's
long-lived helpers (who is an admin, the background and later lanes, the poll-message
writer)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.slack.users import RecentAdmins
from models.db import make_reader_factory

if TYPE_CHECKING:
    from bot.flows.poll_messages import PollMessages


def utc_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    session_factory: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=utc_clock)
    admins: RecentAdmins = field(default_factory=RecentAdmins)
    # Where work that outlives its request runs (matching solves): not a listener's thread.
    background: Executor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=2))
    # Where what a listener leaves after its answer, and that can wait, runs (bot.acks).
    later: Executor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=4))
    # Keeps each poll's message in step with its counts (one per process).
    poll_messages: PollMessages | None = None

    @cached_property
    def readers(self) -> sessionmaker[Session]:
        """Sessions for work that only reads; see models.db.make_reader_factory."""
        return make_reader_factory(self.session_factory)

    @staticmethod
    def of(context: Any) -> Deps:
        """The app's Deps, as the injecting middleware put them on a request's context."""
        found = context["deps"]
        assert isinstance(found, Deps)
        return found
