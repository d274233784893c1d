"""Logging for the `mentorbot` command, with Slack tokens and secrets scrubbed from every line."""

from __future__ import annotations

import logging
import re

# Bot, user, app-level and refresh tokens all start with xox?- or xapp-.
TOKEN_PATTERN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Formats a record, then removes anything shaped like a Slack token and the known secrets.

    Working on the formatted line covers messages, arguments and tracebacks alike.
    """

    def __init__(self, fmt: str = LOG_FORMAT, secrets: list[str] | None = None) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in (secrets or []) if s]

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        text = TOKEN_PATTERN.sub(r"\1-[redacted]", text)
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


def configure_logging(level: str, secrets: list[str] | None = None) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(secrets=secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
