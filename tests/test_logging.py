"""No token or signing secret reaches a log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from bot.logging_setup import RedactingFormatter
from tests.conftest import BOT_TOKEN, COORDINATOR, SIGNING_SECRET, RunningBot
from tests.fakeslack import Failure
from tests.flows import MENTOR_FORM, sign_up

FORM = "application/x-www-form-urlencoded"


def test_tokens_and_secrets_are_redacted_from_messages_and_tracebacks() -> None:
    formatter = RedactingFormatter(secrets=["s3cr3t-signing"])
    try:
        raise ValueError("bad token xoxb-123-456-abcDEF")
    except ValueError as error:
        record = logging.LogRecord(
            "t",
            logging.ERROR,
            __file__,
            1,
            "using %s and %s",
            ("xapp-1-A1-xyz", "s3cr3t-signing"),
            (type(error), error, error.__traceback__),
        )
    line = formatter.format(record)
    assert "xoxb-123" not in line and "xapp-1-A1" not in line and "s3cr3t-signing" not in line
    assert "xoxb-[redacted]" in line and "xapp-[redacted]" in line


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
