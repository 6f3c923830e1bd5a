"""Admin actions that ask the language model for help; the calls run as tasks, never in the request."""

from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from content.editorial import assistance
from llm import tasks
from llm.config import setup_problem
from llm.errors import PromptMissing
from llm.runner import use_and_prompt
from llm.uses import Target, get_use

SECTION_USES = {"section_keywords", "image_prompt", "alt_text", "social_media_snippets"}


def queue_assistance(request, use_name: str, targets: list[Target]) -> None:
    """Queue one task per target, or tell the editor plainly why nothing was queued."""
    use = get_use(use_name)
    try:
        _use, prompt = use_and_prompt(use_name)
    except PromptMissing as error:
        messages.error(request, str(error))
        return
    problem = setup_problem((prompt.parameters or {}).get("model"))
    if problem:
        messages.error(request, problem)
        return
    if not targets:
        messages.warning(request, f"{use.label}: none of the selected items fits (see the README, LLM assistance).")
        return
    with transaction.atomic():
        for target in targets:
            tasks.enqueue(use_name, target)
    messages.success(
        request,
        format_html(
            '{}: {} request(s) queued. <a href="{}">Follow their progress</a>.',
            use.label,
            len(targets),
            reverse("admin:llm_tasks"),
        ),
    )


def _post_action(use_name: str):
    def action(modeladmin, request, queryset):
        queue_assistance(request, use_name, assistance.targets(use_name, queryset, request.user.pk))

    action.__name__ = f"llm_{use_name}"
    return admin.action(description=f"{get_use(use_name).label} (LLM)")(action)


def _section_action(use_name: str):
    def action(modeladmin, request, queryset):
        sections = queryset.filter(**assistance.SECTION_FILTERS.get(use_name, {})).values_list("post_id", "pk")
        targets = [Target(post_id=post_id, section_id=pk, user_id=request.user.pk) for post_id, pk in sections]
        queue_assistance(request, use_name, targets)

    action.__name__ = f"llm_section_{use_name}"
    return admin.action(description=f"{get_use(use_name).label} (LLM)")(action)


POST_ACTIONS = [_post_action(use.name) for use in assistance.USES]
SECTION_ACTIONS = [_section_action(name) for name in sorted(SECTION_USES)]
