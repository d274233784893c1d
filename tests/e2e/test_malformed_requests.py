"""Requests Slack would never send, or sends for things the app does not do: each gets a clean
4xx, or a 200 with a polite message; never a 500, never a traceback in the body."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select

from bot.handlers.errors import APOLOGY, OTHER_COMMAND, OUT_OF_DATE
from bot.services.agreements import AgreementForm
from bot.services.errors import DomainError
from bot.services.profile import ProfileInput
from bot.services.programs import ProgramInput
from bot.views.concerns import concern_modal
from bot.views.goals import GoalsMetadata, goals_modal
from bot.views.metadata import SignupMetadata
from bot.views.programs import ProgramMetadata, program_modal
from bot.views.sessions import ScheduleMetadata, cancel_modal, checkin_modal, schedule_modal
from bot.views.signup import signup_modal
from bot.views.surveys import survey_modal
from bot.web import MAX_BODY_BYTES
from models import Participant
from models.enums import Side, SurveyKind
from tests.conftest import COORDINATOR, RunningBot
from tests.factories import MENTEE_USER, MENTOR_USER, seed_pair
from tests.hostile import TRACEBACK

FORM = "application/x-www-form-urlencoded"
CLEAN_STATUSES = {200, 400, 401, 413, 415}


def sent_anything(bot: RunningBot) -> list[str]:
    """Calls that put something in front of somebody (Bolt's own auth.test does not)."""
    return [c.method for c in bot.slack.calls if c.method != "auth.test"]


def assert_nothing_sent(bot: RunningBot, within: float = 0.2) -> None:
    """Nothing put in front of anybody, at the answer nor in the moment after it, when a
    listener that should not have run would have called Slack."""
    bot.slack.assert_no_call("*", within=within, where=lambda c: c.method != "auth.test")


def assert_clean(response: httpx.Response, *statuses: int) -> None:
    expected = statuses or CLEAN_STATUSES
    assert response.status_code in expected, (response.status_code, response.text)
    assert not TRACEBACK.search(response.text), response.text


def payload_body(payload: str) -> bytes:
    return urlencode({"payload": payload}).encode()


def user(user_id: str = MENTOR_USER) -> dict[str, Any]:
    return {"id": user_id, "team_id": "T0TEAM1", "username": user_id.lower()}


def view_submission(view: dict[str, Any], state: Any = None, *, who: str = MENTOR_USER) -> Any:
    submitted = {"id": "V0FORGED", "hash": "1.abc", "team_id": "T0TEAM1", **view}
    if state is not None:
        submitted["state"] = state
    return {
        "type": "view_submission",
        "team": {"id": "T0TEAM1", "domain": "acme"},
        "user": user(who),
        "api_app_id": "A0MENTOR",
        "trigger_id": "1.2.trigger",
        "view": submitted,
    }


# -- bodies that are not Slack's -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        pytest.param(payload_body("{not json"), FORM, 400, id="payload-not-json"),
        pytest.param(payload_body("[1, 2]"), FORM, 400, id="payload-a-list"),
        pytest.param(payload_body('"text"'), FORM, 400, id="payload-a-string"),
        pytest.param(b"{oops", "application/json", 400, id="event-not-json"),
        pytest.param(b"[1]", "application/json", 400, id="event-a-list"),
        pytest.param(b"\xff\xfe\x00 not utf-8", FORM, 400, id="not-utf-8"),
        pytest.param(b"command=%2Fmentoring&text=help", "text/plain", 415, id="text-plain"),
        pytest.param(b"<xml/>", "application/xml", 415, id="xml"),
        pytest.param(b"x", "", 415, id="no-content-type"),
        pytest.param(b"payload=" + b"a" * (MAX_BODY_BYTES + 1), FORM, 413, id="oversized"),
    ],
)
def test_a_body_slack_would_not_send_is_refused_with_a_4xx(
    bot: RunningBot, body: bytes, content_type: str, status: int
) -> None:
    response = bot.driver.post(body, content_type)
    assert_clean(response, status)
    assert response.json()["error"]
    assert sent_anything(bot) == []


