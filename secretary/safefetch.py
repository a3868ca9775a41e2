"""An SSRF-safe HTTP GET for link previews: public web pages only, bounded in size and time.

A link in a note is a URL a stranger chose, fetched from inside our network, so each hop
(the URL and every redirect) is checked before anything is sent: http or https, port 80
or 443, the host parsed by us (numeric forms such as ``0x7f.1`` normalised) and resolved
once; every address it resolves to must be public, and the connection goes to one of
exactly those addresses (no DNS rebinding) while TLS and ``Host`` use the real name.

``safehttpx`` 0.2.0 was weighed and rejected: it is async-only, accepts a host when its
first public address is public instead of all, treats CGNAT as public, falls back to
dns.google over the internet, and has no redirects, port or size limits; ``advocate`` is
unmaintained. So this is a small network backend under httpx instead.

``LINK_FETCH_ALLOWED_HOSTS`` (tests only) lets exact ``host:port`` pairs skip the port
and public-address checks; nothing else relaxes anything.
"""

from __future__ import annotations

import contextlib
import ipaddress
import queue
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore
import httpx
import idna
from bs4.dammit import UnicodeDammit
from django.conf import settings

from secretary.tls import client_context

MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 5
# No single connect, read or write waits longer than this, whatever the budget left.
STEP_TIMEOUT = 3.0
_TIMEOUTS = httpx.Timeout(STEP_TIMEOUT).as_dict()
# httpcore reads 64 KiB at a time; smaller reads keep what one compressed read inflates
# to (a gzip bomb: about a thousand times as much) small before the size limit stops it.
_READ_BYTES = 16 * 1024

USER_AGENT = "PersonalSecretaryBot/1.0 (+link preview)"
HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "Accept-Encoding": "gzip, deflate",
}
HTML_TYPES = ("text/html", "application/xhtml+xml")
DEFAULT_PORTS = {"http": 80, "https": 443}
PUBLIC_PORTS = frozenset(DEFAULT_PORTS.values())

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# An ASCII host name (after IDNA); ``%``, spaces and the like are refused, not guessed at.
_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")
# WHATWG: a host whose last label is a number is an IPv4 address in some legacy form.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")

