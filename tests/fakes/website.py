"""A fake website: a real HTTP server on 127.0.0.1 for code that fetches web pages.

Tests script its routes (``page``, ``redirect``, ``stream``) and read what it was asked
(``requests``, with every header, ``Host`` included). Streamed routes send their body
piece by piece, optionally slowly, and count what they managed to send before the client
hung up, so a test can tell a fetcher stopped reading rather than read everything.

Code under test reaches it as a non-public host, so tests allow ``site.host_port`` in
``LINK_FETCH_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class SiteRequest:
    """One request the site received; header names are lower-cased."""

    path: str
    query: str
    headers: dict[str, str]


@dataclass(frozen=True)
class _Fixed:
    status: int
    body: bytes
    headers: dict[str, str]
    delay: float


@dataclass
class Stream:
    """A streamed route's body and what of it was sent; ``done`` is set once it stopped
    sending (all sent, or the client hung up), after which ``sent`` is final."""

    chunk: bytes
    total_bytes: int
    delay: float
    status: int
    content_type: str
    sent: int = 0
    done: threading.Event = field(default_factory=threading.Event)

    def wait(self, timeout: float = 5.0) -> int:
        """The bytes sent, once the response is over."""
        if not self.done.wait(timeout):
            raise AssertionError(f"the stream still sends after {timeout} s")
        return self.sent


class FakeWebsite:
    """Start it (a context manager), add routes, fetch ``url(path)``, read ``requests``."""

    def __init__(self) -> None:
        self.requests: list[SiteRequest] = []
        self._routes: dict[str, _Fixed | Stream] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        # A short poll interval makes ``stop`` quick enough for a server per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------
    def start(self) -> FakeWebsite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # streams still sending give up
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeWebsite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host_port}"

    def url(self, path: str = "/") -> str:
        return f"{self.base_url}{path}"

    # -- routes ------------------------------------------------------------------
    def page(
        self,
        path: str,
        html: str | bytes,
        content_type: str = HTML,
        status: int = 200,
        *,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Serve ``html`` (a str is sent as UTF-8) at ``path``, with ``headers`` besides;
        an empty ``content_type`` sends no Content-Type. ``delay`` holds the answer."""
        body = html.encode() if isinstance(html, str) else html
        sent = {"Content-Type": content_type} if content_type else {}
        self._add(path, _Fixed(status, body, sent | (headers or {}), delay))

    def redirect(self, path: str, location: str, status: int = 302, *, delay: float = 0.0) -> None:
        self._add(path, _Fixed(status, b"", {"Location": location}, delay))

    def stream(
        self,
        path: str,
        chunk: bytes = b"<p>Lorem ipsum dolor sit amet.</p>\n",
        total_bytes: int = 1024 * 1024,
        delay: float = 0.0,
        content_type: str = HTML,
        status: int = 200,
    ) -> Stream:
        """Serve ``total_bytes`` of ``chunk`` repeated (Content-Length says all of it),
        one chunk every ``delay`` seconds, or as fast as the client reads."""
        stream = Stream(chunk, total_bytes, delay, status, content_type)
        self._add(path, stream)
        return stream

    def requests_to(self, path: str) -> list[SiteRequest]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._routes.clear()

    def _add(self, path: str, route: _Fixed | Stream) -> None:
        with self._lock:
            self._routes[path] = route

    # -- plumbing ----------------------------------------------------------------
    def _route(self, handler: BaseHTTPRequestHandler) -> _Fixed | Stream:
        parts = urlsplit(handler.path)
        request = SiteRequest(
            path=parts.path,
            query=parts.query,
            headers={key.lower(): value for key, value in handler.headers.items()},
        )
        with self._lock:
            self.requests.append(request)
            route = self._routes.get(parts.path)
        return route or _Fixed(404, b"<h1>Not found</h1>", {"Content-Type": HTML}, 0.0)

    def _send_fixed(self, handler: BaseHTTPRequestHandler, route: _Fixed) -> None:
        if route.delay:
            time.sleep(route.delay)
        handler.send_response(route.status)
        for key, value in route.headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(route.body)))
        handler.end_headers()
        handler.wfile.write(route.body)

    def _send_stream(self, handler: BaseHTTPRequestHandler, stream: Stream) -> None:
        try:
            handler.send_response(stream.status)
            if stream.content_type:
                handler.send_header("Content-Type", stream.content_type)
            handler.send_header("Content-Length", str(stream.total_bytes))
            handler.end_headers()
            # Without a delay, whole blocks of chunks go at once: 50 MB in 20-byte writes
            # would take the test longer than the fetch.
            block = (
                stream.chunk if stream.delay else stream.chunk * max(1, 65536 // len(stream.chunk))
            )
            while stream.sent < stream.total_bytes and not self._stopping.is_set():
                piece = block[: stream.total_bytes - stream.sent]
                handler.wfile.write(piece)
                stream.sent += len(piece)
                if stream.delay:
                    time.sleep(stream.delay)
        finally:
            handler.close_connection = True
            stream.done.set()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                route = site._route(self)
                try:
                    if isinstance(route, Stream):
                        site._send_stream(self, route)
                    else:
                        site._send_fixed(self, route)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client hung up; nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
