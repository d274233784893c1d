"""Logging for the `mentorbot` command, with Slack tokens and secrets scrubbed from every line."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any, Literal

from bot.log_context import ContextFilter

# Bot, user, app-level and refresh tokens all start with xox?- or xapp-.
TOKEN_PATTERN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

LogFormat = Literal["text", "json"]


class RedactingFormatter(logging.Formatter):
    """Formats a record, then removes anything shaped like a Slack token and the known secrets.

    Working on the formatted line covers messages, arguments and tracebacks alike. A line
    logged for a Slack request ends with `[request_id=… team_id=…]` (see bot.log_context).
    """

    def __init__(self, fmt: str = LOG_FORMAT, secrets: list[str] | None = None) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in (secrets or []) if s]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [
            f"{key}={value}"
            for key in ("request_id", "team_id")
            if (value := getattr(record, key, None)) is not None
        ]
        if ids:
            # After the message's first line, so tracebacks stay as Python prints them.
            first, newline, rest = line.partition("\n")
            line = f"{first} [{' '.join(ids)}]{newline}{rest}"
        return self.redact(line)

    def redact(self, text: str) -> str:
        text = TOKEN_PATTERN.sub(r"\1-[redacted]", text)
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


class JsonFormatter(RedactingFormatter):
    """One JSON object per line: time, level, logger, message, and `request_id` / `team_id`
    when the line belongs to a Slack request (see bot.log_context), `exception` with the
    traceback when there is one. Every text field is redacted before it is encoded."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        for key in ("request_id", "team_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = self.redact(str(value))
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = self.redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = self.redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)


def make_handler(
    secrets: list[str] | None = None, log_format: LogFormat = "text"
) -> logging.StreamHandler[Any]:
    """A stderr handler with the redacting formatter and the request-context filter."""
    handler: logging.StreamHandler[Any] = logging.StreamHandler()
    formatter = JsonFormatter if log_format == "json" else RedactingFormatter
    handler.setFormatter(formatter(secrets=secrets))
    handler.addFilter(ContextFilter())
    return handler


def configure_logging(
    level: str, secrets: list[str] | None = None, log_format: LogFormat = "text"
) -> None:
    root = logging.getLogger()
    root.handlers[:] = [make_handler(secrets, log_format)]
    root.setLevel(level.upper())
    # APScheduler says "Running job…" and "…executed successfully" at INFO every few seconds;
    # only its warnings (a missed or failed run) are news to an operator.
    logging.getLogger("apscheduler").setLevel(max(root.level, logging.WARNING))
    # Python's warnings go through logging too, so that every line has the chosen format.
    logging.captureWarnings(True)
