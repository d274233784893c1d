"""Acting once on a Slack delivery that may arrive twice (event retries, double submissions)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models import ProcessedRequest

KEEP_FOR = timedelta(days=7)  # Slack retries within minutes; a week is plenty


def claim_once(db_session: Session, *, key: str, team_id: str, now: datetime) -> bool:
    """True the first time `key` is claimed; False if an earlier delivery already claimed it.

    The claim commits or rolls back with the caller's transaction, so an effect that fails
    leaves the key free for Slack's retry.
    """
    row = {"key": key, "team_id": team_id, "created_at": now}
    # One statement, since a claim is made on every submission. The app runs on SQLite or
    # Postgres only, and both say ON CONFLICT the same way.
    insert = sqlite.insert if db_session.get_bind().dialect.name == "sqlite" else postgresql.insert
    # RETURNING, not rowcount: the ORM's insert path reports no row count on every driver.
    claimed = db_session.scalar(
        insert(ProcessedRequest)
        .values(row)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(ProcessedRequest.key)
    )
    return claimed is not None


def forget_old_claims(db_session: Session, *, now: datetime) -> int:
    """Delete claims older than a week; returns how many."""
    result = db_session.execute(
        delete(ProcessedRequest).where(ProcessedRequest.created_at < now - KEEP_FOR)
    )
    return int(getattr(result, "rowcount", 0) or 0)
