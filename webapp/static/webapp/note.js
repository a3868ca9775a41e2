// One note in full: what was sent, how it was understood and filed, what it cost, and
// the actions the server allows on it (re-file, retry, delete; confirm while pending).
import { actionStatus, isAction, untilDone } from "./actions.js";
import { fill, h } from "./dom.js";
import { formatCost, formatDateTime, formatNumber, formatPercent, t } from "./i18n.js";
import { statusKind } from "./history.js";
import { AWAITING, topicLoader } from "./pending.js";
import { setTelegramHtml } from "./safehtml.js";
import { confirmDialog, haptic, openLink } from "./telegram.js";
import { badge, busy, button, errorText, heading, keyValue, section, showError, toast, topicPicker } from "./ui.js";

// While the note is being worked on, the screen looks again now and then.
const WORKING = new Set(["received", "enriching", "classifying", "publishing"]);
const REFRESH_MS = 2500;
const REFRESH_TIMES = 24;
const OUTCOMES = { done: "✅", failed: "⚠️", skipped: "➖", waiting: "⏳" };

export async function noteScreen(ctx, id) {
  let [note, reminder] = await Promise.all([
    ctx.api.get(`notes/${id}/`, { signal: ctx.signal }),
    noteReminder(ctx, id),
  ]);
  if (!ctx.live()) return;
  const topics = topicLoader(ctx);
  let refreshes = 0;
  let timer = null;
  ctx.onLeave(() => clearTimeout(timer));
  const status = actionStatus("note-action-status");

  const show = (next) => {
    note = next;
    fill(ctx.root, noteView(ctx, note, { topics, act, remove, status }, reminder));
    clearTimeout(timer);
    if (WORKING.has(note.status) && refreshes < REFRESH_TIMES) timer = setTimeout(refresh, REFRESH_MS);
  };
  async function refresh() {
    refreshes += 1;
    try {
      const next = await ctx.api.get(`notes/${note.id}/`, { signal: ctx.signal });
      if (ctx.live()) show(next);
    } catch {
      // a later visit shows the news; a failed poll is not worth a toast
    }
  }
  // Answered at once (202): progress on the page, then the note as it is now, or why not.
  async function act(path, body, doneText) {
    status.progress();
    try {
      const answer = await ctx.api.post(path, body);
      const detail = isAction(answer) ? (await untilDone(ctx.api, answer)).note : answer;
      haptic("success");
      status.clear();
      if (doneText) toast(doneText(detail));
      refreshes = 0;
      if (ctx.live() && detail) show(detail);
    } catch (error) {
      showError(error);
      status.failed(errorText(error), () => act(path, body, doneText));
    }
  }
  async function remove() {
    if (!(await confirmDialog(t("note_delete_confirm")))) return;
    try {
      await ctx.api.delete(`notes/${note.id}/`);
      haptic("success");
      toast(t("note_deleted"));
      if (ctx.live()) ctx.navigate("#history");
    } catch (error) {
      showError(error);
    }
  }
  show(note);
}

// The note's reminder (none: 404), shown beside it; its other time is on Reminders.
async function noteReminder(ctx, id) {
  try {
    return await ctx.api.get(`notes/${id}/reminder/`, { signal: ctx.signal });
  } catch (error) {
    if (error?.status === 404) return null;
    throw error;
  }
}

function reminderSection(reminder) {
  if (!reminder) return null;
  const state = {
    sent: t("note_reminder_sent"), cancelled: t("note_reminder_cancelled"), undelivered: t("reminders_undelivered"),
  }[reminder.status];
  return section(`⏰ ${t("note_reminder")}`,
    h("p", { testid: "note-reminder", text: formatDateTime(reminder.due_at) + (state ? ` · ${state}` : "") }),
    reminder.status === "scheduled" ? h("a", {
      class: "button", href: `#reminders/${reminder.id}`, testid: "note-reminder-change", text: t("note_reminder_change"),
    }) : null,
  );
}