def test_refusals_come_before_bolt_so_unsigned_bodies_get_them_too(bot: RunningBot) -> None:
    unsigned = bot.driver.post(payload_body("{not json"), FORM, signature="v0=" + "0" * 64)
    assert_clean(unsigned, 400)
    # A well-formed body with a bad signature is still a 401.
    forged = bot.driver.post(bot.driver.command_body("U0ALICE", "help"), FORM, signature="v0=0")
    assert_clean(forged, 401)


def test_a_json_content_type_with_a_charset_is_accepted(bot: RunningBot) -> None:
    body = json.dumps({"type": "event_callback", "team_id": "T0TEAM1", "event": {}}).encode()
    assert_clean(bot.driver.post(body, "application/json; charset=utf-8"), 200)


def test_a_command_mentioning_the_word_payload_still_reaches_the_command(bot: RunningBot) -> None:
    """Bolt's own parser took any form body containing "payload" for an empty request."""
    answer = bot.driver.command("U0ALICE", "payload please")
    assert_clean(answer, 200)
    assert "I don't know `payload`" in answer.text


# -- well-formed, but missing what Slack always sends ----------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({}, id="empty"),
        pytest.param({"type": "block_actions"}, id="block-actions-bare"),
        pytest.param(
            {"type": "block_actions", "user": {"id": MENTOR_USER}, "team": {"id": "T0TEAM1"}},
            id="block-actions-no-actions",
        ),
        pytest.param({"type": "block_actions", "user": "U0", "actions": "x"}, id="wrong-types"),
        pytest.param({"type": "view_closed", "view": {"type": "modal"}}, id="view-closed"),
        pytest.param({"type": "shortcut", "callback_id": "nope"}, id="unknown-shortcut"),
        pytest.param({"type": "view_submission", "view": {"id": "V1"}}, id="view-without-type"),
        pytest.param({"type": "view_submission", "view": "V1"}, id="view-a-string"),
        pytest.param({"type": "something_new"}, id="unknown-type"),
    ],
)
def test_payloads_missing_what_slack_sends_get_a_clean_answer(
    bot: RunningBot, payload: dict[str, Any]
) -> None:
    assert_clean(bot.driver.interactive(payload))
    bot.slack.assert_no_call("views.*", within=0.1)
    assert bot.slack.views == {}


def _command(**fields: str) -> bytes:
    base = {
        "command": "/mentoring",
        "text": "status",
        "team_id": "T0TEAM1",
        "user_id": MENTOR_USER,
        "trigger_id": "1.2.trigger",
        "response_url": "",
    }
    return urlencode({k: v for k, v in {**base, **fields}.items() if v is not None}).encode()


def _action(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T0TEAM1"},
        "user": user(),
        "trigger_id": "1.2.trigger",
        "container": {"type": "view", "view_id": f"VHOME{MENTOR_USER}"},
        "view": {"id": f"VHOME{MENTOR_USER}", "type": "home"},
        "actions": [{"action_id": "pause", "block_id": "b", "type": "button", "value": "2"}],
    }
    return {k: v for k, v in {**base, **fields}.items() if v is not None}


