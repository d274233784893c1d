"""What people do in Slack, step by step, for the end-to-end tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from bot.jobs import JobContext
from bot.jobs.dispatcher import dispatch_outbox
from bot.jobs.rounds import show_publishing_progress
from bot.services.matching.proposals import ProposedPair
from bot.views.matching import intro_message
from models import OutboxMessage, Pair
from models.enums import OutboxState
from tests.conftest import BOT_TOKEN, COORDINATOR, RunningBot
from tests.factories import INTRO_CHANNEL, SeededPair
from tests.support import eventually
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

    def queued() -> bool:
        with bot.session_factory(info={UNGUARDED: True}) as db_session:
            found = db_session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind)
            )
        return (found or 0) >= count

    eventually(queued, timeout, what=f"{count} {kind} messages queued")


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


# People for a round of matching: each mentee but one has a reverse mentor who can teach them.
MENTORS = {
    "U0MIA": {**MENTOR_FORM, "department": "Marketing", "location": "Lisbon"},
    "U0MAX": {
        **MENTOR_FORM,
        "department": "Sales",
        "location": "Madrid",
        "teach_topics": ["generative_ai", "data_analytics"],
    },
    "U0MEG": {
        **MENTOR_FORM,
        "department": "IT",
        "location": "Berlin",
        "teach_topics": ["cybersecurity"],
    },
}
MENTEES = {
    "U0EVA": {**MENTEE_FORM, "department": "Finance", "learn_topics": ["generative_ai"]},
    "U0EDD": {**MENTEE_FORM, "department": "Legal", "learn_topics": ["social_media"]},
    "U0ELI": {**MENTEE_FORM, "department": "Operations", "learn_topics": ["younger_consumers"]},
}


def enrol_everyone(bot: RunningBot) -> None:
    """Three reverse mentors and three mentees sign up through the form; two of them pair."""
    for user, form in {**MENTORS, **MENTEES}.items():
        bot.slack.add_user(user, tz="Europe/London")
        sign_up(bot, user, form)
        bot.slack.wait_for("chat.postMessage", lambda c, u=user: c.args["channel"] == u)


# -- goals and ground rules -------------------------------------------------------------------

# Dates the forms accept whenever the suite runs: they are checked against the real today.
_TODAY = datetime.now(UTC).date()
PROGRAM_ENDS = _TODAY + timedelta(days=150)
GOAL_TARGET = _TODAY + timedelta(days=60)
MENTOR_INPUTS = {
    "goal_topic:0": "strategy",
    "goal_text:0": "Learn how the annual budget is decided",
    "confidentiality": ["agree"],
    "meeting_mode": "Video call",
    "boundaries": "No calls after 6pm",
}
MENTEE_INPUTS = {
    "goal_topic:0": "generative_ai",
    "goal_text:0": "Draft my team updates with generative AI",
    "goal_date:0": GOAL_TARGET.isoformat(),
    "confidentiality": ["agree"],
}


def intro(bot: RunningBot, seeded: SeededPair) -> dict[str, Any]:
    """The introduction the pair got in its group DM, as Slack holds it."""
    with bot.session_factory() as s:
        pair = s.scalars(
            select(Pair)
            .where(Pair.id == seeded.pair_id)
            .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
        ).one()
        text, blocks = intro_message(ProposedPair.of(pair), "Reverse mentoring")
    return {"ts": "1700000000.000100", "text": text, "blocks": _dicts(blocks)}


def _dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def click_goals_button(
    bot: RunningBot, user: str, message: dict[str, Any], channel: str = INTRO_CHANNEL
) -> None:
    """Click "Set goals" under the pair's introduction (or a later message that carries it)."""
    button = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "start_goals"
    )
    response = bot.driver.block_action(
        user, "start_goals", value=button["value"], message=message, channel_id=channel
    )
    assert response.status_code == 200


def open_from(
    bot: RunningBot, user: str, message: dict[str, Any], channel: str = INTRO_CHANNEL
) -> dict[str, Any]:
    """The goals form, as the click on `message`'s button opened it."""
    before = len(bot.slack.calls_to("views.open"))
    click_goals_button(bot, user, message, channel)
    call = bot.slack.wait_for("views.open", count=before + 1)[-1]
    return bot.slack.views[call.response["view"]["id"]]