function noteView(ctx, note, handlers, reminder) {
  const rendered = h("div", { class: "bubble", testid: "note-rendered" });
  setTelegramHtml(rendered, note.rendered_html ?? "");
  return [
    heading(note.title || note.excerpt || t("note_untitled")),
    h("div", { class: "badges", testid: "note-status" },
      badge(t(`status_${note.status}`), statusKind(note.status)),
      badge(t(`kind_${note.kind}`), "muted"),
      note.topic ? badge(note.topic.name) : null,
    ),
    note.error ? h("div", { class: "notice notice-danger", role: "alert", testid: "note-error", text: note.error }) : null,
    actions(ctx, note, handlers),
    keyValue([
      [t("note_created"), formatDateTime(note.created_at), "note-created"],
      [t("note_published"), formatDateTime(note.published_at), "note-published"],
      [t("note_expires"), note.status === AWAITING ? formatDateTime(note.expires_at) : "", "note-expires"],
    ]),
    reminderSection(reminder),
    note.link ? h("p", {}, h("a", {
      href: note.link, testid: "note-link", class: "button", target: "_blank", rel: "noopener noreferrer",
      text: `↗ ${t("note_open_in_telegram")}`,
      onclick: (event) => { event.preventDefault(); openLink(note.link); },
    })) : null,
    // Until it is filed, the rendered text is what it will look like, not how it was filed.
    note.rendered_html ? section(t(note.status === "published" ? "note_rendered" : "note_rendered_preview"), rendered) : null,
    // The words as sent, once: folded away when the rendered note already shows them.
    note.text ? originalText(note) : null,
    note.transcript ? section(t("note_transcript"), h("div", { class: "plain", testid: "note-transcript", text: note.transcript })) : null,
    sourceSection(note),
    linkSection(note.links),
    classificationSection(note.classification),
    partsSection(note.parts),
    stagesSection(note.stages),
    usageSection(note.usage),
  ];
}

function actions(ctx, note, { topics, act, remove, status }) {
  const allowed = note.actions ?? {};
  const picker = h("div", { class: "chooser" });
  const pick = async (applyText, testid, path) => {
    let list;
    try {
      list = await topics();
    } catch (error) {
      showError(error);
      return;
    }
    if (!ctx.live()) return;
    picker.replaceChildren(topicPicker({
      topics: list ?? [], current: note.topic?.id ?? null, applyText, testid,
      onPick: (topic) => act(path, { topic }, (detail) => detail?.topic?.name ? t("filed_to", { topic: detail.topic.name }) : t("saved")),
      onClose: () => picker.replaceChildren(),
    }));
    picker.querySelector("select")?.focus();
  };
  const buttons = [];
  const add = (flag, text, testid, kind, onclick) => {
    if (!allowed[flag]) return;
    const control = button(text, { testid, kind, onclick: () => busy(buttons, onclick) });
    buttons.push(control);
  };
  add("confirm", `✅ ${t("pending_confirm")}`, "note-confirm", "primary",
    () => act(`pending/${note.id}/confirm/`, {}, (detail) => detail?.topic?.name ? t("filed_to", { topic: detail.topic.name }) : t("pending_confirmed")));
  add("choose_topic", `📂 ${t("pending_choose")}`, "note-choose-topic", "",
    () => pick(t("pending_file_here"), "note-choose-picker", `pending/${note.id}/topic/`));
  add("cancel", `❌ ${t("pending_cancel")}`, "note-cancel", "destructive", async () => {
    if (await confirmDialog(t("pending_cancel_confirm"))) await act(`pending/${note.id}/cancel/`, {}, () => t("pending_cancelled"));
  });
  add("refile", `📂 ${t("note_refile")}`, "note-refile", "",
    () => pick(t("note_refile_apply"), "note-refile-picker", `notes/${note.id}/refile/`));
  add("retry", `🔁 ${t("note_retry")}`, "note-retry", "primary",
    () => act(`notes/${note.id}/retry/`, {}, () => t("note_retrying")));
  add("delete", `🗑 ${t("note_delete")}`, "note-delete", "destructive", remove);
  if (!buttons.length) return status.element;
  return h("div", { class: "note-actions" }, h("div", { class: "actions" }, buttons), status.element, picker);
}

function originalText(note) {
  const text = h("div", { class: "plain", testid: "note-text", text: note.text });
  if (!note.rendered_html) return section(t("note_text"), text);
  return h("details", { class: "section fold", testid: "note-text-fold" },
    h("summary", { text: t("note_text_original") }), text);
}

