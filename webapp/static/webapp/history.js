// History: every note, searchable and filtered (topic, status, kind, dates), a page at a time.
import { isAbort } from "./api.js";
import { debounce, h } from "./dom.js";
import { formatDateTime, formatDay, formatNumber, t } from "./i18n.js";
import { badge, button, clearErrors, emptyState, field, heading, showError, showFailure } from "./ui.js";

// The filters stay while the app is open, so coming back from a note finds them.
const filters = { q: "", topic: "", status: "", kind: "", since: "", until: "" };
const SEARCH_DELAY_MS = 350;

export async function historyScreen(ctx) {
  // The topics (for the filter) and the first page are asked for at once.
  const topicsLoaded = allTopics(ctx);
  const list = h("ul", { class: "list", testid: "history-list" });
  const count = h("p", { class: "hint", testid: "history-count", "aria-live": "polite" });
  const more = button(t("history_more"), { testid: "history-more", hidden: true });
  let page = 1;
  let controller = null;
  let form = null; // the filters, once the topics for them are in
  ctx.signal.addEventListener("abort", () => controller?.abort());

  async function load({ append = false } = {}) {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    page = append ? page + 1 : 1;
    more.disabled = true;
    if (form) clearErrors(form);
    try {
      const data = await ctx.api.get("notes/", { params: { ...filters, page }, signal });
      if (!ctx.live() || signal.aborted) return;
      const rows = (data?.results ?? []).map(noteRow);
      if (append) list.append(...rows);
      else list.replaceChildren(...rows);
      if (!list.children.length) list.replaceChildren(emptyState(t("history_empty"), "history-empty"));
      count.textContent = t("history_count", { count: formatNumber(data?.count ?? 0) });
      more.hidden = !data?.next;
    } catch (error) {
      // A refused query ("type a word") is said under the search box.
      if (!isAbort(error)) form ? showFailure(form, error) : showError(error);
      if (append) page -= 1;
    } finally {
      more.disabled = false;
    }
  }

  more.addEventListener("click", () => load({ append: true }));
  const firstPage = load();
  const topics = await topicsLoaded;
  if (!ctx.live()) return;
  form = filterForm(ctx.config, topics, () => load());
  const reminders = h("a", { class: "button", href: "#reminders", testid: "history-reminders", text: `⏰ ${t("reminders_open")}` });
  ctx.root.replaceChildren(heading(t("history_title")), h("div", { class: "actions" }, reminders), form, count, list,
    h("div", { class: "actions" }, more));
  await firstPage;
}

// Notes may sit in archived topics too: the filter offers both kinds.
async function allTopics(ctx) {
  const lists = await Promise.all([{}, { archived: 1 }].map((params) =>
    ctx.api.get("topics/", { params, signal: ctx.signal }).catch((error) => {
      if (isAbort(error)) throw error;
      return []; // the list still works without the topic filter
    }),
  ));
  const byId = new Map();
  for (const topic of lists.flat()) if (topic?.id) byId.set(topic.id, topic);
  return [...byId.values()];
}

function filterForm(config, topics, reload) {
  const search = h("input", {
    type: "search", testid: "history-search", value: filters.q, placeholder: t("history_search_placeholder"),
    enterkeyhint: "search", autocomplete: "off",
  });
  const searchLater = debounce(() => reload(), SEARCH_DELAY_MS);
  search.addEventListener("input", () => {
    filters.q = search.value.trim();
    searchLater();
  });
  const select = (name, options, allText) => {
    const control = h("select", { testid: `history-${name}` },
      h("option", { value: "", text: allText }),
      options.map(([value, label]) => h("option", { value, text: label, selected: filters[name] === value })),
    );
    control.addEventListener("change", () => {
      filters[name] = control.value;
      reload();
    });
    return control;
  };
  const date = (name) => {
    const control = h("input", { type: "date", testid: `history-${name}`, value: filters[name] });
    control.addEventListener("change", () => {
      filters[name] = control.value;
      reload();
    });
    return control;
  };
  const statuses = (config.noteStatuses ?? []).map((value) => [value, t(`status_${value}`)]);
  const kinds = (config.noteKinds ?? []).map((value) => [value, t(`kind_${value}`)]);
  // The filters fold away under the search, their choices summed up as chips.
  const summary = h("span", { class: "chips filter-chips", testid: "history-filter-chips" });
  const paintSummary = () => {
    const chosen = [];
    if (filters.topic) chosen.push(topics.find((topic) => String(topic.id) === filters.topic)?.name ?? "");
    if (filters.status) chosen.push(t(`status_${filters.status}`));
    if (filters.kind) chosen.push(t(`kind_${filters.kind}`));
    if (filters.since) chosen.push(`${t("history_since")} ${formatDay(filters.since)}`);
    if (filters.until) chosen.push(`${t("history_until")} ${formatDay(filters.until)}`);
    summary.replaceChildren(...chosen.filter(Boolean).map((text) => h("span", { class: "chip chip-static", text })));
  };
  const form = h("form", { class: "filters", role: "search", testid: "history-filters" },
    field({ label: t("history_search"), name: "q", control: search }),
    h("details", { class: "filter-fold", testid: "history-filter-fold" },
      h("summary", {}, h("span", { text: t("history_filters") }), summary),
     h("div", { class: "filter-grid" },
      field({ label: t("history_topic"), name: "topic", control: select("topic", topics.map((topic) => [String(topic.id), topic.name]), t("history_any_topic")) }),
      field({ label: t("history_status"), name: "status", control: select("status", statuses, t("history_any_status")) }),
      field({ label: t("history_kind"), name: "kind", control: select("kind", kinds, t("history_any_kind")) }),
      field({ label: t("history_since"), name: "since", control: date("since") }),
      field({ label: t("history_until"), name: "until", control: date("until") }),
     ),
    ),
  );
  form.addEventListener("change", paintSummary);
  paintSummary();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    searchLater.cancel();
    reload();
  });
  return form;
}

function noteRow(note) {
  return h("li", { class: "row", testid: "history-item", dataset: { noteId: String(note.id) } },
    h("a", { class: "row-main", href: `#history/${note.id}`, testid: `history-note-${note.id}` },
      h("div", { class: "row-title", text: note.title || note.excerpt || t("note_untitled") }),
      excerptAfterTitle(note) ? h("div", { class: "row-text", text: excerptAfterTitle(note) }) : null,
      h("div", { class: "badges" },
        badge(t(`status_${note.status}`), statusKind(note.status)),
        badge(t(`kind_${note.kind}`), "muted"),
        note.topic ? badge(note.topic.name) : null,
        h("span", { class: "row-date", text: formatDateTime(note.created_at) }),
      ),
    ),
  );
}

// What the excerpt adds to the title: a note's title is often its first words.
function excerptAfterTitle(note) {
  const excerpt = String(note.excerpt ?? "").trim();
  const title = String(note.title ?? "").trim();
  if (!title) return "";
  if (excerpt.toLowerCase().startsWith(title.toLowerCase())) {
    return excerpt.slice(title.length).replace(/^[\s.,:;!?—–-]+/u, "");
  }
  return excerpt.toLowerCase() === title.toLowerCase() ? "" : excerpt;
}

export function statusKind(status) {
  if (status === "published") return "success";
  if (status === "failed") return "danger";
  if (status === "awaiting_confirmation") return "warning";
  if (status === "cancelled" || status === "expired") return "muted";
  return "";
}
