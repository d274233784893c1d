"""Program figures for coordinators, computed with SQL aggregates.

Groups smaller than MIN_GROUP people are reported as suppressed (None), so nobody's answers can
be singled out. Private notes are never read here.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    Subquery,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from bot.services.chart_data import MIN_GROUP, TopicGrowth, skill_growth
from bot.services.pair_health import RESCHEDULED
from bot.services.programs import ProgramInfo
from bot.services.topics import TOPICS_BY_KEY
from models import (
    CheckIn,
    Goal,
    MentoringSession,
    Pair,
    Participant,
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
    ProgramStatus,
    Role,
    SessionStatus,
    Side,
    SurveyKind,
)

INTERESTED = (PollAnswer.MENTOR, PollAnswer.MENTEE, PollAnswer.MORE)
# Sessions that have started and were not cancelled: each side owes a check-in.
ANSWERED = (SessionStatus.HAPPENED, SessionStatus.MISSED, SessionStatus.SCHEDULED)
TOP_TOPICS = 5


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
class Outcomes:
    session_rating: float | None
    ratings_given: int
    survey_respondents: int
    effective_share: float | None  # rated the program 4 or 5 (latest survey)
    extremely_effective_share: float | None  # rated it 5
    would_recommend_share: float | None  # would recommend the program (latest survey)
    completion_rate: float | None  # introduced pairs that completed the program
    skill_growth: list[TopicGrowth]
    goals: dict[GoalStatus, int]
    top_topics: list[tuple[str, int]]
    pairs_completed: int = 0
    pairs_introduced: int = 0


@dataclass(frozen=True)
class ProgramStats:
    program: ProgramInfo
    participation: Participation
    pairs: PairFigures
    sessions: SessionFigures
    outcomes: Outcomes
    notes: list[str] = field(default_factory=list)
    finished: bool = False  # past its end date, or finished by a coordinator


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
    # Roles, departments and locations from one pass over the program's people.
    by_role = dict.fromkeys(Role, 0)
    departments: Counter[str] = Counter()
    locations: Counter[str] = Counter()
    for role, department, location, count in db_session.execute(
        select(Participant.role, Participant.department, Participant.location, func.count())
        .where(in_program)
        .group_by(Participant.role, Participant.department, Participant.location)
    ):
        by_role[role] += count
        departments[department] += count
        locations[location] += count

    def breakdown(counts: Counter[str]) -> dict[str, int | None]:
        ranked = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
        return {str(name): suppress(count) for name, count in ranked}

    interested_users = (
        select(PollVote.slack_user_id)
        .where(PollVote.poll_id.in_(polls), PollVote.answer.in_(INTERESTED))
        .distinct()
        .subquery()
    )
    # At most one participant per person in a program (unique program_id, slack_user_id).
    interested, signed_up = db_session.execute(
        select(func.count(), func.count(Participant.id))
        .select_from(interested_users)
        .outerjoin(
            Participant,
            and_(in_program, Participant.slack_user_id == interested_users.c.slack_user_id),
        )
    ).one()
    return Participation(
        poll_answers=answers,
        by_role=by_role,
        by_department=breakdown(departments),
        by_location=breakdown(locations),
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


@dataclass(frozen=True)
class _CheckInFigures:
    given: int  # check-ins on sessions that started and were not cancelled
    rated: int
    rating_sum: int
    topics: Counter[str]  # catalog topic -> check-ins that covered it


def _check_ins(db_session: Session, program: Program) -> _CheckInFigures:
    """Every check-in figure, from the program's check-ins grouped by their topic list: the
    lists are few (subsets of the catalog), so they are unnested here rather than row by row in
    SQL. A check-in saved without topics holds JSON null (or SQL NULL): it counts no topic."""
    rows = db_session.execute(
        select(
            CheckIn.topics_text,
            func.count(),
            func.count(CheckIn.rating),
            func.sum(CheckIn.rating),
        )
        .where(CheckIn.program_id == program.id)
        .group_by(CheckIn.topics_text)
    ).all()
    # A check-in is only taken once its session has started, and it takes the session off
    # "scheduled", so it can no longer be moved: check-ins owed nothing are those on sessions
    # cancelled since. They are few; joining just them is cheaper than joining every check-in.
    on_cancelled = db_session.scalar(
        select(func.count())
        .select_from(MentoringSession)
        .join(CheckIn, CheckIn.session_id == MentoringSession.id)
        .where(
            MentoringSession.program_id == program.id,
            MentoringSession.status == SessionStatus.CANCELLED,
        )
    )
    total = rated = rating_sum = 0
    listed: list[tuple[str, int]] = []
    for text, count, rated_count, rating_total in rows:
        total += count
        rated += rated_count
        rating_sum += rating_total or 0
        if text:
            listed.append((text, count))
    # One parse for every distinct list, rather than one call per list.
    parsed = json.loads("[" + ",".join(text for text, _ in listed) + "]")
    topics: Counter[str] = Counter()
    for keys, (_, count) in zip(parsed, listed, strict=True):
        if isinstance(keys, list):
            for key in keys:
                if key in TOPICS_BY_KEY:
                    topics[key] += count
    return _CheckInFigures(
        given=total - (on_cancelled or 0), rated=rated, rating_sum=rating_sum, topics=topics
    )


def _sessions(
    db_session: Session,
    program: Program,
    now: datetime,
    check_ins: _CheckInFigures | None = None,
) -> SessionFigures:
    session = MentoringSession
    started = session.starts_at <= now
    # Grouped by status alone, these read ix_mentoring_sessions_program_id_status in order:
    # no table rows, no sort.
    rows = db_session.execute(
        select(
            session.status,
            func.count(),
            func.count().filter(started),
            func.count().filter(session.cancelled_by == Side.MENTOR),
            func.count().filter(session.cancelled_by == Side.MENTEE),
            func.count().filter(session.cancelled_by.is_(None)),
            # A session moved after the fact is recorded as missed "rescheduled": nobody
            # missed it.
            func.count().filter(session.cancel_reason == RESCHEDULED),
        )
        .where(session.program_id == program.id)
        .group_by(session.status)
    )
    counts: dict[SessionStatus, tuple[int, ...]] = {status: tuple(n) for status, *n in rows}
    nothing = (0, 0, 0, 0, 0, 0)
    held = counts.get(SessionStatus.HAPPENED, nothing)[0]
    _, _, by_mentor, by_mentee, not_said, _ = counts.get(SessionStatus.CANCELLED, nothing)
    scheduled, scheduled_started, *_ = counts.get(SessionStatus.SCHEDULED, nothing)
    missed, *_, rescheduled = counts.get(SessionStatus.MISSED, nothing)
    # Check-ins: two are expected for every session that has started and was not cancelled
    # before it (held, missed, or awaiting answers).
    due = sum(counts.get(status, nothing)[1] for status in ANSWERED)
    introduced = (
        db_session.scalar(
            select(func.count(Pair.id)).where(
                Pair.program_id == program.id, Pair.intro_sent_at.is_not(None)
            )
        )
        or 0
    )
    if check_ins is None:
        check_ins = _check_ins(db_session, program)
    return SessionFigures(
        held=held,
        cancelled_by={"mentor": by_mentor, "mentee": by_mentee, "not said": not_said},
        missed=missed - rescheduled,
        upcoming=scheduled - scheduled_started,
        planned_per_pair=program.planned_sessions,
        held_per_pair=held / introduced if introduced else None,
        checkins_expected=2 * due,
        checkins_given=check_ins.given,
    )


def _latest_surveys(program: Program) -> Subquery:
    """Each respondent's latest answers in the program: their final surveys if they gave any,
    else their midpoint ones. One pass over the program's surveys, ranked per person."""
    final_first = case((SurveyResponse.kind == SurveyKind.FINAL, 1), else_=0).desc()
    ranked = (
        select(
            SurveyResponse.effectiveness,
            SurveyResponse.would_recommend,
            func.rank()
            .over(partition_by=SurveyResponse.participant_id, order_by=final_first)
            .label("nth"),
        )
        .join(Pair, Pair.id == SurveyResponse.pair_id)
        .where(Pair.program_id == program.id)
        .subquery()
    )
    return (
        select(ranked.c.effectiveness, ranked.c.would_recommend).where(ranked.c.nth == 1).subquery()
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole >= MIN_GROUP else None


def _outcomes(
    db_session: Session,
    program: Program,
    now: datetime,
    check_ins: _CheckInFigures | None = None,
) -> Outcomes:
    if check_ins is None:
        check_ins = _check_ins(db_session, program)
    rated = check_ins.rated
    latest = _latest_surveys(program)
    total, effective, extremely, recommend = db_session.execute(
        select(
            func.count(),
            func.sum(case((latest.c.effectiveness >= 4, 1), else_=0)),
            func.sum(case((latest.c.effectiveness == 5, 1), else_=0)),
            func.sum(case((latest.c.would_recommend.is_(True), 1), else_=0)),
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
    top_topics = sorted(check_ins.topics.items(), key=lambda item: (-item[1], item[0]))
    completed, introduced = _completion(db_session, program)
    return Outcomes(
        session_rating=check_ins.rating_sum / rated if rated >= MIN_GROUP else None,
        ratings_given=rated,
        survey_respondents=respondents,
        effective_share=_share(int(effective or 0), respondents),
        extremely_effective_share=_share(int(extremely or 0), respondents),
        would_recommend_share=_share(int(recommend or 0), respondents),
        completion_rate=completed / introduced if introduced else None,
        skill_growth=skill_growth(db_session, program_id=program.id),
        goals=goals,
        top_topics=top_topics[:TOP_TOPICS],
        pairs_completed=completed,
        pairs_introduced=introduced,
    )


def _completion(db_session: Session, program: Program) -> tuple[int, int]:
    """(pairs that completed the program, pairs that were introduced)."""
    completed, introduced = db_session.execute(
        select(
            func.sum(case((Pair.status == PairStatus.COMPLETED, 1), else_=0)),
            func.count(),
        ).where(Pair.program_id == program.id, Pair.intro_sent_at.is_not(None))
    ).one()
    return int(completed or 0), int(introduced or 0)


def program_stats(db_session: Session, *, program: Program, now: datetime) -> ProgramStats:
    """Every figure of the coordinator's report for one program."""
    check_ins = _check_ins(db_session, program)
    return ProgramStats(
        program=ProgramInfo.of(program),
        participation=_participation(db_session, program),
        pairs=_pairs(db_session, program),
        sessions=_sessions(db_session, program, now, check_ins),
        outcomes=_outcomes(db_session, program, now, check_ins),
        finished=program.status == ProgramStatus.FINISHED
        or (program.ends_on is not None and program.ends_on < now.date()),
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
