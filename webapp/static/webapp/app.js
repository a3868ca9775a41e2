// The Mini App: bootstrap, the shell (header with the language switch, tab bar) and
// a hash router. Each screen is a function (ctx, ...route params) in its own module.
import { createApi } from "./api.js";
import { fill, h } from "./dom.js";
import { historyScreen } from "./history.js";
import { language, languageFromCode, loadStrings, setLanguage, t } from "./i18n.js";
import { noteScreen } from "./note.js";
import { pendingScreen } from "./pending.js";
import { remindersScreen } from "./reminders.js";
import { settingsScreen } from "./settings.js";
import { initData, mainButtonBusy, ready, showBackButton, showMainButton, telegramUser } from "./telegram.js";
import { followTheme } from "./theme.js";
import { topicCreate, topicEdit, topicList } from "./topics.js";
import { button, errorText, loading, showError } from "./ui.js";
import { usageScreen } from "./usage.js";

const TABS = [
  { name: "topics", icon: "🗂", label: "tab_topics" },
  { name: "pending", icon: "⏳", label: "tab_pending" },
  { name: "history", icon: "🕘", label: "tab_history" },
  { name: "usage", icon: "📊", label: "tab_usage" },
  { name: "settings", icon: "⚙️", label: "tab_settings" },
];
const ROUTES = [
  { pattern: /^topics$/, tab: "topics", screen: topicList },
  { pattern: /^topics\/new$/, tab: "topics", screen: topicCreate, back: "#topics" },
  { pattern: /^topics\/(\d+)$/, tab: "topics", screen: topicEdit, back: "#topics" },
  { pattern: /^pending$/, tab: "pending", screen: pendingScreen },
  { pattern: /^history$/, tab: "history", screen: historyScreen },
  { pattern: /^history\/(\d+)$/, tab: "history", screen: noteScreen, back: "#history" },
  { pattern: /^usage$/, tab: "usage", screen: usageScreen },
  { pattern: /^settings$/, tab: "settings", screen: settingsScreen },
  { pattern: /^reminders$/, tab: "history", screen: remindersScreen, back: "#history" },
  { pattern: /^reminders\/(\d+)$/, tab: "history", screen: remindersScreen, back: "#history" },
];
const DEFAULT_ROUTE = "topics";

const state = {
  api: null,
  config: {},
  me: null,
  shell: null,
  visit: null, // the screen on show: its context, cleanups and abort controller
  drafts: new Map(), // what the owner typed, per route, kept across re-renders
  languageSaving: Promise.resolve(),
  pendingCount: null,
};

function readJson(id) {
  try {
    return JSON.parse(document.getElementById(id)?.textContent ?? "null");
  } catch {
    return null;
  }
}

function boot() {
  loadStrings(readJson("webapp-strings"));
  state.config = readJson("webapp-config") ?? {};
  followTheme();
  ready();
  const data = initData();
  if (!data) {
    setLanguage(languageFromCode(navigator.language));
    showOutsideTelegram();
    return;
  }
  setLanguage(languageFromCode(telegramUser()?.language_code));
  state.api = createApi({ base: state.config.apiBase || "/api/v1/", initData: data, language });
  buildShell();
  window.addEventListener("hashchange", () => show());
  state.shell.screen.replaceChildren(loading());
  // The first screen waits for the owner's language, so it is drawn once, in it.
  loadMe().finally(() => {
    show();
    refreshPendingCount();
  });
}

async function loadMe() {
  try {
    state.me = await state.api.get("me/");
  } catch (error) {
    showError(error);
    return;
  }
  if (state.me?.language) setLanguage(state.me.language);
  paintShell();
}

function showOutsideTelegram() {
  document.title = t("app_title");
  document.getElementById("app").replaceChildren(
    h("div", { class: "outside", testid: "outside-telegram" },
      h("div", { class: "outside-icon", "aria-hidden": "true", text: "🗂" }),
      h("h1", { text: t("outside_title") }),
      h("p", { text: t("outside_text") }),
    ),
  );
}

// -- the shell -------------------------------------------------------------------------

function buildShell() {
  const title = h("div", { class: "app-title", testid: "app-title" });
  const subtitle = h("div", { class: "app-subtitle", testid: "group-title" });
  const languages = ["ru", "en"].map((code) =>
    h("button", {
      type: "button",
      class: "lang",
      testid: `lang-${code}`,
      lang: code,
      text: code.toUpperCase(),
      onclick: () => switchLanguage(code),
    }),
  );
  const switcher = h("div", { class: "lang-switch", role: "group" }, languages);
  const back = h("a", { class: "back-link", testid: "back", hidden: true });
  const screen = h("main", { id: "screen", class: "screen", tabindex: "-1" });
  const tabs = TABS.map((tab) =>
    h("a", { class: "tab", href: `#${tab.name}`, testid: `tab-${tab.name}`, dataset: { tab: tab.name } },
      h("span", { class: "tab-icon", "aria-hidden": "true", text: tab.icon }),
      h("span", { class: "tab-label" }),
      tab.name === "pending" ? h("span", { class: "tab-count", testid: "pending-count", hidden: true }) : null,
    ),
  );
  const nav = h("nav", { class: "tabbar" }, tabs);
  document.getElementById("app").replaceChildren(
    h("header", { class: "topbar" }, h("div", { class: "brand" }, title, subtitle), switcher),
    h("div", { class: "backbar" }, back),
    screen,
    nav,
  );
  state.shell = { title, subtitle, languages, switcher, back, screen, tabs, nav };
  paintShell();
}

