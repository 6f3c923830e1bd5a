"""Prompts, interactions and per-attempt logs. ``llm`` refers to posts only by label."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now


class LLMPrompt(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(null=True, blank=True)
    prompt_template = models.TextField(help_text="Placeholders in {braces}, e.g. {title}.")
    parameters = models.JSONField(
        null=True, blank=True, help_text='Defaults such as {"model": "…", "temperature": 0.2, "max_tokens": 400}.'
    )
    created_at = models.DateTimeField(auto_now_add=True, null=True, db_default=Now())
    updated_at = models.DateTimeField(auto_now=True, null=True, db_default=Now())

    class Meta:
        db_table = "llm_prompt"
        ordering = ["name"]
        verbose_name = "LLM prompt"

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    def clean(self):
        """The template must fit the context its use provides (see llm.uses)."""
        from llm.uses import validate_prompt

        super().clean()
        errors = validate_prompt(self.name, self.prompt_template, self.parameters)
        if errors:
            raise ValidationError(errors)


class InteractionStatus(models.TextChoices):
    SUCCESS = "success", "Success"
    ERROR = "error", "Error"


class LLMInteraction(models.Model):
    """One request for help from the model: what was asked, what came back, what it cost."""

    prompt = models.ForeignKey(
        LLMPrompt, on_delete=models.DB_SET_NULL, null=True, blank=True, related_name="interactions"
    )
    post = models.ForeignKey(
        "content.Post", on_delete=models.DB_SET_NULL, null=True, blank=True, related_name="llm_interactions"
    )
    input_text = models.TextField()
    output_text = models.TextField(blank=True)
    model_used = models.CharField(max_length=50)
    parameters = models.JSONField(null=True, blank=True)
    tokens_used = models.IntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    created_at = models.DateTimeField(auto_now_add=True, null=True, db_default=Now(), db_index=True)

    # Columns beyond the seed.
    section = models.ForeignKey(
        "content.PostSection", on_delete=models.DB_SET_NULL, null=True, blank=True, related_name="llm_interactions"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DB_SET_NULL, null=True, blank=True)
    status = models.CharField(max_length=20, choices=InteractionStatus.choices, default=InteractionStatus.SUCCESS)
    prompt_tokens = models.IntegerField(null=True, blank=True)
    completion_tokens = models.IntegerField(null=True, blank=True)
    cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True, help_text="US dollars.")
    error_category = models.CharField(max_length=50, blank=True)
    error_message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "llm_interaction"
        ordering = ["-created_at", "-id"]
        verbose_name = "LLM interaction"

    def __str__(self) -> str:
        return f"{self.prompt or 'ad hoc'} · {self.model_used} · {self.status}"


class LogStatus(models.TextChoices):
    SUCCESS = "success", "Success"
    ERROR = "error", "Error"


class RecoveryAction(models.TextChoices):
    NONE = "", "None"
    RETRIED = "retried", "Retried"
    FELL_BACK = "fell_back", "Fell back to another model"
    GAVE_UP = "gave_up", "Gave up"


class LLMLog(models.Model):
    """One attempt at a model call: request, response, timing, error and what was done about it."""

    interaction = models.ForeignKey(
        LLMInteraction, on_delete=models.DB_SET_NULL, null=True, blank=True, related_name="logs"
    )
    operation = models.CharField(max_length=100)
    attempt = models.PositiveIntegerField(default=1)
    request_parameters = models.JSONField(null=True, blank=True)
    response_data = models.JSONField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds.")
    model = models.CharField(max_length=100)
    model_version = models.CharField(max_length=100, blank=True)
    configuration = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=LogStatus.choices)
    error_class = models.CharField(max_length=200, blank=True)
    error_category = models.CharField(max_length=50, blank=True)
    message = models.TextField(blank=True)
    stack_trace = models.TextField(blank=True)
    context = models.JSONField(null=True, blank=True, help_text="Related post, section, user and task.")
    recovery_action = models.CharField(max_length=20, choices=RecoveryAction.choices, blank=True)
    prompt_tokens = models.IntegerField(null=True, blank=True)
    completion_tokens = models.IntegerField(null=True, blank=True)
    cost = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_default=Now())

    class Meta:
        db_table = "llm_log"
        ordering = ["-created_at", "-id"]
        verbose_name = "LLM log"
        indexes = [
            # Covers the metrics queries (an index-only scan of narrow tuples) and retention.
            models.Index(
                fields=["created_at"],
                include=[
                    "model",
                    "operation",
                    "status",
                    "error_category",
                    "duration",
                    "prompt_tokens",
                    "completion_tokens",
                    "cost",
                ],
                name="llm_log_metrics",
            ),
            models.Index(fields=["model", "created_at"], name="llm_log_model_created"),
            models.Index(fields=["status", "created_at"], name="llm_log_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} #{self.attempt} · {self.model} · {self.status}"


class LLMDailyMetric(models.Model):
    """One closed day's calls of a model, a prompt, or all of them (``llm.metrics_daily``)."""

    class Dimension(models.TextChoices):
        DAY = "day", "All calls of the day"
        MODEL = "model", "Model"
        PROMPT = "prompt", "Prompt"

    time_zone = models.CharField(max_length=64, help_text="The site's time zone the day was counted in.")
    day = models.DateField()
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    key = models.CharField(max_length=100, blank=True, help_text="The model or the prompt; empty for the day.")
    calls = models.PositiveIntegerField()
    successes = models.PositiveIntegerField()
    tokens_in = models.BigIntegerField()
    tokens_out = models.BigIntegerField()
    cost = models.DecimalField(max_digits=16, decimal_places=6, null=True, blank=True)
    errors = models.JSONField(default=dict, help_text="Failed calls by error category.")
    latency = models.JSONField(help_text="Histogram of durations: the first bucket and the calls in each from it.")

    class Meta:
        db_table = "llm_daily_metric"
        verbose_name = "LLM daily figure"
        constraints = [
            models.UniqueConstraint(fields=["time_zone", "day", "dimension", "key"], name="llm_daily_metric_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} · {self.get_dimension_display()} {self.key}".rstrip()
