"""Enrollment rules on a real database (SQLite, and Postgres when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.services.enrollment import find_participant, profile_of, save_profile
from bot.services.errors import SignupClosedError
from bot.services.profile import ProfileField, ProfileInput, validate_profile
from bot.services.programs import get_or_create_open_program
from models import MatchExclusion, Participant, ParticipantTopic, Program
from models.enums import ProgramStatus, Role
from tests.factories import MENTOR, NOW, TEAM


def save(db_session: Session, profile: ProfileInput, user: str = "U0ALICE", tz: str | None = None):
    with db_session.begin():
        return save_profile(
            db_session, team_id=TEAM, user_id=user, profile=profile, timezone=tz, now=NOW
        )


# -- validation ----------------------------------------------------------------------------------


def test_a_complete_profile_is_valid() -> None:
    assert validate_profile(MENTOR) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": None}, ProfileField.ROLE),
        ({"department": "   "}, ProfileField.DEPARTMENT),
        ({"location": "x" * 101}, ProfileField.LOCATION),
        ({"job_title": ""}, ProfileField.JOB_TITLE),
        ({"career_stage": None}, ProfileField.CAREER_STAGE),
        ({"teach_topics": []}, ProfileField.TEACH_TOPICS),
        ({"teach_topics": ["knitting"]}, ProfileField.TEACH_TOPICS),
        (
            {"learn_topics": ["social_media"], "self_ratings": {"social_media": 3}},
            ProfileField.LEARN_TOPICS,
        ),
        ({"self_ratings": {}}, "rating:leadership"),
        ({"self_ratings": {"leadership": 9}}, "rating:leadership"),
        ({"personality": None}, ProfileField.PERSONALITY),
        ({"cadence": None}, ProfileField.CADENCE),
        ({"mentee_capacity": 4}, ProfileField.MENTEE_CAPACITY),
        ({"do_not_match": ["U1> <!channel"]}, ProfileField.DO_NOT_MATCH),
        ({"do_not_match": [f"U{i:04d}" for i in range(21)]}, ProfileField.DO_NOT_MATCH),
        ({"consent": False}, ProfileField.CONSENT),
    ],
)
def test_each_rule_names_the_field_that_breaks_it(change: dict, field: str) -> None:
    errors = validate_profile(replace(MENTOR, **change))
    assert set(errors) == {field}, errors


def test_a_mentee_must_want_to_learn_something_but_need_not_teach() -> None:
    mentee = replace(MENTOR, role=Role.MENTEE, teach_topics=[])
    assert validate_profile(mentee) == {}
    assert set(validate_profile(replace(mentee, learn_topics=[], self_ratings={}))) == {
        ProfileField.LEARN_TOPICS
    }


def test_both_needs_topics_each_way() -> None:
    both = replace(MENTOR, role=Role.BOTH)
    assert validate_profile(both) == {}
    assert ProfileField.TEACH_TOPICS in validate_profile(replace(both, teach_topics=[]))
    assert ProfileField.LEARN_TOPICS in validate_profile(
        replace(both, learn_topics=[], self_ratings={})
    )


# -- saving ----------------------------------------------------------------------------------------


def test_first_sign_up_creates_the_default_open_program(db_session: Session) -> None:
    enrollment = save(db_session, MENTOR, tz="Europe/Lisbon")
    assert enrollment.created
    assert enrollment.program.name == "Reverse mentoring 2026"
    assert enrollment.program.status == ProgramStatus.OPEN
    participant = enrollment.participant
    assert (participant.team_id, participant.slack_user_id) == (TEAM, "U0ALICE")
    assert participant.timezone == "Europe/Lisbon"
    assert participant.consented_at == NOW
    assert profile_of(participant) == MENTOR


def test_saving_again_updates_in_place(db_session: Session) -> None:
    first = save(db_session, MENTOR)
    edited = replace(
        MENTOR,
        teach_topics=["generative_ai", "cybersecurity"],
        learn_topics=["leadership", "strategy"],
        self_ratings={"leadership": 4, "strategy": 1},
        do_not_match=["U0PEER"],
    )
    second = save(db_session, edited)
    assert not second.created and second.participant.id == first.participant.id
    db_session.expire_all()
    with db_session.begin():
        reloaded = find_participant(db_session, team_id=TEAM, user_id="U0ALICE")
        assert reloaded is not None
        assert profile_of(reloaded) == edited
        assert db_session.scalar(select(func.count()).select_from(Participant)) == 1
        assert db_session.scalar(select(func.count()).select_from(MatchExclusion)) == 1
        assert db_session.scalar(select(func.count()).select_from(ParticipantTopic)) == 4


def test_a_time_zone_is_kept_when_slack_cannot_tell_it_again(db_session: Session) -> None:
    save(db_session, MENTOR, tz="Asia/Tokyo")
    enrollment = save(db_session, MENTOR, tz=None)
    assert enrollment.participant.timezone == "Asia/Tokyo"


def test_nobody_is_excluded_from_matching_with_themselves(db_session: Session) -> None:
    enrollment = save(db_session, replace(MENTOR, do_not_match=["U0ALICE", "U0BOSS"]))
    assert [e.excluded_user_id for e in enrollment.participant.exclusions] == ["U0BOSS"]


def test_closed_sign_up_refuses_newcomers_but_lets_members_edit(db_session: Session) -> None:
    save(db_session, MENTOR, user="U0ALICE")
    with db_session.begin():
        program = get_or_create_open_program(db_session, team_id=TEAM, now=NOW)
        program.signup_open = False
    with pytest.raises(SignupClosedError, match="closed"):
        save(db_session, MENTOR, user="U0NEW")
    assert not save(db_session, replace(MENTOR, department="Sales"), user="U0ALICE").created


def test_one_open_program_per_workspace_is_enforced_by_the_database(db_session: Session) -> None:
    with db_session.begin():
        get_or_create_open_program(db_session, team_id=TEAM, now=NOW)
    with pytest.raises(IntegrityError), db_session.begin():
        db_session.add(Program(team_id=TEAM, name="Second", status=ProgramStatus.OPEN))
        db_session.flush()


def test_workspaces_do_not_share_programs_or_participants(db_session: Session) -> None:
    save(db_session, MENTOR, user="U0ALICE")
    with db_session.begin():
        save_profile(
            db_session, team_id="T0OTHER", user_id="U0ALICE", profile=MENTOR, timezone=None, now=NOW
        )
        assert db_session.scalar(select(func.count()).select_from(Program)) == 2
        assert find_participant(db_session, team_id="T0NONE", user_id="U0ALICE") is None
        mine = find_participant(db_session, team_id=TEAM, user_id="U0ALICE")
        theirs = find_participant(db_session, team_id="T0OTHER", user_id="U0ALICE")
        assert mine is not None and theirs is not None and mine.id != theirs.id
