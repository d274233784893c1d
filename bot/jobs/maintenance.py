"""Housekeeping jobs."""

from __future__ import annotations

import logging

from bot.jobs import JobContext
from bot.services.idempotency import forget_old_claims
from bot.services.outbox import purge_finished

logger = logging.getLogger(__name__)


def purge_processed_requests(context: JobContext) -> None:
    """Drop the record of Slack deliveries old enough that Slack will never retry them, and
    outbox rows long finished."""
    with context.session_factory.begin() as db_session:
        removed = forget_old_claims(db_session, now=context.now)
        purged = purge_finished(db_session, now=context.now)
    if removed:
        logger.info("forgot %d processed Slack deliveries", removed)
    if purged:
        logger.info("forgot %d outbox rows finished long ago", purged)
