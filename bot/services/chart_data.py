"""The figures behind the coordinators' charts, counted and averaged in the database.

Sessions are counted per ISO week (Monday to Sunday, UTC) by their start time. Skill growth
compares, per topic people wanted to learn, their self-rating at sign-up with their latest
survey re-rating; a topic fewer than `MIN_GROUP` people re-rated is suppressed, so no one's
answer can be picked out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeAlias

from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    Tuple,
    case,
    cast,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import AliasedClass

from bot.services.topics import CATALOG
from models import MentoringSession, Participant, ParticipantTopic, SurveyResponse
from models.enums import SessionStatus, SurveyKind, TopicDirection

MIN_GROUP = 3  # fewer people than this and a topic's figures are not shown
DEFAULT_WEEKS = 12
_CATALOG_ORDER = {t.key: i for i, t in enumerate(CATALOG)}
_Survey: TypeAlias = type[SurveyResponse] | AliasedClass[SurveyResponse]  # or an alias


@dataclass(frozen=True)
class WeekCounts:
    """One ISO week's sessions of a program, by what became of them."""

    week_start: date  # the Monday
    held: int
    cancelled: int
    missed: int

    @property
    def total(self) -> int:
        return self.held + self.cancelled + self.missed


@dataclass(frozen=True)
class TopicGrowth:
    """Mean self-rating (1-5) at sign-up and in the latest survey, over the same people.

    When `suppressed`, fewer than MIN_GROUP people rated the topic both times, and there are
    no figures at all.
    """

    topic: str
    suppressed: bool
    people: int | None = None
    at_signup: float | None = None
    latest: float | None = None


def week_start(day: date) -> date:
    """The Monday of the ISO week `day` falls in."""
    return day - timedelta(days=day.weekday())


def sessions_per_week(
    db_session: Session, *, program_id: int, now: datetime, weeks: int = DEFAULT_WEEKS
) -> list[WeekCounts]:
    """Held, cancelled and missed sessions per week, for the `weeks` weeks ending with now's."""
    first = week_start(now.astimezone(UTC).date()) - timedelta(weeks=weeks - 1)
    bounds = [
        datetime.combine(first + timedelta(weeks=i), time(), tzinfo=UTC) for i in range(weeks + 1)
    ]
    starts = MentoringSession.starts_at
    week = case(*((starts < bounds[i + 1], i) for i in range(weeks)))
    counted = (SessionStatus.HAPPENED, SessionStatus.CANCELLED, SessionStatus.MISSED)
    # Bucket in a subquery and group by its column: grouping by the CASE itself would repeat
    # its parameters, which Postgres cannot tell are the same expression.
    bucketed = (
        select(week.label("week"), MentoringSession.status.label("status"))
        .where(
            MentoringSession.program_id == program_id,
            starts >= bounds[0],
            starts < bounds[-1],
            MentoringSession.status.in_(counted),
        )
        .subquery()
    )
    rows = db_session.execute(
        select(bucketed.c.week, bucketed.c.status, func.count()).group_by(
            bucketed.c.week, bucketed.c.status
        )
    ).all()
    counts: dict[tuple[int, SessionStatus], int] = {
        (int(index), SessionStatus(status)): int(n) for index, status, n in rows
    }
    return [
        WeekCounts(
            week_start=first + timedelta(weeks=i),
            held=counts.get((i, SessionStatus.HAPPENED), 0),
            cancelled=counts.get((i, SessionStatus.CANCELLED), 0),
            missed=counts.get((i, SessionStatus.MISSED), 0),
        )
        for i in range(weeks)
    ]


def _rating_in(
    db_session: Session, topic: SQLColumnExpression[str], survey: _Survey
) -> ColumnElement[int]:
    """A survey's re-rating of `topic` (a column), read from its JSON `ratings` in SQL."""
    if db_session.get_bind().dialect.name == "postgresql":
        return cast(survey.ratings.op("->>")(topic), Integer)
    path = literal('$."') + topic + literal('"')
    return cast(func.json_extract(survey.ratings, path), Integer)


def _rank(survey: _Survey) -> Tuple:
    """Orders a person's surveys from oldest to latest: any final after any midpoint."""
    return tuple_(case((survey.kind == SurveyKind.FINAL, 1), else_=0), survey.created_at, survey.id)


def _topic_order(topic: str) -> tuple[int, str]:
    return _CATALOG_ORDER.get(topic, len(_CATALOG_ORDER)), topic


def skill_growth(db_session: Session, *, program_id: int) -> list[TopicGrowth]:
    """Per topic people wanted to learn: sign-up vs latest survey self-rating, means over the
    people who gave both (their final survey's answer if they gave one, else the midpoint's)."""
    learn = (
        ParticipantTopic.direction == TopicDirection.LEARN,
        Participant.program_id == program_id,
    )
    wanted = db_session.scalars(
        select(ParticipantTopic.topic)
        .join(Participant, Participant.id == ParticipantTopic.participant_id)
        .where(*learn)
        .distinct()
    ).all()
    rerating = _rating_in(db_session, ParticipantTopic.topic, SurveyResponse)
    # The latest answer is the one that no other survey of theirs with an answer for the topic
    # outranks: one probe of their few other surveys, cheaper than ranking every answer.
    later = aliased(SurveyResponse)
    outranked = (
        select(later.id)
        .where(
            later.participant_id == SurveyResponse.participant_id,
            _rating_in(db_session, ParticipantTopic.topic, later).is_not(None),
            _rank(later) > _rank(SurveyResponse),
        )
        .exists()
    )
    rows = db_session.execute(
        select(
            ParticipantTopic.topic,
            func.count(),
            func.avg(ParticipantTopic.self_rating),
            func.avg(rerating),
        )
        .join(Participant, Participant.id == ParticipantTopic.participant_id)
        .join(SurveyResponse, SurveyResponse.participant_id == ParticipantTopic.participant_id)
        .where(
            *learn,
            ParticipantTopic.self_rating.is_not(None),
            rerating.is_not(None),
            ~outranked,
        )
        .group_by(ParticipantTopic.topic)
    ).all()
    figures = {topic: (int(n), float(before), float(after)) for topic, n, before, after in rows}
    result: list[TopicGrowth] = []
    for topic in sorted(set(wanted), key=_topic_order):
        people, before, after = figures.get(topic, (0, 0.0, 0.0))
        if people < MIN_GROUP:
            result.append(TopicGrowth(topic=topic, suppressed=True))
        else:
            result.append(
                TopicGrowth(
                    topic=topic, suppressed=False, people=people, at_signup=before, latest=after
                )
            )
    return result
