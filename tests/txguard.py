"""The rule "no Slack call while a database transaction is open", enforced for the whole suite.

Slack can take seconds to answer, or answer 429; a transaction held open meanwhile keeps its
locks (on SQLite, the database's one writer) and, should the call fail, rolls back the record of
what was already sent. So every Web API call and response_url post made by a thread that has a
transaction open is refused here, and recorded: a listener's error handler would otherwise turn
the refusal into a polite apology and the test could pass.

A thread's open transactions are counted with SQLAlchemy's events: an ORM session's outermost
transaction from its creation to its end, and a Core connection's from BEGIN to COMMIT or
ROLLBACK. Sessions a test opens for itself, to look at what the app stored, carry
`info={UNGUARDED: True}` and do not count.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk.web.base_client import BaseClient
from slack_sdk.webhook.client import WebhookClient
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session, SessionTransaction

UNGUARDED = "txguard_unguarded"


class SlackCallInTransactionError(AssertionError):
    """A Slack call was made while the calling thread had a database transaction open."""


class TransactionGuard:
    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self.violations: list[str] = []
        self.enabled = True

    # -- what is open on this thread ------------------------------------------------------------
    def _open(self) -> dict[int, str]:
        found: dict[int, str] | None = getattr(self._local, "open", None)
        if found is None:
            found = self._local.open = {}
        return found

    def open_here(self) -> list[str]:
        """What the calling thread has open: one line per transaction."""
        return list(self._open().values())

    def _session_began(self, session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None and not session.info.get(UNGUARDED):
            self._open()[id(transaction)] = "an ORM session's transaction"

    def _session_ended(self, _session: Session, transaction: SessionTransaction) -> None:
        self._open().pop(id(transaction), None)

    def _connection_began(self, connection: Connection) -> None:
        self._open()[id(connection)] = "a connection's transaction (engine.begin())"

    def _connection_ended(self, connection: Connection) -> None:
        self._open().pop(id(connection), None)

    def _session_bound(self, _session: Session, _transaction: Any, connection: Connection) -> None:
        # A session's connection is counted as the session's transaction (or not at all, for a
        # test's own session), not twice.
        self._open().pop(id(connection), None)

    # -- the check ------------------------------------------------------------------------------
    def check(self, what: str) -> None:
        if not self.enabled:
            return
        open_now = self.open_here()
        if not open_now:
            return
        where = "".join(traceback.format_stack(limit=12)[:-2])
        message = f"{what} while {', '.join(open_now)} was open on this thread\n{where}"
        with self._lock:
            self.violations.append(message)
        raise SlackCallInTransactionError(message)

    @contextmanager
    def disabled(self) -> Iterator[None]:
        self.enabled = False
        try:
            yield
        finally:
            self.enabled = True

    def take_violations(self) -> list[str]:
        with self._lock:
            found, self.violations = self.violations, []
        return found

    # -- installing -----------------------------------------------------------------------------
    def install(self) -> Callable[[], None]:
        """Listen to SQLAlchemy and wrap slack_sdk's two senders; returns the undo."""
        listeners: list[tuple[Any, str, Callable[..., None]]] = [
            (Session, "after_transaction_create", self._session_began),
            (Session, "after_transaction_end", self._session_ended),
            (Session, "after_begin", self._session_bound),
            (Engine, "begin", self._connection_began),
            (Engine, "commit", self._connection_ended),
            (Engine, "rollback", self._connection_ended),
        ]
        for target, name, fn in listeners:
            event.listen(target, name, fn)
        api_call, send = BaseClient.api_call, WebhookClient.send
        guard = self

        def guarded_api_call(client: BaseClient, api_method: str, *args: Any, **kw: Any) -> Any:
            guard.check(f"Slack Web API call {api_method}")
            return api_call(client, api_method, *args, **kw)

        def guarded_send(client: WebhookClient, *args: Any, **kw: Any) -> Any:
            guard.check("a post to a response_url")
            return send(client, *args, **kw)

        BaseClient.api_call = guarded_api_call  # type: ignore[method-assign]
        WebhookClient.send = guarded_send  # type: ignore[method-assign]

        def undo() -> None:
            BaseClient.api_call = api_call  # type: ignore[method-assign]
            WebhookClient.send = send  # type: ignore[method-assign]
            for target, name, fn in listeners:
                event.remove(target, name, fn)

        return undo
