"""The outside services a benchmark needs, in a process of their own (off the load's CPU):
the fake Bot API and the fake OpenAI of the test suite, on loopback.

    .venv/bin/python -m bench.services     # prints {"telegram": url, "openai": url}, serves
                                           # until stdin closes

The Bot API also answers ``GET /bench/sent?since=N``: the ``sendMessage`` calls it
answered from the N-th on, as ``[monotonic time, chat_id]`` (the clock is the machine's,
so the benchmark compares it with its own); OpenAI answers ``GET /bench/prompts?since=N``:
the messages of each chat completion asked for from the N-th on.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.openai import FakeOpenAI
from tests.fakes.server import Request, Response
from tests.fakes.telegram import FakeTelegram


class BenchTelegram(FakeTelegram):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[float, int]] = []

    def api_sendMessage(self, params: dict[str, Any]) -> Any:
        self.sent.append((time.monotonic(), int(params["chat_id"])))
        return super().api_sendMessage(params)

    def route(self, request: Request) -> Response:
        if request.path == "/bench/sent":
            since = int(request.query.get("since", ["0"])[0])
            with self._state_lock:
                return Response(200, {"sent": self.sent[since:], "total": len(self.sent)})
        # A benchmark sends tens of thousands of calls: keep none of their bodies.
        response = super().route(request)
        with self._lock:
            self.requests.clear()
        self.timeline.clear()
        return response


class BenchOpenAI(FakeOpenAI):
    def __init__(self) -> None:
        super().__init__()
        self.prompts: list[list[dict[str, Any]]] = []  # the messages of each chat completion

    def route(self, request: Request) -> Response:
        if request.path == "/bench/prompts":
            since = int(request.query.get("since", ["0"])[0])
            with self._lock:
                return Response(200, {"prompts": self.prompts[since:], "total": len(self.prompts)})
        if request.path == "/v1/chat/completions":
            with self._lock:
                self.prompts.append(request.json.get("messages") or [])
        response = super().route(request)
        with self._lock:
            self.requests.clear()
        return response


def main() -> None:
    with BenchTelegram() as telegram, BenchOpenAI() as openai:
        root = openai.base_url.removesuffix("/v1")
        print(json.dumps({"telegram": telegram.base_url, "openai": root}), flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin (or exits)


if __name__ == "__main__":
    main()
