"""The fake-server base behaves like a server: records, answers, misbehaves on cue."""

import httpx
import pytest

from tests.fakes.server import FakeServer, Request, Response


class Echo(FakeServer):
    def route(self, request: Request) -> Response:
        return Response(body={"path": request.path, "form": request.form})


@pytest.fixture
def echo():
    with Echo() as server:
        yield server


def test_it_records_requests_and_answers_through_route(echo):
    response = httpx.post(f"{echo.base_url}/v1/things?x=1", json={"name": "Анна", "n": 2})

    assert response.json() == {"path": "/v1/things", "form": {"name": "Анна", "n": "2"}}
    [request] = echo.requests
    assert request.method == "POST"
    assert request.query == {"x": ["1"]}
    assert request.json == {"name": "Анна", "n": 2}


def test_it_reads_multipart_and_urlencoded_fields(echo):
    multipart = httpx.post(
        f"{echo.base_url}/upload", data={"chat_id": "5"}, files={"voice": ("a.ogg", b"OggS")}
    )
    urlencoded = httpx.post(f"{echo.base_url}/form", data={"text": "привет"})

    assert multipart.json()["form"] == {"chat_id": "5", "voice": "OggS"}
    assert urlencoded.json()["form"] == {"text": "привет"}


def test_it_fails_the_next_matching_requests_then_recovers(echo):
    echo.fail_next(429, {"retry_after": 3}, headers={"Retry-After": "3"}, times=2, match="/send")

    other = httpx.get(f"{echo.base_url}/other")
    first = httpx.post(f"{echo.base_url}/send")
    second = httpx.post(f"{echo.base_url}/send")
    third = httpx.post(f"{echo.base_url}/send")

    assert other.status_code == 200
    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.headers["retry-after"] == "3"
    assert len(echo.requests_to("/send")) == 3


def test_a_stall_outlasts_the_clients_timeout(echo):
    echo.stall_next(1.0)

    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{echo.base_url}/slow", timeout=0.2)

    assert httpx.get(f"{echo.base_url}/slow").status_code == 200
