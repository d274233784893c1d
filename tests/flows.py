"""What people do in Slack, step by step, for the end-to-end tests."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.jobs import JobContext
from bot.jobs.dispatcher import dispatch_outbox
from bot.jobs.rounds import show_publishing_progress
from models import OutboxMessage
from models.enums import OutboxState
from tests.conftest import BOT_TOKEN, COORDINATOR, RunningBot
from tests.txguard import UNGUARDED

MENTOR_FORM = {
    "role": "mentor",
    "job_title": "Marketing analyst",
    "department": "Marketing",
    "location": "Lisbon",
    "career_stage": "0-2",
    "teach_topics": ["social_media", "generative_ai"],
    "learn_topics": ["leadership"],
    "personality": "extrovert",
    "cadence": "biweekly",
    "consent": ["agree"],
}
MENTEE_FORM = {
    "role": "mentee",
    "job_title": "VP Finance",
    "department": "Finance",
    "location": "New York",
    "career_stage": "20+",
    "teach_topics": ["strategy"],
    "learn_topics": ["generative_ai", "social_media"],
    "personality": "introvert",
    "cadence": "weekly",
    "consent": ["agree"],
}


def open_form(bot: RunningBot, user_id: str, command: str = "join") -> dict[str, Any]:
    """Type `/mentoring <command>` and return the modal the bot opened."""
    before = len(bot.slack.calls_to("views.open"))
    response = bot.driver.command(user_id, command)
    assert response.status_code == 200
    call = bot.slack.wait_for("views.open", count=before + 1)[-1]
    return bot.slack.views[call.response["view"]["id"]]


def choose_learn_topics(
    bot: RunningBot, user_id: str, view: dict[str, Any], topics: list[str]
) -> dict[str, Any]:
    """Pick topics to learn; the bot re-renders the form with a rating field for each."""
    before = len(bot.slack.calls_to("views.update"))
    bot.driver.view_action(user_id, view, "learn_topics", {"learn_topics": topics})
    call = bot.slack.wait_for("views.update", count=before + 1)[-1]
    return bot.slack.views[call.args["view_id"]]


def sign_up(
    bot: RunningBot,
    user_id: str,
    form: dict[str, Any] | None = None,
    ratings: dict[str, str] | None = None,
    command: str = "join",
) -> Any:
    """The whole sign-up: open the form, choose topics, rate them, submit. Returns the response."""
    form = dict(form or MENTOR_FORM)
    view = open_form(bot, user_id, command)
    view = choose_learn_topics(bot, user_id, view, form["learn_topics"])
    ratings = ratings or {t: "2" for t in form["learn_topics"]}
    inputs = {**form, **{f"rating:{t}": r for t, r in ratings.items()}}
    return bot.driver.submit_view(user_id, view, inputs)


def job_context(bot: RunningBot, now: datetime) -> JobContext:
    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    return JobContext(
        settings=bot.settings, session_factory=bot.session_factory, client=client, now=now
    )


def wait_until_queued(bot: RunningBot, kind: str, count: int = 1, timeout: float = 5.0) -> None:
    """Wait for the bot's listeners, which keep working after their ack, to queue `count`
    outbox messages of this kind."""
    deadline = time.monotonic() + timeout
    while True:
        with bot.session_factory(info={UNGUARDED: True}) as db_session:
            queued = db_session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind)
            )
        if (queued or 0) >= count:
            return
        assert time.monotonic() < deadline, f"{queued} {kind} messages queued, not {count}"
        time.sleep(0.05)


def run_scheduler(bot: RunningBot, *, until_quiet: bool = True, passes: int = 500) -> datetime:
    """What the scheduler does every few seconds: send what is due (the dispatcher), then show
    publishing's progress. With `until_quiet`, pass after pass with the clock moved on to the
    next message due, until nothing is left to send; returns the clock's time then."""
    now = bot.clock()
    for _ in range(passes):
        bot.clock.set(now)
        context = job_context(bot, now)
        dispatch_outbox(context)
        show_publishing_progress(context)
        if not until_quiet:
            return now
        with bot.session_factory(info={UNGUARDED: True}) as db_session:
            due = db_session.scalar(
                select(func.min(OutboxMessage.due_at)).where(
                    OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.SENDING))
                )
            )
        if due is None:
            return now
        now = max(now + timedelta(seconds=1), due)
    raise AssertionError(f"messages still waiting after {passes} passes")


# -- matching ---------------------------------------------------------------------------------


def filled(bot: RunningBot, view_id: str, *, since: float = 0.0, timeout: float = 10.0) -> dict:
    """The modal once the background solve (started after `since`, a time.time()) has filled
    it with the proposal or a failure."""
    bot.slack.wait_for(
        "views.update",
        lambda c: (
            c.at > since
            and c.args["view_id"] == view_id
            and "A large program can take a minute" not in json.dumps(c.view)
        ),
        timeout=timeout,
    )
    return bot.slack.views[view_id]


def open_review(bot: RunningBot, user: str = COORDINATOR) -> dict:
    """`/mentoring match`: the modal opens at once saying who is being matched, then fills."""
    before = len(bot.slack.calls_to("views.open"))
    assert bot.driver.command(user, "match").status_code == 200
    call = bot.slack.wait_for("views.open", count=before + 1)[-1]
    assert "A large program can take a minute" in json.dumps(call.view)
    return filled(bot, call.response["view"]["id"])


def click_in_view(bot: RunningBot, view: dict, action_id: str, **action: Any) -> dict:
    """A coordinator's click in the review modal; the modal as the bot then updates it."""
    before = len(bot.slack.calls_to("views.update"))
    assert bot.driver.button_in_view(COORDINATOR, view, action_id, **action).status_code == 200
    call = bot.slack.wait_for("views.update", count=before + 1)[-1]
    return bot.slack.views[call.args["view_id"]]
