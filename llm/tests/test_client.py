"""The litellm client against a real HTTP server on 127.0.0.1 with scripted replies."""

import json
import socket
from decimal import Decimal

import pytest
from django.core.management import call_command

from content.models import Suggestion
from content.tests.factories import PostFactory, SectionFactory
from llm import errors
from llm.client import CallContext, run_prompt
from llm.models import LLMInteraction, LLMLog, LLMPrompt
from llm.runner import run_use
from llm.uses import Target
from testing.llm_provider import Reply, completion, error

pytestmark = pytest.mark.django_db


@pytest.fixture
def prompts(db):
    call_command("loaddata", "prompts", verbosity=0)
    return {prompt.name: prompt for prompt in LLMPrompt.objects.all()}


def call(prompt, shape=None, **context):
    values = {"title": "T", "subtitle": "S", "post_text": "Body text."} | context
    return run_prompt(prompt, values, shape=shape, call=CallContext(task_id="task-1"))


def test_success_records_interaction_log_tokens_and_cost(llm_server, prompts, settings):
    settings.LLM_MODEL = "openai/gpt-4o-mini"  # in litellm's bundled price table
    llm_server.reply(
        completion("A short summary.", prompt_tokens=1000, completion_tokens=500, model="gpt-4o-mini-2024-07-18")
    )

    result = call(prompts["post_summary"])

    assert result.ok and result.output == "A short summary."
    sent = llm_server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["json"]["model"] == "gpt-4o-mini"
    assert sent["json"]["temperature"] == 0.3 and sent["json"]["max_tokens"] == 200
    assert "Title: T" in sent["json"]["messages"][0]["content"]
    interaction = LLMInteraction.objects.get()
    assert interaction.status == "success" and interaction.output_text == "A short summary."
    assert (interaction.prompt_tokens, interaction.completion_tokens, interaction.tokens_used) == (1000, 500, 1500)
    # gpt-4o-mini: $0.15 per million input tokens, $0.60 per million output tokens
    assert interaction.cost == Decimal("0.000450")
    assert interaction.task_id == "task-1" and interaction.prompt == prompts["post_summary"]
    log = LLMLog.objects.get()
    assert log.interaction == interaction and log.status == "success" and log.attempt == 1
    assert log.model_version == "gpt-4o-mini-2024-07-18 fp_test"
    assert log.cost == Decimal("0.000450") and log.duration > 0 and log.recovery_action == ""
    assert log.request_parameters["temperature"] == 0.3
    assert log.response_data["choices"][0]["message"]["content"] == "A short summary."
    assert log.configuration["api_key"] == "set" and log.context["task"] == "task-1"


def test_unknown_model_has_no_cost(llm_server, prompts):
    result = call(prompts["post_summary"])
    assert result.ok
    assert LLMInteraction.objects.get().cost is None
    assert LLMLog.objects.get().prompt_tokens == 12


def test_rate_limit_then_success_is_retried(llm_server, prompts):
    llm_server.reply(error(429, "slow down"), completion("Fine."))

    result = call(prompts["post_summary"])

    assert result.ok and result.output == "Fine."
    first, second = LLMLog.objects.order_by("attempt")
    assert (first.status, first.error_category, first.recovery_action) == ("error", "rate_limit", "retried")
    assert first.error_class == "litellm.exceptions.RateLimitError" and "slow down" in first.message
    assert first.response_data["status_code"] == 429
    assert (second.status, second.attempt, second.recovery_action) == ("success", 2, "")
    assert LLMInteraction.objects.get().status == "success"


def test_server_error_every_time_gives_up_and_changes_nothing(llm_server, prompts):
    post = PostFactory(summary="Kept.")
    llm_server.reply(error(500, "boom"))

    with pytest.raises(errors.CallFailed, match="internal error"):
        run_use("post_summary", Target(post_id=post.pk))

    logs = list(LLMLog.objects.order_by("attempt"))
    assert [log.recovery_action for log in logs] == ["retried", "retried", "gave_up"]
    assert {log.error_category for log in logs} == {"server_error"}
    assert len(llm_server.requests) == 3
    interaction = LLMInteraction.objects.get()
    assert (interaction.status, interaction.error_category, interaction.post_id) == ("error", "server_error", post.pk)
    post.refresh_from_db()
    assert post.summary == "Kept." and post.llm_metadata is None


