"""Hot statements: written once in SQLAlchemy Core, run on SQLite through the driver's cursor.

The CTI gateway runs about a dozen small statements per call event. SQLAlchemy's execution
machinery costs several times what SQLite itself takes for an indexed lookup or a one-row
insert, so on the hot path a :class:`HotStatement` compiles its Core statement once per set
of parameter names, keeps the SQL text, the order of its parameters and the type processors
(timestamps, JSON, booleans), and then executes on the sqlite3 cursor of the same connection,
inside the same transaction. On any other driver (PostgreSQL) it is a plain
``conn.execute``: the statement, its types and its results are the same on both.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable


@dataclass(frozen=True)
class _Compiled:
    sql: str
    binds: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    constants: dict[str, Any]  # values written into the statement itself (a LIMIT)
    row: Any  # a namedtuple class, or None for a statement that returns no rows
    results: tuple[Callable[[Any], Any] | None, ...]
    plain: bool  # no result processor at all: rows go out as the driver gives them


class HotStatement:
    """A Core statement for the hot path; rows have attribute access as SQLAlchemy's do.

    Inserts must name every column they set (no Python-side defaults), so that the SQL
    compiled for one set of parameter names serves every call with those names.
    """

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, ...], _Compiled | None] = {}

    def rows(self, conn: Connection, params: Mapping[str, Any] | None = None) -> list[Any]:
        params = params or {}
        driver = _sqlite_driver(conn)
        compiled = None if driver is None else self._compile(conn, params)
        if driver is None or compiled is None:
            result = conn.execute(self.statement, dict(params))
            return list(result) if result.returns_rows else []
        cursor = driver.execute(compiled.sql, _bound(compiled, params))
        if compiled.row is None:
            return []
        raw = cursor.fetchall()
        return [compiled.row._make(r) for r in raw] if compiled.plain else _typed(compiled, raw)

    def first(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any | None:
        found = self.rows(conn, params)
        return found[0] if found else None

    def scalar(self, conn: Connection, params: Mapping[str, Any] | None = None) -> Any:
        row = self.first(conn, params)
        return None if row is None else row[0]

    def _compile(self, conn: Connection, params: Mapping[str, Any]) -> _Compiled | None:
        key = tuple(params)
        try:
            return self._compiled[key]
        except KeyError:
            pass
        dialect = conn.dialect
        clause = cast(ClauseElement, self.statement)
        compiled = cast(SQLCompiler, clause.compile(dialect=dialect, column_keys=list(key)))
        made: _Compiled | None
        if (
            getattr(compiled, "insert_prefetch", None)
            or getattr(compiled, "update_prefetch", None)
            or compiled.positiontup is None
        ):
            made = None  # a default computed in Python: leave it to SQLAlchemy
        else:
            processors: Mapping[str, Any] = compiled._bind_processors
            binds = tuple((name, processors.get(name)) for name in compiled.positiontup)
            constants = {
                name: bind.effective_value
                for name, bind in ((n, compiled.binds[n]) for n in compiled.positiontup)
                if name not in params and not bind.required
            }
            columns = compiled._result_columns
            row: Any = None
            results: tuple[Callable[[Any], Any] | None, ...] = ()
            if columns:
                row = namedtuple("Row", [c.keyname for c in columns])  # type: ignore[misc, no-redef]
                results = tuple(c.type._cached_result_processor(dialect, None) for c in columns)
            made = _Compiled(
                compiled.string, binds, constants, row, results, all(r is None for r in results)
            )
        self._compiled[key] = made
        return made


def _bound(compiled: _Compiled, params: Mapping[str, Any]) -> list[Any]:
    if compiled.constants:
        params = {**compiled.constants, **params}
    return [
        params[name] if process is None else process(params[name])
        for name, process in compiled.binds
    ]


def _typed(compiled: _Compiled, raw: list[Any]) -> list[Any]:
    make = compiled.row._make
    results = compiled.results
    return [
        make(
            value if process is None or value is None else process(value)
            for value, process in zip(values, results, strict=True)
        )
        for values in raw
    ]


def _sqlite_driver(conn: Connection) -> Any | None:
    """The sqlite3 connection under ``conn``, or None on another driver."""
    if conn.dialect.driver != "pysqlite":
        return None
    return conn.connection.driver_connection
