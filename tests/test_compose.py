"""The compose file and its monitoring profile hang together (no Docker engine runs here:
`make compose-check` validates the syntax, this checks what it points at)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client.metrics import MetricWrapperBase

import secretary.metrics

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "compose"


def compose() -> dict:
    return yaml.safe_load((COMPOSE / "docker-compose.yml").read_text())


def test_every_file_the_services_mount_is_in_the_repository():
    for name, service in compose()["services"].items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("./"):
                assert (COMPOSE / source).exists(), f"{name} mounts {source}, which is missing"


def test_every_variable_the_compose_file_uses_is_in_env_example():
    used = set(re.findall(r"\$\{([A-Z_]+)", (COMPOSE / "docker-compose.yml").read_text()))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    assert used - listed == set()


def test_the_monitoring_profile_has_prometheus_loki_and_a_provisioned_grafana():
    services = compose()["services"]
    monitoring = {
        name for name, service in services.items() if "monitoring" in service.get("profiles", [])
    }
    assert {"prometheus", "loki", "promtail", "grafana"} <= monitoring
    grafana_mounts = " ".join(services["grafana"]["volumes"])
    assert "./grafana/provisioning:" in grafana_mounts
    assert "./grafana/dashboards:" in grafana_mounts
    sources = yaml.safe_load(
        (COMPOSE / "grafana/provisioning/datasources/prometheus.yml").read_text()
    )["datasources"]
    assert {source["type"]: source["uid"] for source in sources} == {
        "prometheus": "prometheus",
        "loki": "loki",
    }
    providers = yaml.safe_load(
        (COMPOSE / "grafana/provisioning/dashboards/secretary.yml").read_text()
    )["providers"]
    assert providers[0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_prometheus_scrapes_the_web_replicas_and_the_workers():
    config = yaml.safe_load((COMPOSE / "prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"bot-api", "worker"}
    assert jobs["worker"]["dns_sd_configs"][0]["port"] == 9808


def test_the_dashboard_shows_the_products_series_and_the_logs_by_correlation_id():
    dashboard = json.loads((COMPOSE / "grafana/dashboards/secretary.json").read_text())
    exported = vars(secretary.metrics).values()
    known = {metric._name for metric in exported if isinstance(metric, MetricWrapperBase)} | {
        "secretary_queue_depth",
        "secretary_pending_confirmations",
    }
    panels = dashboard["panels"]
    for panel in panels:
        for target in panel["targets"]:
            if panel["datasource"]["type"] != "prometheus":
                continue
            for series in re.findall(r"secretary_[a-z_]+", target["expr"]):
                base = re.sub(r"_(total|bucket|count|sum)$", "", series)
                assert base in known, f"{panel['title']}: {series} is not a series we export"
    titles = " ".join(panel["title"] for panel in panels)
    for subject in ("updates", "status", "latency", "AI", "429", "Queue"):
        assert subject in titles
    [logs] = [panel for panel in panels if panel["type"] == "logs"]
    assert "correlation_id" in logs["targets"][0]["expr"]
    assert dashboard["templating"]["list"][0]["name"] == "correlation_id"
