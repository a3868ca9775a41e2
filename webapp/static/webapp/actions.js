// Actions that reach Telegram (confirm, choose, cancel, re-file, retry, topic create and
// rename) are answered 202 at once; the worker does them. This follows one until it
// is done or failed: its record, or an ApiError with the server's words for why.
import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { button } from "./ui.js";

const POLL_MS = 350;
const GIVE_UP_MS = 60_000;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// True for an API answer that is an action on its way (not the object itself).
export function isAction(answer) {
  return Boolean(answer && typeof answer === "object" && typeof answer.state === "string" && answer.id && answer.kind);
}

export async function untilDone(api, started) {
  let action = started;
  const deadline = Date.now() + GIVE_UP_MS;
  while (action?.state === "running") {
    if (Date.now() > deadline) throw new ApiError(0, { detail: t("action_still_running") });
    await sleep(POLL_MS);
    action = await api.get(`actions/${action.id}/`);
  }
  if (action?.state !== "done") {
    throw new ApiError(409, { detail: action?.detail ?? "", fields: action?.field_errors ?? null });
  }
  return action;
}

// The line on a card that says what its action is doing: progress, then an error
// with a retry. ``show(null)`` clears it.
export function actionStatus(testid) {
  const line = h("div", { class: "action-status", role: "status", testid, hidden: true });
  return {
    element: line,
    progress() {
      line.className = "action-status";
      line.setAttribute("aria-busy", "true");
      line.replaceChildren(h("span", { class: "spinner", "aria-hidden": "true" }), t("action_sending"));
      line.hidden = false;
    },
    failed(message, retry) {
      line.className = "action-status action-failed";
      line.removeAttribute("aria-busy");
      line.replaceChildren(
        h("span", { class: "action-error", testid: `${testid}-error`, text: message }),
        retry ? button(t("try_again"), { testid: `${testid}-retry`, kind: "plain", onclick: retry }) : null,
      );
      line.hidden = false;
    },
    clear() {
      line.removeAttribute("aria-busy");
      line.replaceChildren();
      line.hidden = true;
    },
  };
}
