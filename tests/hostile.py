"""Hostile text: what people (or a script posing as Slack) might type into any field or command,
and a scanner that proves none of it reached Slack as a live mention, link or broadcast."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from typing import Any

import pytest

from bot.handlers.inbound import clean_text

# Everything here must be stored as typed (after the inbound rule: NUL removed, unpaired
# surrogates replaced) and come back into Slack escaped or as plain_text.
CORPUS: dict[str, str] = {
    # Short enough for the shortest field (100 characters).
    "mentions": (
        "Hi <!channel> <!here> <!everyone> <@U0BOSS> <#C0GENERAL> <!subteam^S0ADMINS> "
        "<https://evil.example>"
    ),
    "mrkdwn": "*bold* _it_ ~strike~ `code` ```block``` >quote <https://evil.example|click here>",
    "pre_escaped": "&lt;!channel&gt; &amp;lt; &#60;!here&#62; &gt;",
    "html": "<script>alert('x')</script><img src=x onerror=alert(1)><b>hi</b>",
    "sql": "'; DROP TABLE participants; --",
    "formula_equals": '=HYPERLINK("https://evil.example","click")',
    "formula_plus": "+1+cmd|' /C calc'!A0",
    "formula_at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula_minus": "-2+3+cmd|' /C calc'!A0",
    "emoji": "👩🏽‍💻 built 👨‍👩‍👧‍👦 and 🏳️‍🌈 then ✅ 🇵🇹",
    "rtl": "مرحبا بالعالم שלום עולם",
    "rtl_override": "invoice\u202egpj.exe\u202c and \u2066isolated\u2069\u200f mark",
    "controls": "bell\x07 esc\x1b[31mred\x1b[0m back\x08space vt\x0bff\x0cdel\x7f nel\x85 end",
    "nul": "before\x00after\x00end",
    "lone_surrogate": "half \ud83d an emoji",
    "long_word": "Pneumono" + "x" * 90,  # one 98-character word
    "dollars": r"Save $5 on $\frac{1}{$ and $x^{$ plans",  # matplotlib's TeX markers
    "ten_kb": ("<!channel> " + "A" * 89 + " ") * 102,  # 10,302 characters
}
# A few that between them exercise every rule, for the fields and arguments not given the
# whole corpus.
COMPACT = ["mentions", "pre_escaped", "nul", "formula_equals", "emoji", "ten_kb"]

# What must never appear raw in mrkdwn the bot sends: these would notify, link or mislead.
LIVE_SEQUENCES = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam",
    "<@U0BOSS>",
    "<#C0GENERAL>",
    "<https://evil",
    "<script>",
)
ESCAPED_CHANNEL = "&lt;!channel&gt;"
# One line of it, for what builds views and messages from user text.
HOSTILE = "<!channel> <@U123> <https://evil.example|click> & " + "x" * 60


def stored(value: str) -> str:
    """What the app keeps of `value` typed into a field it stores (its own text, trimmed)."""
    return clean_text(value).strip()


def fits(value: str, limit: int) -> bool:
    return len(clean_text(value).strip()) <= limit


def params(names: Iterable[str] | None = None) -> list[Any]:
    """The corpus (or the named part of it) as pytest parameters, with readable ids."""
    return [pytest.param(CORPUS[n], id=n) for n in (CORPUS if names is None else names)]


# Keys whose string is shown as plain text by Slack (or not shown at all), never as mrkdwn.
PLAIN_KEYS = {
    "initial_value",  # a plain_text_input's pre-filled text
    "value",  # a button's or option's value, never displayed
    "private_metadata",
    "title",  # a file's title
    "filename",
    "errors",  # response_action errors: Slack shows them as plain text
    "hash",
    "action_id",
    "block_id",
    "callback_id",
    "external_id",
}
JSON_KEYS = {"blocks", "view", "attachments", "files"}


def _leaks(value: Any, path: str, forbidden: tuple[str, ...], plain: bool) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        is_plain_text = value.get("type") == "plain_text"
        for key, item in value.items():
            if isinstance(item, str) and key in JSON_KEYS and item[:1] in "[{":
                with contextlib.suppress(ValueError):
                    item = json.loads(item)
            inner_plain = plain or key in PLAIN_KEYS or (is_plain_text and key == "text")
            found += _leaks(item, f"{path}.{key}", forbidden, inner_plain)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _leaks(item, f"{path}[{index}]", forbidden, plain)
    elif isinstance(value, str) and not plain:
        found += [f"{path}: {seq!r} in {value[:160]!r}" for seq in forbidden if seq in value]
    return found


def leaks(value: Any, forbidden: tuple[str, ...] = LIVE_SEQUENCES) -> list[str]:
    """Where `value` (call arguments, a response body) carries a live sequence in mrkdwn."""
    return _leaks(value, "", forbidden, plain=False)


def everything_sent(bot: Any, answers: Iterable[Any] = ()) -> list[tuple[str, Any]]:
    """Every Slack API call's arguments, every response_url post, and the bot's own HTTP
    answers (acks carry ephemeral messages and view updates)."""
    sent: list[tuple[str, Any]] = [(c.method, c.args) for c in list(bot.slack.calls)]
    sent += [("response_url", r) for r in list(bot.slack.responses)]
    for answer in answers:
        body = answer.text if hasattr(answer, "text") else str(answer)
        try:
            sent.append(("ack", json.loads(body)))
        except ValueError:
            sent.append(("ack", body))
    return sent


def assert_nothing_live(
    bot: Any, answers: Iterable[Any] = (), forbidden: tuple[str, ...] = LIVE_SEQUENCES
) -> None:
    problems = []
    for where, payload in everything_sent(bot, answers):
        problems += [f"{where}{p}" for p in leaks(payload, forbidden)]
    assert problems == [], "live mrkdwn sent to Slack:\n" + "\n".join(problems)


def sent_text(bot: Any, answers: Iterable[Any] = ()) -> str:
    return "\n".join(json.dumps(p, ensure_ascii=False) for _, p in everything_sent(bot, answers))


TRACEBACK = re.compile(r"Traceback|File \"|Error:|Exception")
