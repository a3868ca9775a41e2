"""A real HTTP server on loopback that stands in for an outside service in tests.

Subclasses of ``FakeServer`` answer like the real service (``route``); the base
records every request and can be told to misbehave for the next calls: answer
with an error status, a custom body and headers, or stall past the client's
timeout. The real client libraries talk to it through their base-URL settings,
so tests replace the *server*, never the SDK.
"""

from __future__ import annotations

import json
import select
import socket
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
    # The handler's socket, so a fault can tell whether the client is still there.
    connection: socket.socket | None = field(default=None, repr=False, compare=False)

    def uploads(self) -> dict[str, tuple[str, bytes]]:
        """The files of a multipart body: field name → (file name, content)."""
        content_type = self.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return {}
        return {
            name: (filename, raw)
            for name, filename, raw in _multipart_parts(self.body, content_type)
            if filename is not None
        }

    def client_gone(self) -> bool:
        """Whether the client closed (or reset) its end; reads nothing off the socket."""
        return self.connection is not None and _peer_closed(self.connection)

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

    @property
    def file_fields(self) -> frozenset[str]:
        """Names of the multipart parts that are uploaded files (they carry a filename)."""
        content_type = self.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return frozenset()
        return frozenset(
            name for name, filename, _ in _multipart_parts(self.body, content_type) if filename
        )


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
    drop_if_gone: bool = False


class FakeServer:
    """Base of every fake: start it, point the client at ``base_url``, read ``requests``."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.held: list[Request] = []  # held right now by a ``drop_if_gone`` stall
        self.dropped: list[Request] = []  # held, then dropped: the client had gone
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

    def stall_next(
        self,
        seconds: float,
        *,
        times: int = 1,
        match: str | None = None,
        drop_if_gone: bool = False,
    ) -> None:
        """Hold the next requests for ``seconds`` before answering normally (timeouts).

        With ``drop_if_gone``, a request whose client disconnected during the hold
        (a killed worker) is not processed at all, as if it never reached the
        service: ``route`` is not called and it is not in ``requests`` (but in
        ``dropped``). Such a request is recorded only once it is processed; while
        held it is in ``held`` (see ``wait_held``).
        """
        with self._lock:
            self._faults.extend(
                _Fault(Response(status=0, delay=seconds), match, drop_if_gone) for _ in range(times)
            )

    def wait_held(self, fragment: str = "", timeout: float = 10.0) -> Request:
        """The first request held by a ``drop_if_gone`` stall whose path contains ``fragment``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for request in self.held:
                    if fragment in request.path:
                        return request
            time.sleep(0.01)
        raise AssertionError(f"no request to {fragment!r} held within {timeout} s")

    def requests_to(self, fragment: str) -> list[Request]:
        """Recorded requests whose path contains ``fragment``."""
        with self._lock:
            return [request for request in self.requests if fragment in request.path]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.held.clear()
            self.dropped.clear()
            self._faults.clear()

    # -- to override -------------------------------------------------------------
    def route(self, request: Request) -> Response:
        """Answer a request the way the real service would."""
        return Response(status=404, body={"error": "not found"})

    # -- plumbing ----------------------------------------------------------------
    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in list(self._faults):
                if fault.match is None or fault.match in path:
                    self._faults.remove(fault)
                    return fault
        return None

    def _dispatch(self, request: Request) -> Response | None:
        """The answer to ``request``, or None when it is dropped (nothing to send)."""
        fault = self._take_fault(request.path)
        if fault is not None and fault.drop_if_gone:
            return self._hold_unless_gone(request, fault.response.delay)
        with self._lock:
            self.requests.append(request)
        if fault is None:
            return self.route(request)
        if fault.response.status:
            return fault.response  # sent after its own delay by the handler
        time.sleep(fault.response.delay)  # a stall: hold the request, then answer normally
        return self.route(request)

    def _hold_unless_gone(self, request: Request, seconds: float) -> Response | None:
        with self._lock:
            self.held.append(request)
        try:
            time.sleep(seconds)
        finally:
            with self._lock:
                still_held = any(held is request for held in self.held)  # no reset meanwhile
                self.held = [held for held in self.held if held is not request]
                gone = request.client_gone()
                if still_held:
                    (self.dropped if gone else self.requests).append(request)
        return None if gone else self.route(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    body = _read_chunked(self.rfile)  # a streamed upload (aiohttp's files)
                else:
                    length = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                    connection=self.connection,
                )
                response = fake._dispatch(request)
                if response is None:  # dropped: the client is gone, answer nothing
                    self.close_connection = True
                    return
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


def _peer_closed(sock: socket.socket) -> bool:
    """True when the peer closed or reset the connection; pending data stays unread."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (ConnectionError, OSError, ValueError):
        return True


def _read_chunked(stream: Any) -> bytes:
    """A body sent with ``Transfer-Encoding: chunked``, as real Bot API servers accept."""
    body = bytearray()
    while True:
        size = int(stream.readline().split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while stream.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return bytes(body)
        body += stream.read(size)
        stream.readline()  # the CRLF after each chunk


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _parse_multipart(body: bytes, content_type: str) -> dict[str, str]:
    """Text fields of a multipart body; file parts are kept as their raw text."""
    return {
        name: raw.decode("utf-8", errors="replace")
        for name, _, raw in _multipart_parts(body, content_type)
    }


def _multipart_parts(body: bytes, content_type: str) -> list[tuple[str, str | None, bytes]]:
    """(name, filename or None, content) of each named part of a multipart body."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part.get_param("filename", header="content-disposition")
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        parts.append((str(name), None if filename is None else str(filename), raw))
    return parts
