"""Small persistence helpers shared by the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def get_or_create(
    db_session: Session, *, find: Callable[[], T | None], create: Callable[[], T]
) -> tuple[T, bool]:
    """Find a row or insert it; a concurrent insert of the same unique row wins and is returned.

    The insert runs in a savepoint so losing the race rolls back only the insert, not the caller's
    transaction.
    """
    found = find()
    if found is not None:
        return found, False
    try:
        with db_session.begin_nested():
            row = create()
            db_session.add(row)
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found, False
    return row, True
