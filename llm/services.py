"""Writes of the llm app; each is one transaction."""

import functools
from typing import cast

from django.db import connection
from django.db.models import Field, Model
from django.db.models.expressions import DatabaseDefault

from llm.models import LLMInteraction, LLMLog


@functools.cache
def _columns(model: type[Model], skip: tuple[str, ...]) -> list[tuple[Field, str, str]]:
    """Each inserted field with its quoted column and typed placeholder; built once per model (a call's
    recording is on the caller's clock, and ``db_type`` for every field was a good part of it)."""
    return [
        (field, connection.ops.quote_name(cast(str, field.column)), f"%s::{field.db_type(connection)}")
        for field in model._meta.concrete_fields  # concrete: each has a column
        if not field.primary_key and field.attname not in skip
    ]


def _row(model: type[Model], values: dict, skip: tuple[str, ...] = ()) -> tuple[list[str], list[str], list]:
    """Columns, typed placeholders and parameters for inserting ``values``, as the ORM would prepare them."""
    instance = model(**values)
    columns, placeholders, params = [], [], []
    for field, column, placeholder in _columns(model, skip):
        value = field.pre_save(instance, add=True)
        if isinstance(value, DatabaseDefault):
            continue
        columns.append(column)
        placeholders.append(placeholder)
        params.append(field.get_db_prep_save(value, connection))
    return columns, placeholders, params


def record_call(*, interaction: dict, logs: list[dict]) -> int:
    """Store one call, its interaction and one log row per attempt, in ONE statement; returns the interaction id.

    One round trip instead of four (begin, two inserts, commit) was most of the recording cost
    per call. The commit is an ordinary, durable one: records of calls are never traded for speed.
    """
    columns, placeholders, params = _row(LLMInteraction, interaction)
    log_columns: list[str] = []  # a call has at least one attempt
    rows = []
    for log in logs:
        log_columns, log_placeholders, log_params = _row(LLMLog, log, skip=("interaction_id",))
        rows.append(f"({', '.join(log_placeholders)})")
        params.extend(log_params)
    sql = (
        f"WITH interaction AS (INSERT INTO {LLMInteraction._meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(placeholders)}) RETURNING id) "
        f"INSERT INTO {LLMLog._meta.db_table} (interaction_id, {', '.join(log_columns)}) "
        f"SELECT interaction.id, attempts.* FROM interaction, (VALUES {', '.join(rows)}) AS attempts "
        "RETURNING interaction_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]
