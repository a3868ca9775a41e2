"""The SSRF-safe fetcher: only public HTML pages, bounded in size and time.

The fake website runs on loopback, which is exactly what the fetcher refuses, so tests
allow its ``host:port`` in ``LINK_FETCH_ALLOWED_HOSTS`` when they mean to reach it.
Public-looking names get their answers from a fake ``getaddrinfo``; nothing here needs
(or has) the internet.
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import ssl
import time
from types import SimpleNamespace

import httpcore
import pytest

from secretary.safefetch import (
    MAX_BYTES,
    MAX_REDIRECTS,
    USER_AGENT,
    FetchError,
    FetchFailed,
    FetchRefused,
    Page,
    address_is_public,
    fetch_page,
    host_is_public,
)
from tests.fakes.website import FakeWebsite

TITLE_PAGE = "<html><head><title>Example title</title></head><body><p>Hi</p></body></html>"
PUBLIC_IP = "93.184.216.34"
PUBLIC_IP6 = "2606:2800:220:1:248:1893:25c8:1946"
RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю"


@pytest.fixture
def site():
    with FakeWebsite() as website:
        yield website


@pytest.fixture
def allowed(settings, site):
    """The fake site, reachable although it is on loopback and not on port 80."""
    settings.LINK_FETCH_ALLOWED_HOSTS = [site.host_port]
    return site


@pytest.fixture
def connections(monkeypatch):
    """Every TCP connection opened, as (host, port); they still go through."""
    opened: list[tuple[str, int]] = []
    real = socket.create_connection

    def create_connection(address, *args, **kwargs):
        opened.append((address[0], address[1]))
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return opened


@pytest.fixture
def dns(monkeypatch):
    """Scripted answers for names in ``answers`` (one list of addresses per lookup, the
    last repeated; an exception is raised); other names and numbers resolve for real."""
    fake = SimpleNamespace(answers={}, asked=[])
    real = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in fake.answers:
            return real(host, port, family, type, proto, flags)
        fake.asked.append(host)
        script = fake.answers[host]
        answer = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(answer, Exception):
            raise answer
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
            if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in answer
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake


@pytest.fixture
def no_network(monkeypatch):
    """Any lookup or connection fails the test: the URL must be refused before."""

    def forbidden(*args, **kwargs):
        raise AssertionError(f"network used: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", forbidden)
    monkeypatch.setattr(socket, "create_connection", forbidden)


@pytest.fixture
def dial(monkeypatch, site):
    """The backend's connects recorded as (host, port); ``dial.to_site`` sends the ones to
    public addresses to the fake site instead (it plays the public server there), and
    ``dial.fail`` lists hosts that refuse the connection."""
    fake = SimpleNamespace(calls=[], fail=set(), stream=None)
    real = httpcore.SyncBackend.connect_tcp

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        fake.calls.append((host, port))
        if host in fake.fail:
            raise httpcore.ConnectError("[Errno 111] secret internal detail")
        if fake.stream is not None:
            return fake.stream
        return real(self, "127.0.0.1", site.port, timeout, local_address, socket_options)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    return fake


def refusal(url: str, **kwargs) -> FetchRefused:
    with pytest.raises(FetchRefused) as caught:
        fetch_page(url, **kwargs)
    return caught.value


def failure(url: str, **kwargs) -> FetchFailed:
    with pytest.raises(FetchFailed) as caught:
        fetch_page(url, **kwargs)
    return caught.value


def timed(function, *args, **kwargs):
    start = time.monotonic()
    try:
        function(*args, **kwargs)
    except FetchError as error:
        return error, time.monotonic() - start
    raise AssertionError("no FetchError raised")


# -- reaching the allowed fake site -------------------------------------------------------


def test_fetches_a_page_with_its_title(allowed):
    allowed.page("/article", TITLE_PAGE)

    page = fetch_page(allowed.url("/article?id=1#top"))

    assert page == Page(
        url=allowed.url("/article?id=1"),
        status=200,
        content_type="text/html",
        text=TITLE_PAGE,
        truncated=False,
    )
    (request,) = allowed.requests
    assert request.query == "id=1"
    assert request.headers["user-agent"] == USER_AGENT == "PersonalSecretaryBot/1.0 (+link preview)"
    assert request.headers["accept"] == "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
    assert request.headers["host"] == allowed.host_port


def test_an_allowed_name_is_matched_as_a_name(settings, site):
    settings.LINK_FETCH_ALLOWED_HOSTS = [f"localhost:{site.port}"]
    site.page("/", TITLE_PAGE)

    page = fetch_page(f"http://LOCALHOST:{site.port}/")

    assert "Example title" in page.text
    assert site.requests[0].headers["host"] == f"localhost:{site.port}"
    # The entry is that name on that port, not loopback in general.
    assert refusal(f"http://127.0.0.1:{site.port}/").reason == FetchError.PORT


def test_an_allowed_entry_relaxes_only_its_host_and_port(allowed, connections):
    assert refusal(f"http://localhost:{allowed.port}/").reason == FetchError.PORT
    assert refusal(f"http://127.0.0.1:{allowed.port + 1}/").reason == FetchError.PORT
    assert refusal("http://127.0.0.1/").reason == FetchError.ADDRESS
    assert connections == []
    assert allowed.requests == []


@pytest.mark.parametrize(
    "host",
    ["0x7f.1", "127.1", "2130706433", "0177.0.0.1", "017700000001", "0X7F000001", "127.0.0.1."],
)
def test_numeric_host_forms_are_normalised_to_the_address(allowed, host):
    allowed.page("/", TITLE_PAGE)

    page = fetch_page(f"http://{host}:{allowed.port}/")

    assert page.url == allowed.url("/")
    assert allowed.requests[0].headers["host"] == allowed.host_port


def test_credentials_in_the_url_are_never_sent(allowed):
    allowed.page("/", TITLE_PAGE)

    page = fetch_page(f"http://user:secret@{allowed.host_port}/")

    assert "secret" not in page.url
    assert "authorization" not in allowed.requests[0].headers


def test_proxies_from_the_environment_are_ignored(allowed, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    allowed.page("/", TITLE_PAGE)

    assert "Example title" in fetch_page(allowed.url("/")).text


# -- internal addresses -------------------------------------------------------------------

INTERNAL_HOSTS = [
    "127.0.0.1",
    "localhost",
    "LocalHost",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",
    "198.51.100.7",
    "203.0.113.9",
    "198.18.0.1",
    "[::1]",
    "[::]",
    "[fd00:ec2::254]",
    "[fc00::1]",
    "[fe80::1]",
    "[ff02::1]",
    "[2001:db8::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::FFFF:A9FE:A9FE]",
    "[::7f00:1]",
    "[64:ff9b::7f00:1]",
    "[64:ff9b::a9fe:a9fe]",
    "[2002:7f00:1::]",
    "[2001:0:5db8:d822::80ff:fffe]",
    "2130706433",
    "0x7f.1",
    "127.1",
    "0177.0.0.1",
    "0x7f000001",
    "0X7F000001",
    "017700000001",
    "127.0.0.1.",
]


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("host", INTERNAL_HOSTS)
def test_internal_addresses_are_refused_without_connecting(scheme, host, connections):
    error = refusal(f"{scheme}://{host}/latest/meta-data/")

    assert error.reason == FetchError.ADDRESS
    assert connections == []


@pytest.mark.parametrize("port", [80, 443])
def test_explicit_public_ports_are_still_checked(port, connections):
    assert refusal(f"http://127.0.0.1:{port}/").reason == FetchError.ADDRESS
    assert connections == []


def test_a_name_with_any_internal_address_is_refused(dns, connections):
    dns.answers["mixed.example"] = [[PUBLIC_IP, "127.0.0.1"]]
    dns.answers["mixed6.example"] = [[PUBLIC_IP6, "::1"]]
    dns.answers["office.example"] = [["10.1.2.3"]]

    for name in ("mixed.example", "mixed6.example", "office.example"):
        assert refusal(f"https://{name}/").reason == FetchError.ADDRESS
    assert connections == []


def test_connects_to_the_checked_address_with_the_real_host_name(site, dns, dial):
    """A rebinding DNS answers public first and loopback after: the name is resolved once
    and the connection goes to that very address, while Host names the site."""
    site.page("/", TITLE_PAGE)
    dns.answers["news.example"] = [[PUBLIC_IP], ["127.0.0.1"]]

    page = fetch_page("http://news.example/")

    assert dial.calls == [(PUBLIC_IP, 80)]
    assert dns.asked == ["news.example"]
    assert site.requests[0].headers["host"] == "news.example"
    assert page.url == "http://news.example/"
    assert "Example title" in page.text


def test_connects_to_the_checked_address_or_fails(dns, dial):
    dns.answers["news.example"] = [[PUBLIC_IP]]
    dial.fail.add(PUBLIC_IP)

    error = failure("http://news.example/")

    assert dial.calls == [(PUBLIC_IP, 80)]
    assert error.reason == FetchError.NETWORK
    assert "Errno" not in str(error)
    assert "secret" not in str(error)


def test_tries_the_next_checked_address_when_one_refuses(site, dns, dial):
    site.page("/", TITLE_PAGE)
    dns.answers["dual.example"] = [[PUBLIC_IP6, PUBLIC_IP]]
    dial.fail.add(PUBLIC_IP6)

    assert "Example title" in fetch_page("http://dual.example/").text
    assert dial.calls == [(PUBLIC_IP6, 80), (PUBLIC_IP, 80)]


class _HandshakeRecorder(httpcore.NetworkStream):
    """A connection that records the TLS handshake it is asked for, then fails it."""

    def __init__(self) -> None:
        self.handshakes: list[tuple[ssl.SSLContext, str | None]] = []

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        self.handshakes.append((ssl_context, server_hostname))
        raise httpcore.ConnectError("certificate verify failed: secret detail")

    def close(self) -> None:
        pass


def test_tls_verifies_the_real_host_name_over_the_checked_address(dns, dial):
    dns.answers["secure.example"] = [[PUBLIC_IP]]
    dial.stream = _HandshakeRecorder()

    error = failure("https://secure.example/page")

    assert error.reason == FetchError.NETWORK
    assert dial.calls == [(PUBLIC_IP, 443)]
    ((context, server_hostname),) = dial.stream.handshakes
    assert server_hostname == "secure.example"
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname


@pytest.mark.parametrize("url", ["http://пример.рф/", "http://ПРИМЕР.РФ./"])
def test_international_names_are_resolved_in_idna(dns, connections, url):
    dns.answers["xn--e1afmkfd.xn--p1ai"] = [["127.0.0.1"]]

    assert refusal(url).reason == FetchError.ADDRESS
    assert dns.asked == ["xn--e1afmkfd.xn--p1ai"]
    assert connections == []


def test_an_unknown_name_fails_to_resolve(dns):
    dns.answers["nowhere.example"] = [socket.gaierror(socket.EAI_NONAME, "Name unknown")]
    dns.answers["empty.example"] = [[]]

    for name in ("nowhere.example", "empty.example"):
        error = failure(f"https://{name}/")
        assert error.reason == FetchError.RESOLVE
        assert "Name unknown" not in str(error)


def test_a_slow_resolver_is_bounded_by_the_budget(monkeypatch):
    def slow_getaddrinfo(*args, **kwargs):
        time.sleep(2)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)

    error, elapsed = timed(fetch_page, "https://slow.example/", timeout=0.5)

    assert isinstance(error, FetchFailed)
    assert error.reason == FetchError.TIMEOUT
    assert elapsed < 1.0


def test_a_closed_port_is_a_network_failure(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.LINK_FETCH_ALLOWED_HOSTS = [f"127.0.0.1:{port}"]

    error = failure(f"http://127.0.0.1:{port}/")

    assert error.reason == FetchError.NETWORK
    assert "refused" not in str(error).lower()


# -- schemes, ports, malformed URLs: refused before any network ----------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/_GET%20/",
        "ftp://example.org/file.html",
        "ws://example.org/",
        "javascript:alert(1)",
        "data:text/html,<h1>hi</h1>",
        "example.org/page",
    ],
)
def test_other_schemes_are_refused(no_network, url):
    error = refusal(url)

    assert error.reason == FetchError.SCHEME


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org:8080/",
        "https://example.org:8443/",
        "http://example.org:22/",
        "http://example.org:0/",
        "http://127.0.0.1:6379/",
    ],
)
def test_other_ports_are_refused(no_network, url):
    assert refusal(url).reason == FetchError.PORT


@pytest.mark.parametrize(
    "url",
    [
        "http://",
        "http:///path",
        "http://[::1/",
        "http://[not-ipv6]/",
        "http://[v1.fe]/",
        "http://exa mple.org/",
        "http://ex%61mple.org/",
        "http://1.2.3.4.5/",
        "http://256.1.1.1/",
        "http://0x/",
        "http://08.0.0.1/",
        "http://127.0.0.1../",
        "http://example.org:99999/",
        "http://example.org:port/",
    ],
)
def test_malformed_urls_are_refused(no_network, url):
    assert refusal(url).reason == FetchError.BAD_URL


# -- redirects ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1/admin",
        "http://localhost:80/",
        "http://[::1]/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",  # httpx's own URL parser rejects this one
        "http://127.1/",
        "https://2130706433/",
        "http://[::ffff:7f00:1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "//10.0.0.1/",
    ],
)
def test_a_redirect_to_an_internal_address_is_refused(allowed, connections, location):
    allowed.redirect("/start", location)

    assert refusal(allowed.url("/start")).reason == FetchError.ADDRESS
    assert connections == [("127.0.0.1", allowed.port)]
    assert [request.path for request in allowed.requests] == ["/start"]


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://127.0.0.1:22/", FetchError.PORT),
        ("http://example.org:8080/", FetchError.PORT),
        ("file:///etc/passwd", FetchError.SCHEME),
        ("gopher://127.0.0.1:70/_x", FetchError.SCHEME),
        ("http://[::1/", FetchError.BAD_URL),
    ],
)
def test_every_redirect_is_checked_like_the_first_url(allowed, connections, location, reason):
    allowed.redirect("/start", location)

    assert refusal(allowed.url("/start")).reason == reason
    assert connections == [("127.0.0.1", allowed.port)]


def test_relative_redirects_are_resolved_against_the_current_url(allowed):
    allowed.redirect("/a/start", "next")
    allowed.redirect("/a/next", "../b/page?x=1", status=301)
    allowed.redirect("/b/page", f"//{allowed.host_port}/final", status=307)
    allowed.page("/final", TITLE_PAGE)

    page = fetch_page(allowed.url("/a/start"))

    assert page.url == allowed.url("/final")
    paths = [request.path for request in allowed.requests]
    assert paths == ["/a/start", "/a/next", "/b/page", "/final"]
    assert allowed.requests_to("/b/page")[0].query == "x=1"


def chain(site: FakeWebsite, redirects: int) -> str:
    for index in range(redirects):
        site.redirect(f"/r{index}", f"/r{index + 1}", status=(301, 302, 303, 307, 308)[index % 5])
    site.page(f"/r{redirects}", TITLE_PAGE)
    return site.url("/r0")


def test_five_redirects_are_followed(allowed):
    page = fetch_page(chain(allowed, MAX_REDIRECTS))

    assert MAX_REDIRECTS == 5
    assert page.url == allowed.url("/r5")
    assert len(allowed.requests) == 6


def test_a_sixth_redirect_is_refused(allowed):
    error = refusal(chain(allowed, MAX_REDIRECTS + 1))

    assert error.reason == FetchError.REDIRECTS
    assert [request.path for request in allowed.requests] == [f"/r{i}" for i in range(6)]


def test_a_redirect_loop_is_refused(allowed):
    allowed.redirect("/loop", "/loop")

    assert refusal(allowed.url("/loop")).reason == FetchError.REDIRECTS
    assert len(allowed.requests) == MAX_REDIRECTS + 1


# -- size and time -----------------------------------------------------------------------


def test_a_huge_body_is_cut_at_max_bytes(allowed):
    # 20 bytes a chunk: the cut at 2 MiB falls inside "и", a two-byte character.
    stream = allowed.stream("/huge", chunk="<p>привет</p>\n".encode(), total_bytes=50 * 1024 * 1024)
    start = time.monotonic()

    page = fetch_page(allowed.url("/huge"))

    elapsed = time.monotonic() - start
    assert page.truncated
    assert MAX_BYTES - 4 < len(page.text.encode()) <= MAX_BYTES
    assert page.text.startswith("<p>привет</p>\n<p>привет</p>")
    assert "\ufffd" not in page.text
    assert stream.wait() < 20 * 1024 * 1024  # the client hung up; it did not drain 50 MB
    assert elapsed < 5


def test_a_body_of_exactly_max_bytes_is_whole(allowed):
    allowed.page("/exact", b"a" * MAX_BYTES)
    allowed.page("/one-more", b"a" * (MAX_BYTES + 1))

    exact = fetch_page(allowed.url("/exact"))
    one_more = fetch_page(allowed.url("/one-more"))

    assert (exact.truncated, len(exact.text)) == (False, MAX_BYTES)
    assert (one_more.truncated, len(one_more.text)) == (True, MAX_BYTES)


def test_the_limit_applies_to_the_inflated_body(allowed):
    bomb = gzip.compress(b"<title>Zipped</title>" + b"\0" * (50 * 1024 * 1024))
    allowed.page("/bomb", bomb, headers={"Content-Encoding": "gzip"})

    page = fetch_page(allowed.url("/bomb"))

    assert len(bomb) < 100 * 1024
    assert page.truncated
    assert page.text.startswith("<title>Zipped</title>")
    assert len(page.text) == MAX_BYTES


def test_a_slow_drip_is_stopped_at_the_budget(allowed):
    stream = allowed.stream("/drip", chunk=b"x", total_bytes=1000, delay=0.5)

    error, elapsed = timed(fetch_page, allowed.url("/drip"), timeout=1.5)

    assert isinstance(error, FetchFailed)
    assert error.reason == FetchError.TIMEOUT
    assert 1.3 < elapsed < 2.5
    assert stream.wait() < 10


def test_the_default_budget_comes_from_settings(allowed, settings):
    settings.LINK_FETCH_TIMEOUT = 1.0
    allowed.stream("/drip", chunk=b"x", total_bytes=1000, delay=0.3)

    error, elapsed = timed(fetch_page, allowed.url("/drip"))

    assert error.reason == FetchError.TIMEOUT
    assert elapsed < 2.0


def test_slow_headers_are_bounded_by_the_budget(allowed):
    allowed.page("/slow", TITLE_PAGE, delay=3)

    error, elapsed = timed(fetch_page, allowed.url("/slow"), timeout=1.0)

    assert error.reason == FetchError.TIMEOUT
    assert elapsed < 1.8


def test_the_budget_covers_all_redirects(allowed):
    for index in range(4):
        allowed.redirect(f"/hop{index}", f"/hop{index + 1}", delay=0.6)
    allowed.page("/hop4", TITLE_PAGE)

    error, elapsed = timed(fetch_page, allowed.url("/hop0"), timeout=1.5)

    assert error.reason == FetchError.TIMEOUT
    assert elapsed < 2.2
    assert len(allowed.requests) < 4


# -- what the response is ----------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["image/png", "application/json", "text/plain; charset=utf-8", "text/htmlx", ""]
)
def test_only_html_is_read(allowed, content_type):
    # Reading this body would take minutes: the refusal comes from the headers alone.
    stream = allowed.stream(
        "/file", chunk=b"\x89PNG", total_bytes=1000, delay=0.3, content_type=content_type
    )

    error, elapsed = timed(fetch_page, allowed.url("/file"))

    assert isinstance(error, FetchRefused)
    assert error.reason == FetchError.NOT_HTML
    assert elapsed < 1.0
    assert stream.wait() < 20


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html", "text/html"),
        ("TEXT/HTML; charset=UTF-8", "text/html"),
        ("application/xhtml+xml", "application/xhtml+xml"),
    ],
)
def test_html_content_types(allowed, content_type, expected):
    allowed.page("/", TITLE_PAGE, content_type=content_type)

    assert fetch_page(allowed.url("/")).content_type == expected


@pytest.mark.parametrize("status", [403, 404, 410, 500, 503])
def test_an_error_status_fails_without_reading_the_body(allowed, status):
    stream = allowed.stream("/gone", chunk=b"<p>", total_bytes=1000, delay=0.3, status=status)

    error, elapsed = timed(fetch_page, allowed.url("/gone"))

    assert isinstance(error, FetchFailed)
    assert error.reason == FetchError.STATUS
    assert str(status) in str(error)
    assert elapsed < 1.0
    assert stream.wait() < 20


def test_an_unknown_page_is_a_status_failure(allowed):
    assert failure(allowed.url("/missing")).reason == FetchError.STATUS


# -- charsets ----------------------------------------------------------------------------


def russian_page(head: str) -> str:
    return (
        f"<html><head>{head}<title>Привет, мир</title></head><body><p>{RUSSIAN}</p></body></html>"
    )


def test_charset_from_meta_charset(allowed):
    html = russian_page('<meta charset="windows-1251">').encode("windows-1251")
    allowed.page("/", html, content_type="text/html")

    text = fetch_page(allowed.url("/")).text

    assert "<title>Привет, мир</title>" in text
    assert RUSSIAN in text


def test_charset_from_meta_http_equiv(allowed):
    head = '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
    allowed.page("/", russian_page(head).encode("koi8-r"), content_type="text/html")

    assert RUSSIAN in fetch_page(allowed.url("/")).text


def test_the_header_charset_overrides_the_page(allowed):
    # The page claims windows-1251, which would decode these bytes without error, wrongly.
    html = russian_page('<meta charset="windows-1251">').encode("koi8-r")
    allowed.page("/", html, content_type="text/html; charset=koi8-r")

    assert RUSSIAN in fetch_page(allowed.url("/")).text


def test_charset_from_a_byte_order_mark(allowed):
    allowed.page("/", b"\xef\xbb\xbf" + russian_page("").encode(), content_type="text/html")

    text = fetch_page(allowed.url("/")).text

    assert text.startswith("<html>")
    assert RUSSIAN in text


def test_charset_detected_when_nothing_declares_it(allowed):
    allowed.page("/", russian_page("").encode("windows-1251"), content_type="text/html")

    assert RUSSIAN in fetch_page(allowed.url("/")).text


# -- which addresses are public ----------------------------------------------------------

PUBLIC_ADDRESSES = [
    PUBLIC_IP,
    "8.8.8.8",
    "1.1.1.1",
    PUBLIC_IP6,
    "2001:4860:4860::8888",
    "::ffff:93.184.216.34",  # IPv4-mapped: the IPv4 host decides
    "64:ff9b::5db8:d822",  # NAT64 of 93.184.216.34
    "2002:5db8:d822::1",  # 6to4 of 93.184.216.34
]
NOT_PUBLIC_ADDRESSES = [
    "127.0.0.1",
    "10.0.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",  # noqa: S104 (an address to refuse, not to bind)
    "0.1.2.3",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.0.8",
    "192.0.0.9",
    "192.0.2.1",
    "192.88.99.1",
    "198.18.0.1",
    "198.51.100.1",
    "203.0.113.1",
    "::1",
    "::",
    "fd00:ec2::254",
    "fc00::1",
    "fe80::1",
    "fe80::1%eth0",
    "fec0::1",
    "ff02::1",
    "ff0e::1",
    "2001:db8::1",
    "3fff::1",
    "100::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::7f00:1",  # IPv4-compatible loopback
    "::5db8:d822",  # IPv4-compatible: deprecated, never routed
    "64:ff9b::7f00:1",  # NAT64 of loopback
    "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata service
    "64:ff9b::6440:1",  # NAT64 of CGNAT
    "64:ff9b:1::5db8:d822",  # local-use NAT64
    "2002:7f00:1::",  # 6to4 of loopback
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of the metadata service
    "2001:0:5db8:d822::80ff:fffe",  # Teredo, client 127.0.0.1
    "2001:0:a00:1::a247:27dd",  # Teredo, server 10.0.0.1
    "2001:0:5db8:d822::a247:27dd",  # Teredo: both public, but Teredo is not
]


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_addresses(address):
    assert address_is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", NOT_PUBLIC_ADDRESSES)
def test_not_public_addresses(address):
    assert not address_is_public(ipaddress.ip_address(address))


def test_the_teredo_examples_embed_what_they_claim():
    assert ipaddress.IPv6Address("2001:0:5db8:d822::80ff:fffe").teredo == (
        ipaddress.ip_address(PUBLIC_IP),
        ipaddress.ip_address("127.0.0.1"),
    )
    assert ipaddress.IPv6Address("2001:0:a00:1::a247:27dd").teredo == (
        ipaddress.ip_address("10.0.0.1"),
        ipaddress.ip_address(PUBLIC_IP),
    )


@pytest.mark.parametrize(
    ("host", "public"),
    [
        (PUBLIC_IP, True),
        ("0x5d.0xb8.0xd8.0x22", True),
        ("1572395042", True),
        (f"[{PUBLIC_IP6}]", True),
        ("public.example", True),
        ("0x7f.1", False),
        ("2130706433", False),
        ("017700000001", False),
        ("[::ffff:7f00:1]", False),
        ("[::1]", False),
        ("localhost", False),
        ("mixed.example", False),
        ("nowhere.example", False),
        ("not a host", False),
        ("", False),
    ],
)
def test_host_is_public(dns, host, public):
    dns.answers["public.example"] = [[PUBLIC_IP, PUBLIC_IP6]]
    dns.answers["mixed.example"] = [[PUBLIC_IP, "192.168.0.10"]]
    dns.answers["nowhere.example"] = [socket.gaierror(socket.EAI_NONAME, "unknown")]

    assert host_is_public(host) is public


def test_errors_are_refusals_or_failures():
    reasons = [
        FetchError.SCHEME,
        FetchError.PORT,
        FetchError.ADDRESS,
        FetchError.REDIRECTS,
        FetchError.NOT_HTML,
        FetchError.RESOLVE,
        FetchError.TIMEOUT,
        FetchError.NETWORK,
        FetchError.STATUS,
        FetchError.BAD_URL,
    ]
    assert len(set(reasons)) == len(reasons)
    error = FetchRefused(FetchError.PORT, "port 8080 of example.org is not 80 or 443")
    assert isinstance(error, FetchError)
    assert not isinstance(error, FetchFailed)
    assert (error.reason, str(error)) == ("port", "port 8080 of example.org is not 80 or 443")
