"""Publishing is never late behind other work: its own queue and worker, while the LLM worker hangs on a model."""

import dataclasses
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from blog_project.tests.conftest import BASE_DIR, manage_environment
from content.editorial import workflow_services
from content.models import Post
from content.tests.editorial.workflow_helpers import draft_post, finish_stages_before, make_user, seq_of
from content.tests.factories import PostFactory
from llm import tasks as llm_tasks
from llm.uses import Target
from testing.llm_provider import completion

pytestmark = pytest.mark.django_db(transaction=True)  # the workers are other processes: rows are committed


def start_worker(database, queues: str, log, **variables):
    command = [sys.executable, "manage.py", "run_worker", "--queue-name", queues, "--interval", "0.2"]
    return subprocess.Popen(
        [*command, "--no-startup-delay", "--no-reload"],
        cwd=BASE_DIR,
        env=manage_environment(database, **variables),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until(condition, seconds: float):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(0.1)
    return result


def test_a_schedule_is_kept_while_the_llm_worker_hangs_on_a_model(
    source_database, llm_server, tmp_path, django_user_model
):
    call_command("loaddata", "prompts", verbosity=0)
    llm_server.reply(dataclasses.replace(completion("Never in time."), delay=30))  # a model that hangs
    llm_variables = {
        "LLM_MODEL": "openai/test-model",
        "LLM_API_BASE": llm_server.url,
        "LLM_API_KEY": "sk-test-secret-key",
        "LLM_TIMEOUT": "2",
        "LLM_MAX_RETRIES": "0",
    }
    hung = llm_tasks.enqueue("post_summary", Target(post_id=PostFactory(title="Waiting for a model").pk))
    publisher = make_user(django_user_model, "paula", "Publishers")
    post = finish_stages_before(draft_post(title="On time"), "publishing")
    due = timezone.now() + timedelta(seconds=3)
    workflow_services.apply_transition(post.pk, "schedule", publisher, seq=seq_of(post), publish_at=due)

    with (tmp_path / "workers.log").open("w") as log:
        llm_worker = start_worker(source_database, "llm", log, **llm_variables)
        publishing_worker = start_worker(source_database, "publishing,default", log)
        try:
            wait_until(lambda: DBTaskResult.objects.get(pk=hung).status == "RUNNING", seconds=60)
            published = wait_until(lambda: Post.objects.live().filter(pk=post.pk).first(), seconds=60)
            assert published.published_at - due < timedelta(seconds=3)  # on time, the model still hanging
            # The editor learns of the hung model within LLM_TIMEOUT x attempts plus a few seconds.
            failed = wait_until(
                lambda: (task := DBTaskResult.objects.get(pk=hung)).status == "FAILED" and task, seconds=15
            )
            assert "time" in str(failed.traceback).lower() + str(failed.exception_class_path).lower()
        finally:
            for worker in (llm_worker, publishing_worker):
                worker.kill()
                worker.wait(timeout=10)
