"""Rounds of matching at a real program's size, against a Slack that behaves like Slack: the
solve outlives the 3-second trigger, modals close, Slack answers 429 and 500 mid-batch."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.flows import matching as matching_handlers
from bot.services.enrollment import save_profile
from bot.services.matching.proposals import Solved
from models import MatchRound, OutboxMessage, Pair
from models.enums import PairStatus, RoundState
from tests.conftest import COORDINATOR, RunningBot
from tests.factories import MENTOR, TEAM, VETERAN_MENTEE
from tests.fakeslack import TRIGGER_SECONDS, Failure, wall_clock
from tests.flows import click_in_view, enrol_everyone, filled, run_scheduler
from tests.support import eventually

pytestmark = pytest.mark.needs_contract

SECOND_COORDINATOR = "U0ADMIN"
UNMATCHABLE = replace(VETERAN_MENTEE, learn_topics=["younger_consumers"], self_ratings={})


def shown(value: Any) -> str:
    """Everything a view or message shows, as one searchable string."""
    return json.dumps(value, ensure_ascii=False)


class Solves:
    """The matching solve, made to last as long as a test needs: once held, every solve waits
    until the test releases it, as a large program's solve outlasts whatever the test does."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: list[float] = []  # when each solve began
        self._go = threading.Event()
        self._go.set()
        real = matching_handlers.solve

        def solve(loaded: Any, **kwargs: Any) -> Solved:
            self.started.append(time.time())
            assert self._go.wait(30), "the test never released the solve"
            return real(loaded, **kwargs)

        monkeypatch.setattr(matching_handlers, "solve", solve)

    def hold(self) -> None:
        self._go.clear()

    def release(self) -> None:
        self._go.set()


@pytest.fixture
def solves(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[Solves]:
    held = Solves(monkeypatch)
    yield held
    held.release()  # a test that failed half-way must not leave the bot's teardown waiting


def command_opens_modal(bot: RunningBot, user: str) -> tuple[dict[str, Any], float]:
    """`/mentoring match`; the modal the command opened and how long after the command."""
    before = len(bot.slack.calls_to("views.open"))
    sent = time.time()
    assert bot.driver.command(user, "match").status_code == 200
    call = bot.slack.wait_for("views.open", count=before + 1)[-1]
    return bot.slack.views[call.response["view"]["id"]], call.at - sent


def test_a_solve_longer_than_the_trigger_window_still_opens_and_fills_the_modal(
    bot: RunningBot, solves: Solves, monkeypatch: pytest.MonkeyPatch
) -> None:
    enrol_everyone(bot)
    bot.slack.add_user(SECOND_COORDINATOR, is_admin=True)
    solves.hold()

    view, waited = command_opens_modal(bot, COORDINATOR)
    # The fake refuses a trigger older than 3 s: the open succeeded, inside the window, while
    # the solve had not finished.
    assert waited < 3.0
    assert "*Matching 6 people…* for *Reverse mentoring" in shown(view)
    assert "You can close this window" in shown(view)

    # A second coordinator joins the running solve instead of starting another.
    joined, _ = command_opens_modal(bot, SECOND_COORDINATOR)
    assert "<@U0COORD> started this run" in shown(joined)

    # The solve ends after both triggers have expired: Slack would refuse them from now on.
    opened_at = wall_clock()
    monkeypatch.setattr(bot.slack, "wall_clock", lambda: opened_at + TRIGGER_SECONDS + 1)
    solves.release()
    first = filled(bot, view["id"])
    second = filled(bot, joined["id"])
    for modal in (first, second):
        assert "2 pairs proposed, 2 people unmatched" in shown(modal)
    assert len(solves.started) == 1
    with bot.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(MatchRound)) == 1
        assert s.scalars(select(MatchRound)).one().state == RoundState.READY
    # Those who watched it fill need no DM.
    run_scheduler(bot)
    assert not [c for c in bot.slack.calls_to("chat.postMessage") if "ready" in c.args["text"]]


