// The Mini App: bootstrap, the shell (header with the language switch, tab bar) and
// a hash router. Each screen is a function (ctx, ...route params) in its own module.
import { createApi } from "./api.js";
import { fill, h } from "./dom.js";
import { language, languageFromCode, loadStrings, setLanguage, setTimeZone, t } from "./i18n.js";
import {
  bottomButton, followViewport, initData, nativeControls, onSettingsButton, ready, showBackButton, telegramUser,
} from "./telegram.js";
import { followTheme } from "./theme.js";
import { button, errorText, loading, showError } from "./ui.js";

const TABS = [
  { name: "topics", icon: "🗂", label: "tab_topics" },
  { name: "pending", icon: "⏳", label: "tab_pending" },
  { name: "history", icon: "🕘", label: "tab_history" },
  { name: "usage", icon: "📊", label: "tab_usage" },
  { name: "settings", icon: "⚙️", label: "tab_settings" },
];
// A screen's module loads when it is first shown: the first screen does not wait for
// the code of the others. A new screen is a module of its own and a line here.
const lazy = (module, name) => async (...args) => (await import(module))[name](...args);
const ROUTES = [
  { pattern: /^topics$/, tab: "topics", screen: lazy("./topics.js", "topicList") },
  { pattern: /^topics\/new$/, tab: "topics", screen: lazy("./topics.js", "topicCreate"), back: "#topics" },
  { pattern: /^topics\/(\d+)$/, tab: "topics", screen: lazy("./topics.js", "topicEdit"), back: "#topics" },
  { pattern: /^pending$/, tab: "pending", screen: lazy("./pending.js", "pendingScreen") },
  { pattern: /^history$/, tab: "history", screen: lazy("./history.js", "historyScreen") },
  { pattern: /^history\/(\d+)$/, tab: "history", screen: lazy("./note.js", "noteScreen"), back: "#history" },
  { pattern: /^usage$/, tab: "usage", screen: lazy("./usage.js", "usageScreen") },
  { pattern: /^settings$/, tab: "settings", screen: lazy("./settings.js", "settingsScreen") },
  { pattern: /^reminders$/, tab: "history", screen: lazy("./reminders.js", "remindersScreen"), back: "#history" },
  { pattern: /^reminders\/(\d+)$/, tab: "history", screen: lazy("./reminders.js", "remindersScreen"), back: "#history" },
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
  meReady: Promise.resolve(false), // /me/ answered (or failed): language and zone are set
  pendingCount: null,
  native: false, // Telegram draws BackButton and MainButton
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
  followViewport();
  ready();
  const data = initData();
  if (!data) {
    setLanguage(languageFromCode(navigator.language));
    showOutsideTelegram();
    return;
  }
  state.native = nativeControls();
  document.documentElement.classList.toggle("native-controls", state.native);
  // The first guess: the owner's choice as last seen here, else Telegram's language.
  const remembered = rememberedOwner();
  setLanguage(remembered.language || languageFromCode(telegramUser()?.language_code));
  setTimeZone(remembered.time_zone);
  state.api = createApi({ base: state.config.apiBase || "/api/v1/", initData: data, language });
  buildShell();
  window.addEventListener("hashchange", () => show());
  onSettingsButton(() => {
    if (location.hash !== "#settings") location.hash = "#settings";
  });
  // The first screen's calls go out beside /me/, not after it; their answers reach the
  // screen once /me/ has set the owner's language and zone, so it is drawn once, right.
  state.meReady = loadMe();
  show();
  refreshPendingCount();
}

const OWNER_KEY = "secretary.owner";

function rememberedOwner() {
  try {
    const saved = JSON.parse(localStorage.getItem(OWNER_KEY) ?? "{}");
    return saved?.id === telegramUser()?.id ? saved : {};
  } catch {
    return {};
  }
}

