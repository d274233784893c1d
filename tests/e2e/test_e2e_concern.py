"""Raising a concern privately, end to end: only coordinators read it, the partner never hears."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.services.concerns import ConcernDetails, PairPeople
from bot.services.coordinators import add_coordinator
from bot.services.participation import forget
from bot.views.concerns import coordinator_message
from bot.views.text import SECTION_LIMIT, escaped_chunks
from models import Concern, Coordinator
from tests.conftest import COORDINATOR, RunningBot
from tests.contract import check_blocks
from tests.factories import INTRO_CHANNEL, MENTEE_USER, MENTOR_USER, SeededPair, seed_pair
from tests.fakeslack import ApiCall
from tests.flows import open_form
from tests.support import eventually

pytestmark = pytest.mark.needs_contract

TEXT = "He cancels every time, then says <!channel> & <@U0MENTOR> are *too busy*."
ESCAPED = (
    "He cancels every time, then says &lt;!channel&gt; &amp; &lt;@U0MENTOR&gt; are *too busy*."
)
OUTSIDER = "U0EVE"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The usual settings; `indirect` parametrization with "no coordinators" names none."""
    if getattr(request, "param", None) == "no coordinators":
        return settings.model_copy(update={"mentorbot_coordinators": ""})
    return settings


def everything_sent(call: ApiCall) -> str:
    return json.dumps(call.args)


def calls_reaching(bot: RunningBot, user: str) -> list[ApiCall]:
    """Every call that could put something in front of `user` (DMs, their pair's group DM)."""
    places = {user, bot.slack.dm_channel(user), INTRO_CHANNEL}
    return [
        c
        for c in bot.slack.calls
        if c.method.startswith(("chat.", "views.", "files.", "conversations."))
        and {str(c.args.get(k)) for k in ("channel", "channel_id", "users", "user_id")} & places
    ]


def raise_concern(bot: RunningBot, user: str, text: str = TEXT) -> Any:
    view = open_form(bot, user, "concern")
    return bot.driver.submit_view(user, view, {"concern_text": text})


def coordinator_dm(bot: RunningBot, coordinator: str = COORDINATOR) -> ApiCall:
    [call] = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == coordinator, timeout=5
    )
    return call


def acknowledge_button(call: ApiCall) -> dict[str, Any] | None:
    for block in call.blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["text"]["text"] == "Acknowledge":
                return element
    return None


def click_acknowledge(bot: RunningBot, user: str, dm: ApiCall) -> Any:
    button = acknowledge_button(dm)
    assert button is not None
    channel = dm.response["channel"]
    return bot.driver.block_action(
        user,
        button["action_id"],
        value=button["value"],
        block_id="concern_acknowledge",
        message={**dm.response["message"], "channel": channel},
        channel_id=channel,
        container={
            "type": "message",
            "message_ts": dm.response["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
        },
    )


def stored(bot: RunningBot) -> list[Concern]:
    with bot.session_factory() as s:
        return list(s.scalars(select(Concern).order_by(Concern.id)))


def test_the_form_reassures_that_only_coordinators_read_it(bot: RunningBot) -> None:
    view = open_form(bot, MENTEE_USER, "concern")
    [text_input] = [b for b in view["blocks"] if b["type"] == "input"]
    assert text_input["element"]["multiline"] is True
    assert text_input.get("optional", False) is False
    assert "Only the program coordinators will read this" in json.dumps(view)
    assert "partner is never told" in json.dumps(view)


def test_a_concern_reaches_the_coordinators_only_and_is_acknowledged(bot: RunningBot) -> None:
    pair = seed_pair(bot.session_factory)
    assert raise_concern(bot, MENTEE_USER).status_code == 200

    dm = coordinator_dm(bot)
    sent = everything_sent(dm)
    assert ESCAPED in sent and "<!channel>" not in sent  # shown as typed, notifies nobody
    assert f"*From* <@{MENTEE_USER}>" in sent
    assert f"<@{MENTOR_USER}> (reverse mentor) and <@{MENTEE_USER}> (mentee)" in sent
    assert acknowledge_button(dm) is not None
    assert MENTEE_USER not in dm.args["text"] and "cancels" not in dm.args["text"]
    [receipt] = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == MENTEE_USER)
    assert "went to the program coordinators" in receipt.args["text"]
    assert "your partner has not been told" in everything_sent(receipt)
    [concern] = stored(bot)
    assert (concern.pair_id, concern.program_id) == (pair.pair_id, pair.program_id)
    assert concern.text == TEXT and concern.acknowledged_at is None

    assert click_acknowledge(bot, COORDINATOR, dm).status_code == 200
    [update] = bot.slack.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (
        dm.response["channel"],
        dm.response["ts"],
    )
    assert f"Acknowledged by <@{COORDINATOR}>" in everything_sent(update)
    assert acknowledge_button(update) is None
    told = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == MENTEE_USER, count=2
    )[-1]
    assert "has read the concern you raised" in told.args["text"]
    assert MENTOR_USER not in everything_sent(told) and "cancels" not in everything_sent(told)
    [concern] = stored(bot)
    assert concern.acknowledged_by == COORDINATOR and concern.acknowledged_at is not None

    # A second click (or another coordinator's stale button) changes nothing and tells nobody.
    assert click_acknowledge(bot, COORDINATOR, dm).status_code == 200
    bot.slack.wait_for("chat.update", count=2)
    assert f"Acknowledged by <@{COORDINATOR}>" in everything_sent(
        bot.slack.calls_to("chat.update")[-1]
    )
    assert len(bot.slack.dms_to(MENTEE_USER)) == 2
    assert stored(bot)[0].acknowledged_at == concern.acknowledged_at

    assert calls_reaching(bot, MENTOR_USER) == []  # the partner never heard a thing


