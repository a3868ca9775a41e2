// Topics: the group's list (reordered with up/down), the add form and the edit form
// with the live preview of the format template.
import { isAction, untilDone } from "./actions.js";
import { isAbort } from "./api.js";
import { fill, h } from "./dom.js";
import { t } from "./i18n.js";
import { livePreview } from "./preview.js";
import { haptic } from "./telegram.js";
import {
  badge, busy, button, clearErrors, emptyState, field, formErrorSlot, heading, showError,
  showFailure, submitWith, toast,
} from "./ui.js";

// Which group and whether archived topics show; kept while the app is open.
const listState = { group: null, archived: false };
const EDITABLE = ["name", "description", "format_template", "style_instructions", "is_private", "is_archived"];
const VARIABLES = ["title", "body", "summary", "tags", "link", "link_title", "source", "date", "topic", "text"];
const EXCERPT = 140;

export async function topicList(ctx) {
  // Both at once: without a group chosen the topics are the default group's.
  const params = { group: listState.group, archived: listState.archived ? 1 : "" };
  const [groups, listed] = await Promise.all([
    ctx.api.get("groups/", { signal: ctx.signal }),
    ctx.api.get("topics/", { params, signal: ctx.signal }).catch((error) => {
      if (isAbort(error)) throw error;
      return null; // no group yet answers 404 or an empty list: the groups tell
    }),
  ]);
  if (!ctx.live()) return;
  if (!groups?.length) {
    ctx.root.replaceChildren(heading(t("topics_title")), emptyState(t("topics_no_group"), "topics-no-group"));
    return;
  }
  const group = groups.find((item) => item.id === listState.group)
    ?? groups.find((item) => item.is_default) ?? groups[0];
  let topics = listed ?? await ctx.api.get("topics/", { params, signal: ctx.signal });
  if (!ctx.live()) return;

  const list = h("ul", { class: "list", testid: "topic-list" });
  const paint = (focusId = null, direction = "") => {
    list.replaceChildren(...topics.map((topic, index) => topicRow(topic, index, topics.length, move)));
    if (!topics.length) list.replaceChildren(h("li", { class: "empty", testid: "topics-empty", text: t("topics_empty") }));
    if (focusId) {
      const target = list.querySelector(`[data-testid="topic-${direction}-${focusId}"]:not([disabled])`)
        ?? list.querySelector(`[data-testid="topic-link-${focusId}"]`);
      target?.focus();
    }
  };
  async function move(index, delta, pressed) {
    const ids = topics.map((topic) => topic.id);
    [ids[index], ids[index + delta]] = [ids[index + delta], ids[index]];
    await busy(pressed, async () => {
      try {
        const ordered = await ctx.api.post("topics/order/", { ids });
        if (!ctx.live()) return;
        const shown = new Set(ids);
        topics = (Array.isArray(ordered) ? ordered : []).filter((topic) => shown.has(topic.id));
        paint(ids[index + delta], delta < 0 ? "up" : "down");
      } catch (error) {
        showError(error);
      }
    });
  }
  paint();
  fill(ctx.root,
    heading(t("topics_title")),
    listToolbar(ctx, groups, group),
    groupProblems(group),
    list,
    h("div", { class: "actions" },
      h("a", { class: "button button-primary", href: "#topics/new", testid: "topic-add", text: `➕ ${t("topic_add")}` }),
    ),
  );
}

function listToolbar(ctx, groups, group) {
  const archived = h("input", {
    type: "checkbox",
    testid: "topics-archived",
    checked: listState.archived,
    onchange: (event) => {
      listState.archived = event.target.checked;
      ctx.rerender();
    },
  });
  const toolbar = h("div", { class: "toolbar" });
  if (groups.length > 1) {
    const select = h("select", {
      testid: "topics-group",
      onchange: (event) => {
        listState.group = Number(event.target.value);
        ctx.rerender();
      },
    }, groups.map((item) => h("option", { value: String(item.id), text: item.title, selected: item.id === group.id })));
    toolbar.append(field({ label: t("topics_group"), name: "group", control: select }));
  }
  toolbar.append(field({ label: t("topics_show_archived"), name: "archived", control: archived, inline: true }));
  return toolbar;
}

function groupProblems(group) {
  if (!group?.problems?.length) return null;
  return h("div", { class: "notice notice-warning", role: "status", testid: "topics-problems" },
    group.problems.map((problem) => h("p", { text: problem.message })));
}

function topicBadges(topic) {
  return h("div", { class: "badges" },
    topic.is_general ? badge(t("badge_general")) : null,
    topic.is_private ? badge(`🔒 ${t("badge_private")}`) : null,
    topic.is_archived ? badge(t("badge_archived"), "muted") : null,
    topic.is_closed ? badge(t("badge_closed"), "warning") : null,
  );
}

