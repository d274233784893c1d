"""The weekly digest: opted into by a coordinator, sent Monday morning in their time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient

from bot.jobs import JobContext
from bot.jobs.digests import queue_digests
from bot.jobs.dispatcher import dispatch
from tests.conftest import BOT_TOKEN, COORDINATOR, RunningBot
from tests.factories import BOOKED_AT, MENTOR_USER, seed_pair

MONDAY_9_NEW_YORK = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def tick(bot: RunningBot, when: datetime) -> int:
    """One pass of the digest job and the dispatcher at `when`; digests in the DM so far."""
    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    queue_digests(JobContext(bot.settings, bot.session_factory, client, when))
    dispatch(bot.session_factory, client, now=when)
    return len([c for c in bot.slack.dms_to(COORDINATOR) if "Weekly digest" in c.args["text"]])


def test_digest_is_opt_in_and_arrives_monday_morning_once(bot: RunningBot) -> None:
    bot.slack.add_user(COORDINATOR, tz="America/New_York")
    seed_pair(bot.session_factory, now=BOOKED_AT)
    assert tick(bot, MONDAY_9_NEW_YORK) == 0  # not opted in

    reply = bot.driver.command(COORDINATOR, "digest on").json()
    assert "weekly digest" in reply["text"] and "is on" in reply["text"]
    refused = bot.driver.command(MENTOR_USER, "digest off").json()
    assert "coordinator" in refused["text"].lower()

    assert tick(bot, MONDAY_9_NEW_YORK - timedelta(minutes=30)) == 0  # 08:30 in New York
    assert tick(bot, MONDAY_9_NEW_YORK) == 1
    digest = bot.slack.dms_to(COORDINATOR)[-1]
    assert "sessions held" in digest.args["text"]
    assert tick(bot, MONDAY_9_NEW_YORK + timedelta(hours=1)) == 1  # once a week
    assert tick(bot, MONDAY_9_NEW_YORK + timedelta(days=1)) == 1  # Tuesday: nothing
    assert tick(bot, MONDAY_9_NEW_YORK + timedelta(days=7)) == 2  # the next Monday

    bot.driver.command(COORDINATOR, "digest off")
    assert tick(bot, MONDAY_9_NEW_YORK + timedelta(days=14)) == 2
