"""Opening the store: engine, SQLite pragmas, migrations, sessions."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from filelock import FileLock
from sqlalchemy import (
    ColumnElement,
    Engine,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker

from bot.store.schema import Base

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class StoreError(RuntimeError):
    """The store cannot be opened (bad URL, unreachable server, unwritable file)."""


# The database went away while running (server stopped, connection lost): callers answer what
# they can without it and try again later; nothing half-written stays (the unit of work rolls
# back).
StoreUnavailable = (OperationalError, InterfaceError)


def one_line(error: BaseException) -> str:
    """An exception as one log line (drivers add the SQL and a help link below it)."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__


PAGE_CACHE_KIB = 512  # per SQLite connection
# The collecting process (`morgenlage collect`, the bot's collect worker) writes thousands of rows
# per unit of work into the same few index pages, from one connection: a 16 MiB cache keeps them
# (at 300 articles, ~0.3 s less CPU for writing and story assignment).
COLLECT_PAGE_CACHE_KIB = 16 * 1024


def _sqlite_pragmas(page_cache_kib: int):
    def configure(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets the bot read while the collector writes; busy_timeout waits, not fails.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Each pooled connection keeps its own page cache (SQLite's default: 2 MB), filled as
        # the file grows and emptied anyway whenever another connection commits; the system's
        # file cache holds the pages for all of them (bench/soak.py).
        cursor.execute(f"PRAGMA cache_size=-{page_cache_kib}")
        cursor.close()

    return configure


def _sqlite_write_first(connection, _name) -> None:
    """A savepoint outside a transaction opens one on SQLite — a deferred one, which reads a
    snapshot and then cannot write if another connection committed meanwhile ("database is
    locked" at once, busy_timeout or not). Savepoints guard writes here (bot/collect/ingest.py,
    follow notices), so the transaction takes the write lock first, waiting its turn."""
    raw = connection.connection.dbapi_connection
    if not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _postgresql_settings(connection, _record) -> None:
    """Plan each query for the values it is run with: psycopg would prepare a query run five
    times, and PostgreSQL may then keep one generic plan for it, made for the table as it was.
    During a collection into a new store that was a sequential scan of `actor_aliases` for the
    names looked up in an array, kept while the table grew (ten times the server's CPU of the
    look-ups). Not a server setting: the foreign-key checks' own cached plans stay as they are."""
    connection.prepare_threshold = None


def create_store_engine(url: str, page_cache_kib: int = PAGE_CACHE_KIB) -> Engine:
    """The engine for a store URL; `page_cache_kib`: each SQLite connection's page cache."""
    try:
        parsed = make_url(url)
    except Exception as error:  # sqlalchemy raises ArgumentError for nonsense
        raise StoreError(f"store.url: not a database URL: {url!r}") from error
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas(page_cache_kib))
            event.listen(engine, "savepoint", _sqlite_write_first)
            return engine
        engine = create_engine(url, pool_pre_ping=True)
        event.listen(engine, "connect", _postgresql_settings)
        return engine
    except Exception as error:  # unknown dialect, missing driver (e.g. psycopg not installed)
        raise StoreError(f"store.url: cannot use {parsed.render_as_string()!r}: {error}") from None


# Any fixed number: the PostgreSQL advisory lock every process takes around its migrations.
_MIGRATION_LOCK = 7_262_026


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """One process migrates at a time; the others wait and then find the schema current.
    SQLite: a lock file beside the database (its own locks come too late: two processes would
    both read "no tables" first)."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:"):
        yield
        return
    with FileLock(str(Path(database).expanduser()) + ".migrate.lock", timeout=300):
        yield


def migrate(engine: Engine, target: str = "heads") -> None:
    """Bring the schema to the newest version; data is kept (Alembic migrations)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    sqlite = engine.dialect.name == "sqlite"
    with _migration_lock(engine), engine.connect() as connection:
        if sqlite:
            # SQLite alters a table by copying it; with foreign keys on, dropping the old copy
            # would fail (or cascade). The pragma only works outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            if engine.dialect.name == "postgresql":  # held until this transaction ends
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            config.attributes["connection"] = connection
            # "heads": features add migrations on their own branches from 0001; all apply.
            command.upgrade(config, target)
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            if broken:
                raise StoreError(f"migration left broken references: {broken[:3]}")
        if target == "heads":
            _check_tables(connection)


def _check_tables(connection) -> None:
    """A store whose revision says current but lacks tables (changed outside the migrations,
    e.g. by a development branch's own revisions) fails here, saying so — not later, at the first
    reader's command, with "no such table"."""
    present = set(inspect(connection).get_table_names())
    missing = sorted(set(Base.metadata.tables) - present)
    if missing:
        raise StoreError(
            f"the store is marked as up to date but lacks the tables {', '.join(missing)}: "
            "it was changed outside Morgenlage's migrations; restore a backup or use a new store"
        )


@functools.cache
def _string_columns(table: Table) -> tuple[tuple[str, int | None], ...]:
    """(column key, length) of a table's string columns; length None for TEXT."""
    return tuple((c.key, c.type.length) for c in table.columns if isinstance(c.type, String))


@functools.cache
def _text_columns(cls: type) -> tuple[tuple[str, int | None], ...]:
    """`_string_columns` of a mapped class's table, by the class's attribute names."""
    mapper = inspect(cls)
    table = mapper.local_table
    return tuple(
        (mapper.get_property_by_column(table.c[key]).key, length)
        for key, length in _string_columns(table)
    )


@event.listens_for(Session, "before_flush")
def _fit_strings(session: Session, _context, _instances) -> None:
    """Every string is cut to its column and loses NUL characters before it is written: SQLite
    stores anything, PostgreSQL refuses an overlong value or a NUL and aborts the whole unit of
    work — one feed's 600-character title must not cost a collection there."""
    for row in (*session.new, *session.dirty):
        for key, length in _text_columns(type(row)):
            value = getattr(row, key)
            if isinstance(value, str) and (fitted := _fit(value, length)) is not value:
                setattr(row, key, fitted)


def _fit(value: str, length: int | None) -> str:
    fitted = value.replace("\x00", "") if "\x00" in value else value
    return fitted[:length] if length is not None and len(fitted) > length else fitted


def fit_strings(table: Table, row: dict) -> dict:
    """A row for a Core insert into `table`, its strings fitted as `_fit_strings` fits the
    ORM's (in place)."""
    for key, length in _string_columns(table):
        value = row.get(key)
        if isinstance(value, str):
            row[key] = _fit(value, length)
    return row


def _insert(session: Session, table: Table):
    """The dialect's INSERT, which knows ON CONFLICT (both SQLite and PostgreSQL have it)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _many(session: Session, table: Table, rows: list[dict]):
    """An INSERT of many rows and its parameters. SQLite: one statement run for each row
    (executemany, a loop in C). PostgreSQL: one statement whose rows come from arrays, a
    parameter per column (`INSERT ... SELECT unnest(...)`): psycopg's executemany sends one
    INSERT per row, which cost 1.7 times the CPU, client and server (42,000 sentences: 2.6 s
    against 1.5 s). Each row must have the first row's keys. Python-side column defaults are
    taken once for all the rows."""
    statement = _insert(session, table)
    if session.get_bind().dialect.name != "postgresql":
        return statement, rows
    arrays, parameters = _unnest(table, rows)
    return statement.from_select(list(rows[0]), arrays), parameters


def _unnest(table: Table, rows: list[dict]):
    """PostgreSQL: the rows as a SELECT of one array parameter per column (`unnest(...)`, each
    labelled as its column), and those parameters."""
    columns = list(rows[0])
    arrays = select(
        *(
            func.unnest(bindparam(f"v_{c}", type_=postgresql.ARRAY(table.c[c].type))).label(c)
            for c in columns
        )
    )
    return arrays, {f"v_{c}": [row[c] for row in rows] for c in columns}


def update_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Set the rows' columns, each row found by its primary key; every row with the first
    row's keys. SQLite: one UPDATE run for each row (executemany). PostgreSQL: one UPDATE from
    arrays (`UPDATE ... FROM unnest(...)`), not one statement per row."""
    if not rows:
        return
    (key,) = table.primary_key.columns
    columns = list(rows[0])
    changed = [c for c in columns if c != key.key]
    if session.get_bind().dialect.name != "postgresql":
        statement = (
            update(table)
            .where(key == bindparam(f"v_{key.key}"))
            .values({c: bindparam(f"v_{c}") for c in changed})
        )
        session.execute(statement, [{f"v_{c}": row[c] for c in columns} for row in rows])
        return
    arrays, parameters = _unnest(table, rows)
    values = arrays.subquery("v")
    statement = (
        update(table).where(key == values.c[key.key]).values({c: values.c[c] for c in changed})
    )
    session.execute(statement, parameters)


def one_of(session: Session, column, values: list) -> ColumnElement[bool]:
    """`column IN (values)`, on PostgreSQL as `column = ANY(:array)`: one parameter, not one per
    value — psycopg parses a query of more than 50 parameters in Python each time it is sent
    (500 names: ~7 ms of the client's CPU against ~2 ms)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == func.any(
            bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        )
    return column.in_(values)


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert the rows, all in one go; their strings fitted beforehand (`fit_strings`), each row
    with the first row's keys. SQLite: `_many`. PostgreSQL: COPY (`_copy`)."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, table, rows)
    else:
        session.execute(*_many(session, table, rows))


def _copy(session: Session, table: Table, rows: list[dict]) -> None:
    """The rows through PostgreSQL's COPY ... FROM STDIN, which psycopg formats in C: a quarter
    of the client's CPU of an INSERT from arrays and less of the server's (42,000 sentences:
    0.07 + 1.12 s against 0.28 + 1.24 s). Unset columns take their Python-side defaults, as an
    INSERT through SQLAlchemy would; the database fills the others (keys, computed columns)."""
    connection = session.connection()
    dialect = connection.dialect
    given = list(rows[0])
    unset = {column.key: _default(column) for column in table.columns if column.key not in rows[0]}
    defaults = {key: value for key, value in unset.items() if value is not _NO_DEFAULT}
    keys = given + list(defaults)
    processors = [table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in keys]
    quote = dialect.identifier_preparer
    names = ", ".join(quote.quote(table.c[key].name) for key in keys)
    statement = f"COPY {quote.format_table(table)} ({names}) FROM STDIN"
    fixed = list(defaults.values())
    converted = [(i, process) for i, process in enumerate(processors) if process is not None]
    driver = dialect.loaded_dbapi
    try:
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(statement) as copy:
            for row in rows:
                values = [row[key] for key in given] + fixed
                for i, process in converted:  # e.g. JSON; ints, strings and times need none
                    if values[i] is not None:
                        values[i] = process(values[i])
                copy.write_row(values)
    except driver.Error as error:  # as SQLAlchemy raises it: IntegrityError, OperationalError…
        raise DBAPIError.instance(statement, None, error, driver.Error) from error


_NO_DEFAULT = object()


def _default(column) -> object:
    """The value SQLAlchemy's INSERT gives a column left out (its Python-side default), or
    `_NO_DEFAULT`: the database's own default then applies."""
    default = column.default
    if default is None or column.primary_key or column.computed is not None:
        return _NO_DEFAULT
    if default.is_callable:
        return default.arg(None)
    return default.arg if default.is_scalar else _NO_DEFAULT


def insert_objects(session: Session, objects: list) -> None:
    """New mapped objects of one class, their keys set, written with `insert_rows` and taken
    into the session as stored ones: a unit of work's thousands of new actors and aliases cost
    one statement, not the ORM's INSERT per row. Unset (None) columns take their defaults,
    strings are fitted (`fit_strings`), and the objects hold what was written (computed columns
    are left to the database)."""
    if not objects:
        return
    mapper = inspect(type(objects[0]))
    table = mapper.local_table
    written = [a for a in mapper.column_attrs if a.columns[0].computed is None]
    rows = []
    for row_object in objects:
        row = {}
        for attribute in written:
            column = attribute.columns[0]
            value = getattr(row_object, attribute.key)
            default = _default(column) if value is None else _NO_DEFAULT
            if default is not _NO_DEFAULT:
                value = default
            row[column.key] = value
        fit_strings(table, row)
        for attribute in written:
            setattr(row_object, attribute.key, row[attribute.columns[0].key])
        rows.append(row)
    insert_rows(session, table, rows)
    for row_object in objects:
        make_transient_to_detached(row_object)
    session.add_all(objects)


def insert_or_ignore(session: Session, table: Table, rows: list[dict], keys: list[str]) -> int:
    """Insert the rows whose `keys` are not taken yet, in one statement, and skip the rest —
    another process may have inserted the same row a moment ago (ON CONFLICT DO NOTHING).
    Returns how many were inserted."""
    if not rows:
        return 0
    # RETURNING counts what was inserted (drivers' rowcount is -1 here on PostgreSQL).
    statement = (
        _insert(session, table)
        .on_conflict_do_nothing(index_elements=keys)
        .returning(table.c[keys[0]])
    )
    return len(session.execute(statement, rows).all())


def insert_or_add(
    session: Session, table: Table, rows: list[dict], keys: list[str], column: str
) -> None:
    """Insert the rows, or where their `keys` are taken add their `column` to the stored one —
    counts kept up to date in one statement (ON CONFLICT DO UPDATE). No two rows may have the
    same keys (PostgreSQL cannot update a row twice in one statement)."""
    if not rows:
        return
    statement, parameters = _many(session, table, rows)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={column: table.c[column] + statement.excluded[column]}
    )
    session.execute(statement, parameters)


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """The next `count` ids of `table`'s integer key, as inserting the rows one by one would
    have given them: rows with their ids set go in together (`insert_rows`), not one
    INSERT ... RETURNING each. SQLite gives max + 1 (one writer: the unit of work holds the
    write lock once it writes); PostgreSQL takes them from the column's sequence."""
    if count <= 0:
        return []
    (key,) = table.primary_key.columns
    if session.get_bind().dialect.name == "postgresql":
        taken = (
            session.connection()
            .execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:table, :column))"
                    " FROM generate_series(1, :n)"
                ),
                {"table": table.name, "column": key.name, "n": count},
            )
            .scalars()
        )
        return sorted(taken)
    # Not through the session: its pending rows (those the ids are for) must not flush first.
    start = (session.connection().execute(select(func.max(key))).scalar() or 0) + 1
    return list(range(start, start + count))


class Store:
    """The database: hands out sessions. Queries live in the modules beside this one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on error."""
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, page_cache_kib: int = PAGE_CACHE_KIB) -> Store:
    """The store at `url`, migrated to the current schema (see `create_store_engine`)."""
    engine = create_store_engine(url, page_cache_kib)
    try:
        migrate(engine)
    except Exception as error:
        raise StoreError(f"cannot open the store at {engine.url!r}: {error}") from error
    return Store(engine)
