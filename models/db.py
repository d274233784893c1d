"""Engine and session factory built from DATABASE_URL."""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 10_000
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
    return create_engine(database_url, pool_pre_ping=True, **kwargs)


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
    return sessionmaker(bind.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
