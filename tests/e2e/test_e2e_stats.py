"""The program report and the coordinator's App Home over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.services import sessions as session_rules
from bot.services.pair_health import after_session_outcome
from tests.conftest import COORDINATOR, RunningBot
from tests.factories import BOOKED_AT, MENTEE_USER, MENTOR_USER, SeededPair, seed_pair


def two_cancellations(bot: RunningBot, pair: SeededPair) -> None:
    for day in (3, 10):
        with bot.session_factory.begin() as db:
            found = session_rules.pair_for(db, pair_id=pair.pair_id, user_id=MENTOR_USER)
            session = session_rules.schedule(
                db,
                pair=found,
                user_id=MENTOR_USER,
                starts_at=BOOKED_AT + timedelta(days=day),
                minutes=45,
                agenda="",
                now=BOOKED_AT,
            )
            session_rules.cancel(db, session=session, user_id=MENTEE_USER, reason="", now=BOOKED_AT)
            after_session_outcome(
                db, pair=found, configured=frozenset({COORDINATOR}), now=BOOKED_AT
            )


def test_a_coordinator_gets_the_report_privately_and_others_are_refused(
    bot: RunningBot,
) -> None:
    pair = seed_pair(bot.session_factory, now=BOOKED_AT - timedelta(days=7))
    two_cancellations(bot, pair)
    bot.clock.set(BOOKED_AT)
    assert bot.driver.command(COORDINATOR, "stats").status_code == 200
    reply = bot.slack.wait_for_response()
    assert reply["response_type"] == "ephemeral"
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "Program report" in shown
    assert "Sign-ups: *2* (1 reverse mentors, 1 mentees, 0 both)" in shown
    assert f"<@{MENTOR_USER}> & <@{MENTEE_USER}>: 2 sessions in a row" in shown
    assert "by the mentee 2" in shown

    refusal = bot.driver.command(MENTOR_USER, "stats")
    assert refusal.json()["response_type"] == "ephemeral"
    assert "coordinator" in refusal.json()["text"].lower()
    assert "Program report" not in refusal.text

    unknown = bot.driver.command(COORDINATOR, "stats No Such Program")
    assert "no program called “No Such Program”" in unknown.json()["text"]


def test_the_coordinator_home_shows_headlines_and_at_risk_pairs(bot: RunningBot) -> None:
    pair = seed_pair(bot.session_factory, now=BOOKED_AT - timedelta(days=7))
    two_cancellations(bot, pair)
    bot.clock.set(BOOKED_AT)
    bot.driver.event(
        {"type": "app_home_opened", "user": COORDINATOR, "tab": "home", "event_ts": "1.1"}
    )
    home = bot.slack.wait_for("views.publish", lambda c: c.args["user_id"] == COORDINATOR)[-1]
    shown = json.dumps(home.view, ensure_ascii=False)
    assert "*Sessions:* 0 held · 2 cancelled · 0 missed · 0 upcoming" in shown
    assert "*Pairs at risk (1):*" in shown
    assert f"<@{MENTOR_USER}> & <@{MENTEE_USER}>" in shown
