"""A small OpenAI-compatible HTTP server on 127.0.0.1 with scripted responses.

litellm makes real HTTP calls to it through ``LLM_API_BASE``. Each request takes the
next scripted reply (the last one repeats); every request is recorded for assertions.
The tests use it through the ``llm_server`` fixture, the LLM benchmark directly.
"""

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes | None = None
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


def completion(content: str, *, prompt_tokens: int = 12, completion_tokens: int = 7, model: str = "test-model-0613"):
    """An OpenAI chat.completion body."""
    return Reply(
        body=json.dumps(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "system_fingerprint": "fp_test",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            }
        ).encode()
    )


def error(status: int, message: str = "scripted error", **headers) -> Reply:
    body = json.dumps({"error": {"message": message, "type": "test_error", "code": status}}).encode()
    return Reply(status=status, body=body, headers=headers)


class ProviderServer:
    def __init__(self):
        self.script: list[Reply] = [completion("Hello.")]
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with server._lock:
                    server.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "json": json.loads(raw or b"{}")}
                    )
                    reply = server.script.pop(0) if len(server.script) > 1 else server.script[0]
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body or b""
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def reply(self, *replies: Reply) -> None:
        """Script the next replies; the last one repeats."""
        self.script = list(replies)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
