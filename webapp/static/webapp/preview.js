// Live preview of a topic's format template: each change (debounced) asks the server
// to render it; an answer that arrives after a newer request was sent is ignored, and a
// broken template shows its error while the last good preview stays.
import { isAbort, messagesOf } from "./api.js";
import { t } from "./i18n.js";
import { setTelegramHtml } from "./safehtml.js";
import { errorText } from "./ui.js";

const DELAY_MS = 300;

export function livePreview({ api, signal, topicId, template, noteSelect, box, error, length }) {
  let timer = null;
  let inFlight = null;
  let sequence = 0;

  async function run() {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    const mine = ++sequence;
    box.setAttribute("aria-busy", "true");
    const body = {
      format_template: template.value,
      topic: topicId,
      note: noteSelect.value ? Number(noteSelect.value) : null,
    };
    try {
      const result = await api.post("format-preview/", body, { signal: controller.signal });
      if (mine !== sequence) return;
      setTelegramHtml(box, result?.html ?? "");
      length.textContent = t("preview_length", { length: result?.length ?? 0 });
      showError("");
    } catch (failure) {
      if (isAbort(failure) || mine !== sequence) return;
      showError(failure.fields ? messagesOf(failure.fields).join("\n") : errorText(failure));
    } finally {
      if (mine === sequence) box.removeAttribute("aria-busy");
    }
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
    if (message) template.setAttribute("aria-invalid", "true");
    else template.removeAttribute("aria-invalid");
  }

  function schedule(delay = DELAY_MS) {
    clearTimeout(timer);
    timer = setTimeout(run, delay);
  }

  template.addEventListener("input", () => schedule());
  noteSelect.addEventListener("change", () => schedule(0));
  signal.addEventListener("abort", () => {
    clearTimeout(timer);
    inFlight?.abort();
  });
  schedule(0);
}
