"""`/metrics`: what Prometheus scrapes, read back the way Prometheus reads it."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.config import Settings
from bot.jobs import JOBS, Job, JobContext
from bot.metrics import Metrics
from bot.scheduler import run_once
from bot.services import outbox
from bot.socket_mode import MeteredSocketModeHandler
from tests.conftest import BOT_TOKEN, RunningBot
from tests.factories import BOOKED_AT, DAY_BEFORE, MENTEE_USER, MENTOR_USER, SeededPair, seed_pair
from tests.fakeslack import Failure, FakeSlack
from tests.fakesocket import help_command
from tests.support import Scrape

T0 = DAY_BEFORE
APP_TOKEN = "xapp-1-A0MENTOR-123-abc"


def scrape(bot: RunningBot) -> Scrape:
    response = bot.driver.http.get(f"{bot.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return Scrape(response.text)


def test_slack_requests_are_counted_by_type_and_status_and_their_ack_timed(
    bot: RunningBot,
) -> None:
    assert scrape(bot)("mentorbot_slack_requests_total", type="command", outcome="2xx") is None
    assert bot.driver.command("U0ALICE", "help").status_code == 200
    assert bot.driver.command("U0ALICE", "help").status_code == 200
    body = bot.driver.command_body("U0ALICE", "help")
    assert bot.driver.post(body, "application/x-www-form-urlencoded", signature="v0=0").is_error
    bot.driver.event(
        {
            "type": "app_home_opened",
            "user": "U0HAL",
            "tab": "home",
            "channel": "D0HAL",
            "event_ts": "1",
        }
    )

    metrics = scrape(bot)
    assert metrics("mentorbot_slack_requests_total", type="command", outcome="2xx") == 2
    assert metrics("mentorbot_slack_requests_total", type="command", outcome="4xx") == 1
    assert metrics("mentorbot_slack_requests_total", type="event", outcome="2xx") == 1
    assert metrics("mentorbot_slack_ack_seconds_count", type="command") == 3
    assert metrics("mentorbot_slack_ack_seconds_count", type="event") == 1
    # Every answer came well inside Slack's 3 s.
    assert metrics("mentorbot_slack_ack_seconds_bucket", type="command", le="3.0") == 3
    # Health checks and scrapes are not Slack's requests.
    assert metrics("mentorbot_slack_requests_total", type="other", outcome="2xx") is None


def test_each_response_names_its_request_id(bot: RunningBot) -> None:
    first = bot.driver.command("U0ALICE", "help").headers["x-request-id"]
    second = bot.driver.command("U0ALICE", "help").headers["x-request-id"]
    assert first and second and first != second


@pytest.fixture
def pair(bot: RunningBot) -> SeededPair:
    return seed_pair(bot.session_factory, now=BOOKED_AT - timedelta(days=7))


def queue(
    session_factory: sessionmaker[Session],
    seeded: SeededPair,
    key: str,
    *,
    channel: str,
    due_in: timedelta,
    pair_id: int | None = None,
) -> None:
    with session_factory.begin() as db_session:
        outbox.enqueue(
            db_session,
            team_id=seeded.team_id,
            dedupe_key=f"nudge:metrics:{key}",
            kind="nudge",
            channel=channel,
            payload={"pair_id": seeded.pair_id if pair_id is None else pair_id, "days": 21},
            due_at=T0 + due_in,
            now=T0 - timedelta(days=1),
            pair_id=seeded.pair_id,
        )


def test_outbox_depth_and_the_age_of_the_oldest_due_message(
    bot: RunningBot, pair: SeededPair
) -> None:
    bot.clock.set(T0)
    metrics = scrape(bot)
    assert metrics("mentorbot_outbox_pending") == 0
    assert metrics("mentorbot_outbox_oldest_due_age_seconds") == 0
    queue(bot.session_factory, pair, "a", channel=MENTOR_USER, due_in=-timedelta(seconds=90))
    queue(bot.session_factory, pair, "b", channel=MENTEE_USER, due_in=-timedelta(seconds=30))
    queue(bot.session_factory, pair, "c", channel=pair.channel, due_in=timedelta(hours=2))

    metrics = scrape(bot)
    assert metrics("mentorbot_outbox_pending") == 3
    assert metrics("mentorbot_outbox_due") == 2
    assert metrics("mentorbot_outbox_oldest_due_age_seconds") == 90

    bot.clock.set(T0 + timedelta(minutes=1))
    assert scrape(bot)("mentorbot_outbox_oldest_due_age_seconds") == 150


def test_sent_failed_retried_and_dropped_messages_are_counted_by_kind(
    bot: RunningBot, pair: SeededPair
) -> None:
    queue(bot.session_factory, pair, "a", channel=pair.channel, due_in=timedelta(0))
    queue(bot.session_factory, pair, "b", channel=MENTOR_USER, due_in=timedelta(0))
    queue(bot.session_factory, pair, "c", channel=MENTEE_USER, due_in=timedelta(0))
    # A nudge about a pair that no longer exists is dropped, not sent.
    queue(bot.session_factory, pair, "gone", channel="U0GONE", due_in=timedelta(0), pair_id=0)
    # Of the three sent: one refused for good, one hit by an outage (retried later), one sent.
    bot.slack.fail("chat.postMessage", Failure(error="user_not_found"), Failure(status=500))
    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    dispatcher = tuple(job for job in JOBS if job.name == "dispatch_outbox")
    run_once(
        bot.settings,
        bot.session_factory,
        client,
        jobs=dispatcher,
        clock=lambda: T0,
        metrics=bot.metrics,
    )

    metrics = scrape(bot)
    for outcome in ("sent", "failed", "retried", "dropped"):
        assert metrics("mentorbot_outbox_messages_total", kind="nudge", outcome=outcome) == 1
    assert metrics("mentorbot_outbox_pending") == 1  # the one to retry after the outage
    assert len([c for c in bot.slack.calls_to("chat.postMessage") if c.ok]) == 1


def test_every_job_pass_is_timed_by_job(bot: RunningBot) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    run_once(bot.settings, bot.session_factory, client, metrics=bot.metrics)
    run_once(bot.settings, bot.session_factory, client, metrics=bot.metrics)

    metrics = scrape(bot)
    for job in JOBS:
        assert metrics("mentorbot_job_duration_seconds_count", job=job.name) == 2
        assert metrics("mentorbot_job_duration_seconds_sum", job=job.name) is not None
        assert metrics("mentorbot_job_failures_total", job=job.name) is None


def test_a_job_that_fails_is_timed_and_counted_as_failed(bot: RunningBot) -> None:
    def broken(_context: JobContext) -> None:
        raise RuntimeError("the job broke")

    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    with pytest.raises(RuntimeError):
        run_once(
            bot.settings,
            bot.session_factory,
            client,
            jobs=(Job("broken", 60, broken),),
            metrics=bot.metrics,
        )
    metrics = scrape(bot)
    assert metrics("mentorbot_job_duration_seconds_count", job="broken") == 1
    assert metrics("mentorbot_job_failures_total", job="broken") == 1


def test_two_apps_in_one_process_keep_their_own_counts() -> None:
    first, second = Metrics(), Metrics()
    first.message("nudge", "sent")
    assert b'mentorbot_outbox_messages_total{kind="nudge",outcome="sent"} 1.0' in (
        first.exposition()
    )
    assert b"mentorbot_outbox_messages_total{" not in second.exposition()


def test_socket_mode_requests_are_counted_and_timed_like_http_ones(
    settings: Settings, session_factory: sessionmaker[Session], slack: FakeSlack
) -> None:
    """Envelopes over the websocket go through the same Bolt app; each is answered on the
    socket, counted once by type and outcome, and timed to its ack."""
    socket_settings = settings.model_copy(update={"slack_app_token": SecretStr(APP_TOKEN)})
    metrics = Metrics()
    handler = MeteredSocketModeHandler(
        create_app(socket_settings, session_factory),
        APP_TOKEN,
        metrics=metrics,
        web_client=WebClient(base_url=slack.api_url),
    )
    socket = AnsweringSocket()
    command = help_command(slack)
    unknown_click = {
        "type": "block_actions",
        "team": {"id": slack.team_id},
        "user": {"id": "U0ALICE"},
        "actions": [{"action_id": "no_such_action", "block_id": "b", "type": "button"}],
    }
    for n in range(2):
        handler.handle(socket, SocketModeRequest("slash_commands", f"e{n}", command))
    handler.handle(socket, SocketModeRequest("interactive", "e9", unknown_click))

    # The help text went back over the socket, as the answer to each command's envelope.
    assert [a.envelope_id for a in socket.answers] == ["e0", "e1", "e9"]
    assert "/mentoring" in json.dumps(socket.answers[0].payload)
    scraped = Scrape(metrics.exposition().decode())
    assert scraped("mentorbot_slack_requests_total", type="command", outcome="2xx") == 2
    assert scraped("mentorbot_slack_ack_seconds_count", type="command") == 2
    assert scraped("mentorbot_slack_ack_seconds_bucket", type="command", le="3.0") == 2
    assert scraped("mentorbot_slack_ack_seconds_count", type="action") == 1


class AnsweringSocket:
    """Stands in for the websocket client: keeps what the app answers to each envelope."""

    def __init__(self) -> None:
        self.answers: list[SocketModeResponse] = []
        self.logger = logging.getLogger("tests.socket")

    def send_socket_mode_response(self, response: SocketModeResponse) -> None:
        self.answers.append(response)
