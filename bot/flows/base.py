"""What every flow does the same way: a transaction, once per form when asked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.services.idempotency import claim_once


class AlreadyDone(Exception):
    """This form or event was handled the first time it arrived: nothing more to do."""


@contextmanager
def transaction(deps: Deps, *, once: str | None = None, team_id: str = "") -> Iterator[Session]:
    """One transaction; with `once`, the first caller with that key does the work and later
    ones get AlreadyDone (the claim commits or rolls back with the work)."""
    with deps.session_factory.begin() as db_session:
        if once is not None:
            claim(deps, db_session, once=once, team_id=team_id)
        yield db_session


def claim(deps: Deps, db_session: Session, *, once: str, team_id: str) -> None:
    """Claim `once` in this transaction (after checks that may refuse the request without
    using it up); AlreadyDone when an earlier request claimed it."""
    if not claim_once(db_session, key=once, team_id=team_id, now=deps.clock()):
        raise AlreadyDone
