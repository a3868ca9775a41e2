"""A fake OpenAI API on loopback: the openai SDK talks to it through OPENAI_BASE_URL.

It answers ``POST /v1/chat/completions`` (strict JSON-schema structured output:
by default a valid answer choosing the first topic the schema allows) and
``POST /v1/audio/transcriptions`` the way OpenAI does, with usage figures, and
checks the bearer key. Errors look like OpenAI's: ``{"error": {...}}`` bodies,
``retry-after`` on 429.
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from typing import Any

from tests.fakes.server import FakeServer, Request, Response

API_KEY = "sk-test-fake-openai"


class FakeOpenAI(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self._answers: deque[str] = deque()
        self._ids = itertools.count(1)
        self._defaults()

    def _defaults(self) -> None:
        self._answers.clear()
        self.usage = {"prompt_tokens": 1200, "completion_tokens": 80, "cached_tokens": 1024}
        self.transcript = "купить молоко и хлеб"
        self.transcript_seconds = 4.2

    def reset(self) -> None:
        """Forget requests, faults and scripted answers (a fake shared between tests)."""
        super().reset()
        self._defaults()

    def _is_stale(self, request: Request) -> bool:
        """A request held (stalled) since before the last reset: it must not take the
        answers scripted for the next test."""
        with self._lock:
            return not any(seen is request for seen in self.requests)

    @property
    def base_url(self) -> str:
        return super().base_url + "/v1"

    # -- scripting ---------------------------------------------------------------
    def answer_next(self, answer: dict[str, Any] | str) -> None:
        """The content of the next completion: a dict becomes JSON, a str is sent as is."""
        self._answers.append(answer if isinstance(answer, str) else json.dumps(answer))

    def rate_limit_next(self, *, retry_after: str = "0", times: int = 1) -> None:
        self.fail_next(
            429,
            error_body("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
            headers={"retry-after": retry_after},
            times=times,
        )

    def server_error_next(self, *, times: int = 1) -> None:
        self.fail_next(
            500,
            error_body("The server had an error while processing your request.", "server_error"),
            times=times,
        )

    # -- the API -------------------------------------------------------------------
    def route(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return Response(
                401,
                error_body(
                    "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
                ),
            )
        if request.method == "POST" and request.path == "/v1/chat/completions":
            return self._completion(request.json, scripted=not self._is_stale(request))
        if request.method == "POST" and request.path == "/v1/audio/transcriptions":
            return self._transcription(request)
        return Response(
            404,
            error_body(f"Invalid URL ({request.method} {request.path})", "invalid_request_error"),
        )

    def _completion(self, body: dict[str, Any], *, scripted: bool = True) -> Response:
        schema = (body.get("response_format") or {}).get("json_schema") or {}
        if not body.get("model") or not body.get("messages") or schema.get("strict") is not True:
            return Response(
                400,
                error_body(
                    "Invalid request: model, messages and a strict schema are required.",
                    "invalid_request_error",
                ),
            )
        if scripted and self._answers:
            content = self._answers.popleft()
        else:
            content = _default_answer(schema["schema"])
        number = next(self._ids)
        return Response(
            body={
                "id": f"chatcmpl-fake{number}",
                "object": "chat.completion",
                "created": 1_795_700_000 + number,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": self.usage["prompt_tokens"],
                    "completion_tokens": self.usage["completion_tokens"],
                    "total_tokens": self.usage["prompt_tokens"] + self.usage["completion_tokens"],
                    "prompt_tokens_details": {"cached_tokens": self.usage["cached_tokens"]},
                },
                "system_fingerprint": "fp_fake",
            }
        )

    def _transcription(self, request: Request) -> Response:
        fields = request.form
        if "file" not in fields or not fields.get("model"):
            return Response(400, error_body("file and model are required", "invalid_request_error"))
        return Response(
            body={
                "text": self.transcript,
                "usage": {"type": "duration", "seconds": self.transcript_seconds},
            }
        )


def error_body(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _default_answer(schema: dict[str, Any]) -> str:
    """A valid answer for the schema the client sent: the first allowed topic."""
    properties = schema.get("properties", {})
    if "topic" in properties:
        keys = properties["topic"]["enum"]
        return json.dumps(
            {
                "topic": keys[0],
                "confidence": 0.9,
                "reason": "Fits the first topic.",
                "alternatives": [],
                "title": "A title",
                "summary": "A summary.",
                "tags": ["fake"],
                "suggested_topic_name": "",
            }
        )
    if "body" in properties:
        return json.dumps({"title": "Rewritten title", "body": "Rewritten body"})
    return json.dumps(dict.fromkeys(properties, ""))
