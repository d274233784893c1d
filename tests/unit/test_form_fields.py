"""A URL-encoded form's fields, decoded mostly in C, must read exactly as the standard library
reads them: whatever Slack sends, and whatever a stranger sends instead."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, quote, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.web import form_fields

# Characters a form body is made of, and the escapes that matter most.
PIECES = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["%", "%2", "%2B", "%e2%82%ac", "%C3", "%zz", "=", "&", "+", "\r\n", "%3D"]),
)


def _standard(text: str) -> dict[str, str]:
    return dict(parse_qsl(text, keep_blank_values=True))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=5))
def test_what_slack_sends_reads_as_the_standard_library_reads_it(fields: dict[str, str]) -> None:
    body = urlencode(fields)
    assert form_fields(body) == _standard(body) == fields


@settings(max_examples=800, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join))
def test_any_body_at_all_reads_as_the_standard_library_reads_it(body: str) -> None:
    assert form_fields(body) == _standard(body)


def test_an_interaction_payload_comes_back_whole() -> None:
    payload = {"type": "view_submission", "view": {"blocks": [{"text": "Ünïcode & 100% = ✓ +"}]}}
    body = "payload=" + quote(json.dumps(payload), safe="")
    assert json.loads(form_fields(body)["payload"]) == payload
