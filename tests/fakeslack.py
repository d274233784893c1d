"""The test suite's Slack: the local workspace's emulator (bot.localslack), with every call
checked against Slack's method descriptions (tests/contract.py) and every block and view
round-tripped through slack_sdk.models. Problems are collected in `violations`, which the
fixtures assert is empty after each test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import Any

from freezegun.api import real_time

from bot.localslack import emulator, render
from bot.localslack.emulator import (
    MESSAGE_METHODS,
    TOKEN_LIFETIME_SECONDS,
    TRIGGER_SECONDS,
    VIEW_METHODS,
    ApiCall,
    Failure,
    trigger_age,
)
from bot.localslack.state import BOT_ID, BOT_USER_ID, SlackUser, UploadedFile
from tests import contract

# Methods the shared contract copy lacks, with Slack's documented required arguments.
METHODS_BEYOND_CONTRACT = {"apps.connections.open": []}
# How often a watch for calls that must not come looks again, at the most (each call wakes it).
WATCH_SECONDS = 0.02
SHUTDOWN_POLL_SECONDS = 0.05


def wall_clock() -> float:
    """Real seconds since the epoch, even under freezegun: a trigger ages in real time."""
    return float(real_time())


def new_trigger_id(n: int, issued_at: float | None = None) -> str:
    """A trigger_id as Slack would issue it now (or at `issued_at`)."""
    return emulator.new_trigger_id(n, wall_clock() if issued_at is None else issued_at)


class SlackChecks:
    """Slack's method descriptions and Block Kit's limits, checked on every call; and that the
    demo's UI can draw every block the app sends."""

    def check_call(self, method: str, args: dict[str, Any], *, has_bearer_token: bool) -> list[str]:
        if not contract.available() or method in METHODS_BEYOND_CONTRACT:
            return []
        problems = contract.check_arguments(method, args, has_bearer_token=has_bearer_token)
        if method in MESSAGE_METHODS and "blocks" in args:
            problems += [f"{method}: {p}" for p in contract.check_blocks(args["blocks"])]
            problems += [f"{method}: {p}" for p in drawing_problems(args["blocks"])]
        if method in VIEW_METHODS and "view" in args:
            problems += [f"{method}: {p}" for p in contract.check_view(args["view"])]
            view = json.loads(args["view"]) if isinstance(args["view"], str) else args["view"]
            problems += [f"{method}: {p}" for p in drawing_problems(view.get("blocks", []))]
        return problems

    def check_blocks(self, blocks: Any) -> list[str]:
        return contract.check_blocks(blocks) + drawing_problems(blocks)


class FakeSlack(SlackChecks, emulator.SlackEmulator):
    """Start with `with FakeSlack() as slack:`; point SLACK_API_URL at `slack.api_url`."""

    def __init__(self, team_id: str = "T0TEAM1", team_name: str = "Acme") -> None:
        # The suite starts and stops one a test: look for the shutdown ten times as often.
        super().__init__(
            team_id, team_name, wall_clock=wall_clock, poll_interval=SHUTDOWN_POLL_SECONDS
        )

    def __enter__(self) -> FakeSlack:
        super().__enter__()
        return self

    def assert_no_call(
        self,
        method: str,
        *,
        within: float,
        since: int = 0,
        where: Callable[[ApiCall], bool] = lambda _c: True,
        **match: Any,
    ) -> None:
        """Fail if a call of `method` (a pattern: "views.*", "*") whose arguments hold `match`
        and which `where` accepts has been made, or is made in the next `within` seconds.
        `since`: how many calls were made before the ones to look at (a `len(slack.calls)`).

        The app answers Slack first and works after, so that something does not happen can only
        be seen by watching for a while; the watch ends at the first such call."""

        def found() -> list[str]:
            return [
                f"{c.method} {c.args}"
                for c in self.calls[since:]
                if fnmatchcase(c.method, method)
                and all(c.args.get(name) == value for name, value in match.items())
                and where(c)
            ]

        self._watch(found, within, f"no {method} call {match or ''}".rstrip())

    def assert_no_response(
        self,
        *,
        within: float,
        since: int = 0,
        where: Callable[[dict[str, Any]], bool] = lambda _r: True,
    ) -> None:
        """As assert_no_call, for posts to a response_url."""
        self._watch(
            lambda: [json.dumps(r) for r in self.responses[since:] if where(r)],
            within,
            "no response_url post",
        )

    def _watch(self, found: Callable[[], list[str]], within: float, expected: str) -> None:
        deadline = time.monotonic() + within
        with self._cond:
            while True:
                seen = found()
                assert not seen, f"expected {expected} within {within}s, got: {seen}"
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(min(remaining, WATCH_SECONDS))


def drawing_problems(blocks: Any) -> list[str]:
    """What the local workspace's browser UI could not draw (`mentorbot demo` shows everything
    the app sends, so the whole suite checks it can)."""
    items = json.loads(blocks) if isinstance(blocks, str) else blocks
    try:
        render.blocks(list(items or []), render.RenderContext())
    except render.UnsupportedBlock as error:
        return [f"the demo cannot draw {error}"]
    return []


__all__ = [
    "BOT_ID",
    "BOT_USER_ID",
    "TOKEN_LIFETIME_SECONDS",
    "TRIGGER_SECONDS",
    "ApiCall",
    "Failure",
    "FakeSlack",
    "SlackChecks",
    "SlackUser",
    "UploadedFile",
    "new_trigger_id",
    "trigger_age",
    "wall_clock",
]
