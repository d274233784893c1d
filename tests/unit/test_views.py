"""Every view and block builder round-trips through slack_sdk.models within Slack's limits."""

from __future__ import annotations

from dataclasses import replace

import pytest
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.services.dashboard import coordinator_dashboard
from bot.services.enrollment import save_profile
from bot.services.participation import status_of
from bot.services.polls import record_topic_votes, record_vote, start_poll
from bot.services.profile import ProfileInput
from bot.services.topics import CATALOG
from bot.views.home import home_view
from bot.views.messages import HelpEntry, help_blocks, signup_confirmation
from bot.views.metadata import SignupMetadata
from bot.views.signup import parse_signup_state, signup_modal
from models.enums import Cadence, CareerStage, Personality, PollAnswer, Role
from tests import contract
from tests.driver import fill_state
from tests.factories import MENTOR, NOW, TEAM
from tests.fakeslack import drawing_problems
from tests.hostile import HOSTILE

EVERY_TOPIC = [t.key for t in CATALOG]


def _as_dict(view: View) -> dict:
    """The view as Slack receives it, once the demo's browser UI has shown it can draw it."""
    as_dict = view.to_dict()
    assert drawing_problems(as_dict["blocks"]) == []
    return as_dict


@pytest.mark.parametrize(
    "values",
    [
        ProfileInput(),
        MENTOR,
        # The largest form: every topic to learn, each with its own rating field.
        replace(
            MENTOR,
            role=Role.BOTH,
            teach_topics=[],
            learn_topics=EVERY_TOPIC,
            self_ratings=dict.fromkeys(EVERY_TOPIC, 3),
        ),
    ],
)
@pytest.mark.parametrize("editing", [False, True])
def test_signup_modal_is_valid_block_kit(values: ProfileInput, editing: bool) -> None:
    metadata = SignupMetadata(editing=editing, program_name=HOSTILE)
    view = _as_dict(signup_modal(values=values, metadata=metadata))
    if contract.available():
        assert contract.check_view(view) == []
    assert "<!channel>" not in str(view["blocks"][0])


def test_the_form_reads_back_what_it_shows() -> None:
    """A pre-filled form submitted untouched gives back the same profile."""
    view = _as_dict(signup_modal(values=MENTOR, metadata=SignupMetadata(editing=True)))
    assert parse_signup_state(fill_state(view, {})) == MENTOR


def test_the_form_ignores_values_it_does_not_offer() -> None:
    state = {
        "role": {"role": {"type": "radio_buttons", "selected_option": {"value": "overlord"}}},
        "career_stage": {"career_stage": {"type": "static_select", "selected_option": None}},
        "rating:leadership": {
            "rating": {"type": "static_select", "selected_option": {"value": "lots"}}
        },
    }
    profile = parse_signup_state(state)
    assert profile.role is None and profile.career_stage is None and profile.self_ratings == {}


def test_help_and_confirmation_blocks_are_valid_and_escaped() -> None:
    blocks = help_blocks([HelpEntry("/mentoring join", "sign up")], unknown=HOSTILE)
    hostile_profile = ProfileInput(
        role=Role.MENTEE,
        department=HOSTILE,
        location=HOSTILE,
        job_title=HOSTILE,
        career_stage=CareerStage.VETERAN,
        personality=Personality.AMBIVERT,
        cadence=Cadence.MONTHLY,
        learn_topics=EVERY_TOPIC,
        self_ratings=dict.fromkeys(EVERY_TOPIC, 1),
        teach_topics=[],
        consent=True,
    )
    text, confirmation = signup_confirmation(
        program_name=HOSTILE, profile=hostile_profile, created=True, timezone="Asia/Kolkata"
    )
    for block_list in (blocks, confirmation):
        dicts = [b.to_dict() for b in block_list]
        assert drawing_problems(dicts) == []
        if contract.available():
            assert contract.check_blocks(dicts) == []
        assert "<!channel>" not in str(dicts) and "<@U123>" not in str(dicts)
    assert "<!channel>" not in text


def test_home_views_are_valid_for_newcomers_participants_and_coordinators(
    db_session: Session,
) -> None:
    hostile = replace(MENTOR, department=HOSTILE[:100])
    with db_session.begin():
        save_profile(
            db_session, team_id=TEAM, user_id="U0ALICE", profile=hostile, timezone=None, now=NOW
        )
        poll = start_poll(db_session, team_id=TEAM, channel_id="C0POLLS", created_by="U0C", now=NOW)
        record_vote(
            db_session,
            team_id=TEAM,
            poll_id=poll.id,
            user_id="U0ALICE",
            answer=PollAnswer.MENTOR,
            now=NOW,
        )
        record_topic_votes(
            db_session,
            team_id=TEAM,
            poll_id=poll.id,
            user_id="U0ALICE",
            topics=EVERY_TOPIC,
            now=NOW,
        )
        dashboard = coordinator_dashboard(db_session, team_id=TEAM)
        views = [
            home_view(status_of(db_session, team_id=TEAM, user_id=user, now=NOW), board)
            for user in ("U0ALICE", "U0NEWBIE")
            for board in (None, dashboard)
        ]
    for view in views:
        as_dict = _as_dict(view)
        if contract.available():
            assert contract.check_view(as_dict) == []
        assert "<!channel>" not in str(as_dict)
    assert "I'd mentor* 1" in str(_as_dict(views[1]))


def _every_subclass(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_every_subclass(sub)]
    return found


def test_validation_by_class_runs_the_validators_slack_sdk_would() -> None:
    from slack_sdk.errors import SlackObjectFormationError
    from slack_sdk.models.basic_objects import JsonObject
    from slack_sdk.models.blocks import ButtonElement, SectionBlock

    from bot.views.validation import speed_up_validation, validators_of

    classes = _every_subclass(JsonObject)
    assert len(classes) > 50
    for cls in classes:
        # slack_sdk's own discovery: every attribute of an object, read and checked for the mark.
        marked = [
            name
            for name in dir(cls)
            if not name.startswith("__") and hasattr(getattr(cls, name, None), "validator")
        ]
        assert list(validators_of(cls)) == marked, cls
    speed_up_validation()
    with pytest.raises(SlackObjectFormationError):
        SectionBlock(text="x" * 3001).to_dict()
    with pytest.raises(SlackObjectFormationError):
        ButtonElement(text="a" * 80, action_id="b").to_dict()
    assert SectionBlock(text="fine").to_dict()["text"]["text"] == "fine"
