"""A coordinator ends a pair over HTTP: the partners are told kindly, the reason stays put."""

from __future__ import annotations

import json
from dataclasses import replace

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bot.jobs.dispatcher import dispatch
from bot.localslack.state import group_dm_id
from bot.services import outbox
from bot.services.enrollment import save_profile
from bot.services.pairs import create_pair
from bot.services.profile import ProfileInput
from models import OutboxMessage, Pair, Participant
from models.enums import OutboxState, PairStatus
from tests.conftest import BOT_TOKEN, COORDINATOR, RunningBot
from tests.factories import (
    BOOKED_AT,
    DAY_BEFORE,
    MENTEE_USER,
    MENTOR,
    MENTOR_USER,
    TEAM,
    VETERAN_MENTEE,
    book,
    seed_pair,
)
from tests.flows import open_form

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


# -- re-matching one person and swapping two mentors ----------------------------------------------

MIA, MAX, NED, NIA = "U0MIA", "U0MAX", "U0NED", "U0NIA"
SALES_MENTOR = replace(
    MENTOR, department="Sales", teach_topics=["generative_ai"], do_not_match=[], mentee_capacity=1
)
SECURITY_MENTOR = replace(SALES_MENTOR, department="IT", teach_topics=["cybersecurity"])
LEGAL_MENTEE = replace(VETERAN_MENTEE, department="Legal")
SECURITY_MENTEE = replace(
    LEGAL_MENTEE, learn_topics=["cybersecurity"], self_ratings={"cybersecurity": 1}
)


def enrol(bot: RunningBot, people: dict[str, ProfileInput]) -> dict[str, Participant]:
    with bot.session_factory.begin() as db_session:
        return {
            user: save_profile(
                db_session,
                team_id=TEAM,
                user_id=user,
                profile=profile,
                timezone="Europe/Lisbon",
                now=BOOKED_AT,
            ).participant
            for user, profile in people.items()
        }


def pair_up(bot: RunningBot, mentor: str, mentee: str) -> None:
    with bot.session_factory.begin() as db_session:
        found = {
            p.slack_user_id: p
            for p in db_session.scalars(
                select(Participant).where(Participant.slack_user_id.in_((mentor, mentee)))
            )
        }
        create_pair(
            db_session,
            mentor=found[mentor],
            mentee=found[mentee],
            status=PairStatus.ACTIVE,
            now=BOOKED_AT,
        ).intro_sent_at = BOOKED_AT


def active_pairs(bot: RunningBot) -> set[tuple[str, str]]:
    with bot.session_factory.begin() as db_session:
        return {
            (pair.mentor.slack_user_id, pair.mentee.slack_user_id)
            for pair in db_session.scalars(
                select(Pair)
                .where(Pair.status == PairStatus.ACTIVE)
                .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
            )
        }


def queued_kinds(bot: RunningBot) -> list[str]:
    with bot.session_factory.begin() as db_session:
        return sorted(
            db_session.scalars(
                select(OutboxMessage.kind).where(OutboxMessage.state == OutboxState.PENDING)
            )
        )


def send_queued(bot: RunningBot) -> None:
    dispatch(
        bot.session_factory, WebClient(token=BOT_TOKEN, base_url=bot.slack.api_url), now=BOOKED_AT
    )


def intro_to(bot: RunningBot, *users: str) -> list:
    channel = group_dm_id(list(users))
    return [c for c in bot.slack.calls_to("chat.postMessage") if c.args["channel"] == channel]


def test_a_coordinator_ends_a_pair_then_re_matches_one_partner_from_the_people_who_fit(
    bot: RunningBot,
) -> None:
    seed_pair(bot.session_factory, now=BOOKED_AT)
    enrol(bot, {MIA: SALES_MENTOR, MAX: SECURITY_MENTOR, NED: LEGAL_MENTEE})
    bot.clock.set(BOOKED_AT)
    bot.driver.command(COORDINATOR, f"end-pair <@{MENTEE_USER}> no chemistry")

    form = open_form(bot, COORDINATOR, f"rematch <@{MENTEE_USER}>")
    text = json.dumps(form)
    assert f"*1. <@{MIA}>* as reverse mentor" in text and "can teach Generative AI" in text
    assert "score " in text and "working hours in common" in text
    assert f"<@{MENTOR_USER}>" not in text  # a past partner
    assert f"<@{MAX}>" not in text  # teaches nothing the mentee wants
    # Choosing is not yet doing: nobody but the ended pair's partners hears anything.
    assert queued_kinds(bot) == ["pair_ended", "pair_ended"]
    assert bot.slack.calls_to("conversations.open") == []

    answer = bot.driver.submit_view(COORDINATOR, form, {"rematch_partner": None})
    assert answer.json()["response_action"] == "errors"  # nobody chosen
    option = form["blocks"][-2]["element"]["options"][0]["value"]
    done = bot.driver.submit_view(COORDINATOR, form, {"rematch_partner": option}).json()
    assert done["response_action"] == "update"
    assert f"<@{MIA}> mentors <@{MENTEE_USER}>" in json.dumps(done["view"])
    again = bot.driver.submit_view(COORDINATOR, form, {"rematch_partner": option})
    assert again.status_code == 200
    assert active_pairs(bot) == {(MIA, MENTEE_USER)}  # once, however often it is submitted

    send_queued(bot)
    [intro] = intro_to(bot, MIA, MENTEE_USER)
    assert "Why you two" in json.dumps(intro.blocks)

    # Mia has no room left, and the mentor of the ended pair is free for Ned.
    bot.driver.command(COORDINATOR, f"rematch <@{MIA}>")
    refused = bot.slack.wait_for_response()
    assert refused["response_type"] == "ephemeral"
    assert f"<@{MIA}> already has a partner and no room for another" in refused["text"]
    form = open_form(bot, COORDINATOR, f"rematch <@{MENTOR_USER}>")
    assert f"*1. <@{NED}>* as mentee" in json.dumps(form)
    # Ned's note from a round that left him unmatched is still waiting to go: once he has a
    # partner, it never does.
    with bot.session_factory.begin() as db_session:
        outbox.enqueue(
            db_session,
            team_id=TEAM,
            dedupe_key="unmatched:1:ned",
            kind="unmatched_note",
            channel=NED,
            payload={},
            due_at=BOOKED_AT,
            now=BOOKED_AT,
        )
    option = form["blocks"][-2]["element"]["options"][0]["value"]
    bot.driver.submit_view(COORDINATOR, form, {"rematch_partner": option})
    assert queued_kinds(bot) == ["intro"]
    send_queued(bot)
    assert bot.slack.dms_to(NED) == [] and len(intro_to(bot, MENTOR_USER, NED)) == 1


