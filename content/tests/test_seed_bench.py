import pytest
from django.core.management import call_command
from django.db.models import Count

from content import bench_data
from content.editorial import workflow
from content.models import Post, PostSection
from content.tests.factories import PostFactory
from llm.models import LLMInteraction, LLMLog

pytestmark = pytest.mark.django_db


def test_seed_bench_generates_linked_realistic_rows_after_existing_ones():
    existing = PostFactory()
    call_command("seed_bench", posts=30, verbosity=0)
    generated = Post.objects.exclude(pk=existing.pk)
    assert generated.count() == 30
    section_counts = list(generated.annotate(n=Count("sections")).order_by("pk").values_list("n", flat=True))
    assert min(section_counts[:-1]) >= 5 and max(section_counts[:-1]) <= 40
    assert section_counts[-1] == 200  # the last post of a run: the benchmark's post_page_200
    long_post = bench_data.long_post_of_bench()
    assert long_post == generated.order_by("pk").last()
    assert set(long_post.sections.values_list("content_type", flat=True)) == {"text", "image", "video", "audio"}
    assert set(PostSection.objects.values_list("content_type", flat=True)) == {"text", "image", "video", "audio"}
    assert all(post.tags.count() == 5 for post in generated[:5])
    assert LLMInteraction.objects.filter(post__in=generated).count() == 60
    assert LLMLog.objects.filter(interaction__post__in=generated).count() == 60
    for section in PostSection.objects.filter(post__in=generated)[:50]:
        section.full_clean()
    # In the workflow's last stage with publishing done, as the admin leaves a published post (nothing "repaired").
    for post in generated[:5]:
        state = workflow.read_state(post.workflow_stage, post.stage_data)
        assert (state.stage, state.substage("publish").status, state.problems) == ("publishing", "done", [])
    # Sequences moved past the explicit ids: ordinary inserts still work.
    highest = max(generated.values_list("pk", flat=True))
    assert PostFactory().pk > highest
