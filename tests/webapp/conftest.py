"""Fixtures of the Mini App's tests.

The API tests and the browser tests share the fake Bot API (``telegram``) and alice's
forum group (``archive``) of the bot's tests. The browser tests drive headless Debian
chromium with Playwright against ``live_server`` on the real database; Telegram's side
is faked twice: the Bot API by ``FakeTelegram``, and ``window.Telegram.WebApp`` by an
init script (telegram.org itself is never reached).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.telegram_bot.conftest import archive, telegram
from tests.webapp.initdata import ALICE, signed_init_data

__all__ = ["archive", "telegram"]  # re-exported: the fixtures of the bot's tests

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 390, "height": 844}  # a phone
TIMEOUT_MS = 10_000  # for every action and every expectation
FIRST_LOAD_TIMEOUT_MS = 60_000
# Telegram's light theme ("day" in Telegram Desktop).
LIGHT_THEME = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#999999",
    "link_color": "#2481cc",
    "button_color": "#2481cc",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#efeff3",
    "section_bg_color": "#ffffff",
    "destructive_text_color": "#e53935",
}
# Telegram's night theme.
DARK_THEME = {
    "bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#0f0f0f",
    "section_bg_color": "#212121",
    "destructive_text_color": "#ff595a",
}

# A stand-in for telegram-web-app.js: the calls the page makes, recorded in window.__tg.
FAKE_WEBAPP = """
(() => {
  const config = %s;
  const record = { ready: false, expanded: false, confirms: [], calls: [], haptics: [] };
  const button = (name) => {
    const handlers = new Set();
    const log = (call) => record.calls.push(`${name}.${call}`);
    return {
      text: "", isVisible: false, isActive: true, isProgressVisible: false, handlers,
      setText(text) { this.text = text; log(`setText(${text})`); return this; },
      show() { this.isVisible = true; log("show"); return this; },
      hide() { this.isVisible = false; log("hide"); return this; },
      enable() { this.isActive = true; return this; },
      disable() { this.isActive = false; return this; },
      showProgress() { this.isProgressVisible = true; log("showProgress"); return this; },
      hideProgress() { this.isProgressVisible = false; return this; },
      onClick(handler) { handlers.add(handler); return this; },
      offClick(handler) { handlers.delete(handler); return this; },
      press() { for (const handler of [...handlers]) handler(); },
    };
  };
  const events = {};
  record.events = events; // a test fires themeChanged with window.__tg.events
  window.__tg = record;
  if (!config.initData && config.absent) return;
  window.Telegram = { WebApp: {
    initData: config.initData,
    initDataUnsafe: config.user ? { user: config.user } : {},
    version: "8.0",
    platform: "tdesktop",
    colorScheme: config.scheme,
    themeParams: config.theme,
    isVersionAtLeast: () => true,
    ready() { record.ready = true; },
    expand() { record.expanded = true; },
    onEvent(name, handler) { (events[name] ??= new Set()).add(handler); },
    offEvent(name, handler) { events[name]?.delete(handler); },
    viewportStableHeight: 844,
    MainButton: button("MainButton"),
    SecondaryButton: button("SecondaryButton"),
    BackButton: button("BackButton"),
    SettingsButton: button("SettingsButton"),
    HapticFeedback: {
      notificationOccurred(kind) { record.haptics.push(kind); },
      impactOccurred() {}, selectionChanged() {},
    },
    showConfirm(message, callback) { record.confirms.push(message); callback(true); },
    openLink() {},
    openTelegramLink() {},
  } };
})();
"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop running in this thread while it lives,
    # which Django takes for async code; the test's ORM calls are synchronous all the
    # same. One browser per module (a launch is seconds on a busy CI machine), so that
    # no loop outlives the module's browser tests.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield from _launched()


def _launched() -> Iterator[Browser]:
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        # Debian's chromium, never a downloaded one; as root it needs --no-sandbox.
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()
        # While that loop runs, Django keeps the test's connections apart from the
        # thread's usual ones (asgiref's Local follows the loop): hand them back here,
        # or one stays checked out of the pool and the test database cannot be dropped.
        connections.close_all()


class PageProblems:
    """Uncaught exceptions and console errors of the page, but not failed loads:
    an aborted telegram.org script and the API's 4xx answers are expected."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def on_page_error(self, error: Exception) -> None:
        self.errors.append(str(error))


@pytest.fixture
def open_miniapp(chromium: Browser, live_server) -> Iterator[Any]:
    """Open ``/webapp/<hash>`` as Telegram would, signed for ``user`` (alice by default);
    ``signed=False`` opens it with no init data, ``in_telegram=False`` without WebApp."""
    contexts = []

    def open_page(
        hash_: str = "",
        *,
        user: dict[str, Any] | None = None,
        signed: bool = True,
        in_telegram: bool = True,
        locale: str = "ru-RU",
        dark: bool = False,
        lazy: bool = False,
        init_data: str | None = None,
    ) -> tuple[Page, PageProblems]:
        scheme = "dark" if dark else "light"
        context = chromium.new_context(viewport=VIEWPORT, locale=locale, color_scheme=scheme)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("https://telegram.org/**", lambda route: route.abort())
        who = user or ALICE
        config = {
            "initData": init_data or (signed_init_data(who) if signed else ""),
            "user": who if signed else None,
            "theme": DARK_THEME if dark else LIGHT_THEME,
            "scheme": scheme,
            "absent": not in_telegram,
        }
        context.add_init_script(FAKE_WEBAPP % json.dumps(config, ensure_ascii=False))
        page = context.new_page()
        problems = PageProblems()
        page.on("console", problems.on_console)
        page.on("pageerror", problems.on_page_error)
        if lazy:  # the caller goes to the page itself (after routing or slowing it)
            return page, problems
        # The server's first request imports the AI SDKs: slow on a busy CI machine.
        page.goto(f"{live_server.url}/webapp/{hash_}", timeout=FIRST_LOAD_TIMEOUT_MS)
        return page, problems

    yield open_page
    for context in contexts:
        context.close()
