"""Queue midpoint and final surveys as their moments come."""

from __future__ import annotations

import logging

from bot.jobs import JobContext
from bot.services.surveys import plan_surveys

logger = logging.getLogger(__name__)


def queue_surveys(context: JobContext) -> None:
    with context.session_factory.begin() as db_session:
        queued = plan_surveys(db_session, now=context.now)
    if queued:
        logger.info("%d surveys queued", queued)
