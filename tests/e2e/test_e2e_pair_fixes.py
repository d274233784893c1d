"""A coordinator ends a pair over HTTP: the partners are told kindly, the reason stays put."""

from __future__ import annotations

import json

from slack_sdk import WebClient
from sqlalchemy import select

from bot.jobs.dispatcher import dispatch
from models import OutboxMessage, Pair
from models.enums import OutboxState, PairStatus
from tests.conftest import BOT_TOKEN, COORDINATOR, RunningBot
from tests.factories import BOOKED_AT, DAY_BEFORE, MENTEE_USER, MENTOR_USER, book, seed_pair

REASON = "they never found a time; MENTEE-CONFIDENTIAL"


def test_a_coordinator_ends_a_pair_and_each_partner_gets_a_kind_note_without_the_reason(
    bot: RunningBot,
) -> None:
    pair = seed_pair(bot.session_factory, now=BOOKED_AT)
    book(bot.session_factory, pair)  # its reminders are queued
    bot.clock.set(BOOKED_AT)

    answer = bot.driver.command(COORDINATOR, f"end-pair <@{MENTEE_USER}> {REASON}").json()
    assert answer["response_type"] == "ephemeral"
    assert f"Ended the pair <@{MENTOR_USER}> & <@{MENTEE_USER}>" in answer["text"]

    with bot.session_factory.begin() as db_session:
        ended = db_session.get(Pair, pair.pair_id)
        assert ended is not None
        assert ended.status == PairStatus.ENDED and ended.ended_reason == REASON
        pending = db_session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.state == OutboxState.PENDING)
        ).all()
    assert sorted(pending) == ["pair_ended", "pair_ended"]  # the reminders were withdrawn

    client = WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url)
    for when in (BOOKED_AT, DAY_BEFORE):
        dispatch(bot.session_factory, client, now=when)
    for user, partner in ((MENTOR_USER, MENTEE_USER), (MENTEE_USER, MENTOR_USER)):
        [note] = bot.slack.dms_to(user)
        assert f"pairing with <@{partner}> has come to a close" in note.args["text"]
    assert "MENTEE-CONFIDENTIAL" not in json.dumps([c.args for c in bot.slack.calls])


def test_only_coordinators_may_end_a_pair_and_a_reason_is_required(bot: RunningBot) -> None:
    pair = seed_pair(bot.session_factory, now=BOOKED_AT)
    refused = bot.driver.command(MENTOR_USER, f"end-pair <@{MENTEE_USER}> boring").json()
    assert "coordinator" in refused["text"].lower()
    no_reason = bot.driver.command(COORDINATOR, f"end-pair <@{MENTEE_USER}>").json()
    assert "Say why" in no_reason["text"]
    nobody = bot.driver.command(COORDINATOR, "end-pair <@U0NOBODY> gone").json()
    assert "no active pair found" in nobody["text"]
    with bot.session_factory.begin() as db_session:
        still = db_session.get(Pair, pair.pair_id)
        assert still is not None and still.status == PairStatus.ACTIVE
