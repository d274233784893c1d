from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, str_enum
from models.enums import PollAnswer, PollStatus


class Poll(Timestamps, Base):
    """An interest poll posted to a channel; votes are counted, never shown by name."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("programs.id", ondelete="SET NULL"), index=True
    )
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[PollStatus] = mapped_column(str_enum(PollStatus), default=PollStatus.OPEN)
    created_by: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]


class PollVote(Timestamps, Base):
    """One person's answer to a poll; changing it updates this row."""

    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("poll_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), index=True)
    answer: Mapped[PollAnswer | None] = mapped_column(str_enum(PollAnswer))
    # When we DMed this person about the poll (an invitation or the explanation): once per poll.
    followed_up_at: Mapped[datetime | None]


class PollTopicVote(Base):
    """A topic someone said matters most to them; matching weights topics by these."""

    __tablename__ = "poll_topic_votes"
    __table_args__ = (UniqueConstraint("poll_id", "slack_user_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), index=True)
    topic: Mapped[str] = mapped_column(String(40))
