"""LLM calls as tasks on Django's task framework, on the ``llm`` queue and its own worker."""

from django.tasks import task

from llm.runner import run_use
from llm.uses import Target

TASK_PATH = "llm.tasks.run_use_task"


@task(takes_context=True, queue_name="llm")
def run_use_task(context, use_name: str, post_id: int, section_id: int | None = None, user_id: int | None = None):
    """Run one prompt use. A failure raises an LLMError whose message is the editor's reason."""
    target = Target(post_id=post_id, section_id=section_id, user_id=user_id)
    result = run_use(use_name, target, task_id=str(context.task_result.id))
    return {"interaction": result.interaction_id, "model": result.model}


def enqueue(use_name: str, target: Target) -> str:
    """Queue a run; returns the task result's id."""
    return run_use_task.enqueue(use_name, target.post_id, target.section_id, target.user_id).id
