"""Run a registered prompt use for a target: build the context, call the model, apply the answer."""

from dataclasses import dataclass

from llm import errors
from llm.client import CallContext, CallResult, request_parameters, run_prompt
from llm.config import client_config
from llm.models import LLMPrompt
from llm.uses import PromptUse, Target, get_use, render


def use_and_prompt(name: str) -> tuple[PromptUse, LLMPrompt]:
    use = get_use(name)
    if use is None:
        raise errors.PromptMissing(f"Nothing uses a prompt called “{name}”.")
    prompt = LLMPrompt.objects.filter(name=name).first()
    if prompt is None:
        raise errors.PromptMissing(
            f"The prompt “{name}” does not exist. Load the defaults with `manage.py loaddata prompts`."
        )
    return use, prompt


def run_use(name: str, target: Target, *, task_id: str = "") -> CallResult:
    """Call the model for ``target`` and apply a good answer; raise CallFailed with a plain reason otherwise."""
    use, prompt = use_and_prompt(name)
    context = use.build_context(target)
    _check_renders(prompt, context)
    result = run_prompt(
        prompt,
        context,
        shape=use.output_shape,
        call=CallContext(post_id=target.post_id, section_id=target.section_id, user_id=target.user_id, task_id=task_id),
    )
    if not result.ok:
        raise errors.CallFailed(result.reason)
    use.apply(target, result)
    return result


def _check_renders(prompt: LLMPrompt, context: dict[str, str]) -> None:
    """A prompt changed outside the admin (fixtures, SQL) may not fit its context: say so plainly."""
    try:
        render(prompt.prompt_template, context)
    except (KeyError, IndexError, ValueError) as error:
        raise errors.PromptMissing(
            f"The prompt “{prompt.name}” does not fit its context ({error!r}); open it in the admin and save it "
            "to see what to fix."
        ) from None


@dataclass(frozen=True)
class DryRun:
    model: str
    parameters: dict
    configuration: dict
    input_text: str


def dry_run(name: str, target: Target) -> DryRun:
    """What ``run_use`` would send, without calling the model or recording anything."""
    use, prompt = use_and_prompt(name)
    config = client_config((prompt.parameters or {}).get("model"))
    context = use.build_context(target)
    _check_renders(prompt, context)
    return DryRun(
        model=config.model or "(none: set LLM_MODEL)",
        parameters=request_parameters(prompt),
        configuration=config.safe(),
        input_text=render(prompt.prompt_template, context),
    )