function excerpt(text) {
  const flat = String(text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

function topicRow(topic, index, count, move) {
  const arrow = (direction, delta, symbol, disabled) => {
    const control = h("button", {
      type: "button",
      class: "icon-button",
      testid: `topic-${direction}-${topic.id}`,
      "aria-label": t(direction === "up" ? "move_up" : "move_down", { name: topic.name }),
      title: t(direction === "up" ? "move_up" : "move_down", { name: topic.name }),
      disabled,
      text: symbol,
    });
    control.addEventListener("click", () => move(index, delta, control));
    return control;
  };
  return h("li", { class: "row", testid: "topic-row", dataset: { topicId: String(topic.id) } },
    h("a", { class: "row-main", href: `#topics/${topic.id}`, testid: `topic-link-${topic.id}` },
      h("div", { class: "row-title", text: topic.name }),
      topic.description ? h("div", { class: "row-text", text: excerpt(topic.description) }) : null,
      topicBadges(topic),
    ),
    h("div", { class: "row-side" },
      arrow("up", -1, "↑", index === 0),
      arrow("down", 1, "↓", index === count - 1),
    ),
  );
}

// Every change to a control is remembered in the draft, so a re-render (a language
// switch) shows what the owner typed, not the saved values.
function remember(draft, controls) {
  for (const [name, control] of Object.entries(controls)) {
    const read = () => (control.type === "checkbox" ? control.checked : control.value);
    control.addEventListener(control.type === "checkbox" ? "change" : "input", () => {
      draft[name] = read();
    });
  }
}

function textControl(tag, name, value, extra = {}) {
  return h(tag, { testid: `topic-${name.replace(/_/g, "-")}`, value: value ?? "", ...extra });
}

export async function topicCreate(ctx) {
  const draft = ctx.draft;
  const controls = {
    name: textControl("input", "name", draft.name, { type: "text", maxlength: "128", autocomplete: "off" }),
    description: textControl("textarea", "description", draft.description, { rows: "4" }),
  };
  remember(draft, controls);
  const submit = button(t("topic_add"), { testid: "topic-create", kind: "primary", type: "submit" });
  const form = h("form", { class: "form", novalidate: true, testid: "topic-create-form" },
    field({ label: t("topic_name"), name: "name", control: controls.name }),
    field({ label: t("topic_description"), name: "description", control: controls.description, hint: t("topic_description_hint") }),
    formErrorSlot(),
    h("div", { class: "actions" }, submit),
  );
  async function create() {
    clearErrors(form);
    const body = { name: controls.name.value.trim(), description: controls.description.value };
    if (listState.group) body.group = listState.group;
    try {
      // Telegram creates it; the MainButton's progress shows until it has.
      const { topic } = await untilDone(ctx.api, await ctx.api.post("topics/", body));
      haptic("success");
      toast(t("topic_created", { name: topic?.name ?? body.name }));
      delete draft.name;
      delete draft.description;
      if (ctx.live()) ctx.navigate("#topics");
    } catch (error) {
      if (ctx.live()) showFailure(form, error);
    }
  }
  submitWith(ctx, form, submit, t("topic_add"), create, { dirty: () => controls.name.value.trim() !== "" });
  ctx.root.replaceChildren(heading(t("topic_new_title")), form);
}

export async function topicEdit(ctx, id) {
  const topicId = Number(id);
  const [topic, notes] = await Promise.all([
    ctx.api.get(`topics/${topicId}/`, { signal: ctx.signal }),
    ctx.api.get("notes/", { params: { topic: topicId }, signal: ctx.signal }).catch((error) => {
      if (isAbort(error)) throw error;
      return { results: [] }; // the preview falls back to the sample note
    }),
  ]);
  if (!ctx.live()) return;
  let saved = topic;
  const value = (name) => (name in ctx.draft ? ctx.draft[name] : saved[name]);
  const controls = {
    name: textControl("input", "name", value("name"), { type: "text", maxlength: "128", autocomplete: "off" }),
    description: textControl("textarea", "description", value("description"), { rows: "4" }),
    format_template: textControl("textarea", "format_template", value("format_template"), {
      rows: "8", class: "mono", spellcheck: "false", autocapitalize: "off", autocomplete: "off",
    }),
    style_instructions: textControl("textarea", "style_instructions", value("style_instructions"), { rows: "3" }),
    is_private: h("input", { type: "checkbox", testid: "topic-private", checked: Boolean(value("is_private")) }),
    is_archived: h("input", { type: "checkbox", testid: "topic-archived", checked: Boolean(value("is_archived")) }),
  };
  remember(ctx.draft, controls);
  const submit = button(t("save"), { testid: "topic-save", kind: "primary", type: "submit" });
  const title = h("p", { class: "screen-subtitle", testid: "topic-title", text: saved.name });
  const badges = h("div", { class: "badges-slot" }, topicBadges(saved));
  const form = h("form", { class: "form", novalidate: true, testid: "topic-edit-form" },
    badges,
    field({ label: t("topic_name"), name: "name", control: controls.name }),
    field({ label: t("topic_description"), name: "description", control: controls.description, hint: t("topic_description_hint") }),
    formatSection(ctx, topicId, controls.format_template, notes?.results ?? []),
    field({ label: t("topic_style"), name: "style_instructions", control: controls.style_instructions, hint: t("topic_style_hint") }),
    field({ label: t("topic_private"), name: "is_private", control: controls.is_private, hint: t("topic_private_hint"), inline: true }),
    field({ label: t("topic_archived"), name: "is_archived", control: controls.is_archived, hint: t("topic_archived_hint"), inline: true }),
    formErrorSlot(),
    h("div", { class: "actions" }, submit),
  );
  const sent = {}; // the controls' values as sent, to tell later typing from them
  function changed() {
    const changes = {};
    for (const name of EDITABLE) {
      const control = controls[name];
      const current = control.type === "checkbox" ? control.checked : control.value;
      if (current === saved[name]) continue;
      sent[name] = current;
      changes[name] = name === "name" ? current.trim() : current;
    }
    return changes;
  }
  async function save() {
    clearErrors(form);
    const changes = changed();
    if (!Object.keys(changes).length) {
      toast(t("nothing_changed"));
      return;
    }
    try {
      const answer = await ctx.api.patch(`topics/${topicId}/`, changes);
      // A new name goes to Telegram first (202): wait for it, with the progress shown.
      saved = isAction(answer) ? (await untilDone(ctx.api, answer)).topic ?? saved : answer;
      haptic("success");
      for (const name of Object.keys(changes)) delete ctx.draft[name];
      if (!ctx.live()) return;
      for (const name of Object.keys(changes)) {
        const control = controls[name];
        if (control.type === "checkbox") control.checked = Boolean(saved[name]);
        else if (control.value === sent[name]) control.value = saved[name] ?? "";
      }
      badges.replaceChildren(topicBadges(saved));
      title.textContent = saved.name;
      toast(t("saved"));
    } catch (error) {
      if (ctx.live()) showFailure(form, error);
    }
  }
  submitWith(ctx, form, submit, t("save"), save, { dirty: () => Object.keys(changed()).length > 0 });
  ctx.root.replaceChildren(heading(t("topic_edit_title")), title, form);
}

function formatSection(ctx, topicId, template, notes) {
  const noteSelect = h("select", { testid: "preview-note", id: "preview-note" },
    h("option", { value: "", text: t("preview_sample") }),
    notes.map((note) => h("option", { value: String(note.id), text: noteLabel(note) })),
  );
  const box = h("div", { class: "bubble", testid: "format-preview", "aria-live": "polite" });
  const error = h("div", { class: "field-error", role: "alert", testid: "format-error", hidden: true });
  const length = h("div", { class: "hint", testid: "format-length" });
  const insert = (text) => {
    const start = template.selectionStart ?? template.value.length;
    const end = template.selectionEnd ?? start;
    template.setRangeText(text, start, end, "end");
    template.focus();
    template.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const chips = h("div", { class: "chips", testid: "format-variables", role: "group", "aria-label": t("format_variables") },
    VARIABLES.map((name) => h("button", {
      type: "button", class: "chip", text: `{{ ${name} }}`, onclick: () => insert(`{{ ${name} }}`),
    })),
  );
  const reset = button(t("format_reset"), {
    testid: "format-reset",
    kind: "plain",
    onclick: () => {
      template.value = ctx.config.defaultFormatTemplate ?? "";
      template.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });
  livePreview({ api: ctx.api, signal: ctx.signal, topicId, template, noteSelect, box, error, length });
  return h("div", { class: "format" },
    field({ label: t("topic_format"), name: "format_template", control: template, hint: t("topic_format_hint") }),
    chips,
    h("div", { class: "actions actions-start" }, reset),
    h("div", { class: "preview" },
      h("div", { class: "preview-head" },
        h("h2", { text: t("preview_title") }),
        h("label", { class: "preview-with", for: "preview-note" }, t("preview_with"), noteSelect),
      ),
      box,
      length,
      error,
    ),
  );
}

function noteLabel(note) {
  const text = note.title || note.excerpt || `#${note.id}`;
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