def test_timeout_is_retried_then_recorded(llm_server, prompts, settings):
    settings.LLM_TIMEOUT = 0.3
    settings.LLM_MAX_RETRIES = 1
    llm_server.reply(Reply(delay=1.0, body=b"{}"))

    result = call(prompts["post_summary"])

    assert not result.ok and result.error_category == "timeout"
    assert [log.recovery_action for log in LLMLog.objects.order_by("attempt")] == ["retried", "gave_up"]
    assert "did not answer in time" in result.reason


def test_malformed_body_is_not_retried(llm_server, prompts):
    llm_server.reply(Reply(body=b"{not json"))

    result = call(prompts["post_summary"])

    assert result.error_category == "malformed_response"
    log = LLMLog.objects.get()
    assert log.recovery_action == "gave_up" and log.stack_trace.startswith("Traceback")


def test_connection_refused(llm_server, prompts, settings):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.LLM_API_BASE = f"http://127.0.0.1:{port}/v1"
    settings.LLM_MAX_RETRIES = 1

    result = call(prompts["post_summary"])

    assert result.error_category == "connection"
    assert LLMLog.objects.count() == 2


def test_invalid_json_for_a_json_prompt(llm_server, prompts):
    llm_server.reply(completion("Here are some keywords: cats, dogs"))
    result = call(prompts["section_keywords"], shape={"keywords": "list[str]"}, section_title="", section_text="x")
    assert result.error_category == "invalid_output"
    assert "not valid JSON" in LLMLog.objects.get().message
    assert llm_server.requests[0]["json"]["response_format"] == {"type": "json_object"}


def test_json_of_the_wrong_shape(llm_server, prompts):
    llm_server.reply(completion(json.dumps({"keywords": "cats"})))
    result = call(prompts["section_keywords"], shape={"keywords": "list[str]"}, section_title="", section_text="x")
    assert result.error_category == "invalid_output"


def test_missing_key_makes_no_request(llm_server, prompts, settings, monkeypatch):
    settings.LLM_API_KEY = ""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)

    result = call(prompts["post_summary"])

    assert result.error_category == "missing_key" and "OPENAI_API_KEY" in LLMLog.objects.get().message
    assert llm_server.requests == []


def test_fallback_model_answers(llm_server, prompts, settings):
    settings.LLM_FALLBACK_MODELS = ["openai/other-model"]
    settings.LLM_MAX_RETRIES = 0
    llm_server.reply(error(503), completion("From the fallback."))

    result = call(prompts["post_summary"])

    assert result.ok and result.model == "openai/other-model"
    first, second = LLMLog.objects.order_by("attempt")
    assert (first.model, first.recovery_action) == ("openai/test-model", "fell_back")
    assert (second.model, second.status) == ("openai/other-model", "success")
    assert LLMInteraction.objects.get().model_used == "openai/other-model"


def test_secret_never_written(llm_server, prompts):
    llm_server.reply(error(401, "bad key sk-test-secret-key"))
    call(prompts["post_summary"])
    for log in LLMLog.objects.all():
        dumped = json.dumps([log.message, log.stack_trace, log.request_parameters, log.configuration])
        assert "sk-test-secret-key" not in dumped
    assert LLMLog.objects.get().error_category == "authentication"
    headers = {name.lower(): value for name, value in llm_server.requests[0]["headers"].items()}
    assert headers["authorization"] == "Bearer sk-test-secret-key"


def test_no_model_configured_is_recorded_without_a_request(llm_server, prompts, settings):
    settings.LLM_MODEL = ""
    result = call(prompts["post_summary"])
    assert result.error_category == "not_configured" and llm_server.requests == []
    assert LLMInteraction.objects.get().status == "error"


def test_section_use_applies_keywords(llm_server, prompts):
    section = SectionFactory(content="Cats and dogs.")
    llm_server.reply(completion(json.dumps({"keywords": ["cats", "dogs"]})))

    result = run_use("section_keywords", Target(post_id=section.post_id, section_id=section.pk))

    suggestion = Suggestion.objects.get(section_id=section.pk)  # offered to the editors, not written
    assert (suggestion.field, suggestion.value) == ("keywords", ["cats", "dogs"])
    assert suggestion.interaction_id == result.interaction_id
    assert LLMInteraction.objects.get().section_id == section.pk
