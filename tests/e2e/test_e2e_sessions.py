"""Sessions end to end: signed requests in, the fake Slack's recorded calls out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar
from slack_sdk import WebClient
from sqlalchemy import select

from bot.jobs.dispatcher import dispatch
from models import CheckIn, MentoringSession
from models.enums import SessionStatus
from tests.conftest import BOT_TOKEN, COORDINATOR, RunningBot
from tests.factories import BOOKED_AT, INTRO_CHANNEL, MENTEE_USER, MENTOR_USER, STARTS, seed_pair

PRIVATE = "I find her pace a bit fast; must prepare questions in advance"


def opened_view(bot: RunningBot, before: int) -> dict[str, Any]:
    call = bot.slack.wait_for("views.open", count=before + 1)[-1]
    return bot.slack.views[call.response["view"]["id"]]


def schedule_via_command(bot: RunningBot, user: str, inputs: dict[str, Any]) -> dict[str, Any]:
    before = len(bot.slack.calls_to("views.open"))
    assert bot.driver.command(user, "schedule").status_code == 200
    view = opened_view(bot, before)
    return view


def all_text_sent(bot: RunningBot) -> str:
    """Everything the bot ever sent to Slack, as one string."""
    return "\n".join(json.dumps(c.args) for c in bot.slack.calls)


def test_schedule_in_new_york_time_then_reminded_and_checked_in(bot: RunningBot) -> None:
    session_id = _book_in_new_york_time(bot)
    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    _reminded_in_new_york_time(bot, client)
    ends = STARTS + timedelta(minutes=45)
    _check_in_with_a_private_note(bot, client, session_id, ends=ends)

    # The mentee's prompt no longer asks again for the mentor; nothing ever carried the note.
    dispatch(bot.session_factory, client, now=ends + timedelta(days=3))
    assert PRIVATE not in all_text_sent(bot)
    assert PRIVATE not in bot.driver.command(MENTEE_USER, "notes").text
    bot.driver.command(COORDINATOR, "stats")
    report = bot.slack.wait_for_response()
    assert "Program report" in json.dumps(report) and PRIVATE not in json.dumps(report)
    # Only its author reads it back.
    mine = bot.driver.command(MENTOR_USER, "notes").json()
    assert mine["response_type"] == "ephemeral" and PRIVATE in mine["text"]
    assert not any("gentle nudge" in c.args["text"] for c in bot.slack.dms_to(MENTOR_USER))


def _book_in_new_york_time(bot: RunningBot) -> int:
    seed_pair(bot.session_factory, now=BOOKED_AT - timedelta(days=7))
    bot.clock.set(BOOKED_AT)
    view = schedule_via_command(bot, MENTOR_USER, {})
    assert "America/New_York" in json.dumps(view["blocks"])
    agenda = next(b for b in view["blocks"] if b.get("block_id") == "agenda")
    assert "Generative AI" in agenda["element"]["initial_value"]

    # A time in the past is refused inline.
    refused = bot.driver.submit_view(
        MENTOR_USER, view, {"day": "2026-11-19", "clock": "15:00", "minutes": "45"}
    )
    assert refused.json()["response_action"] == "errors"
    assert "passed" in refused.json()["errors"]["day"]

    accepted = bot.driver.submit_view(
        MENTOR_USER, view, {"day": "2026-11-24", "clock": "15:00", "minutes": "45"}
    )
    assert accepted.status_code == 200 and not accepted.content
    [posted] = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == INTRO_CHANNEL)
    assert f"<!date^{int(STARTS.timestamp())}^" in posted.args["text"]
    assert f"<@{MENTOR_USER}> scheduled a session" in posted.args["text"]
    with bot.session_factory.begin() as db_session:
        session = db_session.scalars(select(MentoringSession)).one()
        assert session.starts_at == STARTS
        session_id = session.id
    invite = bot.slack.wait_for_file(lambda f: f.channel == INTRO_CHANNEL)
    event = Calendar.from_ical(invite.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == STARTS
    assert event.decoded("DTEND") == STARTS + timedelta(minutes=45)
    return session_id


def _reminded_in_new_york_time(bot: RunningBot, client: WebClient) -> None:
    dispatch(bot.session_factory, client, now=STARTS - timedelta(hours=24))
    assert "15:00 EST" in bot.slack.dms_to(MENTOR_USER)[-1].args["text"]
    dispatch(bot.session_factory, client, now=STARTS - timedelta(hours=1))
    hour_before = bot.slack.dms_to(MENTOR_USER)[-1]
    assert "in an hour" in hour_before.args["text"]
    assert "Session guide" in json.dumps(hour_before.blocks)
    assert "Generative AI, to open:" in json.dumps(hour_before.blocks)


def _check_in_with_a_private_note(
    bot: RunningBot, client: WebClient, session_id: int, *, ends: datetime
) -> None:
    # After the session, the check-in prompt; "It happened" opens the form.
    dispatch(bot.session_factory, client, now=ends + timedelta(minutes=15))
    prompt = bot.slack.dms_to(MENTOR_USER)[-1]
    assert prompt.args["text"].startswith("How did your session")
    bot.clock.set(ends + timedelta(minutes=20))
    before = len(bot.slack.calls_to("views.open"))
    bot.driver.block_action(
        MENTOR_USER,
        "checkin_happened",
        value=str(session_id),
        message={"ts": prompt.response["ts"], "channel": prompt.response["channel"]},
        channel_id=prompt.response["channel"],
    )
    form = opened_view(bot, before)
    submitted = bot.driver.submit_view(
        MENTOR_USER,
        form,
        {
            "rating": "5",
            "topics": ["generative_ai"],
            "learned": "How she runs a budget review",
            "private_note": PRIVATE,
            "follow_up": "Try <!channel> prompts from our doc",
        },
    )
    assert submitted.status_code == 200
    thanks = bot.slack.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == MENTOR_USER and "Thanks" in c.args["text"],
    )
    buttons = [
        e["action_id"] for b in thanks[0].blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["schedule_session"]
    [follow_up] = bot.slack.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == INTRO_CHANNEL and "Follow-up" in c.args["text"],
    )
    assert "&lt;!channel&gt;" in follow_up.args["text"]
    assert "<!channel>" not in follow_up.args["text"]

    with bot.session_factory.begin() as db_session:
        checkin = db_session.scalars(select(CheckIn)).one()
        assert checkin.private_note == PRIVATE and checkin.rating == 5
        assert db_session.get(MentoringSession, session_id).status == SessionStatus.HAPPENED


def test_moving_and_cancelling_from_the_buttons(bot: RunningBot) -> None:
    seed_pair(bot.session_factory, now=BOOKED_AT - timedelta(days=7))
    bot.clock.set(BOOKED_AT)
    view = schedule_via_command(bot, MENTEE_USER, {})
    assert "Europe/London" in json.dumps(view["blocks"])
    bot.driver.submit_view(
        MENTEE_USER, view, {"day": "2026-11-24", "clock": "20:00", "minutes": "45"}
    )
    [posted] = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == INTRO_CHANNEL)
    with bot.session_factory.begin() as db_session:
        session = db_session.scalars(select(MentoringSession)).one()
        assert session.starts_at == STARTS  # 20:00 in London is 15:00 in New York
        session_id = session.id

    # The mentor moves it from the confirmation's button: the form shows his local time.
    before = len(bot.slack.calls_to("views.open"))
    bot.driver.block_action(
        MENTOR_USER,
        "move_session",
        value=str(session_id),
        message={"ts": posted.response["ts"], "channel": INTRO_CHANNEL},
        channel_id=INTRO_CHANNEL,
    )
    move_form = opened_view(bot, before)
    clock = next(b for b in move_form["blocks"] if b.get("block_id") == "clock")
    assert clock["element"]["initial_time"] == "15:00"
    bot.driver.submit_view(MENTOR_USER, move_form, {"clock": "16:30"})
    bot.slack.wait_for("chat.postMessage", lambda c: "moved the session" in c.args["text"])
    with bot.session_factory.begin() as db_session:
        moved = db_session.get(MentoringSession, session_id)
        assert moved.starts_at == datetime(2026, 11, 24, 21, 30, tzinfo=UTC) and moved.version == 2
    updated = bot.slack.wait_for_file(lambda f: b"SEQUENCE:1" in (f.content or b""))
    first = next(f for f in bot.slack.uploads.values() if b"SEQUENCE:0" in (f.content or b""))
    uid = Calendar.from_ical(first.content).walk("VEVENT")[0]["UID"]
    assert Calendar.from_ical(updated.content).walk("VEVENT")[0]["UID"] == uid

    # Someone outside the pair cannot cancel it, coordinator or not.
    before = len(bot.slack.calls_to("views.open"))
    bot.driver.block_action(
        COORDINATOR,
        "cancel_session",
        value=str(session_id),
        message={"ts": posted.response["ts"], "channel": INTRO_CHANNEL},
        channel_id=INTRO_CHANNEL,
    )
    assert "Only the two people" in bot.slack.wait_for_response()["text"]
    assert len(bot.slack.calls_to("views.open")) == before

    before = len(bot.slack.calls_to("views.open"))
    bot.driver.block_action(MENTOR_USER, "cancel_session", value=str(session_id))
    cancel_form = opened_view(bot, before)
    bot.driver.submit_view(MENTOR_USER, cancel_form, {"reason": "Board meeting <@U0BOSS>"})
    [notice] = bot.slack.wait_for(
        "chat.postMessage", lambda c: "cancelled the session" in c.args["text"]
    )
    assert "&lt;@U0BOSS&gt;" in notice.args["text"]
    assert "Tue 24 Nov, 21:30 GMT" in notice.args["text"]  # in the partner's zone
    with bot.session_factory.begin() as db_session:
        cancelled = db_session.get(MentoringSession, session_id)
        assert cancelled.status == SessionStatus.CANCELLED
        assert cancelled.cancelled_by is not None and cancelled.cancelled_by.value == "mentor"
    withdrawn = bot.slack.wait_for_file(lambda f: b"METHOD:CANCEL" in (f.content or b""))
    assert Calendar.from_ical(withdrawn.content).walk("VEVENT")[0]["UID"] == uid
    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    dispatch(bot.session_factory, client, now=STARTS)
    assert bot.slack.dms_to(MENTOR_USER) == [] and bot.slack.dms_to(MENTEE_USER) == []


def test_someone_without_a_pair_is_told_how_pairs_happen(bot: RunningBot) -> None:
    response = bot.driver.command("U0NOBODY", "schedule")
    assert response.status_code == 200
    reply = bot.slack.wait_for_response()
    assert "not in a mentoring pair" in reply["text"]
    assert bot.slack.calls_to("views.open") == []
