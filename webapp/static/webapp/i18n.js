// UI strings of both languages come embedded in the page (webapp/strings.py), so a
// language switch re-renders at once, without a reload.

let catalogs = { en: {} };
let current = "en";
let zone = undefined; // the owner's IANA time zone; undefined: the device's own

export function loadStrings(all) {
  catalogs = all && typeof all === "object" ? all : { en: {} };
}

// Telegram sends IETF tags (ru, en-US, uk); we speak ru and en (as the bot does).
export function languageFromCode(code) {
  const tag = String(code ?? "").toLowerCase();
  return ["ru", "uk", "be", "kk"].some((prefix) => tag.startsWith(prefix)) ? "ru" : "en";
}

export function setLanguage(language) {
  current = catalogs[language] ? language : "en";
  document.documentElement.lang = current;
  return current;
}

export function language() {
  return current;
}

// The string ``key`` in the current language, with {name} placeholders filled in.
export function t(key, params = {}) {
  const text = catalogs[current]?.[key] ?? catalogs.en?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

function locale() {
  return current === "ru" ? "ru-RU" : "en-GB";
}

// The owner's zone (Settings → Time zone): every time shown is in it. True if it changed.
export function setTimeZone(name) {
  let next;
  try {
    next = name ? new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone : undefined;
  } catch {
    next = undefined; // a zone this browser does not know: the device's own
  }
  const changed = next !== zone;
  zone = next;
  return changed;
}

export function timeZone() {
  return zone;
}

// How far the owner's zone is ahead of UTC at an instant (ms).
function zoneOffset(ms) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(ms)).map((part) => [part.type, part.value]),
  );
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

// A moment as a datetime-local field's value, on the owner's clock.
export function zonedInputValue(iso) {
  const ms = new Date(iso).getTime();
  return new Date(ms + zoneOffset(ms)).toISOString().slice(0, 16);
}

// A datetime-local field's value, read on the owner's clock, as an ISO moment.
export function instantFromZoned(value) {
  const wall = new Date(`${value}:00Z`).getTime();
  if (Number.isNaN(wall)) return "";
  let ms = wall - zoneOffset(wall);
  ms = wall - zoneOffset(ms); // across a DST change the offset at the moment itself counts
  return new Date(ms).toISOString();
}

// The one formatter of moments: the owner's language, the owner's zone.
export function formatDateTime(iso, options = { dateStyle: "medium", timeStyle: "short" }) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(locale(), { ...options, timeZone: zone }).format(date);
}

export function formatTime(iso) {
  return formatDateTime(iso, { hour: "2-digit", minute: "2-digit" });
}

// A calendar date such as 2026-11-30, shown as a date (no time zone shift).
export function formatDay(day, options = { day: "numeric", month: "short" }) {
  const [year, month, date] = String(day).split("-").map(Number);
  if (!year) return String(day ?? "");
  const value = new Date(Date.UTC(year, (month || 1) - 1, date || 1));
  return new Intl.DateTimeFormat(locale(), { ...options, timeZone: "UTC" }).format(value);
}

export function formatMonth(month) {
  return formatDay(`${month}-01`, { month: "short", year: "numeric" });
}

export function formatNumber(value) {
  return new Intl.NumberFormat(locale()).format(Number(value) || 0);
}

export function formatPercent(value) {
  if (value === null || value === undefined || value === "") return "";
  return new Intl.NumberFormat(locale(), { style: "percent" }).format(Number(value));
}

// Costs arrive as decimal strings ("0.000120"): every significant digit kept, in dollars.
export function formatCost(value) {
  const text = String(value ?? "0");
  if (!/^\d+(\.\d+)?$/.test(text)) return "$0.00";
  const [whole, fraction = ""] = text.split(".");
  return `$${whole}.${fraction.replace(/0+$/, "").padEnd(2, "0")}`;
}
