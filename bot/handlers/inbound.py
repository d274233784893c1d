"""The one place text from Slack is cleaned before any listener sees it.

Rule: every string in a request's body loses its NUL characters (U+0000), and any unpaired
UTF-16 surrogate (which a JSON payload can carry as `\\ud83d` but no database can store) becomes
U+FFFD. Nothing else changes: other control characters, bidirectional marks, emoji and
anything that looks like markup or SQL are kept as typed, stored as typed, and escaped (or sent
as plain_text) on the way back out.

Why NUL: PostgreSQL refuses it in text columns, so a NUL typed into a form would fail the save
on Postgres and succeed on SQLite. No Slack client can type one; removing it loses nothing.
This runs as a Bolt global middleware, after the signature is verified (the raw body, which the
signature covers, is untouched), for HTTP and Socket Mode alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _replacement(found: re.Match[str]) -> str:
    return "" if found.group() == "\x00" else "\ufffd"


def clean_text(text: str) -> str:
    """`text` without NUL characters and with unpaired surrogates replaced by U+FFFD."""
    return _UNSTORABLE.sub(_replacement, text) if _UNSTORABLE.search(text) else text


def clean(value: Any) -> Any:
    """`value` (a parsed request body) with every string in it cleaned, keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def needs_cleaning(body: dict[str, Any]) -> bool:
    """Whether any string in the body (keys included) has something `clean` would change.

    Serialized in C, a NUL shows as an escape and an unpaired surrogate as itself: much cheaper
    than walking the body in Python, which almost no request needs. (A typed backslash-u0000
    also matches; cleaning it then changes nothing.)
    """
    text = json.dumps(body, ensure_ascii=False, default=str)
    return "\\u0000" in text or _UNSTORABLE.search(text) is not None


def register(app: App) -> None:
    @app.middleware
    def clean_request_text(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        if isinstance(req.body, dict) and needs_cleaning(req.body):
            cleaned = clean(req.body)
            # In place: listeners' `body`, `view`, `action` and `command` are all read from it.
            req.body.clear()
            req.body.update(cleaned)
        return next()