function paintShell() {
  const shell = state.shell;
  if (!shell) return;
  document.title = t("app_title");
  shell.title.textContent = t("app_title");
  shell.subtitle.textContent = state.me?.group?.title ?? (state.me ? t("header_no_group") : "");
  shell.switcher.setAttribute("aria-label", t("language_switch"));
  for (const item of shell.languages) {
    const active = item.getAttribute("lang") === language();
    item.setAttribute("aria-pressed", String(active));
    item.setAttribute("aria-label", t(item.getAttribute("lang") === "ru" ? "language_ru" : "language_en"));
  }
  shell.nav.setAttribute("aria-label", t("tabs_label"));
  TABS.forEach((tab, index) => {
    shell.tabs[index].querySelector(".tab-label").textContent = t(tab.label);
  });
  shell.back.textContent = `‹ ${t("back")}`;
  paintPendingCount();
}

function paintPendingCount() {
  const counter = state.shell?.nav.querySelector(".tab-count");
  if (!counter) return;
  counter.hidden = !state.pendingCount;
  counter.textContent = state.pendingCount ? String(state.pendingCount) : "";
  counter.setAttribute("aria-label", t("pending_count_label", { count: state.pendingCount ?? 0 }));
}

function setPendingCount(count) {
  state.pendingCount = count;
  paintPendingCount();
}

async function refreshPendingCount() {
  try {
    const items = await state.api.get("pending/");
    if (Array.isArray(items)) setPendingCount(items.length);
  } catch {
    // only a badge: the Pending screen itself reports errors
  }
}

async function switchLanguage(next) {
  if (next === language()) return;
  const previous = language();
  setLanguage(next);
  // The header wins over a language picked, not yet saved, in Settings.
  for (const draft of state.drafts.values()) delete draft.language;
  paintShell();
  show({ keepDraft: true });
  const saving = state.api.patch("preferences/", { language: next });
  state.languageSaving = saving.then(() => undefined, () => undefined);
  try {
    await saving;
  } catch (error) {
    showError(error);
    if (language() === next) {
      setLanguage(previous);
      paintShell();
      show({ keepDraft: true });
    }
  }
}

// A screen (Settings) saved a new language: adopt it everywhere.
function applyLanguage(next) {
  if (!next || next === language()) return false;
  setLanguage(next);
  paintShell();
  show({ keepDraft: true });
  return true;
}

// -- the router ------------------------------------------------------------------------

function resolve(hash) {
  const path = hash.replace(/^#\/?/, "").replace(/[?].*$/, "").replace(/\/+$/, "");
  for (const route of ROUTES) {
    const match = route.pattern.exec(path || DEFAULT_ROUTE);
    if (match) return { route, path: path || DEFAULT_ROUTE, params: match.slice(1) };
  }
  return null;
}

function show({ keepDraft = false } = {}) {
  let found = resolve(location.hash);
  if (!found) {
    history.replaceState(null, "", `#${DEFAULT_ROUTE}`);
    found = resolve(`#${DEFAULT_ROUTE}`);
  }
  const { route, path, params } = found;
  const samePlace = state.visit?.path === path;
  state.visit?.leave();
  if (!keepDraft) {
    for (const key of [...state.drafts.keys()]) if (key !== path) state.drafts.delete(key);
  }
  if (!state.drafts.has(path)) state.drafts.set(path, {});
  const ctx = visit(route, path);
  for (const tab of state.shell.tabs) {
    const active = tab.dataset.tab === route.tab;
    tab.classList.toggle("active", active);
    if (active) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  showBack(ctx, route.back);
  state.shell.screen.replaceChildren(loading());
  if (!samePlace) window.scrollTo(0, 0);
  Promise.resolve()
    .then(() => route.screen(ctx, ...params))
    .catch((error) => {
      if (ctx.live() && error?.name !== "AbortError") showFailedScreen(ctx, error);
    });
}

function visit(route, path) {
  const controller = new AbortController();
  const cleanups = [];
  const ctx = {
    path,
    root: state.shell.screen,
    api: state.api,
    me: state.me,
    config: state.config,
    signal: controller.signal,
    draft: state.drafts.get(path),
    live: () => state.visit === ctx,
    onLeave: (cleanup) => cleanups.push(cleanup),
    navigate: (hash) => {
      if (location.hash === hash) show();
      else location.hash = hash;
    },
    rerender: () => ctx.live() && show({ keepDraft: true }),
    mainButton: (text, handler) => cleanups.push(showMainButton(text, handler)),
    mainButtonBusy,
    languageSaved: () => state.languageSaving,
    applyLanguage,
    setPendingCount,
    leave: () => {
      controller.abort();
      for (const cleanup of cleanups.splice(0)) {
        try {
          cleanup();
        } catch {
          // a cleanup must not keep the next screen from showing
        }
      }
    },
  };
  state.visit = ctx;
  return ctx;
}

function showBack(ctx, target) {
  const link = state.shell.back;
  link.hidden = !target;
  link.parentElement.hidden = !target;
  if (!target) return;
  link.href = target;
  ctx.onLeave(showBackButton(() => ctx.navigate(target)));
}

function showFailedScreen(ctx, error) {
  fill(ctx.root,
    h("div", { class: "failed", role: "alert", testid: "screen-error" },
      h("p", { text: errorText(error) }),
      button(t("try_again"), { testid: "retry-screen", kind: "primary", onclick: () => ctx.rerender() }),
    ),
  );
}

boot();
