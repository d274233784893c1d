"""Escaping user text and fitting it into Slack's limits without breaking what was escaped."""

from __future__ import annotations

import re

import pytest

from bot.handlers.inbound import clean, clean_text, needs_cleaning
from bot.views.text import SECTION_LIMIT, clip, escape, escaped_chunks, split_mrkdwn, unescape

BROKEN_ENTITY = re.compile(r"&(?:a|am|l|g)?$|&(?:amp|lt|gt)$")


def test_escape_and_unescape_are_inverse_for_what_slack_escapes() -> None:
    typed = "R&D <!channel> > <@U1>"
    assert escape(typed) == "R&amp;D &lt;!channel&gt; &gt; &lt;@U1&gt;"
    assert unescape(escape(typed)) == typed


@pytest.mark.parametrize("limit", [7, 10, 101, SECTION_LIMIT])
def test_split_never_cuts_an_entity_or_a_token(limit: int) -> None:
    text = "<@U0MENTOR> said " + escape("<&>" * 2000) + "\n• " + escape("a&b " * 300)
    pieces = split_mrkdwn(text, limit=max(limit, 12))
    assert all(len(p) <= max(limit, 12) for p in pieces)
    assert all(
        not BROKEN_ENTITY.search(p) and not p.startswith(("lt;", "gt;", "amp;")) for p in pieces
    )
    assert "<@U0MENTOR>" in pieces[0]
    # Nothing is lost: only the line breaks where pieces were cut.
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_clip_keeps_whole_entities_and_says_it_cut() -> None:
    clipped = clip(escape("<" * 1000), limit=10)
    assert clipped == "&lt;&lt;…" and len(clipped) <= 10
    assert clip("short") == "short"
    assert clip("<!date^1^{date}|x> " + "y" * 50, limit=12) == "…"  # never half a date


def test_escaped_chunks_rebuild_the_escaped_text() -> None:
    text = "&<>" * 666 + "&"
    assert "".join(escaped_chunks(text)) == escape(text)


def test_inbound_cleaning_drops_nul_and_replaces_lone_surrogates_only() -> None:
    assert clean_text("a\x00b") == "ab"
    assert clean_text("half \ud83d emoji") == "half \ufffd emoji"
    kept = "bell\x07 \u202e 👩🏽‍💻 '; DROP TABLE x; -- =1+1"
    assert clean_text(kept) is kept
    body = {"view": {"state": {"values": {"b\x00": {"a": {"value": ["x\x00", 1, None]}}}}}}
    assert clean(body) == {"view": {"state": {"values": {"b": {"a": {"value": ["x", 1, None]}}}}}}


@pytest.mark.parametrize(
    "body",
    [
        {"text": "a\x00b"},
        {"view": {"state": {"values": {"b\x00": {}}}}},  # in a key
        {"actions": [{"value": "half \ud83d emoji"}]},
    ],
)
def test_a_nul_or_a_lone_surrogate_anywhere_gets_the_body_cleaned(body: dict) -> None:
    assert needs_cleaning(body) and clean(body) != body


def test_ordinary_bodies_are_left_as_they_are() -> None:
    body = {"text": "bell\x07 \u202e 👩🏽‍💻 '; DROP TABLE x; -- =1+1", "n": [1, None, True]}
    assert not needs_cleaning(body)
    assert clean(body) == body
