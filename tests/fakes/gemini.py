"""A fake Gemini API on loopback: google-genai talks to it through GOOGLE_GEMINI_BASE_URL.

google-genai 3.6.1 posts ``{base}/v1/models/{model}:generateContent`` with the
key in ``x-goog-api-key`` and a camelCase body (``contents``,
``systemInstruction``, ``generationConfig.responseJsonSchema``). The fake
answers with ``candidates`` and ``usageMetadata`` like Google, by default a
valid answer for the schema sent; errors use Google's shape
``{"error": {"code", "message", "status", "details"}}``, a 429 carrying RetryInfo.
"""

from __future__ import annotations

import json
import re
from collections import deque
from typing import Any

from tests.fakes.server import FakeServer, Request, Response

API_KEY = "fake-gemini-key"
_GENERATE = re.compile(r"^/v1(?:beta)?/models/([\w.-]+):generateContent$")


class FakeGemini(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self._answers: deque[str] = deque()
        self._defaults()

    def _defaults(self) -> None:
        self._answers.clear()
        self.usage = {"prompt": 900, "candidates": 60, "cached": 0}
        self.transcript = {"text": "позвонить маме вечером", "language": "ru"}

    def reset(self) -> None:
        """Forget requests, faults and scripted answers (a fake shared between tests)."""
        super().reset()
        self._defaults()

    def _is_stale(self, request: Request) -> bool:
        """A request held (stalled) since before the last reset: it must not take the
        answers scripted for the next test."""
        with self._lock:
            return not any(seen is request for seen in self.requests)

    def answer_next(self, answer: dict[str, Any] | str) -> None:
        self._answers.append(answer if isinstance(answer, str) else json.dumps(answer))

    def rate_limit_next(self, *, retry_delay: str = "0s", times: int = 1) -> None:
        self.fail_next(
            429,
            error_body(
                429,
                "Resource has been exhausted (e.g. check quota).",
                "RESOURCE_EXHAUSTED",
                [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}],
            ),
            times=times,
        )

    def server_error_next(self, *, times: int = 1) -> None:
        self.fail_next(
            500, error_body(500, "An internal error has occurred.", "INTERNAL"), times=times
        )

    def route(self, request: Request) -> Response:
        match = _GENERATE.match(request.path)
        if request.method != "POST" or not match:
            return Response(404, error_body(404, f"Method not found: {request.path}", "NOT_FOUND"))
        if request.headers.get("x-goog-api-key") != API_KEY:
            return Response(
                400,
                error_body(
                    400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT"
                ),
            )
        body = request.json
        config = body.get("generationConfig") or {}
        schema = config.get("responseJsonSchema")
        if (
            not body.get("contents")
            or config.get("responseMimeType") != "application/json"
            or not schema
        ):
            return Response(
                400,
                error_body(
                    400, "contents and a JSON response schema are required", "INVALID_ARGUMENT"
                ),
            )
        if self._answers and not self._is_stale(request):
            text = self._answers.popleft()
        else:
            text = self._default_answer(schema)
        return Response(
            body={
                "candidates": [
                    {
                        "content": {"parts": [{"text": text}], "role": "model"},
                        "finishReason": "STOP",
                        "index": 0,
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": self.usage["prompt"],
                    "candidatesTokenCount": self.usage["candidates"],
                    "totalTokenCount": self.usage["prompt"] + self.usage["candidates"],
                    "cachedContentTokenCount": self.usage["cached"],
                },
                "modelVersion": match.group(1),
                "responseId": f"fake-{len(self.requests)}",
            }
        )

    def _default_answer(self, schema: dict[str, Any]) -> str:
        properties = schema.get("properties", {})
        if "topic" in properties:
            return json.dumps(
                {
                    "topic": properties["topic"]["enum"][0],
                    "confidence": 0.8,
                    "reason": "Gemini thinks so.",
                    "alternatives": [],
                    "title": "Gemini title",
                    "summary": "",
                    "tags": ["gemini"],
                    "suggested_topic_name": "",
                }
            )
        if "language" in properties:
            return json.dumps(self.transcript, ensure_ascii=False)
        return json.dumps({"title": "Gemini rewrite", "body": "Rewritten by Gemini"})


def error_body(
    code: int, message: str, status: str, details: list[Any] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return {"error": error}
