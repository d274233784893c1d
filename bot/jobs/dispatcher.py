"""The dispatcher: claims due outbox rows, sends them to Slack, records what happened.

Claims are committed before anything is sent, so a row is only ever in one dispatcher's
hands; each send's outcome is recorded in its own short transaction. Slack's 429 waits for
its Retry-After (and holds back the workspace's other rows as long, for the rest of the pass),
5xx and timeouts back off and retry, permanent errors fail the row and flag its pair.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot import log_context
from bot.jobs import JobContext
from bot.jobs.outbox_messages import AFTER_SENT, render
from bot.services import outbox
from bot.services.outbox import PERMANENT_ERRORS, Claimed

if TYPE_CHECKING:
    from bot.metrics import Metrics

logger = logging.getLogger(__name__)

BATCH = 50
MAX_BATCHES = 40  # per pass; the next pass picks up the rest
DEFAULT_RETRY_AFTER = 30

Outcome = Literal["sent", "dropped", "retried", "failed"]


@dataclass
class DispatchReport:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    # Workspaces Slack rate-limited during the pass, and until when: their other rows wait.
    paused: dict[str, datetime] = field(default_factory=dict)

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.retried + self.failed

    def count(self, outcome: Outcome, kind: str, metrics: Metrics | None) -> None:
        """One message's outcome: sent, dropped (no longer wanted), retried or failed."""
        if outcome == "sent":
            self.sent += 1
        elif outcome == "dropped":
            self.skipped += 1
        elif outcome == "retried":
            self.retried += 1
        else:
            self.failed += 1
        if metrics is not None:
            metrics.message(kind, outcome)


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
    metrics: Metrics | None = None,
) -> None:
    """Send one claimed row and record the outcome (in `report`, and in `metrics` by kind)."""
    with log_context.bound(team_id=message.team_id):
        outcome = _deliver(session_factory, client, message, now=now, report=report)
    report.count(outcome, message.kind, metrics)


def _deliver(
    session_factory: sessionmaker[Session],
    client: WebClient,
    message: Claimed,
    *,
    now: datetime,
    report: DispatchReport,
) -> Outcome:
    with session_factory.begin() as db_session:
        rendered = render(db_session, message, now)
        if isinstance(rendered, str):
            outbox.mark_skipped(db_session, message_id=message.id, reason=rendered, now=now)
            return "dropped"
    channel = message.channel
    try:
        if rendered.open_users:
            channel = client.conversations_open(users=rendered.open_users)["channel"]["id"]
        response = client.chat_postMessage(
            channel=channel, text=rendered.text, blocks=rendered.blocks
        )
    except SlackApiError as error:
        status = error.response.status_code
        code = str(error.response.get("error") or f"http_{status}")
        report.errors.append(code)
        with session_factory.begin() as db_session:
            if status == 429:
                wait = _retry_after(error)
                outbox.mark_retry(
                    db_session,
                    message_id=message.id,
                    error="ratelimited",
                    now=now,
                    retry_after=wait,
                )
                report.paused[message.team_id] = now + wait
                return "retried"
            if status >= 500:
                kept = outbox.mark_retry(db_session, message_id=message.id, error=code, now=now)
                return "retried" if kept else "failed"
            # Slack refused the message itself: retrying cannot help.
            outbox.mark_failed(db_session, message_id=message.id, error=code, now=now)
        if code not in PERMANENT_ERRORS:
            logger.error("outbox row %d refused by Slack: %s", message.id, code)
        return "failed"
    except (OSError, TimeoutError) as error:  # connection refused, reset, timed out
        report.errors.append(type(error).__name__)
        with session_factory.begin() as db_session:
            kept = outbox.mark_retry(
                db_session, message_id=message.id, error=type(error).__name__, now=now
            )
        return "retried" if kept else "failed"
    with session_factory.begin() as db_session:
        outbox.mark_sent(db_session, message_id=message.id, message_ts=response.get("ts"), now=now)
        after_sent = AFTER_SENT.get(message.kind)
        if after_sent is not None:
            after_sent(db_session, message, str(response.get("channel") or channel), now)
    return "sent"


def dispatch(
    session_factory: sessionmaker[Session],
    client: WebClient,
    *,
    now: datetime,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
    client_for: Callable[[str], WebClient | None] | None = None,
    metrics: Metrics | None = None,
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
            if message.team_id in report.paused:
                # Slack asked us to slow down for this workspace: the rest waits as long.
                with session_factory.begin() as db_session:
                    outbox.release(
                        db_session,
                        message_id=message.id,
                        due_at=report.paused[message.team_id],
                        now=now,
                    )
                report.count("retried", message.kind, metrics)
                continue
            team_client = client_for(message.team_id) if client_for is not None else client
            if team_client is None:
                with session_factory.begin() as db_session:
                    outbox.mark_skipped(
                        db_session, message_id=message.id, reason="app not installed", now=now
                    )
                report.skipped += 1
                continue
            deliver(session_factory, team_client, message, now=now, report=report, metrics=metrics)
    return report


def send_now(
    session_factory: sessionmaker[Session],
    client: WebClient,
    *,
    dedupe_key: str,
    now: datetime,
    metrics: Metrics | None = None,
) -> DispatchReport:
    """Deliver one queued message at once, as the dispatcher would (a person is waiting for
    it). If a dispatcher holds it already, its channel was just sent to, or Slack says no, the
    dispatcher's passes see to it."""
    report = DispatchReport()
    with session_factory.begin() as db_session:
        claimed = outbox.claim_due(db_session, now=now, limit=1, dedupe_key=dedupe_key)
    for message in claimed:
        deliver(session_factory, client, message, now=now, report=report, metrics=metrics)
    return report


def dispatch_outbox(context: JobContext) -> None:
    report = dispatch(
        context.session_factory,
        context.client,
        now=context.now,
        client_for=context.client_for,
        metrics=context.metrics,
    )
    if report.handled:
        logger.info(
            "outbox: %d sent, %d dropped, %d to retry, %d failed",
            report.sent,
            report.skipped,
            report.retried,
            report.failed,
        )
