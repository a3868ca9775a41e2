// Everything the page asks of Telegram.WebApp, guarded: outside Telegram (or when
// telegram-web-app.js did not load, or a client is too old for a method) each call
// quietly does nothing and the page offers its own controls instead.

export function webApp() {
  return window.Telegram?.WebApp ?? null;
}

function safely(call) {
  try {
    return call();
  } catch {
    return undefined; // WebAppMethodUnsupported on older clients
  }
}

export function initData() {
  const data = webApp()?.initData;
  return typeof data === "string" ? data : "";
}

export function telegramUser() {
  return webApp()?.initDataUnsafe?.user ?? null;
}

export function ready() {
  safely(() => webApp()?.ready?.());
  safely(() => webApp()?.expand?.());
}

// Telegram draws the back and save controls itself (BackButton since Bot API 6.1):
// then the page shows none of its own. In a browser, or a client too old, it does.
export function nativeControls() {
  const app = webApp();
  if (!app?.BackButton || !app?.MainButton || !initData()) return false;
  if (app.platform === "unknown") return false;
  return versionAtLeast("6.1");
}

// Subscribe to a WebApp event; returns the unsubscribe function.
export function onEvent(name, handler) {
  safely(() => webApp()?.onEvent?.(name, handler));
  return () => safely(() => webApp()?.offEvent?.(name, handler));
}

export function mainButtonBusy(busy, which = "MainButton") {
  const button = webApp()?.[which];
  if (!button) return;
  if (busy) {
    safely(() => button.showProgress?.(false));
    safely(() => button.disable?.());
  } else {
    safely(() => button.hideProgress?.());
    safely(() => button.enable?.());
  }
}

// A bottom button (MainButton or SecondaryButton) bound to ``handler`` but shown only
// while ``visible(true)`` says so: Telegram's save button appears when there is
// something to save. Returns {visible(bool), busy(bool), remove()}.
export function bottomButton(which, text, handler) {
  const button = webApp()?.[which];
  if (!button || !nativeControls()) return { visible() {}, busy() {}, remove() {} };
  safely(() => button.setText?.(text));
  safely(() => button.onClick?.(handler));
  let shown = false;
  return {
    visible(show) {
      if (show === shown) return;
      shown = show;
      safely(() => (show ? button.show?.() : button.hide?.()));
      if (show) safely(() => button.enable?.());
    },
    busy: (busy) => mainButtonBusy(busy, which),
    remove() {
      safely(() => button.offClick?.(handler));
      safely(() => button.hideProgress?.());
      safely(() => button.hide?.());
    },
  };
}

// Telegram's ⚙️ in the Mini App's menu opens Settings.
export function onSettingsButton(handler) {
  const button = webApp()?.SettingsButton;
  if (!button) return;
  safely(() => button.onClick?.(handler));
  safely(() => button.show?.());
}

// The visible height Telegram gives the app, as --tg-viewport-stable-height (the tab
// bar and sticky parts follow the keyboard and the expanded sheet).
export function followViewport() {
  const apply = () => {
    const height = webApp()?.viewportStableHeight;
    if (typeof height === "number" && height > 0) {
      document.documentElement.style.setProperty("--tg-viewport-stable-height", `${height}px`);
    }
  };
  apply();
  onEvent("viewportChanged", apply);
}

export function showBackButton(handler) {
  const button = webApp()?.BackButton;
  if (!button) return () => {};
  safely(() => button.onClick?.(handler));
  safely(() => button.show?.());
  return () => {
    safely(() => button.offClick?.(handler));
    safely(() => button.hide?.());
  };
}

function versionAtLeast(version) {
  const check = webApp()?.isVersionAtLeast;
  if (typeof check !== "function") return true;
  return Boolean(safely(() => check.call(webApp(), version)));
}

// Telegram's own confirmation popup when the client has one, else the browser's.
export function confirmDialog(message) {
  const app = webApp();
  if (typeof app?.showConfirm === "function" && versionAtLeast("6.2")) {
    return new Promise((resolve) => {
      try {
        app.showConfirm(message, (ok) => resolve(Boolean(ok)));
      } catch {
        resolve(window.confirm(message));
      }
    });
  }
  return Promise.resolve(window.confirm(message));
}

export function haptic(kind) {
  safely(() => webApp()?.HapticFeedback?.notificationOccurred?.(kind));
}

export function hapticTap() {
  safely(() => webApp()?.HapticFeedback?.impactOccurred?.("light"));
}

// Links open outside the Mini App: t.me inside Telegram, the rest in the browser.
export function openLink(href) {
  const app = webApp();
  let url;
  try {
    url = new URL(href);
  } catch {
    return;
  }
  const telegramLink = url.hostname === "t.me" && typeof app?.openTelegramLink === "function";
  const browserLink = url.protocol !== "tg:" && typeof app?.openLink === "function";
  try {
    if (telegramLink) return app.openTelegramLink(url.href);
    if (browserLink) return app.openLink(url.href);
  } catch {
    // an older client without the method: the browser's way below
  }
  window.open(url.href, "_blank", "noopener");
}
