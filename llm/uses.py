"""What a prompt is used for: the context it gets, the output it must give, what is done with it.

``llm`` stays generic: another app (``content``) registers a :class:`PromptUse` per prompt
name, with the placeholders its context provides, the JSON shape it expects back, how to
build the context for a target and how to apply the result. A prompt is saved only when its
template fits its use, so a placeholder problem is a form error and never a run-time failure.
"""

import json
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

TEXT = "text"
JSON = "json"


@dataclass(frozen=True)
class Target:
    """What a call is about. Posts and sections are referred to by id only."""

    post_id: int
    section_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class PromptUse:
    name: str
    label: str
    placeholders: Mapping[str, str]  # placeholder -> what the context puts there
    required: frozenset[str]
    build_context: Callable[[Target], dict[str, str]]
    apply: Callable[[Target, Any], None]  # (target, CallResult)
    output_shape: Mapping[str, str] | None = None  # JSON object: key -> "str" | "list[str]"; None: plain text
    needs_section: bool = False

    @property
    def response_format(self) -> str:
        return JSON if self.output_shape else TEXT


_USES: dict[str, PromptUse] = {}


def register(use: PromptUse) -> PromptUse:
    _USES[use.name] = use
    return use


def get_use(name: str) -> PromptUse | None:
    return _USES.get(name)


def all_uses() -> list[PromptUse]:
    return sorted(_USES.values(), key=lambda use: use.name)


class TemplateError(ValueError):
    """The template's braces or a placeholder's form are wrong."""


def placeholders(template: str) -> list[str]:
    """Placeholder names in ``template``, in order; ``{{`` and ``}}`` are literal braces."""
    names = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise TemplateError(f"Malformed braces: {error}. Write {{{{ and }}}} for literal braces.") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier():
            raise TemplateError(f"{{{name}}} is not a placeholder name; use letters, digits and underscores.")
        if spec or conversion:
            raise TemplateError(f"Placeholder {{{name}}} may not carry a format or conversion.")
        names.append(name)
    return names


def render(template: str, context: Mapping[str, str]) -> str:
    return template.format_map(context)


def validate_prompt(name: str, template: str, parameters: Any) -> dict[str, list[str]]:
    """Errors per field for a prompt, empty when it fits its use."""
    errors: dict[str, list[str]] = {}
    use = get_use(name)
    if use is None:
        known = ", ".join(u.name for u in all_uses()) or "none"
        errors["name"] = [f"No feature uses a prompt called “{name}”. Known prompt names: {known}."]
    else:
        try:
            used = set(placeholders(template))
        except TemplateError as error:
            errors["prompt_template"] = [str(error)]
        else:
            messages = []
            provided = ", ".join(f"{{{key}}}" for key in use.placeholders)
            for unknown in sorted(used - set(use.placeholders)):
                messages.append(f"Unknown placeholder {{{unknown}}}: the {use.name} context provides {provided}.")
            for missing in sorted(use.required - used):
                messages.append(f"Missing placeholder {{{missing}}}: the {use.name} prompt must use it.")
            if messages:
                errors["prompt_template"] = messages
    parameter_errors = validate_parameters(parameters, use)
    if parameter_errors:
        errors["parameters"] = parameter_errors
    return errors


def validate_parameters(parameters: Any, use: PromptUse | None) -> list[str]:
    if parameters in (None, ""):
        parameters = {}
    if not isinstance(parameters, dict):
        return ['Parameters must be a JSON object such as {"temperature": 0.3, "max_tokens": 200}.']
    errors = []
    allowed = {"model", "temperature", "max_tokens", "response_format"}
    for key in sorted(set(parameters) - allowed):
        errors.append(f"Unknown parameter “{key}”; allowed: {', '.join(sorted(allowed))}.")
    model = parameters.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        errors.append("model must be a model name such as openai/gpt-4o-mini.")
    temperature = parameters.get("temperature")
    if temperature is not None and (
        isinstance(temperature, bool) or not isinstance(temperature, int | float) or not 0 <= temperature <= 2
    ):
        errors.append("temperature must be a number from 0 to 2.")
    max_tokens = parameters.get("max_tokens")
    if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1):
        errors.append("max_tokens must be a whole number of at least 1.")
    response_format = parameters.get("response_format", use.response_format if use else TEXT)
    if response_format not in (TEXT, JSON):
        errors.append('response_format must be "text" or "json".')
    elif use is not None and response_format != use.response_format:
        errors.append(f'response_format must be "{use.response_format}": that is what {use.name} expects.')
    return errors


class ShapeError(ValueError):
    pass


def parse_output(text: str, shape: Mapping[str, str] | None) -> Any:
    """The model's answer as the use expects it: text, or a JSON object of ``shape``."""
    if shape is None:
        cleaned = text.strip()
        if not cleaned:
            raise ShapeError("The model returned an empty answer.")
        return cleaned
    body = text.strip()
    if body.startswith("```"):  # models like to fence JSON
        body = body.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(body)
    except json.JSONDecodeError as error:
        raise ShapeError(f"The answer is not valid JSON ({error.msg} at line {error.lineno}).") from None
    if not isinstance(data, dict):
        raise ShapeError("The answer is not a JSON object.")
    for key, kind in shape.items():
        value = data.get(key)
        if kind == "list[str]":
            ok = isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)
        else:
            ok = isinstance(value, str) and bool(value.strip())
        if not ok:
            expected = "a string" if kind == "str" else "a list of strings"
            raise ShapeError(f"The answer's “{key}” is missing or is not {expected}.")
    return {key: data[key] for key in shape}
