// Telegram's theme: its parameters become the --tg-theme-* variables style.css reads
// (telegram-web-app.js does the same when it loads; we do not count on it loading).
import { onEvent, webApp } from "./telegram.js";

const VARIABLES = {
  bg_color: "--tg-theme-bg-color",
  text_color: "--tg-theme-text-color",
  hint_color: "--tg-theme-hint-color",
  link_color: "--tg-theme-link-color",
  button_color: "--tg-theme-button-color",
  button_text_color: "--tg-theme-button-text-color",
  secondary_bg_color: "--tg-theme-secondary-bg-color",
  section_bg_color: "--tg-theme-section-bg-color",
  section_header_text_color: "--tg-theme-section-header-text-color",
  subtitle_text_color: "--tg-theme-subtitle-text-color",
  accent_text_color: "--tg-theme-accent-text-color",
  destructive_text_color: "--tg-theme-destructive-text-color",
  header_bg_color: "--tg-theme-header-bg-color",
  bottom_bar_bg_color: "--tg-theme-bottom-bar-bg-color",
};
const COLOR = /^#[0-9a-f]{3,8}$/i;

export function applyTheme() {
  const params = webApp()?.themeParams ?? {};
  const root = document.documentElement;
  let given = 0;
  for (const [key, variable] of Object.entries(VARIABLES)) {
    const value = params[key];
    if (typeof value === "string" && COLOR.test(value)) {
      root.style.setProperty(variable, value);
      given += 1;
    } else {
      root.style.removeProperty(variable);
    }
  }
  // With Telegram's colours the fallbacks follow its scheme, not the system's.
  const scheme = webApp()?.colorScheme;
  if (given && (scheme === "light" || scheme === "dark")) root.dataset.theme = scheme;
  else delete root.dataset.theme;
}

export function followTheme() {
  applyTheme();
  onEvent("themeChanged", applyTheme);
}
