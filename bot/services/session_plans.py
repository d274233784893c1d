"""What a pair's next session could cover, from their goals and the mentee's wanted topics."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.topics import TOPICS_BY_KEY, topic_label
from models import Goal, Pair
from models.enums import GoalStatus, TopicDirection


def pair_topics(db_session: Session, *, pair: Pair) -> list[str]:
    """Topic keys the pair works on: their open goals' topics first, then what the mentee
    wants to learn."""
    goals = db_session.scalars(
        select(Goal.topic).where(
            Goal.pair_id == pair.id, Goal.status == GoalStatus.OPEN, Goal.topic.is_not(None)
        )
    ).all()
    wanted = pair.mentee.topic_keys(TopicDirection.LEARN) if pair.mentee else []
    return [key for key in dict.fromkeys([*goals, *wanted]) if key and key in TOPICS_BY_KEY]


def suggested_agenda(db_session: Session, *, pair: Pair, minutes: int) -> list[str]:
    """A short agenda for the next session."""
    topics = pair_topics(db_session, pair=pair)[:2]
    lines = ["Check-in: what you tried since last time"]
    lines += [f"{topic_label(key)}: work through one real example together" for key in topics]
    lines.append("Wrap-up: one thing to try before the next session")
    return lines
