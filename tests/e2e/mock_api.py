"""A scripted stand-in for the Anthropic Messages API, bound to 127.0.0.1 only.

Claude Code is pointed at it with ANTHROPIC_BASE_URL. The mock never thinks:

* The "main thread" (a request that offers the full tool set) gets the next step
  of a script. The step index is the number of assistant turns already in the
  conversation, so a retried request gets the same answer again.
* Anything else (warm-ups, summaries, titles, subagents) is a side request and
  gets a short plain-text answer, never a tool call.
* Every request is recorded (path, a few headers, the parsed body) in memory
  and, when a log path is given, as one JSON line per request.

A script is a list of steps. A step is either
    {"tool": "Bash", "input": {"command": "..."}}       one tool call, or
    {"text": "..."}                                     a final answer.
When the script runs out the mock ends the turn with the text "done".

Run it alone for debugging:
    python3 mock_api.py --script steps.json --log requests.jsonl [--port 8765]
"""

from __future__ import annotations

import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The main conversation is offered these tools, and one that launches subagents.
# Side requests have no tools; a subagent gets no Agent/Task tool of its own.
MAIN_THREAD_TOOLS = {"Bash", "Edit", "Write", "Read"}
SUBAGENT_LAUNCHERS = {"Agent", "Task"}


def _tool_names(body: dict) -> set[str]:
    names = set()
    for tool in body.get("tools") or []:
        if isinstance(tool, dict) and isinstance(tool.get("name"), str):
            names.add(tool["name"])
    return names


def _text_of(content) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, dict) and block.get("type") == "text":
            parts.append(block.get("text", ""))
    return "\n".join(parts)


def is_main_thread(body: dict) -> bool:
    messages = body.get("messages") or []
    if not messages:
        return False
    if _text_of(messages[-1].get("content")).strip() == "Warmup":
        return False
    names = _tool_names(body)
    return MAIN_THREAD_TOOLS <= names and bool(SUBAGENT_LAUNCHERS & names)


def step_index(body: dict) -> int:
    return sum(1 for m in body.get("messages") or [] if m.get("role") == "assistant")


class MockState:
    def __init__(self, script: list[dict] | None = None, log_path: str | None = None):
        self.script = list(script or [])
        self.log_path = log_path
        self.requests: list[dict] = []
        self.lock = threading.Lock()

    def record(self, entry: dict) -> None:
        with self.lock:
            self.requests.append(entry)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry) + "\n")

    def main_requests(self) -> list[dict]:
        with self.lock:
            return [r["body"] for r in self.requests if r.get("main")]


def _message_id(n: int) -> str:
    return f"msg_e2e_{n:04d}"


def build_reply(state: MockState, body: dict, serial: int) -> tuple[list[dict], str]:
    """Return (content blocks, stop_reason) for one request."""
    if not is_main_thread(body):
        return [{"type": "text", "text": "ok"}], "end_turn"
    index = step_index(body)
    if index < len(state.script):
        step = state.script[index]
        if "tool" in step:
            block = {
                "type": "tool_use",
                "id": f"toolu_e2e_{index:03d}",
                "name": step["tool"],
                "input": step.get("input", {}),
            }
            return [block], "tool_use"
        return [{"type": "text", "text": step.get("text", "done")}], "end_turn"
    return [{"type": "text", "text": "done"}], "end_turn"


def _usage() -> dict:
    return {
        "input_tokens": 10,
        "output_tokens": 5,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }


def sse_events(message_id: str, model: str, blocks: list[dict], stop_reason: str):
    yield "message_start", {
        "type": "message_start",
        "message": {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": _usage(),
        },
    }
    for i, block in enumerate(blocks):
        if block["type"] == "text":
            yield "content_block_start", {
                "type": "content_block_start",
                "index": i,
                "content_block": {"type": "text", "text": ""},
            }
            yield "content_block_delta", {
                "type": "content_block_delta",
                "index": i,
                "delta": {"type": "text_delta", "text": block["text"]},
            }
        else:
            yield "content_block_start", {
                "type": "content_block_start",
                "index": i,
                "content_block": {
                    "type": "tool_use",
                    "id": block["id"],
                    "name": block["name"],
                    "input": {},
                },
            }
            yield "content_block_delta", {
                "type": "content_block_delta",
                "index": i,
                "delta": {"type": "input_json_delta", "partial_json": json.dumps(block["input"])},
            }
        yield "content_block_stop", {"type": "content_block_stop", "index": i}
    yield "message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason, "stop_sequence": None},
        "usage": {"output_tokens": 5},
    }
    yield "message_stop", {"type": "message_stop"}


class Handler(BaseHTTPRequestHandler):
    server_version = "mock-messages/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # keep pytest output clean
        pass

    @property
    def state(self) -> MockState:
        return self.server.state  # type: ignore[attr-defined]

    def _send_json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.state.record({"method": "GET", "path": self.path, "main": False, "body": {}})
        self._send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": "mock"}})

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_unparsed": raw.decode("utf-8", "replace")}
        path = self.path.split("?", 1)[0]
        main = path.endswith("/v1/messages") and is_main_thread(body)
        with self.state.lock:
            serial = len(self.state.requests)
        self.state.record(
            {
                "method": "POST",
                "path": self.path,
                "user_agent": self.headers.get("user-agent", ""),
                "main": main,
                "step": step_index(body) if main else None,
                "body": body,
            }
        )
        if path.endswith("/count_tokens"):
            self._send_json(200, {"input_tokens": 10})
            return
        if not path.endswith("/v1/messages"):
            self._send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": "mock"}})
            return

        blocks, stop_reason = build_reply(self.state, body, serial)
        model = body.get("model") or "mock-model"
        message_id = _message_id(serial)
        if not body.get("stream"):
            self._send_json(
                200,
                {
                    "id": message_id,
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": blocks,
                    "stop_reason": stop_reason,
                    "stop_sequence": None,
                    "usage": _usage(),
                },
            )
            return
        chunks = []
        for event, data in sse_events(message_id, model, blocks, stop_reason):
            chunks.append(f"event: {event}\ndata: {json.dumps(data)}\n\n")
        payload = "".join(chunks).encode()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class MockServer:
    """Start with `with MockServer(script) as mock:`; `mock.url` is the base URL."""

    def __init__(self, script: list[dict] | None = None, log_path: str | None = None, port: int = 0):
        self.state = MockState(script, log_path)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.state = self.state  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def set_script(self, script: list[dict]) -> None:
        with self.state.lock:
            self.state.script = list(script)
            self.state.requests.clear()

    def __enter__(self) -> "MockServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", help="JSON file holding the list of steps")
    parser.add_argument("--log", help="append each request as a JSON line here")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    script = []
    if args.script:
        with open(args.script, encoding="utf-8") as fh:
            script = json.load(fh)
    with MockServer(script, args.log, args.port) as mock:
        print(mock.url, flush=True)
        try:
            mock.thread.join()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
