"""Readiness: may this process take traffic? Yes when its database answers and has every
migration applied.

`/healthz` says the process is up; `/readyz` (this) says it can do its work. A load balancer
sends Slack's requests only to ready replicas, and a replica whose database went away or
that started ahead of `mentorbot migrate` stops getting them until it is ready again.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from models.migrate import schema_state, script_directory

logger = logging.getLogger(__name__)

DATABASE_UNREACHABLE = "database unreachable"
MIGRATIONS_BEHIND = "migrations behind"
SCHEMA_UNKNOWN = "database schema is newer than this release"

CHECK_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str | None = None

    def as_json(self) -> dict[str, str]:
        if self.ready:
            return {"status": "ready"}
        return {"status": "not ready", "reason": self.reason or "unknown"}


READY = Readiness(True)


class ReadinessCheck:
    """`SELECT 1`, then the schema's migration state, on `engine` (see models.db
    `make_probe_engine`: unpooled, short connect timeout).

    A check that has not answered within `timeout` seconds counts as an unreachable database,
    so a probe never hangs on a database that accepts connections but does not answer. Only
    one check runs at a time: probes arriving meanwhile wait for the same answer instead of
    piling connections onto a struggling database.
    """

    def __init__(self, engine: Engine, *, timeout: float = CHECK_TIMEOUT_SECONDS) -> None:
        self.engine = engine
        self.timeout = timeout
        self._script = script_directory()
        self._lock = threading.Lock()
        self._running: Future[Readiness] | None = None
        self._last: Readiness | None = None

    def __call__(self) -> Readiness:
        with self._lock:
            running = self._running
            if running is None:
                running = self._running = Future()
                threading.Thread(
                    target=self._run, args=(running,), name="readiness-check", daemon=True
                ).start()
        try:
            return running.result(timeout=self.timeout)
        except FutureTimeout:
            self._note(Readiness(False, DATABASE_UNREACHABLE), f"no answer in {self.timeout:g} s")
            return Readiness(False, DATABASE_UNREACHABLE)

    def _run(self, future: Future[Readiness]) -> None:
        try:
            future.set_result(self.check())
        except BaseException as error:
            future.set_exception(error)
        finally:
            with self._lock:
                self._running = None

    def _note(self, readiness: Readiness, detail: str = "") -> None:
        """Log changes of state only: a probe every few seconds must not flood the log."""
        if readiness == self._last:
            return
        self._last = readiness
        if readiness.ready:
            logger.info("ready: the database answers and its schema is current")
        else:
            logger.warning("not ready: %s%s", readiness.reason, f" ({detail})" if detail else "")

    def check(self) -> Readiness:
        """The check itself, in the calling thread."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                state = schema_state(connection, self._script)
        except SQLAlchemyError as error:
            cause = getattr(error, "orig", None) or error
            first_line = (str(cause).strip().splitlines() or [""])[0]
            unreachable = Readiness(False, DATABASE_UNREACHABLE)
            self._note(unreachable, f"{type(cause).__name__}: {first_line}")
            return unreachable
        result = {
            "current": READY,
            "behind": Readiness(False, MIGRATIONS_BEHIND),
            "unknown": Readiness(False, SCHEMA_UNKNOWN),
        }[state]
        self._note(result)
        return result
