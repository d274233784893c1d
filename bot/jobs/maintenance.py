"""Housekeeping jobs."""

from __future__ import annotations

import logging

from bot.jobs import JobContext
from bot.services.idempotency import forget_old_claims

logger = logging.getLogger(__name__)


def purge_processed_requests(context: JobContext) -> None:
    """Drop the record of Slack deliveries old enough that Slack will never retry them."""
    with context.session_factory.begin() as db_session:
        removed = forget_old_claims(db_session, now=context.now)
    if removed:
        logger.info("forgot %d processed Slack deliveries", removed)
