"""Small database helpers several apps need (kept below every app: it imports none of them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def refresh_sqlite_statistics() -> bool:
    """On SQLite, run a sampled ``ANALYZE`` so the query planner knows the tables' sizes; False elsewhere.

    Why: without statistics SQLite guesses its query plans, and at election scale it guessed badly for the
    election-day rebuild's queries: a report's rebuild took 123 ms p50 before ``ANALYZE`` and 39 ms after at
    200,000 reports (723 and 532 ms at 1,000,000). ``analysis_limit`` samples each index, so the cost stays
    bounded (0.4 s at 200,000 reports). PostgreSQL's autovacuum does this by itself. The worker runs it at start
    and every ``SQLITE_ANALYZE_EVERY`` seconds; bulk loaders (the demo) after their writes.
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    return True


SQLITE_ANALYZE_EVERY = 600.0


def refresh_planner_statistics() -> None:
    """After a bulk load (the demo): the planner's statistics now, on either database.

    Why on PostgreSQL too: autovacuum analyses a table some time after it changed, and until then the planner
    takes freshly bulk-loaded tables for empty ones. The demo's election-day step ran its deployment query with
    nested loops over sequential scans for minutes on a just-built PostgreSQL demo (tests building the demo).
    ``ANALYZE`` samples each table and may run inside a transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return
    refresh_sqlite_statistics()


def bulk_update_rows(objs: Sequence[Model], fields: Sequence[str], *, batch_size: int = 500) -> int:
    """``Model.objects.bulk_update(objs, fields)`` as one ``UPDATE … FROM (VALUES …)`` per batch; rows updated.

    Why: Django's ``bulk_update`` writes a ``CASE WHEN pk = … THEN …`` expression per row and field, and resolving
    those expressions in Python was half of a derivation batch's time (13 of 25 s for 1,000 reports at 10,000
    stations, cProfile). A VALUES list is one parameter per cell and no expressions. SQLite (3.33+) and
    PostgreSQL both speak it; another database gets Django's own ``bulk_update``. Like ``bulk_update`` it calls
    no ``save()`` and no ``pre_save`` (``auto_now`` fields must be set by the caller)."""
    if not objs:
        return 0
    model = type(objs[0])
    if connection.vendor not in {"sqlite", "postgresql"}:
        return model.objects.bulk_update(objs, fields, batch_size=batch_size)
    meta = model._meta
    qn = connection.ops.quote_name
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    table = qn(meta.db_table)
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start:start + batch_size]
            params: list[Any] = []
            for obj in chunk:
                params.append(pk.get_db_prep_save(obj.pk, connection))
                params.extend(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns)
            if connection.vendor == "postgresql":
                # Every cell cast to its column's type: VALUES would otherwise type the parameters as text.
                types = [pk.rel_db_type(connection), *(f.db_type(connection) for f in columns)]
                row = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
                names = ", ".join(["k", *(f"c{i}" for i in range(len(columns)))])
                sets = ", ".join(f"{qn(f.column)} = v.c{i}" for i, f in enumerate(columns))
                sql = (f"UPDATE {table} AS t SET {sets} FROM (VALUES {', '.join([row] * len(chunk))}) "  # noqa: S608
                       f"AS v({names}) WHERE t.{qn(pk.column)} = v.k")
            else:
                row = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
                sets = ", ".join(f"{qn(f.column)} = v.column{i + 2}" for i, f in enumerate(columns))
                sql = (f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row] * len(chunk))}) AS v "  # noqa: S608
                       f"WHERE {table}.{qn(pk.column)} = v.column1")
            cursor.execute(sql, params)
            updated += cursor.rowcount
    return updated
