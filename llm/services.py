"""Writes of the llm app; each is one transaction."""

from django.db import transaction

from llm.models import LLMInteraction, LLMLog


@transaction.atomic
def record_call(*, interaction: dict, logs: list[dict]) -> LLMInteraction:
    """Store one call: its interaction and one log row per attempt."""
    record = LLMInteraction.objects.create(**interaction)
    LLMLog.objects.bulk_create([LLMLog(interaction=record, **log) for log in logs])
    return record