@pytest.mark.parametrize(
    ("send", "missing"),
    [
        pytest.param(
            lambda d: d.post(_command(user_id=""), FORM),
            "command request without user_id",
            id="cmd-user",
        ),
        pytest.param(
            lambda d: d.post(_command(team_id=""), FORM), "without team_id", id="cmd-team"
        ),
        pytest.param(
            lambda d: d.post(_command(trigger_id=""), FORM), "without trigger_id", id="cmd-trigger"
        ),
        pytest.param(
            lambda d: d.interactive(_action(user={"team_id": "T0TEAM1"})),
            "block_actions request without user.id",
            id="action-user",
        ),
        pytest.param(
            lambda d: d.interactive(_action(team={}, user={"id": MENTOR_USER})),
            "without team",
            id="action-team",
        ),
        pytest.param(
            lambda d: d.interactive(_action(view={"type": "home"})),
            "without view.id",
            id="action-in-a-view-without-its-id",
        ),
        pytest.param(
            lambda d: d.interactive(_action(trigger_id="")),
            "without trigger_id",
            id="action-trigger",
        ),
        pytest.param(
            lambda d: d.interactive(
                {**view_submission({"callback_id": "concern", "type": "modal"}), "view": {}}
            ),
            "view_submission request without view.id",
            id="submission-view",
        ),
        pytest.param(
            lambda d: d.interactive(
                {"type": "view_closed", "team": {"id": "T0TEAM1"}, "user": user(), "view": {}}
            ),
            "view_closed request without view.id",
            id="closed-view",
        ),
        pytest.param(
            lambda d: d.event({"type": "app_home_opened", "tab": "home", "channel": "D1"}),
            "event_callback request without event.user",
            id="home-opened-user",
        ),
    ],
)
def test_requests_missing_who_or_where_are_dropped_before_any_slack_call(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, send: Any, missing: str
) -> None:
    bot.slack.add_user(MENTOR_USER, is_admin=True)
    seed_pair(bot.session_factory)
    answer = send(bot.driver)
    assert_clean(answer, 200)
    assert answer.text == ""
    assert_nothing_sent(bot)  # nothing is left running after the answer either
    dropped = [r.getMessage() for r in caplog.records if r.name == "bot.handlers.edge"]
    assert len(dropped) == 1 and missing in dropped[0]


def test_a_complete_home_click_still_works(bot: RunningBot) -> None:
    """The same click with everything Slack sends goes through (the test above fails for the
    right reason)."""
    seed_pair(bot.session_factory)
    assert_clean(bot.driver.interactive(_action()), 200)
    bot.slack.wait_for("views.publish", lambda c: c.args["user_id"] == MENTOR_USER)


# -- things the app does not do ------------------------------------------------------------------


def test_an_unknown_button_in_a_message_says_it_is_out_of_date(bot: RunningBot) -> None:
    answer = bot.driver.block_action(
        MENTOR_USER,
        "button_from_an_old_version",
        value="1",
        message={"ts": "1.2", "channel": "D0MENTOR", "text": "old"},
        channel_id="D0MENTOR",
    )
    assert_clean(answer, 200)
    note = bot.slack.wait_for_response()
    assert note["text"] == OUT_OF_DATE.replace("<", "&lt;").replace(">", "&gt;")
    assert note["response_type"] == "ephemeral" and note["replace_original"] is False


def test_an_unknown_button_in_the_app_home_says_so_by_dm(bot: RunningBot) -> None:
    assert_clean(bot.driver.block_action(MENTOR_USER, "button_from_an_old_version"), 200)
    [dm] = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == MENTOR_USER)
    assert "out of date" in dm.args["text"]


def test_an_unknown_form_keeps_itself_open_with_an_explanation(bot: RunningBot) -> None:
    view = concern_modal().to_dict()
    view["callback_id"] = "form_from_an_old_version"
    answer = bot.driver.interactive(view_submission(view, {"values": {}}))
    assert_clean(answer, 200)
    assert answer.json() == {"response_action": "errors", "errors": {"concern_text": OUT_OF_DATE}}


def test_another_slash_command_points_to_mentoring(bot: RunningBot) -> None:
    body = bot.driver.command_body("U0ALICE", "help").replace(b"%2Fmentoring", b"%2Fmentor")
    answer = bot.driver.post(body, FORM)
    assert_clean(answer, 200)
    assert answer.json() == {"response_type": "ephemeral", "text": OTHER_COMMAND}


def test_an_event_of_an_unknown_type_is_acknowledged_and_ignored(bot: RunningBot) -> None:
    answer = bot.driver.event({"type": "reaction_added", "user": MENTOR_USER, "reaction": "x"})
    assert_clean(answer, 200)
    assert answer.text == ""
    assert_nothing_sent(bot)


