"""The figures behind the charts, built through the services, on SQLite and Postgres (the
data: tests/scenarios.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.services.chart_data import TopicGrowth, WeekCounts, sessions_per_week, skill_growth
from bot.services.errors import DomainError
from bot.services.programs import ProgramInput, create_program, find_program
from models import Pair, Participant
from models.enums import ProgramStatus, SurveyKind
from tests.factories import TEAM
from tests.scenarios import (
    CHART_NOW,
    ENROLLED,
    Person,
    answer,
    enrol_pair,
    seed_growth,
    seed_sessions,
)

# -- sessions per week ----------------------------------------------------------------------------


def test_sessions_are_counted_per_iso_week_by_what_became_of_them(
    session_factory: sessionmaker[Session],
) -> None:
    pair = seed_sessions(session_factory)
    with session_factory() as db_session:
        weeks = sessions_per_week(db_session, program_id=pair.program_id, now=CHART_NOW)
    assert len(weeks) == 12
    assert [w.week_start for w in weeks] == [
        date(2026, 9, 7) + timedelta(weeks=i) for i in range(12)
    ]
    assert all(w.week_start.weekday() == 0 for w in weeks)
    by_week = {w.week_start: w for w in weeks if w.total}
    assert by_week == {
        date(2026, 9, 7): WeekCounts(date(2026, 9, 7), held=1, cancelled=0, missed=0),
        date(2026, 11, 9): WeekCounts(date(2026, 11, 9), held=2, cancelled=1, missed=0),
        date(2026, 11, 16): WeekCounts(date(2026, 11, 16), held=1, cancelled=0, missed=1),
        date(2026, 11, 23): WeekCounts(date(2026, 11, 23), held=1, cancelled=1, missed=0),
    }
    assert sum(w.held for w in weeks) == 5  # not the one before the window, nor the other team's


def test_fewer_weeks_and_a_program_without_sessions(
    session_factory: sessionmaker[Session],
) -> None:
    pair = seed_sessions(session_factory)
    with session_factory() as db_session:
        [this_week] = sessions_per_week(
            db_session, program_id=pair.program_id, now=CHART_NOW, weeks=1
        )
        assert this_week == WeekCounts(date(2026, 11, 23), held=1, cancelled=1, missed=0)
        # Seen from the Sunday of the week of 16 Nov, the current week is that one.
        sunday = datetime(2026, 11, 22, 23, 59, tzinfo=UTC)
        last_two = sessions_per_week(db_session, program_id=pair.program_id, now=sunday, weeks=2)
        assert [(w.week_start, w.held, w.cancelled, w.missed) for w in last_two] == [
            (date(2026, 11, 9), 2, 1, 0),
            (date(2026, 11, 16), 1, 0, 1),
        ]
        # A `now` given in another zone means the same instant.
        tokyo_monday = datetime(2026, 11, 23, 8, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # Sun in UTC
        [same_week] = sessions_per_week(
            db_session, program_id=pair.program_id, now=tokyo_monday, weeks=1
        )
        assert same_week.week_start == date(2026, 11, 16)
    with session_factory.begin() as db_session:
        empty, _ = create_program(
            db_session, team_id=TEAM, values=ProgramInput(name="Spring cohort"), now=CHART_NOW
        )
        weeks = sessions_per_week(db_session, program_id=empty.id, now=CHART_NOW)
    assert len(weeks) == 12 and all(w.total == 0 for w in weeks)


# -- skill growth ---------------------------------------------------------------------------------


def test_skill_growth_compares_the_same_people_and_hides_small_groups(
    session_factory: sessionmaker[Session],
) -> None:
    program_id = seed_growth(session_factory)
    with session_factory() as db_session:
        growth = skill_growth(db_session, program_id=program_id)
    assert [t.topic for t in growth] == ["social_media", "generative_ai", "leadership"]
    social, ai, leadership = growth
    # Ann, Ben and Cat: sign-up 1, 2, 2; latest 4 (Ann's final, not her midpoint 3), 3, 5.
    assert ai.suppressed is False
    assert ai.people == 3
    assert ai.at_signup == pytest.approx(5 / 3)
    assert ai.latest == pytest.approx(4.0)
    # Two people (Ann and Ben) and one mentor: no figures at all.
    assert social == TopicGrowth(topic="social_media", suppressed=True)
    assert leadership == TopicGrowth(topic="leadership", suppressed=True)
    assert social.people is None and social.at_signup is None and social.latest is None


def test_skill_growth_before_any_survey_is_all_suppressed(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as db_session:
        pair, _ = enrol_pair(db_session, Person("U0ANN", {"generative_ai": 2}), "U0MENTOR")
        program_id = pair.program_id
    with session_factory() as db_session:
        growth = skill_growth(db_session, program_id=program_id)
    assert growth == [
        TopicGrowth(topic="generative_ai", suppressed=True),
        TopicGrowth(topic="leadership", suppressed=True),
    ]


def test_a_third_answer_reveals_a_topic(session_factory: sessionmaker[Session]) -> None:
    program_id = seed_growth(session_factory)
    with session_factory.begin() as db_session:
        dee = db_session.scalars(
            select(Participant).where(Participant.slack_user_id == "U0DEE")
        ).one()
        pair = db_session.scalars(select(Pair).where(Pair.mentee_id == dee.id)).one()
        answer(db_session, pair, dee, SurveyKind.MIDPOINT, {"generative_ai": 4})
    with session_factory() as db_session:
        ai = skill_growth(db_session, program_id=program_id)[1]
    assert (ai.people, ai.at_signup, ai.latest) == (4, pytest.approx(2.5), pytest.approx(4.0))


# -- which program --------------------------------------------------------------------------------


def test_a_program_is_found_by_name_or_is_the_open_one(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as db_session:
        with pytest.raises(DomainError, match="no program yet"):
            find_program(db_session, team_id=TEAM, name="")
        first, _ = create_program(
            db_session, team_id=TEAM, values=ProgramInput(name="Pilot 2026"), now=ENROLLED
        )
        second, _ = create_program(
            db_session, team_id=TEAM, values=ProgramInput(name="R&D cohort"), now=CHART_NOW
        )
        assert find_program(db_session, team_id=TEAM, name="") == second
        assert find_program(db_session, team_id=TEAM, name="  pilot 2026 ") == first
        assert find_program(db_session, team_id=TEAM, name='"r&d COHORT"') == second
        with pytest.raises(DomainError, match="no program called “Pilot 2025”"):
            find_program(db_session, team_id=TEAM, name="Pilot 2025")
        second.status = ProgramStatus.CLOSED
        db_session.flush()
        assert find_program(db_session, team_id=TEAM, name="") == second  # the newest
