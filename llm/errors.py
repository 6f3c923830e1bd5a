"""Error categories for model calls, which of them are worth a retry, and what they mean to an editor."""

import json

RATE_LIMIT = "rate_limit"
TIMEOUT = "timeout"
CONNECTION = "connection"
SERVER_ERROR = "server_error"
MALFORMED_RESPONSE = "malformed_response"
INVALID_OUTPUT = "invalid_output"
MISSING_KEY = "missing_key"
AUTHENTICATION = "authentication"
NOT_FOUND = "not_found"
BAD_REQUEST = "bad_request"
CONTEXT_WINDOW = "context_window"
CONTENT_POLICY = "content_policy"
NOT_CONFIGURED = "not_configured"
UNKNOWN = "unknown"

RETRYABLE = frozenset({RATE_LIMIT, TIMEOUT, CONNECTION, SERVER_ERROR})

REASONS = {
    RATE_LIMIT: "The model provider is limiting requests (rate limit). Try again in a few minutes.",
    TIMEOUT: "The model did not answer in time. Try again later, or raise LLM_TIMEOUT.",
    CONNECTION: "The model provider could not be reached. Check LLM_API_BASE and that the server is running.",
    SERVER_ERROR: "The model provider had an internal error. Try again later.",
    MALFORMED_RESPONSE: "The model provider sent a reply that could not be read.",
    INVALID_OUTPUT: "The model's answer did not have the expected form, so nothing was changed.",
    MISSING_KEY: "No API key is set for the model provider. Set LLM_API_KEY (or the provider's own key variable).",
    AUTHENTICATION: "The model provider refused the API key. Check LLM_API_KEY.",
    NOT_FOUND: "The model provider does not know this model. Check LLM_MODEL or the prompt's model.",
    BAD_REQUEST: "The model provider refused the request as invalid. Check the prompt's parameters.",
    CONTEXT_WINDOW: "The text is too long for this model.",
    CONTENT_POLICY: "The model provider refused the request under its content policy.",
    NOT_CONFIGURED: "No language model is configured. Set LLM_MODEL (see the README, LLM assistance).",
    UNKNOWN: "The model call failed for an unexpected reason; an administrator can read the LLM log.",
}


def reason(category: str) -> str:
    return REASONS.get(category, REASONS[UNKNOWN])


class LLMError(Exception):
    """A failure an editor can read; the message is plain language."""


class PromptMissing(LLMError):
    pass


class CallFailed(LLMError):
    pass


class ApplyFailed(LLMError):
    pass


class AttemptError(Exception):
    """Raised inside an attempt for failures we detect ourselves (missing key, bad output)."""

    def __init__(self, category: str, message: str):
        super().__init__(message)
        self.category = category


def _chain(error: BaseException):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def classify(error: BaseException) -> str:
    """The category of a failed attempt.

    litellm turns many low-level failures (refused connection, unreadable body, missing
    credentials) into an ``InternalServerError``; the exception chain tells them apart.
    """
    if isinstance(error, AttemptError):
        return error.category
    names = set()
    for link in _chain(error):
        for cls in type(link).__mro__:
            names.add(f"{cls.__module__}.{cls.__qualname__}")
        if isinstance(link, TimeoutError):
            return TIMEOUT
        if isinstance(link, ConnectionError):
            return CONNECTION
        if isinstance(link, json.JSONDecodeError):
            return MALFORMED_RESPONSE
    if names & {"openai.APITimeoutError", "httpx.TimeoutException", "litellm.exceptions.Timeout"}:
        return TIMEOUT
    if names & {"httpx.ConnectError", "openai.APIConnectionError", "litellm.exceptions.APIConnectionError"}:
        return CONNECTION
    message = str(error)
    if "Missing credentials" in message or "api_key client option must be set" in message:
        return MISSING_KEY
    if "no 'choices'" in message or "Received response" in message:
        return MALFORMED_RESPONSE
    by_class = [
        ("litellm.exceptions.RateLimitError", RATE_LIMIT),
        ("litellm.exceptions.ContextWindowExceededError", CONTEXT_WINDOW),
        ("litellm.exceptions.ContentPolicyViolationError", CONTENT_POLICY),
        ("litellm.exceptions.AuthenticationError", AUTHENTICATION),
        ("litellm.exceptions.PermissionDeniedError", AUTHENTICATION),
        ("litellm.exceptions.NotFoundError", NOT_FOUND),
        ("litellm.exceptions.BadRequestError", BAD_REQUEST),
        ("litellm.exceptions.UnprocessableEntityError", BAD_REQUEST),
        ("litellm.exceptions.ServiceUnavailableError", SERVER_ERROR),
        ("litellm.exceptions.BadGatewayError", SERVER_ERROR),
        ("litellm.exceptions.InternalServerError", SERVER_ERROR),
    ]
    for name, category in by_class:
        if name in names:
            return category
    status = getattr(error, "status_code", None)
    if isinstance(status, int) and status >= 500:
        return SERVER_ERROR
    return UNKNOWN
