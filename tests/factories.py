"""The people, pairs, sessions and agreements the tests start from, built through the services
with fixed times, so that what a test reads back can be written down exactly.

The pair: the reverse mentor in New York, the mentee in London, introduced in INTRO_CHANNEL.
Its session: Tuesday 24 November 2026, 15:00 in New York (20:00 UTC), 45 minutes, booked on
the Friday before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.services import sessions as session_rules
from bot.services.agreements import (
    AgreementInput,
    GoalInput,
    RulesInput,
    SaveOutcome,
    agreement_form,
    membership_of,
    memberships,
    save_agreement,
    validate_agreement,
)
from bot.services.checkins import CheckInInput, record_outcome
from bot.services.enrollment import save_profile
from bot.services.pairs import create_pair
from bot.services.profile import ProfileInput
from models import MentoringSession
from models.enums import Cadence, CareerStage, CheckInOutcome, PairStatus, Personality, Role

# -- the workspace and the people in it ----------------------------------------------------------

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TEAM = "T0TEAM1"

MENTOR = ProfileInput(
    role=Role.MENTOR,
    department="Marketing",
    location="Lisbon",
    job_title="Analyst",
    career_stage=CareerStage.EARLY,
    teach_topics=["social_media", "generative_ai"],
    learn_topics=["leadership"],
    self_ratings={"leadership": 2},
    personality=Personality.EXTROVERT,
    cadence=Cadence.BIWEEKLY,
    mentee_capacity=2,
    do_not_match=["U0BOSS"],
    consent=True,
)
MENTEE = replace(
    MENTOR,
    role=Role.MENTEE,
    department="Finance",
    career_stage=CareerStage.SENIOR,
    learn_topics=["generative_ai", "social_media"],
    teach_topics=["leadership"],
    self_ratings={"generative_ai": 1, "social_media": 2},
    mentee_capacity=1,
    do_not_match=[],
)
# A mentee at the end of a long career who wants to learn one thing: easy to pair in bulk.
VETERAN_MENTEE = replace(
    MENTOR,
    role=Role.MENTEE,
    career_stage=CareerStage.VETERAN,
    teach_topics=["strategy"],
    learn_topics=["generative_ai"],
    self_ratings={"generative_ai": 1},
    do_not_match=[],
)

# -- a published pair ------------------------------------------------------------------------------

MENTOR_USER = "U0MENTOR"
MENTEE_USER = "U0MENTEE"
INTRO_CHANNEL = "G0PAIR01"


@dataclass(frozen=True)
class SeededPair:
    pair_id: int
    program_id: int
    mentor_participant_id: int
    mentee_participant_id: int
    team_id: str = TEAM
    mentor_user: str = MENTOR_USER
    mentee_user: str = MENTEE_USER
    channel: str = INTRO_CHANNEL


def seed_pair(
    session_factory: sessionmaker[Session],
    *,
    mentor_tz: str = "America/New_York",
    mentee_tz: str = "Europe/London",
    now: datetime = NOW,
    status: PairStatus = PairStatus.ACTIVE,
) -> SeededPair:
    """Two enrolled people in the open program, matched, introduced in INTRO_CHANNEL."""
    with session_factory.begin() as db_session:
        mentor = save_profile(
            db_session,
            team_id=TEAM,
            user_id=MENTOR_USER,
            profile=MENTOR,
            timezone=mentor_tz,
            now=now,
        ).participant
        mentee = save_profile(
            db_session,
            team_id=TEAM,
            user_id=MENTEE_USER,
            profile=MENTEE,
            timezone=mentee_tz,
            now=now,
        ).participant
        pair = create_pair(db_session, mentor=mentor, mentee=mentee, status=status, now=now)
        pair.intro_channel = INTRO_CHANNEL
        pair.intro_sent_at = now
        return SeededPair(pair.id, pair.program_id, mentor.id, mentee.id)


# -- its sessions ----------------------------------------------------------------------------------

BOOKED_AT = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)  # the Friday before
STARTS = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # Tue 15:00 in New York
DAY_BEFORE = STARTS - timedelta(hours=24)
AGENDA = "Prompts that work"


def schedule_session(
    db_session: Session,
    pair: SeededPair,
    starts: datetime = STARTS,
    *,
    agenda: str = AGENDA,
    now: datetime = BOOKED_AT,
    by: str = MENTOR_USER,
) -> MentoringSession:
    """`by` (the reverse mentor unless said) books a 45-minute session, inside the caller's
    transaction."""
    found = session_rules.pair_for(db_session, pair_id=pair.pair_id, user_id=by)
    return session_rules.schedule(
        db_session,
        pair=found,
        user_id=by,
        starts_at=starts,
        minutes=45,
        agenda=agenda,
        now=now,
    )


def book(
    session_factory: sessionmaker[Session],
    pair: SeededPair,
    starts: datetime = STARTS,
    *,
    agenda: str = AGENDA,
    now: datetime = BOOKED_AT,
    by: str = MENTOR_USER,
) -> int:
    """`by` (the reverse mentor unless said) books a 45-minute session; its id."""
    with session_factory.begin() as db_session:
        return schedule_session(db_session, pair, starts, agenda=agenda, now=now, by=by).id


def held(
    session_factory: sessionmaker[Session],
    session_id: int,
    *,
    by: str = MENTOR_USER,
    values: CheckInInput | None = None,
    at: datetime | None = None,
) -> None:
    """`by` checks in: the session happened (at `at`, else an hour after it started)."""
    with session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=session_id, user_id=by)
        record_outcome(
            db_session,
            session=session,
            user_id=by,
            outcome=CheckInOutcome.HAPPENED,
            values=values or CheckInInput(rating=5),
            now=at or session.starts_at + timedelta(hours=1),
        )


# -- goals and ground rules ------------------------------------------------------------------------

LAST_DAY = date(2027, 5, 31)  # the mentoring's end, as the ground rules set it
RULES = RulesInput(
    confidentiality=True,
    boundaries="No calls after 6pm",
    meeting_mode="Video call",
    cadence=Cadence.BIWEEKLY,
    ends_on=LAST_DAY,
)
MENTEE_GOALS = AgreementInput(
    goals=(
        GoalInput(topic="generative_ai", text="Draft my team updates with AI"),
        GoalInput(topic="social_media", text="Post on LinkedIn monthly", target_date=LAST_DAY),
    ),
    rules=RULES,
)
MENTOR_GOALS = AgreementInput(
    goals=(GoalInput(topic="strategy", text="Learn how the annual budget is decided"),),
    rules=RULES,
)


def save_goals(
    session_factory: sessionmaker[Session],
    user: str,
    values: AgreementInput,
    *,
    at: datetime = NOW,
    pair_id: int | None = None,
) -> SaveOutcome:
    """Open the user's form (for its goal ids) and save `values`, as the dialog does."""
    with session_factory.begin() as db_session:
        pair_id = pair_id or memberships(db_session, team_id=TEAM, user_id=user)[0].pair.id
        membership = membership_of(
            db_session, team_id=TEAM, user_id=user, pair_id=pair_id, lock=True
        )
        form = agreement_form(db_session, membership=membership)
        assert validate_agreement(values=values, side=membership.side, now=at) == {}
        return save_agreement(
            db_session, membership=membership, values=values, goal_ids=form.goal_ids, now=at
        )
