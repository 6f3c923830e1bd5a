"""The secret scrubber of the LLM logs: whole keys of a meaningful length, never single letters."""

import json

import pytest
from django.core.management import call_command

from llm.client import CallContext, run_prompt, scrub_secrets
from llm.models import LLMLog, LLMPrompt
from testing.llm_provider import error

pytestmark = pytest.mark.django_db
MESSAGE = "bad key x, the box exceeded its max tokens"


@pytest.fixture
def summary_prompt(db):
    call_command("loaddata", "prompts", verbosity=0)
    return LLMPrompt.objects.get(name="post_summary")


def logged_text(log: LLMLog) -> str:
    return json.dumps([log.message, log.stack_trace])


def failing_call(llm_server, prompt, message=MESSAGE):
    llm_server.reply(error(401, message))
    run_prompt(prompt, {"title": "T", "subtitle": "S", "post_text": "Body."}, shape=None, call=CallContext(task_id="t"))
    return LLMLog.objects.get()


def test_a_one_letter_key_leaves_the_logs_readable(llm_server, summary_prompt, settings):
    settings.LLM_API_KEY = "x"

    log = failing_call(llm_server, summary_prompt)

    assert MESSAGE in log.message  # every "x" still there
    assert "[secret]" not in logged_text(log)
    assert "Traceback" in log.stack_trace and "exceeded" in log.stack_trace
    headers = {name.lower(): value for name, value in llm_server.requests[0]["headers"].items()}
    assert headers["authorization"] == "Bearer x"  # the key was still sent


def test_a_real_key_is_removed_wherever_it_stands_whole(llm_server, summary_prompt, settings, monkeypatch):
    key, other = "sk-live-0123456789abcdef", "anthropic-key-9876543210"
    settings.LLM_API_KEY = key
    monkeypatch.setenv("ANTHROPIC_API_KEY", other)
    message = f"bad key {key}; url ?key%3D{key}&x=1; also '{other}'; not a key: {key}extra"

    log = failing_call(llm_server, summary_prompt, message)

    text = logged_text(log)
    assert "bad key [secret]; url ?key%3D[secret]&x=1; also '[secret]'" in log.message
    assert f" {key};" not in text and f"'{other}'" not in text
    assert f"{key}extra" in log.message  # a longer token is not the key: left whole


def test_scrub_secrets_needs_eight_characters_and_whole_occurrences():
    assert scrub_secrets("axe box xylophone", ["x", "", "abc1234"]) == "axe box xylophone"
    assert scrub_secrets("token=abcd1234 and abcd12345", ["abcd1234"]) == "token=[secret] and abcd12345"
    # a key that contains another goes first, whole
    assert scrub_secrets("k: abcdefgh-ijkl", ["abcdefgh", "abcdefgh-ijkl"]) == "k: [secret]"
