"""A real HTTP server on loopback that stands in for an outside service in tests.

Subclasses of ``FakeServer`` answer like the real service (``route``); the base
records every request and can be told to misbehave for the next calls: answer
with an error status, a custom body and headers, or stall past the client's
timeout. The real client libraries talk to it through their base-URL settings,
so tests replace the *server*, never the SDK.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def form(self) -> dict[str, str]:
        """Fields of a urlencoded or multipart body, or of a JSON object, as strings."""
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            return {key: _as_text(value) for key, value in (self.json or {}).items()}
        if content_type.startswith("multipart/form-data"):
            return _parse_multipart(self.body, content_type)
        parsed = parse_qs(self.body.decode(), keep_blank_values=True)
        return {key: values[-1] for key, values in parsed.items()}


@dataclass
class Response:
    status: int = 200
    body: bytes | str | dict[str, Any] | list[Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, dict | list):
            headers.setdefault("Content-Type", "application/json")
            return json.dumps(self.body, ensure_ascii=False).encode(), headers
        if isinstance(self.body, str):
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
            return self.body.encode(), headers
        return self.body, headers


@dataclass
class _Fault:
    response: Response
    match: str | None


class FakeServer:
    """Base of every fake: start it, point the client at ``base_url``, read ``requests``."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._faults: deque[_Fault] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- scripting ---------------------------------------------------------------
    def fail_next(
        self,
        status: int,
        body: bytes | str | dict[str, Any] | list[Any] = b"",
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
        match: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``times`` requests (whose path contains ``match``) with this."""
        response = Response(status=status, body=body, headers=headers or {}, delay=delay)
        with self._lock:
            self._faults.extend(_Fault(response, match) for _ in range(times))

    def stall_next(self, seconds: float, *, times: int = 1, match: str | None = None) -> None:
        """Hold the next requests for ``seconds`` before answering normally (timeouts)."""
        with self._lock:
            self._faults.extend(
                _Fault(Response(status=0, delay=seconds), match) for _ in range(times)
            )

    def requests_to(self, fragment: str) -> list[Request]:
        """Recorded requests whose path contains ``fragment``."""
        with self._lock:
            return [request for request in self.requests if fragment in request.path]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._faults.clear()

    # -- to override -------------------------------------------------------------
    def route(self, request: Request) -> Response:
        """Answer a request the way the real service would."""
        return Response(status=404, body={"error": "not found"})

    # -- plumbing ----------------------------------------------------------------
    def _take_fault(self, path: str) -> Response | None:
        with self._lock:
            for fault in list(self._faults):
                if fault.match is None or fault.match in path:
                    self._faults.remove(fault)
                    return fault.response
        return None

    def _dispatch(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
        fault = self._take_fault(request.path)
        if fault is None:
            return self.route(request)
        if fault.status:
            return fault  # sent after its own delay by the handler
        time.sleep(fault.delay)  # a stall: hold the request, then answer normally
        return self.route(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                )
                response = fake._dispatch(request)
                if response.delay:
                    time.sleep(response.delay)
                payload, headers = response.encoded()
                try:
                    self.send_response(response.status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _parse_multipart(body: bytes, content_type: str) -> dict[str, str]:
    """Text fields of a multipart body; file parts are kept as their raw text."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        fields[str(name)] = raw.decode("utf-8", errors="replace")
    return fields
