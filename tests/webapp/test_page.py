"""The Mini App's page: framable by Telegram, never cached, both languages embedded."""

from __future__ import annotations

import json
import re

from webapp.strings import STRINGS, webapp_strings


def embedded(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


def test_the_page_can_be_shown_in_telegrams_iframe_and_is_never_cached(client):
    response = client.get("/webapp/")

    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert "no-cache" in response.headers["Cache-Control"]


def test_the_page_embeds_the_strings_of_both_languages_and_the_api_base(client):
    html = client.get("/webapp/").content.decode()

    strings = embedded(html, "webapp-strings")
    assert set(strings) == {"en", "ru"}
    assert set(strings["en"]) == set(strings["ru"]) == set(STRINGS)
    assert strings["en"]["tab_topics"] == "Topics"
    assert strings == webapp_strings()
    assert embedded(html, "webapp-config")["apiBase"] == "/api/v1/"


def test_telegrams_script_runs_before_the_app_module_without_blocking_the_page(client):
    html = client.get("/webapp/").content.decode()

    telegram = html.index(
        '<script defer src="https://telegram.org/js/telegram-web-app.js"></script>'
    )
    app = html.index('<script type="module" src="/static/webapp/app.js"></script>')
    assert telegram < app


def test_the_modules_every_screen_needs_are_preloaded_and_screens_load_on_demand(client):
    html = client.get("/webapp/").content.decode()

    for module in ("app", "api", "i18n", "ui", "telegram", "actions"):
        assert f'<link rel="modulepreload" href="/static/webapp/{module}.js">' in html
    assert 'href="/static/webapp/settings.js"' not in html


def test_only_get_is_allowed(client):
    assert client.post("/webapp/").status_code == 405
