"""Run one LLM prompt for a post (or one of its sections) now, as the admin actions do in a task."""

from django.core.management.base import BaseCommand, CommandError

from content.models import Post
from llm import errors, runner
from llm.uses import Target, all_uses, get_use


class Command(BaseCommand):
    help = "Run an LLM prompt for a post: llm_run PROMPT --post SLUG [--section N] [--dry-run]."

    def add_arguments(self, parser):
        parser.add_argument("prompt", help="Prompt name, e.g. post_summary, section_keywords, alt_text.")
        parser.add_argument("--post", required=True, help="The post's slug.")
        parser.add_argument("--section", type=int, help="The section's position (1 is the first).")
        parser.add_argument("--dry-run", action="store_true", help="Show what would be sent; call nothing.")

    def handle(self, *args, prompt, post, section, dry_run, **options):
        use = get_use(prompt)
        if use is None:
            raise CommandError(f"Unknown prompt {prompt!r}; choose one of: {', '.join(u.name for u in all_uses())}.")
        found = Post.objects.alive().filter(slug=post).first()
        if found is None:
            raise CommandError(f"No post with the slug {post!r}.")
        section_id = None
        if section is not None:
            section_id = found.sections.filter(position=section).values_list("pk", flat=True).first()
            if section_id is None:
                raise CommandError(f"The post {post!r} has no section at position {section}.")
        elif use.needs_section:
            raise CommandError(f"{prompt} works on a section: add --section N.")
        target = Target(post_id=found.pk, section_id=section_id)
        try:
            if dry_run:
                self._show(runner.dry_run(prompt, target))
                return
            result = runner.run_use(prompt, target)
        except errors.LLMError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Suggested (interaction {result.interaction_id}, {result.model}); "
                "accept or dismiss it on the post's change page:"
            )
        )
        self.stdout.write(result.text)

    def _show(self, plan: runner.DryRun) -> None:
        self.stdout.write(f"Model: {plan.model}")
        self.stdout.write(f"Parameters: {plan.parameters}")
        self.stdout.write(f"Configuration: {plan.configuration}")
        self.stdout.write("Prompt:")
        self.stdout.write(plan.input_text)
        self.stdout.write(self.style.WARNING("Dry run: nothing was sent or recorded."))
