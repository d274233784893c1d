"""Whether the request being answered has saved a change yet, so that an apology never says
"nothing was changed" when something was.

Each Slack request gets a fresh record (set by a middleware, on the request's thread; its
listeners run in a copy of that context and share the record). A session that
commits after writing anything marks it. Jobs and other work outside a request mark nothing.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltResponse
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

WROTE = "mentorbot_wrote"


@dataclass
class RequestChanges:
    saved: bool = False


CURRENT: contextvars.ContextVar[RequestChanges | None] = contextvars.ContextVar(
    "mentorbot_request_changes", default=None
)


def saved() -> bool:
    """True once the current request committed a change."""
    changes = CURRENT.get()
    return changes is not None and changes.saved


def _flushed(session: Session, _context: Any) -> None:
    session.info[WROTE] = True


def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


def _committed(session: Session) -> None:
    if session.info.pop(WROTE, False) and (changes := CURRENT.get()) is not None:
        changes.saved = True


def _rolled_back(session: Session) -> None:
    session.info.pop(WROTE, None)


_LISTENERS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("after_flush", _flushed),
    ("do_orm_execute", _executed),
    ("after_commit", _committed),
    ("after_rollback", _rolled_back),
)


def register(app: App) -> None:
    """Track commits (once per process) and give each request its record."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

    @app.middleware
    def track_changes(next: Callable[[], BoltResponse]) -> BoltResponse:
        # Not reset on the way out: Bolt calls its middleware one after the other, not nested,
        # and hands the listener over (with a copy of this context) after the last. The next
        # request on this thread replaces the record.
        CURRENT.set(RequestChanges())
        return next()