# Not public, whatever this Python's tables say (3.12.1 calls 192.0.0.9 and 3fff::1 global).
_NOT_PUBLIC = tuple(
    ipaddress.ip_network(network)
    for network in (
        "100.64.0.0/10",  # CGNAT
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast
        "64:ff9b:1::/48",  # local-use NAT64
        "3fff::/20",  # documentation
        "fec0::/10",  # deprecated site-local
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class FetchError(Exception):
    """Base. ``reason`` is one of the constants below; ``str(error)`` is a short log line."""

    SCHEME = "scheme"
    PORT = "port"
    ADDRESS = "address"
    REDIRECTS = "redirects"
    NOT_HTML = "not_html"
    RESOLVE = "resolve"
    TIMEOUT = "timeout"
    NETWORK = "network"
    STATUS = "status"
    BAD_URL = "bad_url"

    reason: str

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class FetchRefused(FetchError):
    """The URL, its address or the response is not allowed; retrying will not help."""


class FetchFailed(FetchError):
    """A network error, a timeout or an HTTP error status; it may pass."""


@dataclass(frozen=True)
class Page:
    url: str  # the final URL after redirects, as fetched (no fragment, no user info)
    status: int
    content_type: str  # e.g. "text/html"
    text: str  # the decoded body
    truncated: bool  # the body was cut at MAX_BYTES


def fetch_page(url: str, *, timeout: float | None = None) -> Page:
    """GET the HTML page at ``url`` within ``timeout`` seconds in all (redirects included).

    Raises only ``FetchRefused`` and ``FetchFailed``.
    """
    budget = settings.LINK_FETCH_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + budget
    allowed = _allowed_hosts()
    target = _check_url(url, allowed)
    redirects = 0
    # The transport alone, not an httpx.Client: a client parses every Location itself
    # (failing on forms we refuse more precisely) and adds cookies and environment proxies.
    with _transport(_CheckedBackend(deadline, allowed)) as transport:
        while True:
            try:
                request = httpx.Request(
                    "GET", target.url, headers=HEADERS, extensions={"timeout": _TIMEOUTS}
                )
                response = transport.handle_request(request)
                try:
                    if not response.has_redirect_location:
                        return _read_page(target, response)
                    location = response.headers["Location"]
                finally:
                    response.close()  # an unread body closes the connection
            except (httpx.HTTPError, httpx.InvalidURL) as error:
                raise _wrapped(error, target.host) from error
            if redirects == MAX_REDIRECTS:
                raise FetchRefused(FetchError.REDIRECTS, f"more than {MAX_REDIRECTS} redirects")
            redirects += 1
            target = _check_url(location, allowed, base=target.url)


def host_is_public(host: str) -> bool:
    """Whether every address ``host`` stands for is public: numeric forms are normalised,
    names resolved (within ``LINK_FETCH_TIMEOUT``); an invalid or unknown host is not."""
    try:
        normalised = _normalise_host(host.removeprefix("[").removesuffix("]"))
        addresses = _resolve(normalised, 80, time.monotonic() + settings.LINK_FETCH_TIMEOUT)
    except FetchError:
        return False
    return all(address_is_public(address) for address in addresses)


def address_is_public(address: IPAddress) -> bool:
    """Whether ``address`` is on the public internet.

    IPv4 written as IPv6 (mapped, NAT64, 6to4) is judged by the IPv4 host it reaches;
    IPv4-compatible and Teredo addresses must pass both as themselves and as that host.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        destination = address.ipv4_mapped or address.sixtofour
        if destination is None and address in _NAT64:
            destination = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if destination is not None:
            return address_is_public(destination)
        embedded = list(address.teredo or ())
        if address in _IPV4_COMPATIBLE:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if not all(address_is_public(inner) for inner in embedded):
            return False
    return (
        address.is_global
        and not address.is_private
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_unspecified
        and not any(address in network for network in _NOT_PUBLIC)
    )


# -- a URL, checked ----------------------------------------------------------------------


class _Target(NamedTuple):
    url: str  # rebuilt from the checked parts: what httpx is given
    host: str  # normalised: a dotted quad, a bare IPv6 address or an ASCII name
    port: int


def _check_url(url: str, allowed: frozenset[tuple[str, int]], base: str = "") -> _Target:
    """Scheme, host and port of ``url`` (relative to ``base``, a redirect's) checked with
    no network, and the URL rebuilt from them so that httpx connects to the host we
    checked, not to its own reading of the string."""
    try:
        parts = urlsplit(urljoin(base, url.strip()))
        explicit_port = parts.port
    except ValueError as error:
        raise FetchRefused(FetchError.BAD_URL, "not a valid URL") from error
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchRefused(FetchError.SCHEME, f"scheme {scheme[:20]!r} is not http(s)")
    if not parts.hostname or ("[" in parts.netloc and ":" not in parts.hostname):
        raise FetchRefused(FetchError.BAD_URL, "the URL has no host, or a bracketed name")
    host = _normalise_host(parts.hostname)
    port = DEFAULT_PORTS[scheme] if explicit_port is None else explicit_port
    if port not in PUBLIC_PORTS and (host, port) not in allowed:
        raise FetchRefused(FetchError.PORT, f"port {port} of {host} is not 80 or 443")
    netloc = f"[{host}]" if ":" in host else host
    if port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    # User info is dropped: a preview never sends credentials.
    rebuilt = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    return _Target(rebuilt, host, port)


def _normalise_host(host: str) -> str:
    """The one spelling of ``host`` that is checked and connected to: a dotted-quad IPv4
    (from any legacy form ``inet_aton`` takes), a compressed IPv6, or an IDNA ASCII name."""
    host = host.lower()
    if ":" in host:
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError as error:
            raise FetchRefused(FetchError.BAD_URL, "not a valid IPv6 address") from error
    host = host.removesuffix(".")
    if not host.isascii():
        try:
            host = idna.encode(host).decode("ascii")
        except idna.IDNAError as error:
            raise FetchRefused(FetchError.BAD_URL, "not a valid international name") from error
    if not _HOST_NAME.fullmatch(host):
        raise FetchRefused(FetchError.BAD_URL, "not a valid host name")
    if _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError as error:
            raise FetchRefused(FetchError.BAD_URL, "not a valid IPv4 address") from error
    return host


def _allowed_hosts() -> frozenset[tuple[str, int]]:
    """``LINK_FETCH_ALLOWED_HOSTS`` as (normalised host, port); a malformed entry allows
    nothing."""
    allowed = set()
    for entry in settings.LINK_FETCH_ALLOWED_HOSTS:
        host, _, port = str(entry).rpartition(":")
        with contextlib.suppress(ValueError, FetchError):
            allowed.add((_normalise_host(host.removeprefix("[").removesuffix("]")), int(port)))
    return frozenset(allowed)


# -- connecting to a checked address ----------------------------------------------------


def _resolve(host: str, port: int, deadline: float) -> list[IPAddress]:
    """The addresses of ``host``, looked up once in a thread we wait for only until the
    deadline (``getaddrinfo`` itself has no timeout)."""
    with contextlib.suppress(ValueError):
        return [ipaddress.ip_address(host)]
    answers: queue.SimpleQueue[list[Any] | OSError] = queue.SimpleQueue()

    def look_up() -> None:
        try:
            answers.put(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as error:
            answers.put(error)

    threading.Thread(target=look_up, name="safefetch-dns", daemon=True).start()
    try:
        answer = answers.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        raise FetchFailed(FetchError.TIMEOUT, f"resolving {host} timed out") from None
    if isinstance(answer, OSError):
        raise FetchFailed(FetchError.RESOLVE, f"{host} could not be resolved") from answer
    addresses = [
        ipaddress.ip_address(info[4][0])
        for info in answer
        if info[0] in (socket.AF_INET, socket.AF_INET6)
    ]
    if not addresses:
        raise FetchFailed(FetchError.RESOLVE, f"{host} has no address")
    return list(dict.fromkeys(addresses))


def _step_timeout(deadline: float, timeout: float | None, error: type[Exception]) -> float:
    """The time one network step may take: its own timeout, cut to the budget left."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("the fetch's time budget is spent")
    return remaining if timeout is None else min(timeout, remaining)


class _CheckedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, but each connection first resolves its host once, refuses
    it unless every address is public, then connects to one of exactly those addresses.

    httpcore still hands the real host name to TLS (SNI, certificate) and httpx puts it
    in ``Host``; only the TCP connection uses the checked address.
    """

    def __init__(self, deadline: float, allowed: frozenset[tuple[str, int]]) -> None:
        self._deadline = deadline
        self._allowed = allowed
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        host = _normalise_host(host)
        addresses = _resolve(host, port, self._deadline)
        if (host, port) not in self._allowed and not all(map(address_is_public, addresses)):
            raise FetchRefused(FetchError.ADDRESS, f"{host} has a non-public address")

        def connect(address: IPAddress) -> httpcore.NetworkStream:
            step = _step_timeout(self._deadline, timeout, httpcore.ConnectTimeout)
            stream = self._inner.connect_tcp(
                str(address), port, step, local_address, socket_options
            )
            return _DeadlineStream(stream, self._deadline)

        for address in addresses[:-1]:
            with contextlib.suppress(httpcore.ConnectError, httpcore.ConnectTimeout):
                return connect(address)
        return connect(addresses[-1])


class _DeadlineStream(httpcore.NetworkStream):
    """A stream whose every read, write and TLS handshake ends by the fetch's deadline,
    so a server dripping headers or body a byte at a time cannot outlast the budget."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        step = _step_timeout(self._deadline, timeout, httpcore.ReadTimeout)
        return self._stream.read(min(max_bytes, _READ_BYTES), step)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _step_timeout(self._deadline, timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        step = _step_timeout(self._deadline, timeout, httpcore.ConnectTimeout)
        secure = self._stream.start_tls(ssl_context, server_hostname, step)
        return _DeadlineStream(secure, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def _transport(backend: httpcore.NetworkBackend) -> httpx.HTTPTransport:
    """httpx's transport over our backend; httpx 0.28 takes no backend, so its pool is
    replaced by one built like its own."""
    transport = httpx.HTTPTransport(verify=client_context(), trust_env=False)
    transport._pool = httpcore.ConnectionPool(ssl_context=client_context(), network_backend=backend)
    return transport


# -- the response ------------------------------------------------------------------------


def _read_page(target: _Target, response: httpx.Response) -> Page:
    """Status and type checked from the headers, then at most MAX_BYTES of body read."""
    if response.status_code >= 400:
        raise FetchFailed(FetchError.STATUS, f"HTTP {response.status_code} from {target.host}")
    content_type = response.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if content_type not in HTML_TYPES:
        shown = content_type[:40] or "no content type"
        raise FetchRefused(FetchError.NOT_HTML, f"{target.host} sent {shown!r}, not HTML")
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > MAX_BYTES:
            break  # closing the response then drops the connection mid-body
    truncated = len(body) > MAX_BYTES
    data = _without_split_utf8(bytes(body[:MAX_BYTES])) if truncated else bytes(body)
    return Page(
        url=target.url,
        status=response.status_code,
        content_type=content_type,
        text=_decode(data, response.charset_encoding),
        truncated=truncated,
    )


def _decode(body: bytes, header_charset: str | None) -> str:
    """The header's charset if it decodes the body, else a BOM, ``<meta>``, detection."""
    dammit = UnicodeDammit(
        body, known_definite_encodings=[header_charset] if header_charset else [], is_html=True
    )
    if dammit.unicode_markup is None:
        return body.decode("utf-8", errors="replace")
    return dammit.unicode_markup


def _without_split_utf8(data: bytes) -> bytes:
    """``data`` without a UTF-8 character the cut split, so a truncated UTF-8 page still
    decodes as UTF-8 (strict decoding would fail and another encoding be guessed).
    At most three bytes go; in other encodings they are only part of a cut-off tail."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return data
        if byte >= 0xC0:  # the lead byte of the last character: is it complete?
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return data if back >= length else data[:-back]
    return data


def _wrapped(error: Exception, host: str) -> FetchError:
    """An httpx error as ours, with a short message and no raw exception text."""
    if isinstance(error, httpx.TimeoutException):
        return FetchFailed(FetchError.TIMEOUT, f"fetching from {host} timed out")
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return FetchRefused(FetchError.BAD_URL, f"httpx refused the URL for {host}")
    return FetchFailed(FetchError.NETWORK, f"network error with {host} ({type(error).__name__})")
