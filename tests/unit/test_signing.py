"""The driver signs requests exactly as Slack does."""

from __future__ import annotations

import pytest
from slack_sdk.signature import SignatureVerifier

from tests import contract
from tests.driver import slack_signature


@pytest.mark.needs_contract
def test_driver_signature_matches_slacks_published_example() -> None:
    vector = contract.load_json("payloads/signature_vector.json")
    signature = slack_signature(
        vector["signing_secret"], vector["timestamp"], vector["body"].encode()
    )
    assert signature == vector["signature"]


def test_driver_signature_is_accepted_by_slack_sdk() -> None:
    body, ts = b"a=1&b=2", "1700000000"
    verifier = SignatureVerifier("secret", clock=type("C", (), {"now": lambda self: 1700000001})())
    assert verifier.is_valid(body, ts, slack_signature("secret", ts, body))
    assert not verifier.is_valid(body, ts, slack_signature("other", ts, body))