def test_a_closed_modal_means_a_dm_and_the_app_home_carry_the_proposal(
    bot: RunningBot, solves: Solves
) -> None:
    enrol_everyone(bot)
    solves.hold()
    view, _ = command_opens_modal(bot, COORDINATOR)
    assert bot.driver.close_view(COORDINATOR, view).status_code == 200

    def watchers_once_closed() -> list[dict[str, Any]] | None:
        with bot.session_factory() as s:
            watchers: list[dict[str, Any]] = s.scalars(select(MatchRound)).one().watchers
        return watchers if any(w["view"] is None for w in watchers) else None

    # The close is recorded before the solve ends.
    watchers = eventually(watchers_once_closed, what="the closed modal recorded")
    assert watchers == [{"user": COORDINATOR, "view": None, "closed": view["id"]}]
    solves.release()

    home = bot.slack.wait_for(
        "views.publish",
        lambda c: "a proposal is ready for review: 2 pairs, 2 people unmatched" in shown(c.view),
        timeout=10,
    )[-1]
    button = next(b["accessory"] for b in home.view["blocks"] if "proposal is ready" in shown(b))
    assert button["text"]["text"] == "Review the proposal"
    run_scheduler(bot)
    dm = bot.slack.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == COORDINATOR and "is ready" in c.args["text"],
    )
    assert len(dm) == 1
    assert "2 pairs proposed, 2 people unmatched" in shown(dm[0].blocks)

    # The DM's button opens the proposal itself, well inside the trigger's 3 seconds.
    before = len(bot.slack.calls_to("views.open"))
    message = {**dm[0].response["message"], "channel": dm[0].response["channel"]}
    bot.driver.block_action(COORDINATOR, "open_proposal", value=button["value"], message=message)
    opened = bot.slack.wait_for("views.open", count=before + 1)[-1]
    assert "2 pairs proposed" in shown(opened.view)
    assert "match_publish" in shown(opened.view)


def test_a_failed_solve_says_so_in_words(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    enrol_everyone(bot)

    def broken(_loaded: Any, **_kwargs: Any) -> Solved:
        raise RuntimeError("the solver fell over")

    monkeypatch.setattr(matching_handlers, "solve", broken)
    view, _ = command_opens_modal(bot, COORDINATOR)
    modal = shown(filled(bot, view["id"]))
    assert "*Matching failed* for *Reverse mentoring 2026*" in modal
    assert "something went wrong on our side (RuntimeError); please re-run" in modal
    assert "Nothing was published" in modal and "match_rerun" in modal
    assert "the solver fell over" not in modal  # internals stay in the log
    with bot.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Pair)) == 0


def enrol_pairs(bot: RunningBot, pairs: int, unmatchable: int) -> None:
    """`pairs` reverse mentors and mentees who suit each other, and people nobody can coach."""
    with bot.session_factory.begin() as db_session:
        people = [("UR", MENTOR, i) for i in range(pairs)]
        people += [("US", VETERAN_MENTEE, i) for i in range(pairs)]
        people += [("UX", UNMATCHABLE, i) for i in range(unmatchable)]
        for prefix, profile, i in people:
            save_profile(
                db_session,
                team_id=TEAM,
                user_id=f"{prefix}{i:04d}",
                profile=replace(
                    profile, department=f"{prefix}{i}", mentee_capacity=1, do_not_match=[]
                ),
                timezone="Europe/Lisbon",
                now=bot.clock(),
            )


def intros(bot: RunningBot) -> list[Any]:
    return [
        c
        for c in bot.slack.calls_to("chat.postMessage")
        if c.ok and c.args["channel"].startswith("G")
    ]


def test_publishing_200_pairs_through_429s_and_500s_introduces_each_pair_once(
    bot: RunningBot,
) -> None:
    enrol_pairs(bot, 200, unmatchable=3)
    view, _ = command_opens_modal(bot, COORDINATOR)
    assert "*Matching 403 people…*" in shown(view)
    view = filled(bot, view["id"], timeout=30)
    assert "200 pairs proposed, 3 people unmatched" in shown(view)

    # Slack says no half-way through: rate limits and server errors on both calls.
    bot.slack.fail_call("conversations.open", 3, Failure(status=429, retry_after=1))
    bot.slack.fail_call("conversations.open", 60, Failure(status=500))
    bot.slack.fail_call("conversations.open", 120, Failure(status=429, retry_after=30))
    bot.slack.fail_call("chat.postMessage", 10, Failure(status=429, retry_after=2))
    bot.slack.fail_call("chat.postMessage", 77, Failure(status=500))
    bot.slack.fail_call("chat.postMessage", 150, Failure(status=503))
    bot.slack.fail_call("chat.postMessage", 201, Failure(status=429, retry_after=1))

    view = click_in_view(bot, view, "match_publish", type="button")
    assert "0 of 200 introductions sent · 0 of 3 notes to the unmatched sent" in shown(view)
    with bot.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 203

    # The first pass stops at Slack's first 429: the modal shows how far it got.
    run_scheduler(bot, until_quiet=False)
    partway = shown(bot.slack.views[view["id"]])
    assert "*Publishing*" in partway and "2 of 200 introductions sent" in partway

    # The coordinator presses Publish again half-way: nothing new is queued or sent twice.
    click_in_view(bot, bot.slack.views[view["id"]], "match_publish", type="button")
    with bot.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 203

    run_scheduler(bot)
    channels = Counter(c.args["channel"] for c in intros(bot))
    assert len(channels) == 200 and set(channels.values()) == {1}
    with bot.session_factory() as s:
        active = s.scalars(select(Pair).where(Pair.status == PairStatus.ACTIVE)).all()
        assert len(active) == 200
        assert {p.intro_channel for p in active} == set(channels)
    for i in range(3):
        notes = [d for d in bot.slack.dms_to(f"UX{i:04d}") if "stay in the pool" in shown(d.blocks)]
        assert len(notes) == 1
    summary = shown(bot.slack.views[view["id"]])
    assert "*Published* for *Reverse mentoring" in summary
    assert "200 of 200 pairs introduced in group DMs; 3 of 3 unmatched people told" in summary
    assert "Not delivered" not in summary
    home = bot.slack.wait_for(
        "views.publish",
        lambda c: c.args["user_id"] == COORDINATOR and "Published" in shown(c.view),
    )[-1]
    assert "200 of 200 pairs introduced" in shown(home.view)

    # And once more after the end: still nothing twice.
    click_in_view(bot, bot.slack.views[view["id"]], "match_publish", type="button")
    run_scheduler(bot)
    assert len(intros(bot)) == 200