def test_a_coordinator_swaps_two_mentors_and_the_four_people_are_told(bot: RunningBot) -> None:
    first = seed_pair(bot.session_factory, now=BOOKED_AT)
    book(bot.session_factory, first)  # its reminders are queued
    enrol(bot, {MIA: SALES_MENTOR, NED: LEGAL_MENTEE})
    pair_up(bot, MIA, NED)
    bot.clock.set(BOOKED_AT)

    form = open_form(bot, COORDINATOR, f"swap <@{MENTEE_USER}> <@{NED}>")
    text = json.dumps(form, ensure_ascii=False)
    assert f"<@{MENTOR_USER}> mentors <@{MENTEE_USER}>" in text
    assert f"<@{MIA}> mentors <@{MENTEE_USER}> · score" in text
    assert f"<@{MENTOR_USER}> mentors <@{NED}> · score" in text
    assert "pair_ended" not in queued_kinds(bot) and "partner_changed" not in queued_kinds(bot)

    done = bot.driver.submit_view(COORDINATOR, form).json()
    assert done["response_action"] == "update"
    assert active_pairs(bot) == {(MIA, MENTEE_USER), (MENTOR_USER, NED)}
    with bot.session_factory.begin() as db_session:
        reasons = db_session.scalars(
            select(Pair.ended_reason).where(Pair.status == PairStatus.ENDED)
        ).all()
    assert reasons == ["mentors swapped by a coordinator"] * 2
    assert queued_kinds(bot) == ["intro"] * 2 + ["partner_changed"] * 4  # reminders withdrawn

    send_queued(bot)
    for person, old, new in (
        (MENTOR_USER, MENTEE_USER, NED),
        (MENTEE_USER, MENTOR_USER, MIA),
        (MIA, NED, MENTEE_USER),
        (NED, MIA, MENTOR_USER),
    ):
        [note] = bot.slack.dms_to(person)
        assert f"you work with <@{new}> instead of <@{old}>" in note.args["text"]
    assert len(intro_to(bot, MIA, MENTEE_USER)) == len(intro_to(bot, MENTOR_USER, NED)) == 1


def test_a_swap_that_breaks_a_rule_is_refused_with_the_rule_and_strangers_cannot_swap(
    bot: RunningBot,
) -> None:
    seed_pair(bot.session_factory, now=BOOKED_AT)
    enrol(bot, {MAX: SECURITY_MENTOR, NIA: SECURITY_MENTEE, MIA: SALES_MENTOR, NED: LEGAL_MENTEE})
    pair_up(bot, MAX, NIA)
    pair_up(bot, MIA, NED)
    bot.clock.set(BOOKED_AT)
    before = active_pairs(bot)

    bot.driver.command(COORDINATOR, f"swap <@{MENTEE_USER}> <@{NIA}>")
    refused = bot.slack.wait_for_response()
    assert refused["text"] == (
        f"<@{MAX}> cannot mentor <@{MENTEE_USER}>: the mentor teaches none of the topics the "
        "mentee wants to learn."
    )
    bot.driver.command(COORDINATOR, f"swap <@{MENTEE_USER}> <@{MENTOR_USER}>")
    same = bot.slack.wait_for_response()
    assert "are in the same pair" in same["text"]
    stranger = bot.driver.command(MENTOR_USER, f"swap <@{MENTEE_USER}> <@{NED}>").json()
    assert "coordinator" in stranger["text"].lower()
    for command in (f"rematch <@{MENTEE_USER}>", f"swap <@{MENTEE_USER}> <@{NED}>"):
        assert "coordinator" in bot.driver.command(NED, command).json()["text"].lower()

    # A swap form submitted by someone who is not a coordinator changes nothing.
    form = open_form(bot, COORDINATOR, f"swap <@{MENTEE_USER}> <@{NED}>")
    bot.driver.submit_view(MENTOR_USER, form)
    assert active_pairs(bot) == before
    assert queued_kinds(bot) == []
    assert len(bot.slack.calls_to("views.open")) == 1
