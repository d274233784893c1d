"""The outbox: every DM the scheduler causes is a row first, sent later by the dispatcher.

A row's unique `dedupe_key` makes deciding twice harmless; claiming under a lease (and
`FOR UPDATE SKIP LOCKED` on Postgres) lets any number of dispatchers drain it without sending
a row twice, and a dispatcher that dies mid-send leaves a claim that lapses and is taken again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import OutboxMessage, Pair
from models.enums import OutboxState

LEASE = timedelta(seconds=60)  # a claim older than this belongs to a dispatcher that died
CHANNEL_GAP = timedelta(seconds=1)  # never more than one message a second to one channel
MAX_ATTEMPTS = 8  # transient failures (5xx, timeouts) before giving up
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=30)
ENQUEUE_CHUNK = 1000  # rows a statement when many messages are queued at once
# Slack errors that retrying cannot fix: the row fails and its pair is flagged.
PERMANENT_ERRORS = frozenset(
    {"user_not_found", "account_inactive", "cannot_dm_bot", "channel_not_found", "is_archived"}
)


def enqueue(
    db_session: Session,
    *,
    team_id: str,
    dedupe_key: str,
    kind: str,
    channel: str,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
    pair_id: int | None = None,
    session_id: int | None = None,
    round_id: int | None = None,
) -> bool:
    """Queue a message unless one with this key exists already; True if this call queued it."""
    values = {
        "team_id": team_id,
        "dedupe_key": dedupe_key,
        "kind": kind,
        "channel": channel,
        "payload": payload,
        "due_at": due_at,
        "state": OutboxState.PENDING,
        "attempts": 0,
        "pair_id": pair_id,
        "session_id": session_id,
        "round_id": round_id,
        "created_at": now,
        "updated_at": now,
    }
    dialect = db_session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    # RETURNING, not rowcount: drivers disagree on rowcount for a skipped conflict.
    return db_session.execute(statement).first() is not None


@dataclass(frozen=True)
class Queued:
    """A message to queue with `enqueue_many` (the arguments of `enqueue`, as data)."""

    dedupe_key: str
    kind: str
    channel: str
    payload: dict[str, Any]
    pair_id: int | None = None
    round_id: int | None = None


def enqueue_many(
    db_session: Session,
    *,
    team_id: str,
    messages: Sequence[Queued],
    due_at: datetime,
    now: datetime,
) -> None:
    """Queue many messages in few statements; one whose key exists already is left as it is."""
    if not messages:
        return
    dialect = db_session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [
        {
            "team_id": team_id,
            "dedupe_key": m.dedupe_key,
            "kind": m.kind,
            "channel": m.channel,
            "payload": m.payload,
            "due_at": due_at,
            "state": OutboxState.PENDING,
            "attempts": 0,
            "pair_id": m.pair_id,
            "session_id": None,
            "round_id": m.round_id,
            "created_at": now,
            "updated_at": now,
        }
        for m in messages
    ]
    statement = insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])
    for start in range(0, len(rows), ENQUEUE_CHUNK):
        db_session.execute(statement, rows[start : start + ENQUEUE_CHUNK])


def cancel_pending_for_pair(
    db_session: Session, *, pair_id: int, now: datetime, keep: Sequence[str] = ()
) -> int:
    """Withdraw every unsent message about a pair that has ended, but those whose dedupe keys
    are in `keep` (what may still reach it)."""
    result = db_session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.pair_id == pair_id,
            OutboxMessage.state == OutboxState.PENDING,
            OutboxMessage.dedupe_key.not_in(keep),
        )
        .values(state=OutboxState.CANCELLED, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0))


def cancel_pending(db_session: Session, *, session_id: int, now: datetime) -> int:
    """Withdraw every unsent message about a session (it was cancelled or moved)."""
    result = db_session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.session_id == session_id,
            OutboxMessage.state == OutboxState.PENDING,
        )
        .values(state=OutboxState.CANCELLED, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0))


def cancel_pending_of_kind(
    db_session: Session, *, kind: str, channels: Sequence[str], now: datetime
) -> int:
    """Withdraw the unsent messages of one kind to these channels (they no longer apply)."""
    result = db_session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == kind,
            OutboxMessage.channel.in_(channels),
            OutboxMessage.state == OutboxState.PENDING,
        )
        .values(state=OutboxState.CANCELLED, updated_at=now)
    )
    return int(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class Claimed:
    """A claimed row, detached from the session that claimed it."""

    id: int
    team_id: str
    kind: str
    channel: str
    payload: dict[str, Any]
    attempts: int
    pair_id: int | None
    session_id: int | None


def claim_due(
    db_session: Session, *, now: datetime, limit: int = 50, dedupe_key: str | None = None
) -> list[Claimed]:
    """Take up to `limit` due rows for sending (only the one with `dedupe_key`, if given): at
    most one per channel, none for a channel that was sent to within CHANNEL_GAP or has a live
    claim."""
    due = or_(
        and_(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.due_at <= now),
        and_(OutboxMessage.state == OutboxState.SENDING, OutboxMessage.lease_until <= now),
    )
    query = select(OutboxMessage).where(due)
    if dedupe_key is not None:
        query = query.where(OutboxMessage.dedupe_key == dedupe_key)
    rows = db_session.scalars(
        query.order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit * 4)
        .with_for_update(skip_locked=True)
    ).all()
    channels = {row.channel for row in rows}
    busy = _locked_elsewhere(db_session, channels=channels)
    busy |= _busy_channels(db_session, channels=channels - busy, now=now)
    claimed: list[Claimed] = []
    for row in rows:
        if row.channel in busy or len(claimed) >= limit:
            continue
        busy.add(row.channel)
        row.state, row.lease_until = OutboxState.SENDING, now + LEASE
        row.attempts += 1
        row.updated_at = now
        claimed.append(
            Claimed(
                row.id,
                row.team_id,
                row.kind,
                row.channel,
                dict(row.payload),
                row.attempts,
                row.pair_id,
                row.session_id,
            )
        )
    return claimed


def _locked_elsewhere(db_session: Session, *, channels: set[str]) -> set[str]:
    """Channels another dispatcher is claiming for right now (Postgres).

    Each claim takes a transaction-scoped advisory lock per channel *before* looking for the
    channel's recent sends, so two dispatchers never both see a channel as free: the second
    either finds the lock held or, once it is released, the first one's committed claim.
    """
    if not channels or db_session.get_bind().dialect.name != "postgresql":
        return set()
    ordered = sorted(channels)  # a fixed order, so two claims never wait on each other
    taken = db_session.execute(
        text(
            "SELECT c, pg_try_advisory_xact_lock(hashtext(c)) "
            "FROM unnest(CAST(:channels AS text[])) WITH ORDINALITY AS t(c, n) ORDER BY n"
        ),
        {"channels": ordered},
    ).all()
    return {channel for channel, locked in taken if not locked}


def _busy_channels(db_session: Session, *, channels: set[str], now: datetime) -> set[str]:
    if not channels:
        return set()
    recent = db_session.scalars(
        select(OutboxMessage.channel).where(
            OutboxMessage.channel.in_(channels),
            or_(
                and_(
                    OutboxMessage.state == OutboxState.SENT,
                    OutboxMessage.sent_at > now - CHANNEL_GAP,
                ),
                and_(
                    OutboxMessage.state == OutboxState.SENDING,
                    OutboxMessage.lease_until > now,
                ),
            ),
        )
    ).all()
    return set(recent)


def _row(db_session: Session, message_id: int) -> OutboxMessage:
    row = db_session.get(OutboxMessage, message_id, with_for_update=True)
    if row is None:
        raise LookupError(f"outbox row {message_id} is gone")
    return row


def mark_sent(
    db_session: Session, *, message_id: int, message_ts: str | None, now: datetime
) -> None:
    """Record a delivery."""
    row = _row(db_session, message_id)
    row.state, row.sent_at, row.message_ts = OutboxState.SENT, now, message_ts
    row.lease_until, row.last_error, row.updated_at = None, None, now


def mark_skipped(db_session: Session, *, message_id: int, reason: str, now: datetime) -> None:
    """The message is no longer wanted (e.g. its session was cancelled): never send it."""
    row = _row(db_session, message_id)
    row.state, row.last_error, row.lease_until, row.updated_at = (
        OutboxState.CANCELLED,
        reason,
        None,
        now,
    )


def mark_retry(
    db_session: Session,
    *,
    message_id: int,
    error: str,
    now: datetime,
    retry_after: timedelta | None = None,
) -> bool:
    """Put a row back for a later attempt: after Slack's Retry-After, or with backoff.

    Rate limits never use up attempts; other transient errors do, and after MAX_ATTEMPTS the
    row fails. Returns False when it failed for good.
    """
    row = _row(db_session, message_id)
    row.last_error, row.lease_until, row.updated_at = error, None, now
    if retry_after is not None:
        row.attempts = max(row.attempts - 1, 0)
        row.state, row.due_at = OutboxState.PENDING, now + retry_after
        return True
    if row.attempts >= MAX_ATTEMPTS:
        _fail(db_session, row, error, now)
        return False
    row.state = OutboxState.PENDING
    row.due_at = now + min(BACKOFF_BASE * 2 ** (row.attempts - 1), BACKOFF_CAP)
    return True


def release(db_session: Session, *, message_id: int, due_at: datetime, now: datetime) -> None:
    """Hand a claimed row back unsent, to be due at `due_at`; the claim used no attempt."""
    row = _row(db_session, message_id)
    row.state, row.due_at, row.lease_until, row.updated_at = (
        OutboxState.PENDING,
        due_at,
        None,
        now,
    )
    row.attempts = max(row.attempts - 1, 0)


def mark_failed(db_session: Session, *, message_id: int, error: str, now: datetime) -> None:
    """A permanent error: never retried; the pair is flagged so a coordinator can look."""
    _fail(db_session, _row(db_session, message_id), error, now)


def _fail(db_session: Session, row: OutboxMessage, error: str, now: datetime) -> None:
    row.state, row.last_error, row.lease_until, row.updated_at = (
        OutboxState.FAILED,
        error,
        None,
        now,
    )
    if row.pair_id is not None:
        pair = db_session.get(Pair, row.pair_id)
        if pair is not None:
            one_person = row.channel.startswith(("U", "W")) and "," not in row.channel
            pair.delivery_problem = f"{error} (<@{row.channel}>)" if one_person else error
            pair.updated_at = now


def pending(db_session: Session, *, session_id: int | None = None) -> Sequence[OutboxMessage]:
    """Unsent rows, oldest first (for the app's status views and tests)."""
    query = select(OutboxMessage).where(OutboxMessage.state == OutboxState.PENDING)
    if session_id is not None:
        query = query.where(OutboxMessage.session_id == session_id)
    return db_session.scalars(query.order_by(OutboxMessage.due_at, OutboxMessage.id)).all()


KEEP_FINISHED = timedelta(days=90)


def purge_finished(db_session: Session, *, now: datetime) -> int:
    """Forget rows sent, cancelled or failed more than KEEP_FINISHED ago (their dedupe keys
    can no longer be decided again: every key names a session version, a week or a pair)."""
    result = db_session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.state.in_((OutboxState.SENT, OutboxState.CANCELLED, OutboxState.FAILED)),
            OutboxMessage.updated_at < now - KEEP_FINISHED,
        )
    )
    return int(getattr(result, "rowcount", 0))
