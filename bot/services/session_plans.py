"""What a pair's next session could cover, from their goals and the mentee's wanted topics."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import session_guide
from bot.services.enrollment import learn_topics
from bot.services.topics import TOPICS_BY_KEY
from models import Goal, Pair
from models.enums import GoalStatus


def pair_topics(db_session: Session, *, pair: Pair) -> list[str]:
    """Topic keys the pair works on: their open goals' topics first, then what the mentee
    wants to learn."""
    goals = db_session.scalars(
        select(Goal.topic).where(
            Goal.pair_id == pair.id, Goal.status == GoalStatus.OPEN, Goal.topic.is_not(None)
        )
    ).all()
    wanted = learn_topics(db_session, participant_id=pair.mentee_id)
    return [key for key in dict.fromkeys([*goals, *wanted]) if key and key in TOPICS_BY_KEY]


def suggested_agenda(db_session: Session, *, pair: Pair, minutes: int) -> list[str]:
    """A timed agenda for the next session, from the session guide of the pair's topics."""
    return session_guide.suggested_agenda(
        pair_topics(db_session, pair=pair), max(minutes, session_guide.MIN_MINUTES)
    )


def reminder_guide(db_session: Session, *, pair: Pair) -> list[str]:
    """What the 1 h reminder suggests: an opening question and an exercise for the pair's
    first topic, a question for the second, and two of the program's tips."""
    lines: list[str] = []
    for index, key in enumerate(pair_topics(db_session, pair=pair)[:2]):
        guide = session_guide.guide_for(key)
        lines.append(f"{guide.label}, to open: {guide.starters[0]}")
        if index == 0:
            lines.append(f"{guide.label}, hands-on: {guide.exercise}")
    return lines + session_guide.tips()[:2]