# -- known forms, with state Slack would never send ----------------------------------------------

WRONG_ELEMENTS: list[Any] = [
    {"type": "plain_text_input", "value": 12345},
    {"type": "static_select", "selected_option": "not-an-option"},
    {"type": "static_select", "selected_option": {"value": ["x"]}},
    {"type": "checkboxes", "selected_options": "nope"},
    {"type": "checkboxes", "selected_options": [1, None, "x", {"value": 3}]},
    {"type": "datepicker", "selected_date": 20261124},
    {"type": "datepicker", "selected_date": "24/11/2026"},
    {"type": "timepicker", "selected_time": ["15:00"]},
    {"type": "number_input", "value": "forty-five"},
    {"type": "multi_users_select", "selected_users": "U0BOSS"},
    {"type": "multi_users_select", "selected_users": [None, 7]},
    {"type": "conversations_select", "selected_conversation": {"id": "C1"}},
    None,
    "text",
    [],
]
WRONG_STATES: list[Any] = [
    "absent",
    {},
    {"values": {}},
    {"values": []},
    "values",
    {"values": {"role": "x", "department": ["y"], "day": None}},
]


def _forms(pair_id: int, session_id: int) -> dict[str, dict[str, Any]]:
    return {
        "signup": signup_modal(
            values=ProfileInput(learn_topics=["generative_ai"]), metadata=SignupMetadata()
        ).to_dict(),
        "program": program_modal(ProgramInput(), ProgramMetadata()).to_dict(),
        "schedule": schedule_modal(
            partner=MENTEE_USER,
            zone="Europe/London",
            minutes=45,
            agenda="",
            metadata=ScheduleMetadata(pair_id=pair_id, zone="Europe/London"),
        ).to_dict(),
        "cancel": cancel_modal(when="Tuesday", session_id=session_id).to_dict(),
        "check_in": checkin_modal(
            session_id=session_id, partner=MENTEE_USER, topics=["generative_ai"]
        ).to_dict(),
        "concern": concern_modal().to_dict(),
        "survey": survey_modal(
            pair_id=pair_id, kind=SurveyKind.MIDPOINT, topics=["generative_ai"]
        ).to_dict(),
    }


def _states(view: dict[str, Any]) -> list[Any]:
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    states = list(WRONG_STATES)
    for index in range(len(WRONG_ELEMENTS)):
        values: dict[str, Any] = {}
        for offset, block in enumerate(inputs):
            # Each block gets a different wrong shape on each round.
            shape = WRONG_ELEMENTS[(index + offset) % len(WRONG_ELEMENTS)]
            values[block["block_id"]] = {block["element"]["action_id"]: shape}
        states.append({"values": values})
    states.append({"values": {b["block_id"]: "not-a-dict" for b in inputs}})
    return states


def _goals_view(pair_id: int) -> dict[str, Any]:
    from bot.services.agreements import AgreementInput

    form = AgreementForm(
        values=AgreementInput(),
        goal_ids=(),
        i_confirmed=False,
        partner_confirmed=False,
        proposed_by_partner=False,
    )
    return goals_modal(
        form=form,
        side=Side.MENTOR,
        partner_user=MENTEE_USER,
        metadata=GoalsMetadata(pair_id=pair_id),
    ).to_dict()


@pytest.mark.parametrize(
    "form", ["signup", "program", "goals", "schedule", "cancel", "check_in", "concern", "survey"]
)
def test_a_known_form_with_missing_or_mistyped_state_never_fails(
    bot: RunningBot, form: str
) -> None:
    seeded = seed_pair(bot.session_factory)
    with bot.session_factory() as s:
        participants_before = s.scalar(select(func.count(Participant.id)))
    views = _forms(seeded.pair_id, session_id=999)
    view = _goals_view(seeded.pair_id) if form == "goals" else views[form]
    who = COORDINATOR if form == "program" else MENTOR_USER
    for state in _states(view):
        sent = view_submission(view, None if state == "absent" else state, who=who)
        sent["view"]["id"] = f"V{abs(hash(json.dumps(state, sort_keys=True))) % 10**8}"
        answer = bot.driver.interactive(sent)
        assert_clean(answer, 200)
        if answer.text:
            body = answer.json()
            assert body.get("response_action") == "errors", body
            # Read as a form left empty, and refused field by field: not an apology.
            assert all(isinstance(m, str) and m != APOLOGY for m in body["errors"].values())
    with bot.session_factory() as s:
        assert s.scalar(select(func.count(Participant.id))) == participants_before


