"""Program figures for coordinators, computed with SQL aggregates.

Groups smaller than MIN_GROUP people are reported as suppressed (None), so nobody's answers can
be singled out. Private notes are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Float, and_, case, cast, distinct, func, literal, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from bot.services.topics import TOPICS_BY_KEY
from models import (
    CheckIn,
    Goal,
    MentoringSession,
    Pair,
    Participant,
    ParticipantTopic,
    Poll,
    PollVote,
    Program,
    SurveyResponse,
)
from models.enums import (
    GoalStatus,
    PairStatus,
    ParticipantStatus,
    PollAnswer,
    Role,
    SessionStatus,
    Side,
    SurveyKind,
    TopicDirection,
)

MIN_GROUP = 3
INTERESTED = (PollAnswer.MENTOR, PollAnswer.MENTEE, PollAnswer.MORE)


def suppress(count: int) -> int | None:
    """A head count, or None when it is a group too small to show."""
    return count if count >= MIN_GROUP else None


@dataclass(frozen=True)
class Participation:
    poll_answers: dict[PollAnswer, int]
    by_role: dict[Role, int]
    by_department: dict[str, int | None]
    by_location: dict[str, int | None]
    interested: int
    interested_signed_up: int

    @property
    def conversion(self) -> float | None:
        return self.interested_signed_up / self.interested if self.interested else None


@dataclass(frozen=True)
class AtRiskPair:
    pair_id: int
    mentor_user: str | None
    mentee_user: str | None
    reason: str | None
    delivery_problem: str | None


@dataclass(frozen=True)
class PairFigures:
    by_status: dict[PairStatus, int]
    at_risk: list[AtRiskPair]


@dataclass(frozen=True)
class SessionFigures:
    held: int
    cancelled_by: dict[str, int]  # "mentor", "mentee", "not said"
    missed: int
    upcoming: int
    planned_per_pair: int
    held_per_pair: float | None  # across pairs that were introduced
    checkins_expected: int
    checkins_given: int

    @property
    def cancelled(self) -> int:
        return sum(self.cancelled_by.values())

    @property
    def checkin_rate(self) -> float | None:
        return self.checkins_given / self.checkins_expected if self.checkins_expected else None


@dataclass(frozen=True)
class TopicGrowth:
    topic: str
    people: int
    at_signup: float | None  # None when fewer than MIN_GROUP people answered both
    latest: float | None

    @property
    def suppressed(self) -> bool:
        return self.at_signup is None


@dataclass(frozen=True)
class Outcomes:
    session_rating: float | None
    ratings_given: int
    survey_respondents: int
    effective_share: float | None  # rated the program 4 or 5 (latest survey)
    extremely_effective_share: float | None  # rated it 5
    skill_growth: list[TopicGrowth]
    goals: dict[GoalStatus, int]
    top_topics: list[tuple[str, int]]


@dataclass(frozen=True)
class ProgramStats:
    program: Program
    participation: Participation
    pairs: PairFigures
    sessions: SessionFigures
    outcomes: Outcomes
    notes: list[str] = field(default_factory=list)


def _participation(db_session: Session, program: Program) -> Participation:
    answers = dict.fromkeys(PollAnswer, 0)
    polls = select(Poll.id).where(Poll.program_id == program.id)
    for answer, count in db_session.execute(
        select(PollVote.answer, func.count())
        .where(PollVote.poll_id.in_(polls), PollVote.answer.is_not(None))
        .group_by(PollVote.answer)
    ):
        if answer is not None:
            answers[answer] = count
    in_program = Participant.program_id == program.id
    by_role = dict.fromkeys(Role, 0)
    for role, count in db_session.execute(
        select(Participant.role, func.count()).where(in_program).group_by(Participant.role)
    ):
        by_role[role] = count

    def breakdown(column: InstrumentedAttribute[str]) -> dict[str, int | None]:
        rows = db_session.execute(
            select(column, func.count()).where(in_program).group_by(column)
        ).all()
        return {str(name): suppress(count) for name, count in sorted(rows, key=lambda r: -r[1])}

    interested_users = (
        select(PollVote.slack_user_id)
        .where(PollVote.poll_id.in_(polls), PollVote.answer.in_(INTERESTED))
        .distinct()
        .subquery()
    )
    interested = db_session.scalar(select(func.count()).select_from(interested_users)) or 0
    signed_up = (
        db_session.scalar(
            select(func.count(distinct(Participant.slack_user_id))).where(
                in_program,
                Participant.slack_user_id.in_(select(interested_users.c[0])),
            )
        )
        or 0
    )
    return Participation(
        poll_answers=answers,
        by_role=by_role,
        by_department=breakdown(Participant.department),
        by_location=breakdown(Participant.location),
        interested=interested,
        interested_signed_up=signed_up,
    )


def _pairs(db_session: Session, program: Program) -> PairFigures:
    by_status = dict.fromkeys(PairStatus, 0)
    for status, count in db_session.execute(
        select(Pair.status, func.count()).where(Pair.program_id == program.id).group_by(Pair.status)
    ):
        by_status[status] = count
    mentor, mentee = aliased(Participant), aliased(Participant)
    rows = db_session.execute(
        select(
            Pair.id,
            mentor.slack_user_id,
            mentee.slack_user_id,
            Pair.at_risk_reason,
            Pair.delivery_problem,
        )
        .outerjoin(mentor, mentor.id == Pair.mentor_id)
        .outerjoin(mentee, mentee.id == Pair.mentee_id)
        .where(
            Pair.program_id == program.id,
            or_(
                Pair.status == PairStatus.AT_RISK,
                and_(Pair.status == PairStatus.ACTIVE, Pair.delivery_problem.is_not(None)),
            ),
        )
        .order_by(Pair.at_risk_since, Pair.id)
    ).all()
    return PairFigures(by_status, [AtRiskPair(*row) for row in rows])


def _sessions(db_session: Session, program: Program, now: datetime) -> SessionFigures:
    of_program = MentoringSession.pair_id.in_(select(Pair.id).where(Pair.program_id == program.id))
    counts: dict[tuple[SessionStatus, Side | None, bool], int] = {}
    upcoming = 0
    is_upcoming_expr = and_(
        MentoringSession.status == SessionStatus.SCHEDULED, MentoringSession.starts_at > now
    ).label("is_upcoming")
    rescheduled_expr = (func.coalesce(MentoringSession.cancel_reason, "") == "rescheduled").label(
        "rescheduled"
    )
    for status, side, rescheduled, is_upcoming, count in db_session.execute(
        select(
            MentoringSession.status,
            MentoringSession.cancelled_by,
            rescheduled_expr,
            is_upcoming_expr,
            func.count(),
        )
        .where(of_program)
        .group_by(
            MentoringSession.status,
            MentoringSession.cancelled_by,
            rescheduled_expr,
            is_upcoming_expr,
        )
    ):
        key = (status, side, bool(rescheduled))
        counts[key] = counts.get(key, 0) + count
        upcoming += count if is_upcoming else 0
    held = sum(c for (s, _, _), c in counts.items() if s == SessionStatus.HAPPENED)
    cancelled_by = {"mentor": 0, "mentee": 0, "not said": 0}
    for (status, side, _), count in counts.items():
        if status == SessionStatus.CANCELLED:
            cancelled_by[side.value if side else "not said"] += count
    missed = sum(
        c
        for (s, _, rescheduled), c in counts.items()
        if s == SessionStatus.MISSED and not rescheduled
    )
    introduced = (
        db_session.scalar(
            select(func.count(Pair.id)).where(
                Pair.program_id == program.id, Pair.intro_sent_at.is_not(None)
            )
        )
        or 0
    )
    # Check-ins: two are expected for every session that has started and was not cancelled
    # before it (held, missed, or awaiting answers).
    answered_statuses = (SessionStatus.HAPPENED, SessionStatus.MISSED, SessionStatus.SCHEDULED)
    started = and_(
        of_program,
        MentoringSession.status.in_(answered_statuses),
        MentoringSession.starts_at <= now,
    )
    expected = 2 * (db_session.scalar(select(func.count(MentoringSession.id)).where(started)) or 0)
    given = (
        db_session.scalar(
            select(func.count(CheckIn.id))
            .join(MentoringSession, MentoringSession.id == CheckIn.session_id)
            .where(started)
        )
        or 0
    )
    return SessionFigures(
        held=held,
        cancelled_by=cancelled_by,
        missed=missed,
        upcoming=upcoming,
        planned_per_pair=program.planned_sessions,
        held_per_pair=held / introduced if introduced else None,
        checkins_expected=expected,
        checkins_given=given,
    )


def _latest_surveys(program: Program):  # type: ignore[no-untyped-def]
    """Each respondent's latest survey in the program: the final one if given, else midpoint."""
    rank = case((SurveyResponse.kind == SurveyKind.FINAL, 2), else_=1)
    best = (
        select(
            SurveyResponse.participant_id,
            func.max(rank).label("best"),
        )
        .join(Pair, Pair.id == SurveyResponse.pair_id)
        .where(Pair.program_id == program.id)
        .group_by(SurveyResponse.participant_id)
        .subquery()
    )
    return (
        select(SurveyResponse)
        .join(best, best.c.participant_id == SurveyResponse.participant_id)
        .join(Pair, Pair.id == SurveyResponse.pair_id)
        .where(Pair.program_id == program.id, rank == best.c.best)
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole >= MIN_GROUP else None


def _outcomes(db_session: Session, program: Program) -> Outcomes:
    of_program = CheckIn.session_id.in_(
        select(MentoringSession.id)
        .join(Pair, Pair.id == MentoringSession.pair_id)
        .where(Pair.program_id == program.id)
    )
    rating, rated = db_session.execute(
        select(func.avg(cast(CheckIn.rating, Float)), func.count(CheckIn.rating)).where(
            of_program, CheckIn.rating.is_not(None)
        )
    ).one()
    latest = _latest_surveys(program).subquery()
    total, effective, extremely = db_session.execute(
        select(
            func.count(),
            func.sum(case((latest.c.effectiveness >= 4, 1), else_=0)),
            func.sum(case((latest.c.effectiveness == 5, 1), else_=0)),
        ).select_from(latest)
    ).one()
    respondents = int(total or 0)
    goals = dict.fromkeys(GoalStatus, 0)
    for status, count in db_session.execute(
        select(Goal.status, func.count())
        .join(Pair, Pair.id == Goal.pair_id)
        .where(Pair.program_id == program.id)
        .group_by(Goal.status)
    ):
        goals[status] = count
    return Outcomes(
        session_rating=float(rating) if rated and rated >= MIN_GROUP else None,
        ratings_given=rated or 0,
        survey_respondents=respondents,
        effective_share=_share(int(effective or 0), respondents),
        extremely_effective_share=_share(int(extremely or 0), respondents),
        skill_growth=skill_growth(db_session, program=program),
        goals=goals,
        top_topics=_top_topics(db_session, of_program),
    )


def _top_topics(db_session: Session, of_program: object, limit: int = 5) -> list[tuple[str, int]]:
    """Topics most often covered in check-ins (each check-in's JSON list, unnested in SQL)."""
    # A check-in saved with no topic holds JSON null, not SQL NULL: only arrays are unnested
    # (Postgres refuses to unnest a scalar; SQLite would count a null "topic").
    dialect = db_session.get_bind().dialect.name
    if dialect == "postgresql":
        is_list = func.json_typeof(CheckIn.topics) == "array"
        listed = case((is_list, CheckIn.topics))
        topics = func.json_array_elements_text(listed).table_valued("value").render_derived()
    else:  # SQLite's json_each names its column `value` itself
        is_list = func.json_type(CheckIn.topics) == "array"
        topics = func.json_each(CheckIn.topics).table_valued("value")
    rows = db_session.execute(
        select(topics.c.value, func.count())
        .select_from(CheckIn)
        .join(topics, true())
        .where(of_program, is_list)  # type: ignore[arg-type]
        .group_by(topics.c.value)
        .order_by(func.count().desc(), topics.c.value)
        .limit(limit)
    ).all()
    return [(str(topic), int(count)) for topic, count in rows if str(topic) in TOPICS_BY_KEY]


def skill_growth(db_session: Session, *, program: Program) -> list[TopicGrowth]:
    """Per topic people wanted to learn: mean self-rating at sign-up against the same people's
    latest survey re-rating; topics with fewer than MIN_GROUP such people are suppressed."""
    latest = _latest_surveys(program).subquery()
    if db_session.get_bind().dialect.name == "postgresql":
        rerated = func.json_extract_path_text(latest.c.ratings, ParticipantTopic.topic)
    else:
        rerated = func.json_extract(latest.c.ratings, literal("$.") + ParticipantTopic.topic)
    after = cast(rerated, Float)
    rows = db_session.execute(
        select(
            ParticipantTopic.topic,
            func.count(),
            func.avg(cast(ParticipantTopic.self_rating, Float)),
            func.avg(after),
        )
        .join(Participant, Participant.id == ParticipantTopic.participant_id)
        .join(latest, latest.c.participant_id == Participant.id)
        .where(
            Participant.program_id == program.id,
            ParticipantTopic.direction == TopicDirection.LEARN,
            ParticipantTopic.self_rating.is_not(None),
            rerated.is_not(None),
        )
        .group_by(ParticipantTopic.topic)
        .order_by(func.count().desc(), ParticipantTopic.topic)
    ).all()
    return [
        TopicGrowth(topic, people, None, None)
        if people < MIN_GROUP
        else TopicGrowth(topic, people, float(before), float(now_rated))
        for topic, people, before, now_rated in rows
    ]


def program_stats(db_session: Session, *, program: Program, now: datetime) -> ProgramStats:
    """Every figure of the coordinator's report for one program."""
    return ProgramStats(
        program=program,
        participation=_participation(db_session, program),
        pairs=_pairs(db_session, program),
        sessions=_sessions(db_session, program, now),
        outcomes=_outcomes(db_session, program),
    )


def active_people(db_session: Session, *, program: Program) -> int:
    return (
        db_session.scalar(
            select(func.count(Participant.id)).where(
                Participant.program_id == program.id,
                Participant.status == ParticipantStatus.ACTIVE,
            )
        )
        or 0
    )
