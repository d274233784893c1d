"""No token or signing secret reaches a log line."""

from __future__ import annotations

import logging

from bot.logging_setup import RedactingFormatter


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
