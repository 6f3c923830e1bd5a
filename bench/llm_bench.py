"""LLM benchmarks (make bench-llm). Never part of `make test`.

1. Recording overhead: the project's client (render, call, validate, record an interaction and
   a log row) against a bare ``litellm.completion`` on the same local OpenAI-compatible server,
   interleaved in one run. Target: at most 5 ms more per call (median).
2. The admin metrics page with 200,000 llm_log rows: time and query count, for 30 and 90 days once
   the closed days are rolled up (llm.metrics_daily; the first view, which rolls them up, is shown
   too). Target: under 300 ms and at most 10 queries.

Runs in a throwaway database (test_<name>) on the configured PostgreSQL server.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blog_project.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

CALLS = int(os.environ.get("BENCH_LLM_CALLS", "200"))
LOG_ROWS = int(os.environ.get("BENCH_LLM_LOG_ROWS", "200000"))


def bench_overhead() -> float:
    from django.core.management import call_command

    from llm.client import CallContext, _litellm, run_prompt
    from llm.models import LLMPrompt
    from testing.llm_provider import ProviderServer, completion

    call_command("loaddata", "prompts", verbosity=0)
    prompt = LLMPrompt.objects.get(name="post_summary")
    context = {"title": "Tea", "subtitle": "", "post_text": "Tea is a drink. " * 50}
    litellm = _litellm()
    with ProviderServer() as server:
        server.reply(completion("A summary of the post."))
        settings.LLM_MODEL, settings.LLM_API_BASE, settings.LLM_API_KEY = "openai/test-model", server.url, "sk-bench"
        settings.LLM_MAX_RETRIES, settings.LLM_TIMEOUT = 0, 10.0

        def bare():
            litellm.completion(
                model="openai/test-model",
                messages=[{"role": "user", "content": prompt.prompt_template.format_map(context)}],
                api_base=server.url,
                api_key="sk-bench",
                timeout=10.0,
                num_retries=0,
                max_retries=0,
                temperature=0.3,
                max_tokens=200,
            )

        def ours():
            assert run_prompt(prompt, context, shape=None, call=CallContext(post_id=None)).ok

        for _ in range(10):  # warm up both paths
            bare()
            ours()
        timings = {"bare": [], "ours": []}
        for index in range(CALLS):
            order = (("bare", bare), ("ours", ours)) if index % 2 else (("ours", ours), ("bare", bare))
            for name, function in order:
                start = time.perf_counter()
                function()
                timings[name].append(time.perf_counter() - start)
    bare_ms = statistics.median(timings["bare"]) * 1000
    ours_ms = statistics.median(timings["ours"]) * 1000
    pairs = [(o - b) * 1000 for o, b in zip(timings["ours"], timings["bare"], strict=True)]
    print(f"per call, median of {CALLS}: bare litellm {bare_ms:.2f} ms, our client {ours_ms:.2f} ms")
    print(f"median of paired differences: {statistics.median(pairs):+.2f} ms")
    overhead = ours_ms - bare_ms
    from llm import services

    record_times = []
    for _ in range(CALLS):
        start = time.perf_counter()
        services.record_call(
            interaction={"input_text": "x" * 800, "model_used": "m", "status": "success"},
            logs=[
                {"operation": "post_summary", "model": "m", "status": "success", "response_data": {"text": "y" * 400}}
            ],
        )
        record_times.append(time.perf_counter() - start)
    print(f"recording alone (one INSERT statement), back to back: {statistics.median(record_times) * 1000:.2f} ms")
    print(f"recording overhead: {overhead:+.2f} ms per call (target <= 5 ms): {'OK' if overhead <= 5 else 'OVER'}")
    return overhead


FILL = """
INSERT INTO llm_log (operation, attempt, model, model_version, status, error_class, error_category, message,
                     stack_trace, recovery_action, duration, prompt_tokens, completion_tokens, cost, started_at,
                     created_at, request_parameters, response_data, configuration, context)
SELECT (ARRAY['post_summary','section_keywords','social_media_snippets',
               'title_ideas','image_prompt','alt_text'])[1 + n %% 6],
       1, (ARRAY['openai/gpt-4o-mini','openai/gpt-4o','anthropic/claude-3-5-haiku','ollama/llama3.2'])[1 + n %% 4],
       'gpt-4o-mini-2024-07-18 fp_0123', CASE WHEN failed THEN 'error' ELSE 'success' END,
       CASE WHEN failed THEN 'litellm.exceptions.RateLimitError' ELSE '' END,
       CASE WHEN failed
            THEN (ARRAY['rate_limit','timeout','server_error','invalid_output'])[1 + n %% 4] ELSE '' END,
       CASE WHEN failed THEN 'litellm.RateLimitError: OpenAIException - slow down' ELSE '' END,
       CASE WHEN failed THEN repeat('Traceback (most recent call last): File "x.py", line 1 ', 30) ELSE '' END,
       CASE WHEN failed THEN 'retried' ELSE '' END,
       0.2 + random() * 3, 300 + n %% 500, 50 + n %% 200, 0.0001 * (n %% 7),
       created, created,
       '{"temperature": 0.3, "max_tokens": 200, "model": "openai/gpt-4o-mini", "timeout": 60}'::jsonb,
       CASE WHEN failed THEN '{"status_code": 429}'::jsonb
            ELSE jsonb_build_object('id', 'chatcmpl-1', 'choices', jsonb_build_array(jsonb_build_object(
                 'message', jsonb_build_object('role', 'assistant', 'content', repeat('A summary sentence. ', 30)))))
       END,
       '{"model": "openai/gpt-4o-mini", "fallbacks": [], "api_base": "", "api_key": "set", "timeout": 60}'::jsonb,
       jsonb_build_object('post', n %% 500, 'section', null, 'user', 1, 'task', md5(n::text))
FROM (
    SELECT n, n %% 10 = 0 AS failed, now() - (n %% 90) * interval '1 day' - random() * interval '1 day' AS created
    FROM generate_series(1, %s) AS n
) AS rows
"""


def bench_metrics_page() -> tuple[float, int]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute(FILL, [LOG_ROWS])
        cursor.execute("VACUUM ANALYZE llm_log")  # as autovacuum would after the inserts
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench-pass-123")
    client = Client()
    client.force_login(user)
    today = timezone.localdate()
    results = {}
    params = {"start": today - timezone.timedelta(days=89), "end": today}
    start = time.perf_counter()
    assert client.get("/admin/llm/llmlog/metrics/", params).status_code == 200
    first_ms = (time.perf_counter() - start) * 1000
    print(f"metrics page, 90 days, first view (rolls up the 89 closed days from the logs): {first_ms:.0f} ms")
    for label, days in (("default 30 days", 30), ("all 90 days", 90)):
        params = {"start": today - timezone.timedelta(days=days - 1), "end": today}
        client.get("/admin/llm/llmlog/metrics/", params)  # warm up
        times = []
        for _ in range(7):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get("/admin/llm/llmlog/metrics/", params)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200
        results[label] = (statistics.median(times) * 1000, len(queries))
        if days == 90:
            print("queries:", "; ".join(query["sql"][:60] for query in queries.captured_queries))
    for label, (ms, count) in results.items():
        verdict = "OK" if ms < 300 and count <= 10 else "OVER"
        print(f"metrics page, {LOG_ROWS} log rows, {label}: {ms:.0f} ms median, {count} queries: {verdict}")
    return results["all 90 days"]


def main():
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    setup_test_environment()
    settings.DEBUG = False
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        bench_overhead()
        bench_metrics_page()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
