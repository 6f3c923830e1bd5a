"""The one way the project talks to a language model: litellm, with retries, fallbacks and a record.

``run_prompt`` renders a prompt with a context, calls the model (retrying only errors worth
retrying, then falling back to ``LLM_FALLBACK_MODELS``), checks the answer's shape, and
records an ``llm_interaction`` plus one ``llm_log`` row per attempt, success or failure.
litellm is imported lazily here and nowhere else: importing it takes seconds.
"""

import functools
import os
import re
import time
import traceback
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from llm import errors, services
from llm.config import ClientConfig, client_config
from llm.models import InteractionStatus, LLMPrompt, LogStatus, RecoveryAction
from llm.uses import JSON, ShapeError, parse_output, render

MAX_BACKOFF = 30.0


@dataclass(frozen=True)
class CallContext:
    """Who and what a call is for; written into every record."""

    post_id: int | None = None
    section_id: int | None = None
    user_id: int | None = None
    task_id: str = ""

    def as_json(self) -> dict:
        return {"post": self.post_id, "section": self.section_id, "user": self.user_id, "task": self.task_id}


@dataclass(frozen=True)
class CallResult:
    ok: bool
    interaction_id: int
    output: Any = None  # text, or the JSON object of the expected shape
    text: str = ""
    model: str = ""
    error_category: str = ""

    @property
    def reason(self) -> str:
        return errors.reason(self.error_category) if not self.ok else ""


# A secret shorter than this is not scrubbed: replacing a key like "x" would rewrite every "x" of a log
# while hiding nothing (such a key guards nothing either).
MIN_SECRET_LENGTH = 8
# A secret is replaced where it stands whole: not inside a longer word or key (a letter, digit, "_" or
# "-" right before or after it), but after a %-escape ("key%3D<secret>" in a quoted URL).
_WHOLE = r"(?:(?<![A-Za-z0-9_-])|(?<=%[0-9A-Fa-f]{{2}})){}(?![A-Za-z0-9_-])"


def scrub_secrets(text: str, secrets: list[str]) -> str:
    """``text`` with every whole occurrence of each secret of ``MIN_SECRET_LENGTH``+ characters replaced."""
    meaningful = {secret for secret in secrets if secret and len(secret) >= MIN_SECRET_LENGTH}
    for secret in sorted(meaningful, key=len, reverse=True):  # the longest first: a key holding another goes whole
        text = re.sub(_WHOLE.format(re.escape(secret)), "[secret]", text)
    return text


@functools.cache
def preload() -> None:
    """Import litellm now (seconds of CPU): the LLM worker does it as it starts, not on its first task."""
    _litellm()


def _litellm():
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # never download the price table
    os.environ.setdefault("LITELLM_TELEMETRY", "False")
    import litellm

    litellm.telemetry = False
    litellm.suppress_debug_info = True
    litellm.drop_params = True  # a provider that lacks e.g. response_format still answers
    litellm.callbacks = []
    litellm.success_callback = []
    litellm.failure_callback = []
    return litellm


def request_parameters(prompt: LLMPrompt) -> dict:
    """The prompt's default parameters as litellm takes them (no model, no secrets)."""
    parameters = dict(prompt.parameters or {})
    parameters.pop("model", None)
    if parameters.pop("response_format", None) == JSON:
        parameters["response_format"] = {"type": "json_object"}
    return parameters


def run_prompt(prompt: LLMPrompt, context: dict[str, str], *, shape: dict | None, call: CallContext) -> CallResult:
    """Render, call with retries and fallbacks, validate, record. Never raises for a model failure."""
    config = client_config((prompt.parameters or {}).get("model"))
    if config.model:
        _litellm()  # the first import takes seconds; it must not count as the first attempt's latency
    input_text = render(prompt.prompt_template, context)
    parameters = request_parameters(prompt)
    attempt = _Attempts(prompt, config, parameters, call)
    models = [config.model, *(m for m in config.fallbacks if m != config.model)] if config.model else [""]
    for index, model in enumerate(models):
        for retry in range(config.max_retries + 1):
            outcome = attempt.run(model, input_text, shape)
            if outcome is None:
                return attempt.record(input_text, InteractionStatus.SUCCESS)
            if outcome in errors.RETRYABLE and retry < config.max_retries:
                attempt.last_log["recovery_action"] = RecoveryAction.RETRIED
                time.sleep(min(MAX_BACKOFF, config.backoff * 2**retry))
                continue
            last_model = index == len(models) - 1
            attempt.last_log["recovery_action"] = RecoveryAction.GAVE_UP if last_model else RecoveryAction.FELL_BACK
            break
    return attempt.record(input_text, InteractionStatus.ERROR)


