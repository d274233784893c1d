"""The end of a program over HTTP: the close-out, and a recognition post only with both yeses."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select

from bot.scheduler import run_once
from models import OutboxMessage, Program
from tests.conftest import BOT_TOKEN, COORDINATOR, RunningBot
from tests.driver import initial_value
from tests.factories import INTRO_CHANNEL, MENTEE_USER, MENTOR_USER, SeededPair, seed_pair
from tests.flows import open_form

ANNOUNCEMENTS = "C0NEWS"
LAST_DAY = date(2026, 12, 10)
AFTER_THE_END = datetime(2026, 12, 11, 14, 0, tzinfo=UTC)


def end_the_program(bot: RunningBot) -> tuple[SeededPair, dict[str, Any], WebClient]:
    """A pair whose program has an announcement channel and ends on LAST_DAY; the jobs run the
    day after. Returns the pair, its close-out message and a client for later job runs."""
    pair = seed_pair(bot.session_factory, now=datetime(2026, 11, 13, 9, 0, tzinfo=UTC))
    with bot.session_factory.begin() as db_session:
        program = db_session.get(Program, pair.program_id)
        assert program is not None
        program.ends_on, program.announcement_channel = LAST_DAY, ANNOUNCEMENTS
    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    bot.clock.set(AFTER_THE_END)
    run_once(bot.settings, bot.session_factory, client, clock=lambda: AFTER_THE_END)
    [closeout] = bot.slack.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == INTRO_CHANNEL and "has come to an end" in c.args["text"],
    )
    return pair, closeout, client


def agree(bot: RunningBot, user: str, pair: SeededPair, closeout: Any) -> str:
    return click(bot, user, "agree_to_recognition", pair, closeout)


def posts_in_announcements(bot: RunningBot) -> list[str]:
    return [
        c.args["text"]
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args["channel"] == ANNOUNCEMENTS
    ]


def test_both_partners_agree_and_the_pair_is_recognised_once(bot: RunningBot) -> None:
    pair, closeout, client = end_the_program(bot)
    assert "Yes, recognise us" in json.dumps(closeout.blocks)

    assert f"once <@{MENTEE_USER}> says yes too" in agree(bot, MENTOR_USER, pair, closeout)
    run_once(bot.settings, bot.session_factory, client, clock=lambda: AFTER_THE_END)
    assert posts_in_announcements(bot) == []  # one yes is not enough

    assert "Thank you both" in agree(bot, MENTEE_USER, pair, closeout)
    assert "Thank you both" in agree(bot, MENTEE_USER, pair, closeout)  # a second click
    for hours in (0, 1, 24):
        later = AFTER_THE_END + timedelta(hours=hours)
        run_once(bot.settings, bot.session_factory, client, clock=lambda at=later: at)
    [post] = posts_in_announcements(bot)
    assert f"<@{MENTOR_USER}>" in post and f"<@{MENTEE_USER}>" in post
    assert "0 sessions held" in post
    assert "rating" not in post.lower()


def test_a_pair_that_does_not_agree_is_never_named(bot: RunningBot) -> None:
    pair, closeout, client = end_the_program(bot)
    agree(bot, MENTEE_USER, pair, closeout)  # only one of them
    for days in (0, 1, 7, 30):
        later = AFTER_THE_END + timedelta(days=days)
        run_once(bot.settings, bot.session_factory, client, clock=lambda at=later: at)
    assert posts_in_announcements(bot) == []
    with bot.session_factory.begin() as db_session:
        kinds = db_session.scalars(select(OutboxMessage.kind)).all()
    assert "recognition" not in kinds
    # Each close-out went out once, however often the jobs ran.
    closeouts = [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args["channel"] == INTRO_CHANNEL and "has come to an end" in c.args["text"]
    ]
    assert len(closeouts) == 1


def test_someone_outside_the_pair_cannot_agree_for_it(bot: RunningBot) -> None:
    pair, closeout, _ = end_the_program(bot)
    bot.driver.block_action(
        "U0STRANGER",
        "agree_to_recognition",
        value=str(pair.pair_id),
        message={"ts": closeout.response["ts"], "channel": INTRO_CHANNEL},
        channel_id=INTRO_CHANNEL,
    )
    answer = bot.slack.wait_for_response()
    assert "Only the two people in this pair" in answer["text"]


def click(bot: RunningBot, user: str, action_id: str, pair: SeededPair, closeout: Any) -> str:
    """A button of the close-out; the private answer the person reads."""
    bot.driver.block_action(
        user,
        action_id,
        value=str(pair.pair_id),
        message={"ts": closeout.response["ts"], "channel": INTRO_CHANNEL},
        channel_id=INTRO_CHANNEL,
    )
    answer = bot.slack.wait_for_response()
    assert answer["response_type"] == "ephemeral"
    return str(answer["text"])


def test_each_person_chooses_what_next_and_only_those_who_want_more_are_invited(
    bot: RunningBot,
) -> None:
    pair, closeout, client = end_the_program(bot)
    buttons = json.dumps(closeout.blocks)
    for label in ("Keep meeting informally", "Join the next program", "Join it in the other role"):
        assert label in buttons

    first = click(bot, MENTOR_USER, "next_step_next", pair, closeout)
    assert "invite you to join as a reverse mentor" not in first  # the wording is the DM's
    assert "join as a reverse mentor, with your answers from this time filled in." in first
    swapped = click(bot, MENTOR_USER, "next_step_other_role", pair, closeout)  # mind changed
    assert "join as a mentee, with your answers from this time filled in with your " in swapped
    quiet = click(bot, MENTEE_USER, "next_step_informal", pair, closeout)
    assert "the app stays quiet for the two of you" in quiet
    assert "Only the two people" in click(bot, "U0STRANGER", "next_step_next", pair, closeout)

    # The next program opens: only the mentor, who asked for it, is invited, once.
    bot.slack.add_user(COORDINATOR)
    form = open_form(bot, COORDINATOR, "program new")
    bot.driver.submit_view(COORDINATOR, form, {"name": "Spring cohort"})
    bot.slack.wait_for("chat.postMessage", lambda c: "Spring cohort" in c.args["text"])
    form = open_form(bot, COORDINATOR, "program")  # saved again: nobody is invited twice
    assert bot.driver.submit_view(COORDINATOR, form, {}).status_code == 200
    later = AFTER_THE_END + timedelta(days=1)
    run_once(bot.settings, bot.session_factory, client, clock=lambda: later)
    invites = [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if "You asked to take part again" in c.args["text"]
    ]
    assert [c.args["channel"] for c in invites] == [MENTOR_USER]
    assert "Spring cohort is open for sign-up" in invites[0].args["text"]
    assert "as a mentee" in invites[0].args["text"]

    # Their answers come back with the roles swapped; consent is asked again.
    before = len(bot.slack.calls_to("views.open"))
    bot.driver.block_action(MENTOR_USER, "open_signup", channel_id=MENTOR_USER)
    call = bot.slack.wait_for("views.open", count=before + 1)[-1]
    form = bot.slack.views[call.response["view"]["id"]]
    assert initial(form, "role") == "mentee"
    assert initial(form, "learn_topics") == ["social_media", "generative_ai"]
    assert initial(form, "teach_topics") == ["leadership"]
    assert initial(form, "consent") == []
    assert initial(form, "job_title") == "Analyst"


def initial(form: dict[str, Any], block_id: str) -> Any:
    block = next(b for b in form["blocks"] if b.get("block_id") == block_id)
    return initial_value(block["element"])
