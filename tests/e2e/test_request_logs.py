"""What the bot logs while it serves Slack: each request's id and workspace on the lines of its
listener too, and no token or secret at any level, Bolt's and the Slack SDK's lines included."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bot.logging_setup import make_handler
from tests.conftest import BOT_TOKEN, COORDINATOR, SIGNING_SECRET, RunningBot
from tests.fakeslack import Failure
from tests.flows import MENTOR_FORM, sign_up
from tests.support import eventually

FORM = "application/x-www-form-urlencoded"


@contextmanager
def captured_json_logs() -> Iterator[io.StringIO]:
    """Every log line, as `LOG_FORMAT=json` writes them, in a buffer."""
    handler = make_handler([BOT_TOKEN, SIGNING_SECRET], "json")
    buffer = io.StringIO()
    handler.setStream(buffer)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_a_request_and_its_listener_log_with_its_request_id_and_workspace(
    bot: RunningBot,
) -> None:
    with captured_json_logs() as buffer:
        # Not a listed coordinator, and unknown to Slack: the listener (on Bolt's thread
        # pool, after the request thread handed it over) logs that users.info failed.
        response = bot.driver.command("U0NOBODY", "coordinators list")
        assert response.status_code == 200
        eventually(lambda: "users.info failed" in buffer.getvalue(), what="the listener's line")
        bot.driver.command("U0NOBODY", "help")
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    request_id = response.headers["x-request-id"]
    listener = next(e for e in lines if e["message"].startswith("users.info failed for U0NOBODY"))
    assert listener["level"] == "WARNING"
    assert (listener["request_id"], listener["team_id"]) == (request_id, bot.slack.team_id)
    answered = [e for e in lines if e["logger"] == "bot.web"]
    assert [e["message"].split(" in ")[0] for e in answered] == ["slack command: 200 OK"] * 2
    assert answered[0]["request_id"] == request_id
    assert answered[1]["request_id"] != request_id
    assert {e["team_id"] for e in answered} == {bot.slack.team_id}
    assert BOT_TOKEN not in buffer.getvalue() and SIGNING_SECRET not in buffer.getvalue()


# -- every line logged while the bot works, at DEBUG, for Bolt and the Slack SDK too ---------

XOX_SHAPED = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
VERBOSE_LOGGERS = ("", "slack_bolt", "slack_sdk", "bot", "bot.bolt", "waitress", "urllib3")


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Everything at DEBUG from before the app is built (request it before `bot`)."""
    levels = {name: logging.getLogger(name).level for name in VERBOSE_LOGGERS}
    for name in VERBOSE_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def logged_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Each record as a handler would write it, plus its raw message, arguments and traceback."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    lines = []
    for when in ("setup", "call"):
        for record in caplog.get_records(when):  # type: ignore[arg-type]
            lines.append(formatter.format(record))
            lines.append(f"{record.msg!r} {record.args!r} {record.exc_text or ''}")
    return lines


def test_no_token_or_secret_is_logged_at_debug_through_whole_flows(
    debug_logs: pytest.LogCaptureFixture, bot: RunningBot
) -> None:
    bot.slack.add_user("U0ALICE")
    sign_up(bot, "U0ALICE", MENTOR_FORM)
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "U0ALICE")
    bot.driver.command(COORDINATOR, "stats")
    bot.slack.wait_for_response()
    bot.driver.command(COORDINATOR, "export")
    bot.slack.wait_for_file(lambda f: f.filename == "participants.csv")
    # Failures log the most: Slack refusing a call (a traceback), forged and broken requests.
    bot.slack.fail("views.open", Failure(error="invalid_auth"))
    bot.driver.command("U0ALICE", "profile")
    bot.slack.wait_for_response()
    bot.driver.block_action("U0ALICE", "no_such_button")
    bot.driver.post(bot.driver.command_body("U0ALICE", "help"), FORM, signature="v0=bad")
    bot.driver.post(b"payload=%7Bnot-json", FORM)
    bot.app.listener_runner.listener_executor.shutdown(wait=True)

    lines = logged_lines(debug_logs)
    assert any("slack_sdk" in line for line in lines)  # the SDK's debug lines were captured
    assert any("Traceback" in line for line in lines)  # and a failure's traceback
    leaks = [
        line[:300]
        for line in lines
        if BOT_TOKEN in line or SIGNING_SECRET in line or XOX_SHAPED.search(line)
    ]
    assert leaks == []