class _Attempts:
    """The attempts of one call, kept in memory and written together at the end."""

    def __init__(self, prompt: LLMPrompt, config: ClientConfig, parameters: dict, call: CallContext):
        self.prompt = prompt
        self.config = config
        self.parameters = parameters
        self.call = call
        self.logs: list[dict] = []
        self.success: dict | None = None
        self.started = time.perf_counter()

    @property
    def last_log(self) -> dict:
        return self.logs[-1]

    def run(self, model: str, input_text: str, shape: dict | None) -> str | None:
        """One attempt; returns None on success, else the error category."""
        started_at = timezone.now()
        clock = time.perf_counter()
        log = {
            "operation": self.prompt.name,
            "attempt": len(self.logs) + 1,
            "model": model[:100],
            "started_at": started_at,
            "request_parameters": {**self.parameters, "model": model, "timeout": self.config.timeout},
            "configuration": self.config.safe(),
            "context": self.call.as_json(),
        }
        self.logs.append(log)
        response = None
        try:
            response = self._complete(model, input_text)
            text = response.choices[0].message.content or ""
            try:
                output = parse_output(text, shape)
            except ShapeError as error:
                raise errors.AttemptError(errors.INVALID_OUTPUT, str(error)) from None
        except Exception as error:
            category = errors.classify(error)
            log.update(
                status=LogStatus.ERROR,
                duration=time.perf_counter() - clock,
                error_class=f"{type(error).__module__}.{type(error).__qualname__}"[:200],
                error_category=category,
                message=self._scrub(str(error))[:5000],
                stack_trace=self._scrub("".join(traceback.format_exception(error)))[:20000],
                response_data=_response_data(response, error),
            )
            return category
        usage = getattr(response, "usage", None)
        prompt_tokens = getattr(usage, "prompt_tokens", None)
        completion_tokens = getattr(usage, "completion_tokens", None)
        fingerprint = getattr(response, "system_fingerprint", None)
        log.update(
            status=LogStatus.SUCCESS,
            duration=time.perf_counter() - clock,
            response_data=_response_data(response, None),
            model_version=" ".join(filter(None, [response.model, fingerprint]))[:100],
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=_cost(response),
        )
        self.success = {"text": text, "output": output}
        return None

    def _complete(self, model: str, input_text: str):
        if not model:
            raise errors.AttemptError(errors.NOT_CONFIGURED, "No model: set LLM_MODEL or the prompt's model.")
        litellm = _litellm()
        if not self.config.api_key:
            missing = [
                key
                for key in litellm.validate_environment(model=model, api_base=self.config.api_base or None)[
                    "missing_keys"
                ]
                if key.endswith("_KEY")
            ]
            if missing:
                raise errors.AttemptError(
                    errors.MISSING_KEY, f"No API key for {model}: set LLM_API_KEY or {' or '.join(missing)}."
                )
        return litellm.completion(
            model=model,
            messages=[{"role": "user", "content": input_text}],
            api_base=self.config.api_base or None,
            api_key=self.config.api_key or None,
            timeout=self.config.timeout,
            num_retries=0,  # retries are ours, so each attempt is recorded
            max_retries=0,
            **self.parameters,
        )

    def _scrub(self, text: str) -> str:
        """Remove every secret we know of from a message or stack trace."""
        keys = [value for key, value in os.environ.items() if key.endswith("_API_KEY")]
        return scrub_secrets(text, [self.config.api_key, *keys])

    def record(self, input_text: str, status: str) -> CallResult:
        last = self.last_log
        prompt_tokens = last.get("prompt_tokens")
        completion_tokens = last.get("completion_tokens")
        error_category = "" if self.success else last.get("error_category", "")
        interaction_id = services.record_call(
            interaction={
                "prompt_id": self.prompt.pk,
                "post_id": self.call.post_id,
                "section_id": self.call.section_id,
                "user_id": self.call.user_id,
                "task_id": self.call.task_id,
                "input_text": input_text,
                "output_text": self.success["text"] if self.success else "",
                "model_used": (last["model"] or "")[:50],
                "parameters": {**self.parameters, "model": last["model"], "attempts": len(self.logs)},
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "tokens_used": (prompt_tokens or 0) + (completion_tokens or 0) if self.success else None,
                "cost": last.get("cost"),
                "duration": time.perf_counter() - self.started,
                "status": status,
                "error_category": error_category,
                "error_message": "" if self.success else last.get("message", ""),
            },
            logs=self.logs,
        )
        return CallResult(
            ok=self.success is not None,
            interaction_id=interaction_id,
            output=self.success["output"] if self.success else None,
            text=self.success["text"] if self.success else "",
            model=last["model"],
            error_category=error_category,
        )


def _response_data(response, error: BaseException | None) -> dict | None:
    if response is not None:
        try:
            return response.model_dump(mode="json")
        except Exception:
            return {"raw": str(response)[:5000]}
    status = getattr(error, "status_code", None)
    body = getattr(error, "body", None)
    if status is None and body is None:
        return None
    return {"status_code": status, "body": body if isinstance(body, dict | list | str | None) else str(body)}


def _cost(response) -> Decimal | None:
    """Cost from litellm's bundled price table; an unknown model (a local one) has none."""
    hidden = getattr(response, "_hidden_params", None) or {}
    if "response_cost" in hidden:  # litellm priced it already (None: not in the table)
        cost = hidden["response_cost"]
    else:
        try:
            cost = _litellm().completion_cost(completion_response=response)
        except Exception:
            return None
    if cost is None:
        return None
    return Decimal(str(cost)).quantize(Decimal("0.000001"))
