import pytest
from django.db import OperationalError, connection


def test_healthz_answers_without_touching_the_database(client):
    # No db fixture: any query here would raise.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_redis(client, settings):
    assert settings.REDIS_URL, "the suite runs against real Redis"

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True


@pytest.mark.django_db
def test_readyz_checks_the_broker_when_tasks_are_not_inline(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    body = client.get("/readyz").json()

    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_readyz_is_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False
    assert "Connection" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError: database is down",
    }


@pytest.mark.django_db
def test_metrics_are_exported_for_prometheus(client):
    client.get("/healthz")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert b"django_http_requests_total_by_view_transport_method_total" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_answer_on_an_internal_address_not_in_allowed_hosts(client, settings, path):
    settings.ALLOWED_HOSTS = ["secretary.example.org"]

    response = client.get(path, HTTP_HOST="10.0.3.7:8000")

    assert response.status_code == 200


@pytest.mark.django_db
def test_other_pages_still_check_the_host(client, settings):
    settings.ALLOWED_HOSTS = ["secretary.example.org"]

    response = client.get("/admin/login/", HTTP_HOST="10.0.3.7:8000")

    assert response.status_code == 400
