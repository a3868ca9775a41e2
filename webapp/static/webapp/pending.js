// Pending: notes waiting for the owner's word. Each card confirms, picks another topic
// or cancels; a card whose note is no longer waiting removes itself.
import { actionStatus, untilDone } from "./actions.js";
import { fill, h } from "./dom.js";
import { formatDateTime, formatPercent, t } from "./i18n.js";
import { setTelegramHtml } from "./safehtml.js";
import { confirmDialog, haptic } from "./telegram.js";
import { badge, busy, button, emptyState, errorText, heading, showError, toast, topicPicker } from "./ui.js";

export const AWAITING = "awaiting_confirmation";

export async function pendingScreen(ctx) {
  const items = await ctx.api.get("pending/", { signal: ctx.signal });
  if (!ctx.live()) return;
  const list = h("div", { class: "cards", testid: "pending-list" });
  const empty = emptyState(t("pending_empty"), "pending-empty");
  const topics = topicLoader(ctx);
  const update = () => {
    const count = list.children.length;
    empty.hidden = count > 0;
    ctx.setPendingCount(count);
  };
  for (const item of items ?? []) {
    list.append(pendingCard(ctx, item, { topics, onGone: update }));
  }
  update();
  ctx.root.replaceChildren(heading(t("pending_title")), h("p", { class: "hint", text: t("pending_intro") }), empty, list);
}

// The owner's topics, fetched once per screen, when a picker first needs them.
export function topicLoader(ctx) {
  let promise = null;
  return () => {
    promise ??= ctx.api.get("topics/", { signal: ctx.signal }).catch((error) => {
      promise = null;
      throw error;
    });
    return promise;
  };
}

// The same awaiting note as pending/ lists it, from the detail an action answers with.
function asPending(detail, previous) {
  return {
    ...previous,
    ...detail,
    confidence: detail.classification?.confidence ?? previous.confidence ?? null,
    reason: detail.classification?.reason ?? previous.reason ?? "",
  };
}

function pendingCard(ctx, item, { topics, onGone }) {
  const card = h("article", { class: "card", testid: "pending-card", dataset: { noteId: String(item.id) } });
  let note = item;
  const status = actionStatus(`pending-status-${item.id}`);

  // Answered at once (202): the card says it is on its way, then how it went.
  async function act(path, body, doneText) {
    status.progress();
    card.setAttribute("aria-busy", "true");
    try {
      const action = await untilDone(ctx.api, await ctx.api.post(`pending/${note.id}/${path}/`, body));
      const detail = action.note;
      haptic("success");
      status.clear();
      if (!ctx.live()) {
        toast(doneText(detail ?? note));
        return;
      }
      if (detail?.status === AWAITING) {
        note = asPending(detail, note);
        paint();
        return;
      }
      toast(doneText(detail ?? note));
      card.remove();
      onGone();
    } catch (error) {
      showError(error);
      if (error?.status === 404 || (error?.status === 409 && !error.detail)) {
        ctx.rerender(); // someone (the bot, the expiry job) resolved it meanwhile
        return;
      }
      status.failed(errorText(error), () => busy([...card.querySelectorAll("button")], () => act(path, body, doneText)));
    } finally {
      card.removeAttribute("aria-busy");
    }
  }

  async function choose(chooser) {
    let list;
    try {
      list = await topics();
    } catch (error) {
      showError(error);
      return;
    }
    if (!ctx.live()) return;
    chooser.replaceChildren(topicPicker({
      topics: list ?? [],
      current: note.topic?.id ?? null,
      applyText: t("pending_file_here"),
      testid: `pending-picker-${note.id}`,
      onPick: (topic) => act("topic", { topic }, (detail) => filedText(detail)),
      onClose: () => chooser.replaceChildren(),
    }));
    chooser.querySelector("select")?.focus();
  }

  function paint() {
    const preview = h("div", { class: "bubble", testid: `pending-preview-${note.id}` });
    setTelegramHtml(preview, note.rendered_html ?? "");
    const chooser = h("div", { class: "chooser" });
    const confirm = button(`✅ ${t("pending_confirm")}`, {
      testid: `pending-confirm-${note.id}`,
      kind: "primary",
      disabled: !note.topic,
      title: note.topic ? null : t("pending_pick_first"),
    });
    const another = button(`📂 ${t("pending_choose")}`, { testid: `pending-choose-${note.id}` });
    const cancel = button(`❌ ${t("pending_cancel")}`, { testid: `pending-cancel-${note.id}`, kind: "destructive" });
    const all = [confirm, another, cancel];
    confirm.addEventListener("click", () => busy(all, () => act("confirm", {}, filedText)));
    cancel.addEventListener("click", () => busy(all, async () => {
      if (await confirmDialog(t("pending_cancel_confirm"))) await act("cancel", {}, () => t("pending_cancelled"));
    }));
    another.addEventListener("click", () => busy(another, () => choose(chooser)));
    fill(card,
      h("div", { class: "card-head" },
        h("div", { class: "card-title", testid: `pending-topic-${note.id}`, text: note.topic?.name ?? t("pending_no_topic") }),
        note.confidence !== null && note.confidence !== undefined
          ? badge(t("confidence_value", { value: formatPercent(note.confidence) }))
          : null,
      ),
      preview,
      note.reason ? h("p", { class: "why", text: t("pending_why", { reason: note.reason }) }) : null,
      note.expires_at ? h("p", { class: "hint", text: t("pending_expires", { time: formatDateTime(note.expires_at) }) }) : null,
      h("div", { class: "actions" }, all),
      status.element,
      chooser,
      h("a", { class: "more-link", href: `#history/${note.id}`, text: t("pending_details") }),
    );
  }

  paint();
  return card;
}

function filedText(detail) {
  if (!detail?.topic?.name) return t("pending_confirmed");
  // Confirmed is not yet filed: the group takes it when its turn comes.
  if (detail.status === "publishing") return t("pending_filing", { topic: detail.topic.name });
  return t("filed_to", { topic: detail.topic.name });
}
