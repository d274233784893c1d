"""The dispatcher: claims due outbox rows, sends them to Slack, records what happened.

Claims are committed before anything is sent, so a row is only ever in one dispatcher's
hands; each send's outcome is recorded in its own short transaction. Slack's 429 waits for
its Retry-After, 5xx and timeouts back off and retry, permanent errors fail the row and flag
its pair.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs import JobContext
from bot.jobs.outbox_messages import render
from bot.services import outbox
from bot.services.outbox import PERMANENT_ERRORS, Claimed

logger = logging.getLogger(__name__)

BATCH = 50
MAX_BATCHES = 40  # per pass; the next pass picks up the rest
DEFAULT_RETRY_AFTER = 30


@dataclass
class DispatchReport:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.retried + self.failed


def _retry_after(error: SlackApiError) -> timedelta:
    header = error.response.headers.get("Retry-After") or error.response.headers.get("retry-after")
    try:
        seconds = int(header[0] if isinstance(header, list) else header)
    except (TypeError, ValueError):
        seconds = DEFAULT_RETRY_AFTER
    return timedelta(seconds=max(seconds, 1))


def deliver(
    session_factory: sessionmaker[Session],
    client: WebClient,
    message: Claimed,
    *,
    now: datetime,
    report: DispatchReport,
) -> None:
    """Send one claimed row and record the outcome."""
    with session_factory.begin() as db_session:
        rendered = render(db_session, message, now)
        if isinstance(rendered, str):
            outbox.mark_skipped(db_session, message_id=message.id, reason=rendered, now=now)
            report.skipped += 1
            return
    try:
        response = client.chat_postMessage(
            channel=message.channel, text=rendered.text, blocks=rendered.blocks
        )
    except SlackApiError as error:
        status = error.response.status_code
        code = str(error.response.get("error") or f"http_{status}")
        with session_factory.begin() as db_session:
            if status == 429:
                outbox.mark_retry(
                    db_session,
                    message_id=message.id,
                    error="ratelimited",
                    now=now,
                    retry_after=_retry_after(error),
                )
                report.retried += 1
            elif status >= 500:
                kept = outbox.mark_retry(db_session, message_id=message.id, error=code, now=now)
                report.retried += kept
                report.failed += not kept
            else:
                # Slack refused the message itself: retrying cannot help.
                outbox.mark_failed(db_session, message_id=message.id, error=code, now=now)
                report.failed += 1
                if code not in PERMANENT_ERRORS:
                    logger.error("outbox row %d refused by Slack: %s", message.id, code)
        report.errors.append(code)
        return
    except (OSError, TimeoutError) as error:  # connection refused, reset, timed out
        with session_factory.begin() as db_session:
            kept = outbox.mark_retry(
                db_session, message_id=message.id, error=type(error).__name__, now=now
            )
        report.retried += kept
        report.failed += not kept
        report.errors.append(type(error).__name__)
        return
    with session_factory.begin() as db_session:
        outbox.mark_sent(db_session, message_id=message.id, message_ts=response.get("ts"), now=now)
    report.sent += 1


def dispatch(
    session_factory: sessionmaker[Session],
    client: WebClient,
    *,
    now: datetime,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
    client_for: Callable[[str], WebClient | None] | None = None,
) -> DispatchReport:
    """One pass: claim and send due rows, batch after batch, until none are due.

    `client_for` gives each workspace's client when the app serves many (OAuth); a row for a
    workspace where the app is no longer installed is withdrawn."""
    report = DispatchReport()
    for _ in range(max_batches):
        with session_factory.begin() as db_session:
            claimed = outbox.claim_due(db_session, now=now, limit=batch)
        if not claimed:
            break
        for message in claimed:
            team_client = client_for(message.team_id) if client_for is not None else client
            if team_client is None:
                with session_factory.begin() as db_session:
                    outbox.mark_skipped(
                        db_session, message_id=message.id, reason="app not installed", now=now
                    )
                report.skipped += 1
                continue
            deliver(session_factory, team_client, message, now=now, report=report)
    return report


def dispatch_outbox(context: JobContext) -> None:
    report = dispatch(
        context.session_factory, context.client, now=context.now, client_for=context.client_for
    )
    if report.handled:
        logger.info(
            "outbox: %d sent, %d dropped, %d to retry, %d failed",
            report.sent,
            report.skipped,
            report.retried,
            report.failed,
        )
