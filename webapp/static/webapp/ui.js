// Shared pieces of the screens: form fields with their error slots, toasts, badges.
import { isAbort, messagesOf } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { haptic } from "./telegram.js";

const TOAST_MS = 5000;

export function toast(message, { error = false } = {}) {
  const area = document.getElementById("toasts");
  if (!area || !message) return;
  const item = h("div", {
    class: error ? "toast toast-error" : "toast",
    role: error ? "alert" : "status",
    testid: "toast",
    text: message,
  });
  area.append(item);
  setTimeout(() => item.remove(), TOAST_MS);
}

// What to tell the owner about a failed call: the server's own (translated) words,
// else ours. Never an exception's text.
export function errorText(error) {
  if (error?.network) return t("error_network");
  if (error?.detail) return error.detail;
  if (error?.fields) return messagesOf(error.fields).join(" ") || t("error_generic");
  return t("error_generic");
}

export function showError(error) {
  if (isAbort(error)) return;
  haptic("error");
  toast(errorText(error), { error: true });
}

// A labelled control with a slot for its field errors (data-error-for).
export function field({ label, name, control, hint = "", inline = false }) {
  control.id ||= `field-${name}`;
  control.name ||= name;
  const error = h("div", {
    class: "field-error",
    role: "alert",
    testid: `error-${name}`,
    dataset: { errorFor: name },
    hidden: true,
  });
  const hintId = hint ? `${control.id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  const labelEl = h("label", { for: control.id, text: label });
  const hintEl = hint ? h("div", { class: "hint", id: hintId, text: hint }) : null;
  if (inline) {
    return h("div", { class: "field field-inline", dataset: { field: name } },
      h("div", { class: "field-row" }, control, labelEl), hintEl, error);
  }
  return h("div", { class: "field", dataset: { field: name } }, labelEl, control, hintEl, error);
}

export function formErrorSlot() {
  return h("div", {
    class: "field-error form-error",
    role: "alert",
    testid: "form-error",
    dataset: { errorFor: "__form__" },
    hidden: true,
  });
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll("[data-error-for]")) {
    slot.textContent = "";
    slot.hidden = true;
  }
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
  }
}

// A failed save: 400 field errors under their fields (the rest above the buttons),
// anything else in a toast. What the owner typed stays where it is.
export function showFailure(form, error) {
  if (isAbort(error)) return;
  if (!error?.fields) {
    // Said twice on purpose: the toast for the moment, the line above the save for later.
    showError(error);
    const slot = form.querySelector('[data-error-for="__form__"]');
    if (slot) {
      slot.textContent = errorText(error);
      slot.hidden = false;
    }
    return;
  }
  haptic("error");
  const general = [];
  for (const [name, value] of Object.entries(error.fields)) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    const messages = messagesOf(value);
    if (!slot) {
      general.push(...messages);
      continue;
    }
    slot.textContent = messages.join("\n");
    slot.hidden = false;
    form.querySelector(`[name="${CSS.escape(name)}"]`)?.setAttribute("aria-invalid", "true");
  }
  const formSlot = form.querySelector('[data-error-for="__form__"]');
  if (general.length && formSlot) {
    formSlot.textContent = general.join("\n");
    formSlot.hidden = false;
  }
  form.querySelector("[aria-invalid], .form-error:not([hidden])")?.scrollIntoView?.({ block: "center" });
}

/**
 * Saving a form: inside Telegram its MainButton saves, shown only while ``dirty()``
 * says there is something to save, with its progress while saving; the in-page
 * ``submit`` button is for a browser only. Returns ``refresh`` (re-check ``dirty``).
 */
export function submitWith(ctx, form, submit, label, action, { dirty = () => true } = {}) {
  const main = ctx.bottomButton("MainButton", label, () => run());
  submit.hidden = ctx.native;
  const refresh = () => main.visible(Boolean(dirty()));
  const run = () => busy(submit, async () => {
    main.busy(true);
    try {
      await action();
    } finally {
      main.busy(false);
      refresh();
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  // Chips and reset change the controls from code: they announce it with an input event.
  refresh();
  return refresh;
}

export async function busy(buttons, action) {
  const list = [buttons].flat().filter(Boolean);
  if (list.some((button) => button.disabled)) return undefined;
  for (const button of list) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  }
  try {
    return await action();
  } finally {
    for (const button of list) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }
}

export function loading() {
  return h("div", { class: "loading", role: "status", testid: "loading", text: t("loading") });
}

export function emptyState(text, testid) {
  return h("p", { class: "empty", testid, text });
}

export function badge(text, kind = "") {
  return h("span", { class: kind ? `badge badge-${kind}` : "badge", text });
}

export function button(text, { testid, kind = "", onclick, type = "button", ...rest } = {}) {
  const classes = ["button", kind && `button-${kind}`].filter(Boolean).join(" ");
  return h("button", { type, class: classes, testid, onclick, text, ...rest });
}

export function heading(text) {
  return h("h1", { class: "screen-title", text });
}

export function section(title, ...children) {
  return h("section", { class: "section" }, title ? h("h2", { text: title }) : null, children);
}

export function keyValue(rows) {
  const list = h("dl", { class: "facts" });
  for (const [label, value, testid] of rows) {
    if (value === null || value === undefined || value === "") continue;
    list.append(h("dt", { text: label }), h("dd", { testid, text: String(value) }));
  }
  return list;
}

// A topic select with an apply button: the shared "choose / re-file to a topic" control.
export function topicPicker({ topics, current, applyText, testid, onPick, onClose }) {
  const select = h("select", { testid: `${testid}-select`, "aria-label": t("choose_topic_label") },
    h("option", { value: "", text: t("choose_topic_placeholder") }),
    topics.map((topic) => h("option", {
      value: String(topic.id),
      text: topic.name,
      selected: topic.id === current,
    })),
  );
  const apply = button(applyText, { testid: `${testid}-apply`, kind: "primary" });
  const close = button(t("close"), { testid: `${testid}-close`, kind: "plain", onclick: onClose });
  apply.addEventListener("click", () => {
    if (!select.value) {
      select.focus();
      return;
    }
    busy([apply, close], () => onPick(Number(select.value)));
  });
  return h("div", { class: "picker", testid }, select, h("div", { class: "actions" }, apply, close));
}
