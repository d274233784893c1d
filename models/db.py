"""Engine and session factory built from DATABASE_URL."""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 10_000
IDLE_PING_SECONDS = 5.0  # a pooled connection idle this long is pinged before use
READ_ONLY = "mentorbot_read_only"  # an execution option: transactions that never write
PROBE_TIMEOUT_SECONDS = 2  # libpq's smallest connect_timeout


class _WriterTurns:
    """Transactions on one SQLite engine take turns in this process before SQLite's own lock.

    pysqlite starts transactions lazily and upgrades a reader to a writer mid-transaction,
    which fails at once ("database is locked") when another writer got in between, so every
    transaction takes the write lock at BEGIN (IMMEDIATE). Threads waiting for that lock in
    SQLite's busy handler poll it with sleeps of up to 100 ms, so a crowd of short transactions
    (launch day: dozens of sign-ups at once) turns into seconds of waiting. Queued here
    instead, each is woken the moment the one before it ends; the busy handler is left to
    other processes sharing the file.
    """

    KEY = "sqlite_turn"

    def __init__(self) -> None:
        self._lock = threading.Lock()  # a plain lock: a transaction may end on another thread
        self._holder: int | None = None  # the thread whose transaction has the turn

    def begin(self, connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # WAL lets a reader run beside the writer, on the snapshot it starts from.
            connection.exec_driver_sql("BEGIN")
            return
        me = threading.get_ident()
        # A second transaction of the thread that has the turn, or a turn that never came
        # (a transaction left open somewhere), falls back to SQLite's busy handler, as before.
        took = self._holder != me and self._lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        if took:
            self._holder = me
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if took:
                self._release()
            raise
        connection.info[self.KEY] = took

    def end(self, connection: Any) -> None:
        if connection.info.pop(self.KEY, False):
            self._release()

    def _release(self) -> None:
        self._holder = None
        self._lock.release()


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Web threads and the scheduler share one file: WAL lets readers run beside a writer,
    # busy_timeout makes a second writer wait instead of failing, and SQLite needs
    # foreign keys switched on per connection.
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see above)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: the file stays sound,
    # and only the last commits before a power cut can be lost (never a process crash's).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets pragmas suited to a multi-threaded server."""
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        event.listen(engine, "connect", _tune_sqlite)
        turns = _WriterTurns()
        event.listen(engine, "begin", turns.begin)
        event.listen(engine, "commit", turns.end)
        event.listen(engine, "rollback", turns.end)
        return engine
    engine = create_engine(database_url, **kwargs)
    event.listen(engine, "checkin", _note_checkin)

    def ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        _ping_if_idle(engine, dbapi_connection, record)

    event.listen(engine, "checkout", ping_if_idle)
    return engine


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(engine: Engine, dbapi_connection: Any, record: Any) -> None:
    """A connection that sat in the pool a while is pinged before use, so one the database
    dropped meanwhile (a restart, an idle timeout) is replaced instead of failing a request.
    One busy a moment ago is not: under a crowd, a ping before each transaction would be a
    round trip more for every one of them."""
    idle_since = record.info.get("checked_in_at")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        alive = engine.dialect.do_ping(dbapi_connection)
    except Exception as error:
        raise DisconnectionError(str(error)) from error  # the pool tries a fresh connection
    if not alive:
        raise DisconnectionError("the database did not answer a ping")


def make_probe_engine(database_url: str, timeout: int = PROBE_TIMEOUT_SECONDS) -> Engine:
    """An engine for health checks and metrics: no pool (every check opens a fresh
    connection, so it sees the database as it is now), short timeouts, and for SQLite a file
    that must exist (a missing file is an unreachable database, not a new empty one)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            url = url.set(database="file:" + quote(database), query={**url.query, "uri": "true"})
            url = url.update_query_dict({"mode": "rw"})
        return create_engine(
            url, poolclass=NullPool, connect_args={"check_same_thread": False, "timeout": timeout}
        )
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = max(timeout, 2)
    return create_engine(url, poolclass=NullPool, connect_args=connect_args)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit, for rendering replies."""
    return sessionmaker(engine, expire_on_commit=False)


def make_reader_factory(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for work that only reads (drawing a form or a page). On SQLite they do not
    wait for the writers' turn, so a form opens while sign-ups are being saved; they must
    never write (SQLite would refuse to turn a reader that fell behind into a writer)."""
    bind = factory.kw["bind"]
    options: dict[str, Any] = {READ_ONLY: True}
    if bind.dialect.name == "postgresql":
        # Each statement on its own snapshot: no BEGIN and ROLLBACK round trips around them.
        options["isolation_level"] = "AUTOCOMMIT"
    return sessionmaker(bind.execution_options(**options), expire_on_commit=False)
