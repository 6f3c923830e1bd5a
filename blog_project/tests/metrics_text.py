"""Reading ``/metrics`` answers with prometheus-client's own parser, for the metrics and scale tests."""

from prometheus_client.parser import text_string_to_metric_families


def parse(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample by its name and labels: ``samples[("blog_tasks_running", frozenset({("queue", "llm")}))]``."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, default: float | None = 0.0, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())), default)
