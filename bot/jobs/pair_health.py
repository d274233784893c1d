"""Daily-work jobs about pairs: missed sessions, silent pairs."""

from __future__ import annotations

import logging

from bot.jobs import JobContext
from bot.services.pair_health import check_silent_pairs, close_missed_sessions

logger = logging.getLogger(__name__)


def close_missed(context: JobContext) -> None:
    """Sessions nobody checked in on, long after the re-ask, count as missed."""
    with context.session_factory.begin() as db_session:
        closed = close_missed_sessions(
            db_session, configured=context.settings.coordinator_ids, now=context.now
        )
    if closed:
        logger.info("%d sessions recorded as missed", len(closed))


def watch_silent_pairs(context: JobContext) -> None:
    """Nudge pairs with nothing booked; mark long-silent ones at risk."""
    with context.session_factory.begin() as db_session:
        nudged, at_risk = check_silent_pairs(
            db_session, configured=context.settings.coordinator_ids, now=context.now
        )
    if nudged or at_risk:
        logger.info("silent pairs: %d nudged, %d now at risk", len(nudged), len(at_risk))
