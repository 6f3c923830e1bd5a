"""Prompt templates are checked against the context their use provides when saved."""

import html

import pytest
from django.core.management import call_command

from llm.models import LLMPrompt
from llm.uses import all_uses, get_use, placeholders, validate_prompt

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/llm/llmprompt/add/"


def form(name="post_summary", template="Summarise {title}: {post_text}", parameters='{"temperature": 0.3}'):
    return {"name": name, "description": "", "prompt_template": template, "parameters": parameters}


def test_default_prompts_fit_their_uses():
    call_command("loaddata", "prompts", verbosity=0)
    prompts = list(LLMPrompt.objects.all())
    assert {p.name for p in prompts} == {use.name for use in all_uses()}
    for prompt in prompts:
        assert validate_prompt(prompt.name, prompt.prompt_template, prompt.parameters) == {}, prompt.name


def test_valid_prompt_saves(staff_client):
    response = staff_client.post(ADD_URL, form())
    assert response.status_code == 302
    assert LLMPrompt.objects.get().prompt_template == "Summarise {title}: {post_text}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form(template="Summarise {title} {author}: {post_text}"), "Unknown placeholder {author}"),
        (form(template="Summarise {title}."), "Missing placeholder {post_text}"),
        (form(template="Summarise {title: {post_text}"), "Malformed braces"),
        (form(template="Summarise {post_text} }"), "Malformed braces"),
        (form(template="Summarise {0} {post_text}"), "is not a placeholder name"),
        (form(template="Summarise {post_text!r}"), "may not carry a format"),
        (form(name="my_prompt"), "No feature uses a prompt called"),
        (form(parameters='{"response_format": "json"}'), 'response_format must be "text"'),
        (form(parameters='{"temperature": 5}'), "temperature must be a number from 0 to 2"),
        (form(parameters='{"max_tokens": 0}'), "max_tokens must be a whole number"),
        (form(parameters='{"top_k": 3}'), "Unknown parameter"),
        (form(parameters='["a"]'), "Parameters must be a JSON object"),
    ],
)
def test_bad_prompt_is_a_form_error_naming_the_problem(staff_client, data, message):
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not LLMPrompt.objects.exists()


def test_literal_braces_are_allowed():
    assert placeholders('Answer {{"keywords": []}} for {section_text}') == ["section_text"]
    assert get_use("section_keywords").response_format == "json"


def test_prompt_page_lists_placeholders(staff_client):
    call_command("loaddata", "prompts", verbosity=0)
    prompt = LLMPrompt.objects.get(name="alt_text")
    page = staff_client.get(f"/admin/llm/llmprompt/{prompt.pk}/change/").content.decode()
    assert "{caption}" in page and "{section_title}" in page


def test_admin_says_what_to_set_without_a_model(staff_client, settings):
    settings.LLM_MODEL = ""
    page = staff_client.get("/admin/llm/llmprompt/").content.decode()
    assert "Set LLM_MODEL" in page
    settings.LLM_MODEL = "ollama/llama3.2"
    assert "Set LLM_MODEL" not in staff_client.get("/admin/llm/llmprompt/").content.decode()
