"""Engine and session factory built from DATABASE_URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _begin_immediate(connection: Any) -> None:
    # pysqlite starts transactions lazily and upgrades a reader to a writer mid-transaction,
    # which fails at once ("database is locked") when another writer got in between. Taking
    # the write lock at BEGIN makes concurrent writers queue behind the busy timeout instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Web threads and the scheduler share one file: WAL lets readers run beside a writer,
    # busy_timeout makes a second writer wait instead of failing, and SQLite needs
    # foreign keys switched on per connection.
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see above)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
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
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(database_url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit, for rendering replies."""
    return sessionmaker(engine, expire_on_commit=False)
