"""Every screen of the Mini App as an owner sees it: both themes, both languages, a phone.

At 390×844, in Telegram's light and night themes, in Russian and English, each screen
is checked by axe-core (no serious or critical violation, contrast and target size
included), shows none of the page's own back or save controls beside Telegram's, and
is saved as a screenshot under ``.ci/artifacts/`` (``MINIAPP_README_SHOTS=1`` also
writes the README's two pictures to docs/).
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from notes.models import NoteKind, NoteStatus
from secretary.models import Preferences
from tests.factories import NoteFactory, PendingConfirmationFactory
from tests.fakes.telegram import BOT_ID
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT
from tests.webapp.initdata import ALICE, signed_init_data

pytestmark = pytest.mark.usefixtures("transactional_db")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / ".ci" / "artifacts"
README_SHOTS = os.environ.get("MINIAPP_README_SHOTS") == "1"
AXE = Axe()
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
RECEIVED = datetime(2026, 11, 24, 18, 39, tzinfo=UTC)  # 21:39 in Moscow
LONG_TEXT = ("Длинная заметка о чтении и заметках, которые перечитываешь. " * 50)[:3000]


@pytest.fixture
def notebook(archive, alice):
    """Alice (Moscow time) with notes in every state the screens tell apart."""
    _group, topics = archive
    Preferences.objects.filter(user=alice).update(time_zone="Europe/Moscow")
    filed = NoteFactory(
        owner=alice,
        source_chat_id=ALICE_CHAT,
        text=LONG_TEXT,
        title="Длинная заметка",
        topic=topics["books"],
        status=NoteStatus.PUBLISHED,
        rendered_text=f"<b>Длинная заметка</b>\n\n{LONG_TEXT}",
        published_at=RECEIVED + timedelta(minutes=1),
    )
    awaiting = NoteFactory(
        owner=alice,
        source_chat_id=ALICE_CHAT,
        text="Прочитать «Мастера и Маргариту»",
        title="Мастер и Маргарита",
        status=NoteStatus.AWAITING_CONFIRMATION,
        topic=topics["books"],
        confidence=0.62,
        reason="Похоже на книгу",
        rendered_text="<b>Мастер и Маргарита</b>",
    )
    PendingConfirmationFactory(note=awaiting, preview_chat_id=ALICE_CHAT, preview_message_id=4242)
    expired = NoteFactory(
        owner=alice,
        source_chat_id=ALICE_CHAT,
        text="Что-то без темы",
        status=NoteStatus.EXPIRED,
        kind=NoteKind.TEXT,
        ai_provider="",
    )
    from notes.models import Note

    Note.objects.filter(pk__in=[filed.pk, awaiting.pk, expired.pk]).update(created_at=RECEIVED)
    return {"filed": filed, "awaiting": awaiting, "expired": expired, "topics": topics}


def screens(notebook) -> list[tuple[str, str, str]]:
    """(name, route, a test id that is there once the screen is drawn)."""
    books = notebook["topics"]["books"].pk
    filed = notebook["filed"].pk
    return [
        ("topics", "#topics", "topic-list"),
        ("topic-new", "#topics/new", "topic-create-form"),
        ("topic-edit", f"#topics/{books}", "topic-edit-form"),
        ("pending", "#pending", "pending-list"),
        ("history", "#history", "history-item"),
        ("note", f"#history/{filed}", "note-stages"),
        ("usage", "#usage", "usage-totals"),
        ("settings", "#settings", "settings-form"),
    ]


def serious_violations(page: Page) -> list[str]:
    results = AXE.run(page, options=AXE_OPTIONS)
    return [
        f"{item['id']} ({item['impact']}): {node['target']} {node.get('failureSummary', '')[-160:]}"
        for item in results.response["violations"]
        if item["impact"] in ("serious", "critical")
        for node in item["nodes"]
    ]


def in_page_duplicates(page: Page) -> list[str]:
    shown = []
    for testid in ("back", "topic-save", "topic-create", "settings-save"):
        if page.get_by_test_id(testid).is_visible():
            shown.append(testid)
    return shown


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_screen_passes_axe_in_both_languages_with_telegrams_controls_only(
    open_miniapp, telegram, notebook, alice, dark
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems_seen: dict[str, list[str]] = {}
    for language in ("ru", "en"):
        Preferences.objects.filter(user=alice).update(language=language)
        page, problems = open_miniapp("#topics", dark=dark)
        expect(page.locator("html")).to_have_attribute("lang", language)
        for name, route, ready in screens(notebook):
            page.evaluate("hash => { location.hash = hash; }", route)
            expect(page.get_by_test_id(ready).first).to_be_visible()
            expect(page.get_by_test_id("loading")).to_have_count(0)
            page.evaluate("() => document.getElementById('toasts').replaceChildren()")
            shot = f"miniapp-{name}-{'dark' if dark else 'light'}-{language}.png"
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
            violations = serious_violations(page)
            if violations:
                problems_seen[f"{name}/{language}"] = violations
            assert in_page_duplicates(page) == [], name
            back = page.evaluate("() => Telegram.WebApp.BackButton.isVisible")
            assert back == ("/" in route), name  # Telegram's BackButton on inner screens only
            if README_SHOTS and name == "topic-edit" and language == "en":
                page.screenshot(
                    path=str(ROOT / "docs" / f"miniapp-{'dark' if dark else 'light'}.png")
                )
        assert problems.errors == []
        page.context.close()
    report = ARTIFACTS / f"axe-{'dark' if dark else 'light'}.json"
    report.write_text(json.dumps(problems_seen, ensure_ascii=False, indent=1))
    assert problems_seen == {}


def test_language_switches_both_ways_with_no_stale_label_and_times_in_the_owners_zone(
    open_miniapp, telegram, notebook, alice
):
    filed = notebook["filed"]
    page, problems = open_miniapp(f"#history/{filed.pk}")

    status = page.get_by_test_id("note-status")
    expect(status).to_contain_text("Опубликована")
    # Received 18:39 UTC: 21:39 in Moscow, on the stage as in the header facts.
    expect(page.get_by_test_id("stage-at-received")).to_contain_text("21:39")
    expect(page.get_by_test_id("note-created")).to_contain_text("21:39")
    expect(page.get_by_test_id("note-stages")).to_contain_text("Получена")
    # The text of 3,000 characters shows once (the rendered note); the original is folded.
    assert page.get_by_text(LONG_TEXT[:40]).locator("visible=true").count() == 1

    page.get_by_test_id("lang-en").click()
    expect(status).to_contain_text("Published")
    expect(status).not_to_contain_text("Опубликована")
    expect(page.get_by_test_id("note-stages")).to_contain_text("Received")
    expect(page.get_by_test_id("note-stages")).not_to_contain_text("Получена")
    expect(page.get_by_test_id("stage-at-received")).to_contain_text("21:39")
    _wait_for(lambda: Preferences.objects.get(user=alice).language == "en")

    page.get_by_test_id("lang-ru").click()
    expect(status).to_contain_text("Опубликована")
    expect(page.get_by_test_id("note-stages")).to_contain_text("Получена")
    expect(page.get_by_test_id("tab-settings")).to_contain_text("Настройки")
    _wait_for(lambda: Preferences.objects.get(user=alice).language == "ru")

    # Settings: the toast after a language change speaks the new language.
    page.get_by_test_id("tab-settings").click()
    page.get_by_test_id("settings-language").select_option("en")
    page.evaluate("() => Telegram.WebApp.MainButton.press()")
    expect(page.get_by_test_id("toast").last).to_have_text("Saved")
    expect(page.get_by_test_id("tab-settings")).to_contain_text("Settings")
    assert problems.errors == []


def test_as_in_telegram_follows_telegrams_language_at_every_visit(
    open_miniapp, telegram, notebook, alice
):
    Preferences.objects.filter(user=alice).update(language="")
    page, _problems = open_miniapp("#topics")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.context.close()

    page, problems = open_miniapp("#topics", user={**ALICE, "language_code": "en"})
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("tab-topics")).to_contain_text("Topics")
    assert problems.errors == []


def test_an_expired_note_says_it_expired_not_that_it_waits(open_miniapp, telegram, notebook):
    page, problems = open_miniapp(f"#history/{notebook['expired'].pk}")

    stages = page.get_by_test_id("note-stages")
    expect(stages).to_contain_text("Не подтверждена вовремя")
    expect(stages).not_to_contain_text("ждёт вашего выбора")
    assert problems.errors == []


def test_a_slow_then_failing_telegram_is_answered_at_once_with_progress_then_an_error(
    open_miniapp, telegram, notebook
):
    page, problems = open_miniapp("#topics/new")
    telegram.delay = 1.5
    telegram.set_member(GROUP_CHAT, BOT_ID, "administrator", can_manage_topics=False)

    page.get_by_test_id("topic-name").fill("🎬 Фильмы")
    with page.expect_response("**/api/v1/topics/") as answered:
        page.evaluate("() => Telegram.WebApp.MainButton.press()")
    response = answered.value
    assert response.status == 202
    assert response.request.timing["responseEnd"] < 300  # ms: Telegram is not waited for
    # While Telegram thinks: the MainButton's progress.
    assert page.evaluate("() => Telegram.WebApp.MainButton.isProgressVisible")
    # Then Telegram's refusal, in her words, beside the form; what she typed stays.
    expect(page.get_by_test_id("form-error")).to_contain_text("Мой архив", timeout=15_000)
    expect(page.get_by_test_id("topic-name")).to_have_value("🎬 Фильмы")
    assert not page.evaluate("() => Telegram.WebApp.MainButton.isProgressVisible")
    assert "error" in page.evaluate("() => window.__tg.haptics")

    # A pending note's ✅ with Telegram slow: answered at once, the card shows progress.
    telegram.set_member(GROUP_CHAT, BOT_ID, "administrator", can_manage_topics=True)
    awaiting = notebook["awaiting"]
    page.evaluate("() => { location.hash = '#pending'; }")
    with page.expect_response(f"**/api/v1/pending/{awaiting.pk}/cancel/") as answered:
        page.get_by_test_id(f"pending-cancel-{awaiting.pk}").click()
    assert answered.value.status == 202
    assert answered.value.request.timing["responseEnd"] < 300
    expect(page.get_by_test_id(f"pending-status-{awaiting.pk}")).to_contain_text("Отправляю")
    expect(page.get_by_test_id("pending-card")).to_have_count(0, timeout=15_000)
    assert page.evaluate("() => window.__tg.confirms")  # showConfirm before ❌
    telegram.delay = 0.0
    assert problems.errors == []


def test_an_expired_sign_in_says_how_to_reopen_the_app_once_and_offers_no_retry(
    open_miniapp, telegram, alice
):
    old = signed_init_data(ALICE, auth_date=time.time() - 2 * 3600)
    page, problems = open_miniapp("#topics", init_data=old)

    failed = page.get_by_test_id("screen-error")
    expect(failed).to_contain_text("Вход устарел")
    expect(failed).to_contain_text("откройте снова из бота")
    expect(page.get_by_test_id("retry-screen")).to_have_count(0)
    expect(page.get_by_test_id("toast")).to_have_count(0)  # said once, on the screen
    assert problems.errors == []


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)
