"""Matching end to end: a coordinator proposes, adjusts, re-runs and publishes pairs."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from models import ForbiddenPairing, Pair
from models.enums import PairStatus
from tests.conftest import COORDINATOR, RunningBot
from tests.flows import (
    click_in_view,
    enrol_everyone,
    filled,
    open_review,
    run_scheduler,
)

pytestmark = pytest.mark.needs_contract


def pair_blocks(view: dict) -> list[dict]:
    return [b for b in view["blocks"] if b.get("block_id", "").startswith("pair:")]


def test_review_remove_rerun_publish(bot: RunningBot) -> None:
    enrol_everyone(bot)
    dms_before = len(bot.slack.calls_to("chat.postMessage"))
    view = open_review(bot)
    text = json.dumps(view)
    assert "2 pairs proposed, 2 people unmatched" in text
    # The solve's bound proves there is nothing better to find.
    assert "These pairs are *the best possible* under the rules." in text
    assert "<@U0MAX>* coaches *<@U0EVA>" in text  # generative AI
    assert "<@U0MIA>* coaches *<@U0EDD>" in text  # social media
    assert "can teach Generative AI" in text and "bridges Sales and Finance" in text
    assert "working hours in common" in text
    assert "<@U0ELI>: no reverse mentor in the pool teaches Younger consumers" in text
    assert "<@U0MEG>: no mentee in the pool wants to learn Cybersecurity habits yet" in text
    # Nothing reaches participants before publishing.
    assert len(bot.slack.calls_to("chat.postMessage")) == dms_before
    assert bot.slack.calls_to("conversations.open") == []

    first = pair_blocks(view)[0]
    remove = next(o for o in first["accessory"]["options"] if o["value"].startswith("remove:"))
    view = click_in_view(bot, view, "match_pair_menu", type="overflow", selected_option=remove)
    assert "Pair removed" in json.dumps(view)
    # Changed by hand, the proposal no longer claims the solve's proof.
    assert "best possible" not in json.dumps(view)
    with bot.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ForbiddenPairing)) == 1
    assert len(pair_blocks(view)) == 1
    rerun_at = time.time()
    click_in_view(bot, view, "match_rerun", type="button")
    view = filled(bot, view["id"], since=rerun_at)
    pairing = first["text"]["text"].split("  ·")[0]
    assert pairing not in json.dumps(view)  # the removed pairing does not come back
    assert "past partners or people either of you asked not to be matched" in json.dumps(view)
    assert "the best possible* under the rules" in json.dumps(view)

    view = click_in_view(bot, view, "match_publish", type="button")
    assert "Publishing" in json.dumps(view) and "0 of 1 introduction sent" in json.dumps(view)
    with bot.session_factory() as s:
        active = s.scalars(select(Pair).where(Pair.status == PairStatus.ACTIVE)).all()
    # Nothing was sent by the click itself: the dispatcher sends, and the modal follows it.
    assert bot.slack.calls_to("conversations.open") == []
    run_scheduler(bot)
    intros = bot.slack.wait_for(
        "chat.postMessage", lambda c: c.args["channel"].startswith("G"), count=len(active)
    )
    assert len(intros) == len(active) == 1
    summary = json.dumps(bot.slack.views[view["id"]])
    assert "*Published* for *Reverse mentoring" in summary
    assert "1 of 1 pair introduced in group DMs; 4 of 4 unmatched people told" in summary
    for intro in intros:
        body = json.dumps(intro.blocks)
        assert "Why you two" in body and "Ground rules" in body and "start_goals" in body
    opened = bot.slack.calls_to("conversations.open")
    assert all(len(c.args["users"].split(",")) == 2 for c in opened)
    bot.slack.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == "U0ELI" and "stay in the pool" in json.dumps(c.blocks),
    )

    # Publishing again introduces nobody twice.
    calls = len(bot.slack.calls_to("chat.postMessage"))
    click_in_view(bot, view, "match_publish", type="button")
    run_scheduler(bot)
    assert len(bot.slack.calls_to("chat.postMessage")) == calls


def test_non_coordinators_cannot_match(bot: RunningBot) -> None:
    bot.slack.add_user("U0EVE")
    response = bot.driver.command("U0EVE", "match")
    assert "only program coordinators" in response.json()["text"]
    assert bot.slack.calls_to("views.open") == []
    with bot.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Pair)) == 0


def test_a_forbidden_pairing_is_never_proposed(bot: RunningBot) -> None:
    enrol_everyone(bot)
    answer = bot.driver.command(COORDINATOR, "match forbid <@U0MIA|mia> <@U0EDD|edd>")
    assert "will not be paired" in answer.json()["text"]
    view = open_review(bot)
    assert "<@U0MIA>* coaches *<@U0EDD>" not in json.dumps(view)
    assert "<@U0EDD>: the reverse mentors who fit are past partners" in json.dumps(view)
    missing = bot.driver.command(COORDINATOR, "match forbid <@U0MIA|mia> <@U0NOBODY|n>")
    assert "has not joined" in missing.json()["text"]
