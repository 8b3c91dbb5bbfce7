"""Inserting many rows of one model at once: COPY on PostgreSQL, bulk_create elsewhere.

An import writes hundreds of documents per transaction. Django's bulk_create builds one INSERT
with a parameter per column per row; for 500 documents that is 8,000 parameters compiled and
bound in Python. COPY streams the rows instead, and the ids come from one call to the table's
sequence beforehand, so the caller gets saved objects with their primary keys just the same.
SQLite (the tests' fast path and small installs) keeps bulk_create.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from psycopg import sql

M = TypeVar("M", bound=models.Model)

# Below this many rows one INSERT is a single round trip and COPY (two) does not pay.
COPY_MIN_ROWS = 100


def bulk_insert(objs: Sequence[M]) -> list[M]:
    """Insert `objs` (all of one model, all new) and return them with their primary keys set.

    Precondition: inside a transaction (a failed COPY, e.g. a unique violation, raises
    django.db.IntegrityError and inserts nothing). Runs no save() and sends no signals, like
    bulk_create.
    """
    if not objs:
        return []
    model = type(objs[0])
    # The connection itself, not django.db.connection: that proxy's attribute lookup, once per
    # field per row in get_db_prep_save, cost more than the COPY.
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or len(objs) < COPY_MIN_ROWS:
        return model._default_manager.bulk_create(objs)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table),
            sql.SQL(", ").join(
                sql.Identifier(c) for c in [meta.pk.column, *(f.column for f in fields)]
            ),
        )
        # Only JSON and auto-filled columns need Django's preparation (pre_save fills
        # auto_now_add; get_db_prep_save wraps JSON as Django's INSERT would); the rest are
        # stored as they are, which spares a chain of calls per column per row.
        prepared = [
            isinstance(f, models.JSONField)
            or getattr(f, "auto_now_add", False)
            or getattr(f, "auto_now", False)
            for f in fields
        ]
        # Errors raised by the raw psycopg cursor become Django's (IntegrityError and the rest).
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for obj, pk in zip(objs, ids, strict=True):
                values: list[object] = [pk]
                for f, prepare in zip(fields, prepared, strict=True):
                    if prepare:
                        values.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
                    else:
                        value = getattr(obj, f.attname)
                        # A TextChoices member is stored as its value.
                        values.append(str(value) if isinstance(value, Enum) else value)
                copy.write_row(values)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)