// /me/: the owner's language and zone. True when either differs from the guess drawn.
async function loadMe() {
  try {
    state.me = await state.api.get("me/");
  } catch {
    return false; // the screen beside it meets the same failure and says what it is
  }
  const me = state.me ?? {};
  // "As in Telegram" is Telegram's language of this visit, whatever it was before.
  const next = me.language_setting ? me.language : languageFromCode(telegramUser()?.language_code ?? me.language);
  try {
    localStorage.setItem(OWNER_KEY, JSON.stringify({
      id: telegramUser()?.id, language: me.language_setting ? me.language : "", time_zone: me.time_zone,
    }));
  } catch {
    // private mode: the guess is Telegram's language next time
  }
  const changed = next !== language() || setTimeZone(me.time_zone);
  setLanguage(next);
  paintShell();
  return changed;
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
  show({ keepDraft: true, quiet: true });
  const saving = state.api.patch("preferences/", { language: next });
  state.languageSaving = saving.then(() => undefined, () => undefined);
  try {
    await saving;
    if (state.me) state.me = { ...state.me, language: next, language_setting: next };
    // What the server words itself (stage details, refusals) comes again, in the new language.
    if (language() === next) show({ keepDraft: true, quiet: true });
  } catch (error) {
    showError(error);
    if (language() === next) {
      setLanguage(previous);
      paintShell();
      show({ keepDraft: true, quiet: true });
    }
  }
}

// A screen (Settings) saved a new language: adopt it everywhere.
function applyLanguage(next) {
  if (!next || next === language()) return false;
  setLanguage(next);
  paintShell();
  show({ keepDraft: true, quiet: true });
  return true;
}

// Settings saved a new zone: every time on screen follows it.
function applyTimeZone(zone) {
  if (!setTimeZone(zone)) return false;
  if (state.me) state.me = { ...state.me, time_zone: zone };
  show({ keepDraft: true, quiet: true });
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

function show({ keepDraft = false, quiet = false } = {}) {
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
  // A quiet re-render keeps the screen until the new one is drawn (no flash of "loading").
  if (!quiet || !state.shell.screen.children.length) state.shell.screen.replaceChildren(loading());
  if (!samePlace) window.scrollTo(0, 0);
  Promise.resolve()
    .then(() => route.screen(ctx, ...params))
    .catch((error) => {
      if (ctx.live() && error?.name !== "AbortError") showFailedScreen(ctx, error);
    });
}

// The API as a screen sees it: each answer handed over once /me/ is in.
function afterMe(api) {
  const wait = (call) => (...args) => Promise.all([call(...args), state.meReady]).then(([answer]) => answer);
  return { get: wait(api.get), post: wait(api.post), patch: wait(api.patch), delete: wait(api.delete) };
}

function visit(route, path) {
  const controller = new AbortController();
  const cleanups = [];
  const ctx = {
    path,
    root: state.shell.screen,
    api: afterMe(state.api),
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
    native: state.native,
    bottomButton: (which, text, handler) => {
      const control = bottomButton(which, text, handler);
      cleanups.push(() => control.remove());
      return control;
    },
    languageSaved: () => state.languageSaving,
    applyLanguage,
    applyTimeZone,
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
  // Inside Telegram its BackButton is the only way back; the link is for a browser.
  const inPage = Boolean(target) && !state.native;
  link.hidden = !inPage;
  link.parentElement.hidden = !inPage;
  if (!target) return;
  link.href = target;
  ctx.onLeave(showBackButton(() => ctx.navigate(target)));
}

function showFailedScreen(ctx, error) {
  if (error?.status === 401) {
    // Trying again cannot help: only a new start from the bot signs the page anew.
    fill(ctx.root,
      h("div", { class: "failed", role: "alert", testid: "screen-error" },
        h("h2", { text: t("signin_expired_title") }),
        h("p", { text: t("signin_expired_text") }),
      ),
    );
    return;
  }
  fill(ctx.root,
    h("div", { class: "failed", role: "alert", testid: "screen-error" },
      h("p", { text: errorText(error) }),
      button(t("try_again"), { testid: "retry-screen", kind: "primary", onclick: () => ctx.rerender() }),
    ),
  );
}

boot();
