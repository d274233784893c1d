"""Goals and ground rules end to end: a published pair sets goals both ways, agrees on rules,
and gets one summary in its group DM."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from models import Agreement, Goal, Program
from models.enums import Cadence, GoalStatus
from tests.conftest import RunningBot
from tests.factories import INTRO_CHANNEL, MENTEE_USER, MENTOR_USER, SeededPair, seed_pair
from tests.flows import (
    GOAL_TARGET,
    MENTEE_INPUTS,
    MENTOR_INPUTS,
    PROGRAM_ENDS,
    click_goals_button,
    intro,
    open_from,
    run_scheduler,
    wait_until_queued,
)

pytestmark = pytest.mark.needs_contract


@pytest.fixture
def seeded(bot: RunningBot) -> SeededPair:
    """A published pair; the program meets monthly and ends on PROGRAM_ENDS."""
    seeded = seed_pair(bot.session_factory)
    with bot.session_factory.begin() as s:
        program = s.get_one(Program, seeded.program_id)
        program.cadence, program.ends_on = Cadence.MONTHLY, PROGRAM_ENDS
    for user in (MENTOR_USER, MENTEE_USER, "U0STRANGER"):
        bot.slack.add_user(user)
    return seeded


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def summaries(bot: RunningBot) -> list[Any]:
    return [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == INTRO_CHANNEL
    ]


def submit(bot: RunningBot, user: str, view: dict[str, Any], inputs: dict[str, Any]) -> Any:
    response = bot.driver.submit_view(user, view, inputs)
    assert response.status_code == 200
    return response.json() if response.content else {}


def agree_both(bot: RunningBot, seeded: SeededPair, mentee_inputs: dict[str, Any]) -> None:
    message = intro(bot, seeded)
    assert "Saved" in json.dumps(
        submit(bot, MENTOR_USER, open_from(bot, MENTOR_USER, message), MENTOR_INPUTS)
    )
    submit(bot, MENTEE_USER, open_from(bot, MENTEE_USER, message), mentee_inputs)
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == INTRO_CHANNEL)


def test_the_intro_button_opens_the_form_with_the_programs_defaults(
    bot: RunningBot, seeded: SeededPair
) -> None:
    view = open_from(bot, MENTOR_USER, intro(bot, seeded))
    assert view["title"]["text"] == "Goals and ground rules"
    assert "reverse mentor for <@U0MENTEE>" in json.dumps(view["blocks"][0])
    assert block(view, "cadence")["element"]["initial_option"]["value"] == "monthly"
    assert block(view, "ends_on")["element"]["initial_date"] == PROGRAM_ENDS.isoformat()
    # Three goal rows; only the first goal is required, and the reverse mentor's topic is
    # optional, with business topics offered first.
    assert [block(view, f"goal_text:{row}").get("optional", False) for row in range(3)] == [
        False,
        True,
        True,
    ]
    topic = block(view, "goal_topic:0")
    assert topic["optional"] is True
    assert topic["element"]["option_groups"][0]["label"]["text"] == "Business experience"
    assert "confidentiality" in {b.get("block_id") for b in view["blocks"]}


def test_the_form_refuses_to_save_without_confidentiality(
    bot: RunningBot, seeded: SeededPair
) -> None:
    view = open_from(bot, MENTOR_USER, intro(bot, seeded))
    answer = submit(bot, MENTOR_USER, view, {**MENTOR_INPUTS, "confidentiality": []})
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["confidentiality"]
    assert "confidential" in answer["errors"]["confidentiality"]
    with bot.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Agreement)) == 0
        assert s.scalar(select(func.count()).select_from(Goal)) == 0


def test_both_agree_and_one_summary_reaches_the_group_dm(
    bot: RunningBot, seeded: SeededPair
) -> None:
    message = intro(bot, seeded)
    mentor_view = open_from(bot, MENTOR_USER, message)
    saved = submit(bot, MENTOR_USER, mentor_view, MENTOR_INPUTS)
    assert saved["response_action"] == "update"
    assert "Once <@U0MENTEE> has added their goals" in json.dumps(saved["view"])
    # The mentee is told it's their turn, with a button to the form.
    turn = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == MENTEE_USER)[0]
    assert "<@U0MENTOR> has set their goals" in turn.args["text"]
    assert summaries(bot) == []

    # The mentee's form shows the mentor's ground rules, confidentiality left for them to tick.
    mentee_view = open_from(bot, MENTEE_USER, turn.response["message"], turn.response["channel"])
    assert block(mentee_view, "meeting_mode")["element"]["initial_value"] == "Video call"
    assert block(mentee_view, "boundaries")["element"]["initial_value"] == "No calls after 6pm"
    assert "initial_options" not in block(mentee_view, "confidentiality")["element"]
    assert "<@U0MENTOR> proposed these" in json.dumps(mentee_view)
    assert block(mentee_view, "goal_topic:0")["optional"] is False  # the mentee names a topic

    done = submit(bot, MENTEE_USER, mentee_view, MENTEE_INPUTS)
    assert "both agreed" in json.dumps(done["view"])
    (summary,) = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == INTRO_CHANNEL
    )
    body = json.dumps(summary.blocks)
    assert "Draft my team updates with generative AI" in body and "Generative AI" in body
    assert "Learn how the annual budget is decided" in body and "Strategy" in body
    assert "Video call, once a month" in body and "No calls after 6pm" in body
    assert f"{PROGRAM_ENDS.day} {PROGRAM_ENDS:%B %Y}" in body
    assert f"{GOAL_TARGET.day} {GOAL_TARGET:%B %Y}" in body

    # The same form submitted again, or the mentor saving again, posts nothing more.
    submit(bot, MENTEE_USER, mentee_view, MENTEE_INPUTS)
    submit(bot, MENTOR_USER, open_from(bot, MENTOR_USER, message), MENTOR_INPUTS)
    bot.app.listener_runner.listener_executor.shutdown(wait=True)  # let every listener finish
    assert len(summaries(bot)) == 1
    with bot.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Goal)) == 2


def test_changed_rules_ask_the_other_person_to_confirm_again(
    bot: RunningBot, seeded: SeededPair
) -> None:
    agree_both(bot, seeded, MENTEE_INPUTS)
    view = open_from(bot, MENTOR_USER, intro(bot, seeded))
    assert view["submit"]["text"] == "Save"  # already agreed: editing
    assert block(view, "goal_text:0")["element"]["initial_value"] == MENTOR_INPUTS["goal_text:0"]
    saved = submit(bot, MENTOR_USER, view, {"cadence": "weekly"})
    assert "asked to confirm them again" in json.dumps(saved["view"])
    ask = bot.slack.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == MENTEE_USER and "changed the ground rules" in c.args["text"],
    )[0]
    # Once the mentee confirms, the new rules get their own summary.
    view = open_from(bot, MENTEE_USER, ask.response["message"], ask.response["channel"])
    assert block(view, "cadence")["element"]["initial_option"]["value"] == "weekly"
    submit(bot, MENTEE_USER, view, {"confidentiality": ["agree"]})
    # The first summary went to the group DM a moment ago: Slack's pace of one message a second
    # per conversation leaves the second to the dispatcher's next pass.
    wait_until_queued(bot, "agreement_summary", count=2)
    run_scheduler(bot)
    latest = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == INTRO_CHANNEL, count=2
    )[-1]
    assert "every week" in json.dumps(latest.blocks)


def test_a_stranger_is_refused_politely(bot: RunningBot, seeded: SeededPair) -> None:
    message = intro(bot, seeded)
    click_goals_button(bot, "U0STRANGER", message)
    refusal = bot.slack.wait_for_response()
    assert "Only the two people in this mentoring pair" in refusal["text"]
    assert refusal.get("response_type") == "ephemeral"
    assert bot.slack.calls_to("views.open") == []

    # Nor can they submit a form of the pair's they got hold of.
    view = open_from(bot, MENTOR_USER, message)
    answer = submit(bot, "U0STRANGER", view, MENTOR_INPUTS)
    assert answer["response_action"] == "errors"
    assert "Only the two people" in json.dumps(answer["errors"])
    with bot.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Agreement)) == 0


def test_what_people_type_is_escaped_in_the_summary(bot: RunningBot, seeded: SeededPair) -> None:
    agree_both(
        bot,
        seeded,
        {**MENTEE_INPUTS, "goal_text:0": "Reach <!channel> & <@U0BOSS> with one post"},
    )
    (summary,) = summaries(bot)
    body = json.dumps(summary.blocks)
    assert "<!channel>" not in body and "<@U0BOSS>" not in body
    assert "Reach &lt;!channel&gt; &amp; &lt;@U0BOSS&gt; with one post" in body


def test_goals_command_lists_goals_to_mark_achieved(bot: RunningBot, seeded: SeededPair) -> None:
    lonely = bot.driver.command("U0STRANGER", "goals").json()
    assert "don't have a mentoring partner yet" in lonely["text"]

    # Before saving anything, the command opens the person's form.
    bot.driver.command(MENTEE_USER, "goals")
    opened = bot.slack.wait_for("views.open")[0]
    assert opened.view["callback_id"] == "goals"

    agree_both(bot, seeded, MENTEE_INPUTS)
    listing = bot.driver.command(MENTOR_USER, "goals").json()
    body = json.dumps(listing["blocks"])
    assert "Goals with <@U0MENTEE>" in body and "agreed by you both" in body
    assert "Draft my team updates with generative AI" in body
    with bot.session_factory() as s:
        mentee_goal = s.scalars(select(Goal).where(Goal.side == "mentee")).one()
    goal_block = next(b for b in listing["blocks"] if b.get("block_id") == f"goal:{mentee_goal.id}")
    achieved = next(
        o for o in goal_block["accessory"]["options"] if o["value"].startswith("achieved:")
    )
    payload = {
        "type": "block_actions",
        "team": {"id": bot.slack.team_id},
        "user": {"id": MENTOR_USER, "team_id": bot.slack.team_id},
        "api_app_id": "A0MENTOR",
        "container": {"type": "message", "is_ephemeral": True},
        "channel": {"id": "C0GENERAL"},
        "trigger_id": "1.2.3",
        "response_url": bot.slack.response_url("goals-menu"),
        "actions": [
            {
                "type": "overflow",
                "action_id": "goal_menu",
                "block_id": goal_block["block_id"],
                "selected_option": achieved,
                "action_ts": "1.0",
            }
        ],
    }
    assert bot.driver.interactive(payload).status_code == 200
    refreshed = bot.slack.wait_for_response()
    assert refreshed["replace_original"] is True
    assert ":white_check_mark: _achieved_" in json.dumps(refreshed["blocks"])
    note = bot.slack.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == INTRO_CHANNEL and "marked a goal achieved" in c.args["text"],
    )[0]
    assert "<@U0MENTOR>" in note.args["text"]
    with bot.session_factory() as s:
        assert s.get_one(Goal, mentee_goal.id).status == GoalStatus.ACHIEVED

    # A stranger replaying the menu changes nothing.
    stranger = {**payload, "user": {"id": "U0STRANGER", "team_id": bot.slack.team_id}}
    dropped = next(
        o for o in goal_block["accessory"]["options"] if o["value"].startswith("dropped:")
    )
    stranger["actions"] = [{**payload["actions"][0], "selected_option": dropped}]
    bot.driver.interactive(stranger)
    assert "Only the two people" in bot.slack.wait_for_response()["text"]
    with bot.session_factory() as s:
        assert s.get_one(Goal, mentee_goal.id).status == GoalStatus.ACHIEVED