function sourceSection(note) {
  const source = note.source;
  if (!source) return null;
  if (typeof source !== "object") {
    return section(t("note_source"), h("div", { class: "plain", testid: "note-source", text: String(source) }));
  }
  const rows = Object.entries(source)
    .filter(([, value]) => value !== null && value !== "" && typeof value !== "object")
    .map(([key, value]) => [key, value]);
  return rows.length ? section(t("note_source"), keyValue(rows)) : null;
}

function linkSection(links) {
  const shown = (links ?? []).filter((link) => link?.url);
  if (!shown.length) return null;
  return section(t("note_link"), ...shown.map((link) =>
    h("div", { class: "link-card", testid: "note-link-metadata" },
      h("a", {
        href: link.url, target: "_blank", rel: "noopener noreferrer", text: link.title || link.url,
        onclick: (event) => { event.preventDefault(); openLink(link.url); },
      }),
      link.site_name ? h("p", { class: "hint", text: link.site_name }) : null,
      link.description ? h("p", { class: "hint", text: link.description }) : null,
    )));
}

function classificationSection(info) {
  if (!info || typeof info !== "object") return null;
  const alternatives = (info.alternatives ?? []).filter((item) => item?.topic);
  const rows = [
    [t("note_provider"), info.provider, "note-provider"],
    [t("note_confidence"), formatPercent(info.confidence), "note-confidence"],
    [t("note_reason"), info.reason, "note-reason"],
    [t("note_suggested_topic"), info.suggested_topic_name, "note-suggested-topic"],
    [t("note_chosen_by"), info.chosen_by_owner ? t("note_chosen_by_you") : "", "note-chosen-by"],
  ].filter(([, value]) => value !== null && value !== undefined && value !== "");
  if (!rows.length && !alternatives.length) return null;
  return section(t("note_classification"),
    rows.length ? keyValue(rows) : null,
    alternatives.length ? h("div", {},
      h("h3", { text: t("note_alternatives") }),
      h("ul", { class: "plain-list", testid: "note-alternatives" },
        alternatives.map((item) => h("li", { text: `${item.topic.name} — ${formatPercent(item.confidence)}` }))),
    ) : null,
  );
}

// A note of several messages (a burst, replies added to it): each, in the order sent.
function partsSection(parts) {
  if (!parts?.length) return null;
  return section(t("note_parts"),
    h("ol", { class: "stages", testid: "note-parts" },
      parts.map((part) => h("li", { class: "stage", testid: `note-part-${part.message_id}` },
        h("div", { class: "badges" },
          badge(t(`kind_${part.kind}`), "muted"),
          part.after_filing ? badge(t("note_part_after_filing")) : null,
        ),
        part.excerpt ? h("div", { class: "plain", text: part.excerpt }) : null,
        h("div", { class: "hint", testid: `note-part-at-${part.message_id}`, text: formatDateTime(part.sent_at || part.added_at) }),
      )),
    ),
  );
}

function stagesSection(stages) {
  if (!stages?.length) return null;
  return section(t("note_stages"),
    h("ol", { class: "stages", testid: "note-stages" },
      stages.map((stage) => h("li", { class: `stage stage-${stage.outcome}` },
        h("span", { class: "stage-icon", "aria-hidden": "true", text: OUTCOMES[stage.outcome] ?? "•" }),
        h("span", { class: "stage-label", text: t(`stage_name_${stage.stage}`) }),
        h("span", { class: "visually-hidden", text: t(`stage_${stage.outcome}`) }),
        stage.at ? h("div", { class: "hint stage-detail", testid: `stage-at-${stage.stage}`, text: formatDateTime(stage.at) }) : null,
        stage.detail ? h("div", { class: "hint stage-detail", text: stage.detail }) : null,
      )),
    ),
  );
}

function usageSection(usage) {
  if (!usage) return null;
  return section(t("note_usage"), keyValue([
    [t("usage_input_tokens"), formatNumber(usage.input_tokens), "note-input-tokens"],
    [t("usage_output_tokens"), formatNumber(usage.output_tokens), "note-output-tokens"],
    [t("usage_cost"), formatCost(usage.cost_usd), "note-cost"],
  ]));
}
