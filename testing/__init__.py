"""Test helpers that benchmarks use too (a fake LLM provider, sample images); imports no app."""