def test_an_introduction_slack_refuses_for_good_is_named_in_the_summary(bot: RunningBot) -> None:
    enrol_pairs(bot, 3, unmatchable=0)
    view, _ = command_opens_modal(bot, COORDINATOR)
    view = filled(bot, view["id"])
    bot.slack.fail_call("conversations.open", 2, Failure(error="account_inactive"))
    view = click_in_view(bot, view, "match_publish", type="button")
    run_scheduler(bot)
    summary = shown(bot.slack.views[view["id"]])
    assert "2 of 3 pairs introduced" in summary
    assert "*Not delivered (1):*" in summary
    assert "the account is deactivated (`account_inactive`)" in summary
    assert "Introduction of <@UR" in summary and "and <@US" in summary
    with bot.session_factory() as s:
        flagged = s.scalars(select(Pair).where(Pair.delivery_problem.is_not(None))).all()
        assert [p.delivery_problem for p in flagged] == ["account_inactive"]


def test_publishing_while_a_solve_runs_is_refused(bot: RunningBot, solves: Solves) -> None:
    enrol_everyone(bot)
    view, _ = command_opens_modal(bot, COORDINATOR)
    view = filled(bot, view["id"])
    solves.hold()
    rerun_at = time.time()
    click_in_view(bot, view, "match_rerun", type="button")
    assert bot.driver.button_in_view(COORDINATOR, view, "match_publish").status_code == 200
    told = bot.slack.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == COORDINATOR and "still running" in c.args["text"],
    )
    assert told
    solves.release()
    filled(bot, view["id"], since=rerun_at)
    with bot.session_factory() as s:
        assert (
            s.scalar(select(func.count()).select_from(Pair).where(Pair.status == PairStatus.ACTIVE))
            == 0
        )


def test_when_the_modal_cannot_open_the_round_goes_on_and_the_coordinator_is_told(
    bot: RunningBot,
) -> None:
    enrol_everyone(bot)
    bot.slack.fail("views.open", Failure(error="expired_trigger_id"))
    assert bot.driver.command(COORDINATOR, "match").status_code == 200
    told = bot.slack.wait_for_response()
    assert told["response_type"] == "ephemeral"
    assert "Matching 6 people for Reverse mentoring 2026. I'll send you a DM" in told["text"]
    bot.slack.wait_for(
        "views.publish", lambda c: "a proposal is ready for review" in shown(c.view), timeout=10
    )
    run_scheduler(bot)
    dm = bot.slack.wait_for(
        "chat.postMessage",
        lambda c: c.args["channel"] == COORDINATOR and "is ready" in c.args["text"],
    )
    assert "2 pairs proposed" in shown(dm[0].blocks)


def test_a_failure_after_publishing_never_claims_nothing_was_changed(bot: RunningBot) -> None:
    enrol_everyone(bot)
    view, _ = command_opens_modal(bot, COORDINATOR)
    view = filled(bot, view["id"])
    bot.slack.fail("views.update", Failure(status=500), Failure(status=500))
    assert bot.driver.button_in_view(COORDINATOR, view, "match_publish").status_code == 200
    [apology] = bot.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == COORDINATOR)
    assert "part of it may already be done" in apology.args["text"]
    assert "nothing was changed" not in apology.args["text"]
    run_scheduler(bot)  # and the introductions still go out, once
    assert len(intros(bot)) == 2
