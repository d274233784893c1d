"""Log lines as the formatters write them: no token or signing secret in a message or a
traceback, one JSON object a line, and the request and workspace they were logged for."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bot import log_context
from bot.config import Settings
from bot.log_context import ContextFilter
from bot.logging_setup import JsonFormatter, RedactingFormatter
from tests.conftest import BOT_TOKEN, SIGNING_SECRET


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


def json_record(message: str, *args: object, exc: BaseException | None = None) -> dict[str, Any]:
    handler_filter = ContextFilter()
    record = logging.LogRecord(
        "bot.handlers.signup",
        logging.WARNING,
        __file__,
        1,
        message,
        args,
        (type(exc), exc, exc.__traceback__) if exc is not None else None,
    )
    handler_filter.filter(record)
    line = JsonFormatter(secrets=[SIGNING_SECRET]).format(record)
    assert "\n" not in line  # one line per record, tracebacks included
    parsed: dict[str, Any] = json.loads(line)
    return parsed


def test_json_lines_have_time_level_logger_message_and_no_secrets() -> None:
    try:
        raise ValueError(f"Slack said no to {BOT_TOKEN}")
    except ValueError as error:
        entry = json_record("posting with %s and %s", BOT_TOKEN, SIGNING_SECRET, exc=error)
    assert entry["level"] == "WARNING" and entry["logger"] == "bot.handlers.signup"
    assert datetime.fromisoformat(entry["time"]).tzinfo is not None
    assert entry["message"] == "posting with xoxb-[redacted] and [redacted]"
    assert "ValueError" in entry["exception"] and "xoxb-[redacted]" in entry["exception"]
    text = json.dumps(entry)
    assert BOT_TOKEN not in text and SIGNING_SECRET not in text
    assert "request_id" not in entry and "team_id" not in entry  # outside any request


def test_json_lines_carry_the_ids_bound_for_a_request() -> None:
    with log_context.bound(request_id="r-123", team_id="T0TEAM1"):
        entry = json_record("hello")
        with log_context.bound(team_id="T0OTHER"):
            assert json_record("nested")["team_id"] == "T0OTHER"
        assert json_record("back")["team_id"] == "T0TEAM1"
    assert entry["request_id"] == "r-123" and entry["team_id"] == "T0TEAM1"
    assert "request_id" not in json_record("after")


def test_log_format_is_read_from_the_environment_in_either_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert Settings().log_format == "json"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.delenv("LOG_FORMAT")
    assert Settings().log_format == "text"


def test_text_lines_name_the_request_and_workspace_when_there_are_some() -> None:
    def line(message: str) -> str:
        record = logging.LogRecord("bot.web", logging.INFO, __file__, 1, message, (), None)
        ContextFilter().filter(record)
        return RedactingFormatter(secrets=[SIGNING_SECRET]).format(record)

    with log_context.bound(request_id="r-9", team_id="T0TEAM1"):
        assert line("slack command: 200 OK").endswith(
            "bot.web: slack command: 200 OK [request_id=r-9 team_id=T0TEAM1]"
        )
    assert line("job done").endswith("bot.web: job done")
