from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, str_enum
from models.enums import OutboxState


class OutboxMessage(Timestamps, Base):
    """A DM the scheduler decided to send: rendered and sent by the dispatcher when due.

    `dedupe_key` is unique, so deciding twice (two schedulers, a re-run job) never queues a
    message twice; `payload` is data, rendered into blocks only when sent.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_due_at", "state", "due_at"),
        # The one-message-a-second rule looks up a channel's recent sends on every claim.
        Index("ix_outbox_channel_state", "channel", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    # A Slack user ID (a DM) or a conversation ID.
    channel: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime]
    state: Mapped[OutboxState] = mapped_column(str_enum(OutboxState), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # While SENDING: when the claim lapses (a dispatcher that died mid-send).
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    message_ts: Mapped[str | None] = mapped_column(String(32))
    pair_id: Mapped[int | None] = mapped_column(
        ForeignKey("pairs.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentoring_sessions.id", ondelete="CASCADE"), index=True
    )
    # The round of matching whose publishing queued it (introductions, unmatched notes): its
    # progress is counted from these rows. No foreign key: rows go with their workspace, and
    # SQLite cannot add one to an existing table.
    round_id: Mapped[int | None] = mapped_column(Integer, index=True)
