"""Prometheus metrics, served at `GET /metrics`.

Each `Metrics` has its own registry (not prometheus_client's global one), so one process can
hold several apps. The web layer records Slack requests, the dispatcher records each message's
outcome and the scheduler each job's duration, into the object they are handed; the outbox
gauges are read from the database when Prometheus scrapes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from models import OutboxMessage
from models.enums import OutboxState

logger = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUEST_TYPES = ("command", "action", "view_submission", "event", "other")
MESSAGE_OUTCOMES = ("sent", "failed", "retried", "dropped")
# Slack wants an answer within 3 s.
ACK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


def status_class(status: int | str) -> str:
    """'2xx', '4xx'... from 200 or '200 OK'."""
    return f"{str(status).strip()[:1]}xx"


class OutboxCollector(Collector):
    """Outbox depth and the age of the oldest due message, counted when scraped.

    Both come from one aggregate over the (state, due_at) index; a database that does not
    answer leaves them out of that scrape (and says so in the log) rather than failing it.
    """

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    def describe(self) -> Iterable[Metric]:
        return []  # read from the database at scrape time only, not at registration

    def collect(self) -> Iterable[Metric]:
        now = self.clock()
        query = select(
            func.count(),
            func.count().filter(OutboxMessage.due_at <= now),
            func.min(OutboxMessage.due_at),
        ).where(OutboxMessage.state == OutboxState.PENDING)
        try:
            with self.engine.connect() as connection:
                total, due, oldest = connection.execute(query).one()
        except SQLAlchemyError as error:
            logger.warning("metrics: outbox not counted: %s", type(error).__name__)
            return
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)  # SQLite hands back naive UTC
        age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        # (the oldest pending row is the oldest due one when it is due at all)
        yield GaugeMetricFamily(
            "mentorbot_outbox_pending",
            "Messages waiting in the outbox, due now or later.",
            value=total,
        )
        yield GaugeMetricFamily(
            "mentorbot_outbox_due", "Pending messages whose time has come.", value=due
        )
        yield GaugeMetricFamily(
            "mentorbot_outbox_oldest_due_age_seconds",
            "How long the oldest due message has been waiting (0 when none is due).",
            value=age,
        )


class Metrics:
    """Every metric of one app, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "mentorbot_slack_requests",
            "Requests from Slack on /slack/events, by type and HTTP status class.",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "mentorbot_slack_ack_seconds",
            "Time from a Slack request's arrival to the app's HTTP answer (the ack).",
            ["type"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.messages = Counter(
            "mentorbot_outbox_messages",
            "Outbox messages handled by the dispatcher, by kind and outcome "
            "(sent, failed for good, retried later, dropped as no longer wanted).",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "mentorbot_job_duration_seconds",
            "How long each scheduled job's pass took.",
            ["job"],
            buckets=JOB_BUCKETS,
            registry=self.registry,
        )
        self.job_failures = Counter(
            "mentorbot_job_failures",
            "Scheduled job passes that ended with an error.",
            ["job"],
            registry=self.registry,
        )
        self._outbox: OutboxCollector | None = None

    def watch_outbox(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        """Report the outbox gauges from this database (at most one; a second call replaces it)."""
        if self._outbox is not None:
            self.registry.unregister(self._outbox)
        self._outbox = OutboxCollector(engine, clock)
        self.registry.register(self._outbox)

    def slack_request(self, request_type: str, status: int | str, seconds: float) -> None:
        self.requests.labels(request_type, status_class(status)).inc()
        self.ack_seconds.labels(request_type).observe(seconds)

    def message(self, kind: str, outcome: str) -> None:
        self.messages.labels(kind, outcome).inc()

    def job(self, name: str, seconds: float, *, failed: bool = False) -> None:
        self.job_seconds.labels(name).observe(seconds)
        if failed:
            self.job_failures.labels(name).inc()

    def exposition(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)
