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

// Subscribe to a WebApp event; returns the unsubscribe function.
export function onEvent(name, handler) {
  safely(() => webApp()?.onEvent?.(name, handler));
  return () => safely(() => webApp()?.offEvent?.(name, handler));
}

// Show the MainButton with ``text`` calling ``handler``; returns the function that
// takes it away again (handler removed with offClick, button hidden).
export function showMainButton(text, handler) {
  const button = webApp()?.MainButton;
  if (!button) return () => {};
  safely(() => button.setText?.(text));
  safely(() => button.onClick?.(handler));
  safely(() => button.enable?.());
  safely(() => button.show?.());
  return () => {
    safely(() => button.offClick?.(handler));
    safely(() => button.hideProgress?.());
    safely(() => button.hide?.());
  };
}

export function mainButtonBusy(busy) {
  const button = webApp()?.MainButton;
  if (!button) return;
  if (busy) {
    safely(() => button.showProgress?.(false));
    safely(() => button.disable?.());
  } else {
    safely(() => button.hideProgress?.());
    safely(() => button.enable?.());
  }
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
