"""The coordinators' CSV export, built from known data on SQLite and Postgres: the exact columns
and cells, never a private note, nothing about a forgotten person, no formula a spreadsheet
would run."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

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
from bot.services.participation import forget
from bot.services.programs import ProgramInput, create_program, find_program
from tests.factories import MENTEE, MENTEE_GOALS, MENTEE_USER, MENTOR_GOALS, MENTOR_USER, TEAM
from tests.scenarios import (
    AGENDA_TEXT,
    CANCEL_REASON,
    CAROL,
    DAN,
    EXPORT_AT,
    FIRST_NOTE,
    FOLLOW_UP,
    HOSTILE_DEPARTMENT,
    HOSTILE_LOCATION,
    LEARNED,
    MENTEE_NOTE,
    MENTOR_NOTE,
    PAIR_HEADER,
    PARTICIPANT_HEADER,
    REASONS,
    SESSION_HEADER,
    Seeded,
    seed_program,
)


@pytest.fixture
def program(session_factory: sessionmaker[Session]) -> Seeded:
    return seed_program(session_factory)


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
        AGENDA_TEXT,
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