def test_someone_who_is_not_a_coordinator_cannot_acknowledge(bot: RunningBot) -> None:
    seed_pair(bot.session_factory)
    bot.slack.add_user(OUTSIDER)  # an ordinary member
    bot.slack.add_user(MENTOR_USER)
    raise_concern(bot, MENTEE_USER)
    dm = coordinator_dm(bot)
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == MENTEE_USER)

    for clicker in (OUTSIDER, MENTOR_USER):
        assert click_acknowledge(bot, clicker, dm).status_code == 200
        refusal = bot.slack.wait_for_response()
        assert "only program coordinators" in refusal["text"]
        assert refusal["response_type"] == "ephemeral"
    assert bot.slack.calls_to("chat.update") == []
    assert stored(bot)[0].acknowledged_by is None
    assert len(bot.slack.dms_to(MENTEE_USER)) == 1  # the receipt only
    assert calls_reaching(bot, MENTOR_USER) == []


def test_a_partner_who_is_a_coordinator_is_not_sent_the_concern(bot: RunningBot) -> None:
    seed_pair(bot.session_factory)
    with bot.session_factory.begin() as s:
        for user in (MENTOR_USER, "U0HR"):
            add_coordinator(
                s, team_id=bot.slack.team_id, user_id=user, added_by=COORDINATOR, now=NOW
            )
    raise_concern(bot, MENTEE_USER)
    coordinator_dm(bot)
    coordinator_dm(bot, "U0HR")
    bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == MENTEE_USER)
    assert calls_reaching(bot, MENTOR_USER) == []


def test_someone_without_a_partner_can_raise_one(bot: RunningBot) -> None:
    raise_concern(bot, "U0LONER", "Nobody has matched me yet & it's been months")
    assert "they have no current partner" in everything_sent(coordinator_dm(bot))
    [concern] = stored(bot)
    assert concern.pair_id is None and concern.reporter_user_id == "U0LONER"


def test_an_empty_concern_stays_on_the_form_with_a_hint(bot: RunningBot) -> None:
    view = open_form(bot, MENTEE_USER, "concern")
    response = bot.driver.submit_view(MENTEE_USER, view, {"concern_text": "   \n "})
    assert response.json() == {
        "response_action": "errors",
        "errors": {"concern_text": "Please write what's on your mind."},
    }
    assert stored(bot) == [] and bot.slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("settings", ["no coordinators"], indirect=True)
def test_without_coordinators_the_reporter_is_told_plainly(bot: RunningBot) -> None:
    response = bot.driver.command(MENTEE_USER, "concern")
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "No program coordinators are set up yet" in body["text"]
    assert bot.slack.calls_to("views.open") == []

    # A coordinator added, then removed while the form was open: the form says so, text kept.
    with bot.session_factory.begin() as s:
        add_coordinator(s, team_id=bot.slack.team_id, user_id="U0HR", added_by="U0HR", now=NOW)
    view = open_form(bot, MENTEE_USER, "concern")
    with bot.session_factory.begin() as s:
        s.execute(Coordinator.__table__.delete())
    answer = bot.driver.submit_view(MENTEE_USER, view, {"concern_text": TEXT}).json()
    assert answer["response_action"] == "errors"
    assert "No program coordinators are set up yet" in answer["errors"]["concern_text"]
    assert stored(bot) == [] and bot.slack.calls_to("chat.postMessage") == []


def test_the_only_coordinator_raising_a_concern_is_told_nobody_else_could_read_it(
    bot: RunningBot,
) -> None:
    response = bot.driver.command(COORDINATOR, "concern")
    assert "only coordinators are you or your partner" in response.json()["text"]
    assert bot.slack.calls_to("views.open") == []


def test_forget_me_deletes_the_concerns_a_person_raised(bot: RunningBot) -> None:
    pair: SeededPair = seed_pair(bot.session_factory)
    raise_concern(bot, MENTEE_USER)
    coordinator_dm(bot)
    eventually(lambda: len(stored(bot)) == 1)
    with bot.session_factory.begin() as s:
        forget(s, team_id=pair.team_id, user_id=MENTEE_USER, now=NOW)
    assert stored(bot) == []


def test_a_long_concern_of_special_characters_fits_slacks_limits() -> None:
    text = "&<>" * 666 + "&"  # 1,999 characters, escaping to 9,995
    chunks = escaped_chunks(text)
    assert "".join(chunks) == "&amp;&lt;&gt;" * 666 + "&amp;"
    assert all(len(c) <= SECTION_LIMIT for c in chunks)
    details = ConcernDetails(
        concern_id=1,
        reporter="U1",
        text=text,
        raised_at=NOW,
        pairs=[PairPeople(pair_id=1, mentor=None, mentee="U1")],
        linked=True,
        acknowledged_by=None,
        acknowledged_at=None,
    )
    _, blocks = coordinator_message(details)
    assert check_blocks([b.to_dict() for b in blocks]) == []
    assert "(someone who left) (reverse mentor)" in json.dumps([b.to_dict() for b in blocks])
