"""Midpoint and final surveys: how effective the program is for each person, how they now rate
the topics they wanted to learn, and whether they would recommend it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload

from bot.services import outbox
from bot.services.enrollment import learn_topics
from bot.services.errors import DomainError
from bot.services.local_time import outside_quiet_hours
from bot.services.pair_health import CADENCE_DAYS
from bot.services.pairs import PUBLISHED
from bot.services.sessions import people_of
from models import Agreement, Pair, Participant, Program, SurveyResponse
from models.enums import Cadence, SurveyKind

SURVEY_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class SurveyInput:
    effectiveness: int | None
    would_recommend: bool | None
    ratings: dict[str, int] = field(default_factory=dict)


class SurveyField(StrEnum):
    """The survey form's fields; its blocks and its errors go by these names."""

    EFFECTIVENESS = "effectiveness"
    WOULD_RECOMMEND = "would_recommend"
    # One more per topic: see survey_rating_field.


def survey_rating_field(topic: str) -> str:
    return f"rating:{topic}"


def validate_survey(values: SurveyInput, *, topics: list[str]) -> dict[str, str]:
    """Field errors: effectiveness, would_recommend, and `rating:<topic>` per topic."""
    errors: dict[str, str] = {}
    if values.effectiveness is None or not 1 <= values.effectiveness <= 5:
        errors[SurveyField.EFFECTIVENESS] = "Pick a rating from 1 to 5."
    if values.would_recommend is None:
        errors[SurveyField.WOULD_RECOMMEND] = "Say whether you would recommend it."
    for topic in topics:
        rating = values.ratings.get(topic)
        if rating is None or not 1 <= rating <= 5:
            errors[survey_rating_field(topic)] = "Rate yourself from 1 to 5."
    return errors


def survey_window(
    *,
    start: datetime,
    agreed_end: date | None,
    program_end: date | None,
    planned_sessions: int,
    cadence: timedelta,
) -> tuple[datetime, datetime]:
    """When a pair started and when it is due to end (agreed end date, else the program's,
    else its planned sessions at its cadence)."""
    ends_on = agreed_end or program_end
    if ends_on is not None:
        end = datetime.combine(ends_on, time(12, 0), tzinfo=UTC)
    else:
        end = start + cadence * planned_sessions
    return start, max(end, start + timedelta(days=1))


def plan_surveys(db_session: Session, *, now: datetime) -> int:
    """Queue the surveys whose moment has come (each once per person); returns how many.

    One query reads every published pair with its dates and both people; only the pairs whose
    survey window is open now queue anything."""
    mentor, mentee = aliased(Participant), aliased(Participant)
    rows = db_session.execute(
        select(
            Pair.id,
            Pair.team_id,
            Pair.intro_sent_at,
            Agreement.ends_on,
            Agreement.cadence,
            Program.ends_on,
            Program.planned_sessions,
            Program.cadence,
            mentor.id,
            mentor.slack_user_id,
            mentor.timezone,
            mentee.id,
            mentee.slack_user_id,
            mentee.timezone,
            Program.midpoint_on,
            Program.final_on,
        )
        .join(Program, Program.id == Pair.program_id)
        .outerjoin(Agreement, Agreement.pair_id == Pair.id)
        .outerjoin(mentor, mentor.id == Pair.mentor_id)
        .outerjoin(mentee, mentee.id == Pair.mentee_id)
        .where(Pair.status.in_(PUBLISHED), Pair.intro_sent_at.is_not(None))
    ).all()
    queued = 0
    for row in rows:
        (pair_id, team_id, started, agreed_end, agreed_cadence, program_end, planned) = row[:7]
        cadence = timedelta(days=CADENCE_DAYS[agreed_cadence or row[7] or Cadence.BIWEEKLY])
        assert started is not None  # filtered in the query
        start, end = survey_window(
            start=started,
            agreed_end=agreed_end,
            program_end=program_end,
            planned_sessions=planned,
            cadence=cadence,
        )
        midpoint = start + (end - start) / 2
        # Dates the program sets for its evaluations override each pair's own.
        midpoint_on, final_on = row[14], row[15]
        if midpoint_on is not None:
            midpoint = datetime.combine(midpoint_on, time(12, 0), tzinfo=UTC)
        if final_on is not None:
            end = datetime.combine(final_on, time(12, 0), tzinfo=UTC)
        # Each survey is decided within a window after its moment, never again later.
        if end <= now < end + SURVEY_WINDOW:
            kind = SurveyKind.FINAL
        elif midpoint <= now < min(end, midpoint + SURVEY_WINDOW):
            kind = SurveyKind.MIDPOINT
        else:
            continue
        people = ((row[8], row[9], row[10]), (row[11], row[12], row[13]))
        for person_id, user_id, zone_name in people:
            if person_id is None or user_id is None:
                continue  # forgotten
            queued += outbox.enqueue(
                db_session,
                team_id=team_id,
                dedupe_key=f"survey:{kind.value}:{pair_id}:{person_id}",
                kind="survey",
                channel=user_id,
                payload={"pair_id": pair_id, "survey": kind.value, "participant_id": person_id},
                due_at=outside_quiet_hours(now, zone_name),
                now=now,
                pair_id=pair_id,
            )
    return queued


def survey_topics(db_session: Session, *, participant_id: int) -> list[str]:
    """The topics this person wanted to learn, to be re-rated."""
    return learn_topics(db_session, participant_id=participant_id)


def respondent(db_session: Session, *, pair_id: int, user_id: str) -> tuple[Pair, Participant]:
    pair = db_session.scalar(
        select(Pair)
        .where(Pair.id == pair_id)
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
    )
    for person in people_of(pair) if pair else []:
        if person.slack_user_id == user_id:
            assert pair is not None
            return pair, person
    raise DomainError("This survey is for the two people in that pair.")


def latest_ratings(db_session: Session, *, pair_id: int, participant_id: int) -> dict[str, int]:
    """The person's topic re-ratings in their latest survey of the pair (final, else midpoint)."""
    answers = dict(
        db_session.execute(
            select(SurveyResponse.kind, SurveyResponse.ratings).where(
                SurveyResponse.pair_id == pair_id, SurveyResponse.participant_id == participant_id
            )
        ).all()
    )
    return answers.get(SurveyKind.FINAL) or answers.get(SurveyKind.MIDPOINT) or {}


def answered(db_session: Session, *, pair_id: int, participant_id: int, kind: SurveyKind) -> bool:
    found = db_session.scalar(
        select(SurveyResponse.id).where(
            SurveyResponse.pair_id == pair_id,
            SurveyResponse.participant_id == participant_id,
            SurveyResponse.kind == kind,
        )
    )
    return found is not None


def save_response(
    db_session: Session,
    *,
    pair: Pair,
    person: Participant,
    kind: SurveyKind,
    values: SurveyInput,
    now: datetime,
) -> SurveyResponse:
    """Record (or replace) the person's answers to this survey."""
    assert values.effectiveness is not None and values.would_recommend is not None
    wanted = survey_topics(db_session, participant_id=person.id)
    row = db_session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.pair_id == pair.id,
            SurveyResponse.participant_id == person.id,
            SurveyResponse.kind == kind,
        )
    )
    if row is None:
        row = SurveyResponse(
            pair_id=pair.id, participant_id=person.id, kind=kind, ratings={}, created_at=now
        )
        db_session.add(row)
    row.effectiveness, row.would_recommend = values.effectiveness, values.would_recommend
    row.ratings = {t: r for t, r in values.ratings.items() if t in wanted}
    row.updated_at = now
    db_session.flush()
    return row