# -- known buttons and menus, with values no message of ours carries -----------------------------

BAD_VALUES = ["", "abc", "-1", "1:2:3", "99999999999999999999999", "<!channel>", "\x00"]


@pytest.mark.parametrize(
    "action_id",
    [
        "schedule_session",
        "move_session",
        "cancel_session",
        "checkin_happened",
        "checkin_rescheduled",
        "checkin_cancelled",
        "start_goals",
        "open_survey",
        "acknowledge_concern",
        "poll_vote_mentor",
        "pause",
        "forget_me_confirm",
    ],
)
def test_a_known_button_with_a_forged_value_gets_a_polite_answer(
    bot: RunningBot, action_id: str
) -> None:
    seed_pair(bot.session_factory)
    for value in BAD_VALUES:
        answer = bot.driver.block_action(
            MENTOR_USER,
            action_id,
            value=value,
            message={"ts": "1.2", "channel": "D0MENTOR", "text": "x"},
            channel_id="D0MENTOR",
        )
        assert_clean(answer, 200)
    # What the clicks say after their answers: never a traceback.
    bot.slack.assert_no_response(
        within=0.3, where=lambda note: bool(TRACEBACK.search(json.dumps(note)))
    )


@pytest.mark.parametrize(
    ("action_id", "selected"),
    [
        ("goal_menu", {"value": "achieved:abc"}),
        ("goal_menu", {"value": "nonsense"}),
        ("goal_menu", "achieved:1"),
        ("match_pair_menu", {"value": "remove:abc"}),
        ("match_pair_menu", None),
        ("poll_topics", [{"value": 1}]),
    ],
)
def test_a_known_menu_with_a_forged_choice_gets_a_polite_answer(
    bot: RunningBot, action_id: str, selected: Any
) -> None:
    seed_pair(bot.session_factory)
    payload = {
        "type": "block_actions",
        "team": {"id": "T0TEAM1"},
        "user": user(COORDINATOR),
        "trigger_id": "1.2.trigger",
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "D0COORD"},
        "channel": {"id": "D0COORD"},
        "message": {"ts": "1.2", "text": "x"},
        "response_url": bot.slack.response_url("menu"),
        "view": {"id": "V1", "type": "modal", "private_metadata": '{"program_id": "x"}'},
        "actions": [
            {
                "type": "overflow",
                "action_id": action_id,
                "block_id": "poll_topics:abc",
                "selected_option": selected,
                "selected_options": selected,
                "action_ts": "1.2",
            }
        ],
    }
    assert_clean(bot.driver.interactive(payload), 200)


def test_a_refusal_after_the_ack_is_said_once(bot: RunningBot) -> None:
    """Bolt forgets the ack() of a listener that fails right after acking, waits out its 3 s
    and reports the request as unhandled: the person hears the refusal, and only that."""

    @bot.app.action("refuses_after_ack")
    def refuse(ack: Any) -> None:
        ack()
        raise DomainError("No, and here is why.")

    for _ in range(3):
        answer = bot.driver.block_action(
            MENTOR_USER,
            "refuses_after_ack",
            message={"ts": "1.2", "channel": "D0MENTOR", "text": "x"},
            channel_id="D0MENTOR",
        )
        assert_clean(answer, 200)
    bot.slack.wait_for_response(count=3)
    bot.slack.assert_no_response(since=3, within=0.2)  # and nothing said twice
    assert [r["text"] for r in bot.slack.responses] == ["No, and here is why."] * 3
