from llm.tests.provider_server import llm_server  # noqa: F401 - fixture
