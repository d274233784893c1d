"""The fake Slack answers the SDK as Slack does, fails on demand, and catches contract breaches."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakeslack import Failure, FakeSlack, new_trigger_id, wall_clock

pytestmark = pytest.mark.needs_contract


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.api_url)


def test_injected_failures_reach_the_sdk_like_slacks(slack: FakeSlack, client: WebClient) -> None:
    slack.fail(
        "chat.postMessage",
        Failure(status=429, retry_after=2),
        Failure(status=503),
        Failure(error="user_not_found"),
    )
    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="U1", text="hi")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "2"
    with pytest.raises(SlackApiError) as unavailable:
        client.chat_postMessage(channel="U1", text="hi")
    assert unavailable.value.response.status_code == 503
    with pytest.raises(SlackApiError) as gone:
        client.chat_postMessage(channel="U1", text="hi")
    assert gone.value.response["error"] == "user_not_found"
    assert client.chat_postMessage(channel="U1", text="hi")["channel"] == "D1"
    assert [c.ok for c in slack.calls_to("chat.postMessage")] == [False, False, False, True]


def test_calls_that_break_slacks_rules_are_refused_and_recorded(slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    with pytest.raises(SlackApiError):
        client.api_call("chat.postMessage", json={"text": "no channel"})
    with pytest.raises(SlackApiError):
        client.chat_postMessage(
            channel="C1",
            text="t",
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
        )
    with pytest.raises(SlackApiError):
        client.views_open(
            trigger_id="1.2.t",
            view={
                "type": "modal",
                "title": {"type": "plain_text", "text": "A title much longer than Slack allows"},
                "blocks": [{"type": "divider"}],
            },
        )
    with pytest.raises(SlackApiError), pytest.warns(UserWarning, match="text"):
        client.chat_postMessage(channel="C1", blocks=[{"type": "divider"}])  # no text fallback
    assert len(slack.violations) == 4
    slack.violations.clear()  # these were on purpose


def test_no_token_is_refused(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as refused:
        WebClient(base_url=slack.api_url).auth_test()
    assert refused.value.response["error"] == "not_authed"
    slack.violations.clear()


def test_files_upload_v2_lands_in_the_channel_and_is_checked(
    slack: FakeSlack, client: WebClient
) -> None:
    client.files_upload_v2(
        channel="C0TEAM", filename="notes.txt", content=b"hello", initial_comment="Notes"
    )
    [shared] = slack.files
    assert (shared.filename, shared.content, shared.channel) == ("notes.txt", b"hello", "C0TEAM")
    assert shared.initial_comment == "Notes"
    assert slack.violations == []


def test_completing_an_upload_whose_bytes_never_came_fails(
    slack: FakeSlack, client: WebClient
) -> None:
    url = client.files_getUploadURLExternal(filename="x.ics", length=3)
    assert url["upload_url"].startswith(slack.base_url)
    with pytest.raises(SlackApiError) as missing:
        client.files_completeUploadExternal(files=[{"id": url["file_id"]}], channel_id="D1")
    assert missing.value.response["error"] == "file_not_found"
    assert slack.files == []


def test_file_calls_that_break_slacks_rules_are_refused(slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    with pytest.raises(SlackApiError):
        client.api_call("files.getUploadURLExternal", params={"filename": "x.ics"})  # no length
    with pytest.raises(SlackApiError):
        client.api_call("files.completeUploadExternal", params={"channel_id": "D1"})  # no files
    assert len(slack.violations) == 2
    slack.violations.clear()  # these were on purpose


def test_sharing_a_file_to_a_user_id_is_refused_as_slack_does(
    slack: FakeSlack, client: WebClient
) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.files_upload_v2(channel="U0COORD", filename="x.csv", content=b"a,b\r\n")
    assert refused.value.response["error"] == "invalid_arguments"
    assert slack.files == []
    assert slack.violations == [
        "files.completeUploadExternal: channel_id is a user id, not a channel"
    ]
    slack.violations.clear()  # on purpose
    dm = client.conversations_open(users="U0COORD")["channel"]["id"]
    client.files_upload_v2(channel=dm, filename="x.csv", content=b"a,b\r\n")
    assert [(f.filename, f.channel) for f in slack.files] == [
        ("x.csv", slack.dm_channel("U0COORD"))
    ]


def test_a_chosen_call_of_a_method_fails_and_the_others_do_not(
    slack: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel="U1", text="before")
    slack.fail_call("chat.postMessage", 3, Failure(status=429, retry_after=1))
    outcomes = []
    for n in range(5):
        try:
            client.chat_postMessage(channel="U1", text=f"message {n}")
            outcomes.append("ok")
        except SlackApiError as error:
            outcomes.append(str(error.response.status_code))
    assert outcomes == ["ok", "ok", "429", "ok", "ok"]


MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "A form"},
    "blocks": [{"type": "divider"}],
}


def test_triggers_are_honoured_for_three_seconds_and_once(
    slack: FakeSlack, client: WebClient
) -> None:
    fresh = new_trigger_id(1)
    assert client.views_open(trigger_id=fresh, view=MODAL)["ok"]
    refusals = []
    for trigger in (fresh, new_trigger_id(2, issued_at=wall_clock() - 3.5), "1.2.3"):
        with pytest.raises(SlackApiError) as refused:
            client.views_open(trigger_id=trigger, view=MODAL)
        refusals.append(refused.value.response["error"])
    assert refusals == ["exchanged_trigger_id", "expired_trigger_id", "invalid_trigger_id"]
    # 2.5 s old is still inside the window.
    assert client.views_open(
        trigger_id=new_trigger_id(3, issued_at=wall_clock() - 2.5), view=MODAL
    )["ok"]


def test_a_call_that_must_not_come_fails_the_watch_as_soon_as_it_comes(
    slack: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel="U1", text="before")
    slack.assert_no_call("chat.postMessage", within=0.05, channel="U2")  # another channel's
    slack.assert_no_call("views.*", within=0.05)
    seen = len(slack.calls)
    with pytest.raises(AssertionError, match="before"):
        slack.assert_no_call("chat.postMessage", within=0.05, channel="U1")  # made already
    slack.assert_no_call("chat.postMessage", since=seen, within=0.05, channel="U1")

    later = threading.Timer(0.1, lambda: client.chat_postMessage(channel="U2", text="late"))
    later.start()
    started = time.monotonic()
    with pytest.raises(AssertionError, match="late"):
        slack.assert_no_call("chat.*", within=10, where=lambda c: c.args["channel"] == "U2")
    assert time.monotonic() - started < 5  # it failed at the call, not at the window's end
    later.join()


def test_a_response_that_must_not_come_fails_its_watch(slack: FakeSlack) -> None:
    post = slack.response_url("r1")
    httpx.post(post, json={"text": "first"})
    slack.assert_no_response(since=1, within=0.05)
    later = threading.Timer(0.1, lambda: httpx.post(post, json={"text": "twice"}))
    later.start()
    with pytest.raises(AssertionError, match="twice"):
        slack.assert_no_response(since=1, within=10)
    later.join()
