// Settings: the owner's preferences (language, confirmations, AI chain, time zone,
// default group) and the state of the groups the bot files into.
import { fill, h } from "./dom.js";
import { formatPercent, t } from "./i18n.js";
import { haptic } from "./telegram.js";
import {
  badge, button, clearErrors, field, formErrorSlot, heading, section, showFailure, submitWith, toast,
} from "./ui.js";

export async function settingsScreen(ctx) {
  await ctx.languageSaved(); // a language just picked in the header is saved first
  const [preferences, groups] = await Promise.all([
    ctx.api.get("preferences/", { signal: ctx.signal }),
    ctx.api.get("groups/", { signal: ctx.signal }),
  ]);
  if (!ctx.live()) return;
  paint(ctx, preferences, groups ?? []);
}

function paint(ctx, saved, groups) {
  const draft = ctx.draft;
  const choices = saved.choices ?? {};
  const value = (name, fallback) => (name in draft ? draft[name] : fallback);
  const remember = (name, control, read = () => control.value) =>
    control.addEventListener(control.type === "checkbox" || control.tagName === "SELECT" ? "change" : "input", () => {
      draft[name] = read();
    });

  const language = h("select", { testid: "settings-language" },
    (choices.language ?? []).map((choice) => h("option", {
      value: choice.value, text: choice.label, selected: choice.value === value("language", saved.language),
    })),
  );
  remember("language", language);

  const threshold = h("input", {
    type: "number", min: "0", max: "1", step: "0.01", inputmode: "decimal", testid: "settings-threshold",
    value: String(value("auto_file_threshold", saved.auto_file_threshold ?? "")),
  });
  remember("auto_file_threshold", threshold);
  const thresholdField = field({
    label: t("settings_threshold"), name: "auto_file_threshold", control: threshold, hint: t("settings_threshold_hint"),
  });
  const thresholdShown = h("span", { class: "hint", testid: "settings-threshold-percent" });
  const showPercent = () => {
    const number = Number(threshold.value);
    thresholdShown.textContent = threshold.value !== "" && Number.isFinite(number) ? formatPercent(number) : "";
  };
  threshold.addEventListener("input", showPercent);
  showPercent();
  threshold.after(thresholdShown);

  const mode = value("confirm_mode", saved.confirm_mode);
  const modes = h("fieldset", { class: "field choice-group", dataset: { field: "confirm_mode" } },
    h("legend", { text: t("settings_confirm_mode") }),
    (choices.confirm_mode ?? []).map((choice) => {
      const radio = h("input", {
        type: "radio", name: "confirm_mode", value: choice.value, id: `confirm-${choice.value}`,
        testid: `settings-confirm-${choice.value}`, checked: choice.value === mode,
      });
      radio.addEventListener("change", () => {
        draft.confirm_mode = choice.value;
        thresholdField.hidden = choice.value !== "auto";
      });
      return h("div", { class: "field-row" }, radio, h("label", { for: radio.id, text: choice.label }));
    }),
    h("div", { class: "field-error", role: "alert", testid: "error-confirm_mode", dataset: { errorFor: "confirm_mode" }, hidden: true }),
  );
  thresholdField.hidden = mode !== "auto";

  const reminderMode = value("reminder_mode", saved.reminder_mode);
  const reminderModes = h("fieldset", { class: "field choice-group", dataset: { field: "reminder_mode" } },
    h("legend", { text: t("settings_reminder_mode") }),
    (choices.reminder_mode ?? []).map((choice) => {
      const radio = h("input", {
        type: "radio", name: "reminder_mode", value: choice.value, id: `reminder-${choice.value}`,
        testid: `settings-reminder-${choice.value}`, checked: choice.value === reminderMode,
      });
      radio.addEventListener("change", () => { draft.reminder_mode = choice.value; });
      return h("div", { class: "field-row" }, radio, h("label", { for: radio.id, text: choice.label }));
    }),
    h("div", { class: "field-error", role: "alert", testid: "error-reminder_mode", dataset: { errorFor: "reminder_mode" }, hidden: true }),
  );

  const effective = saved.effective ?? {};
  const ttl = h("input", {
    type: "number", min: "1", step: "1", inputmode: "numeric", testid: "settings-pending-ttl",
    value: String(value("pending_ttl_minutes", saved.pending_ttl_minutes ?? "")),
    placeholder: effective.pending_ttl_minutes ? String(effective.pending_ttl_minutes) : "",
  });
  remember("pending_ttl_minutes", ttl);

  const providers = providerChain(saved, draft);

  const zone = h("input", {
    type: "text", testid: "settings-time-zone", list: "time-zones", autocomplete: "off", spellcheck: "false",
    autocapitalize: "off", value: value("time_zone", saved.time_zone ?? ""),
  });
  remember("time_zone", zone);
  // The browser knows the device's zone: offered when it is not the one saved.
  const deviceZone = deviceTimeZone();
  const useDeviceZone = deviceZone && deviceZone !== (saved.time_zone ?? "")
    ? button(t("settings_time_zone_device", { zone: deviceZone }), {
      testid: "settings-time-zone-device",
      onclick: () => {
        zone.value = deviceZone;
        zone.dispatchEvent(new Event("input", { bubbles: true }));
      },
    })
    : null;
  const zones = h("datalist", { id: "time-zones" },
    (Intl.supportedValuesOf?.("timeZone") ?? []).map((name) => h("option", { value: name })));

  const defaultGroup = h("select", { testid: "settings-default-group" },
    h("option", { value: "", text: t("settings_no_default_group") }),
    (choices.groups ?? []).map((choice) => h("option", {
      value: String(choice.value), text: choice.label,
      selected: String(choice.value) === String(value("default_group", saved.default_group ?? "")),
    })),
  );
  remember("default_group", defaultGroup);

  const submit = button(t("save"), { testid: "settings-save", kind: "primary", type: "submit" });
  const form = h("form", { class: "form", novalidate: true, testid: "settings-form" },
    field({ label: t("settings_language"), name: "language", control: language }),
    modes,
    thresholdField,
    field({
      label: t("settings_pending_ttl"), name: "pending_ttl_minutes", control: ttl,
      hint: t("settings_pending_ttl_hint", { minutes: effective.pending_ttl_minutes ?? "—" }),
    }),
    providers.element,
    field({ label: t("settings_time_zone"), name: "time_zone", control: zone, hint: t("settings_time_zone_hint") }),
    useDeviceZone ? h("div", { class: "actions" }, useDeviceZone) : null,
    zones,
    reminderModes,
    field({ label: t("settings_default_group"), name: "default_group", control: defaultGroup }),
    formErrorSlot(),
    h("div", { class: "actions" }, submit),
  );

  function changed() {
    const current = {
      language: language.value,
      confirm_mode: form.querySelector('input[name="confirm_mode"]:checked')?.value ?? saved.confirm_mode,
      auto_file_threshold: numberOrText(threshold.value, saved.auto_file_threshold),
      pending_ttl_minutes: ttl.value.trim() === "" ? null : numberOrText(ttl.value),
      ai_providers: providers.value(),
      time_zone: zone.value.trim(),
      reminder_mode: form.querySelector('input[name="reminder_mode"]:checked')?.value ?? saved.reminder_mode,
      default_group: defaultGroup.value === "" ? null : Number(defaultGroup.value),
    };
    return Object.fromEntries(
      Object.entries(current).filter(([name, next]) => JSON.stringify(next) !== JSON.stringify(saved[name] ?? null)),
    );
  }
  async function save() {
    clearErrors(form);
    const changes = changed();
    if (!Object.keys(changes).length) {
      toast(t("nothing_changed"));
      return;
    }
    try {
      const updated = await ctx.api.patch("preferences/", changes);
      haptic("success");
      for (const key of Object.keys(draft)) delete draft[key];
      if (!ctx.live()) return;
      // The new language first, so that the toast speaks it.
      const languageChanged = ctx.applyLanguage(updated?.effective?.language);
      const zoneChanged = ctx.applyTimeZone(updated?.time_zone);
      toast(t("saved"));
      if (!languageChanged && !zoneChanged) paint(ctx, updated, groups);
    } catch (error) {
      if (ctx.live()) showFailure(form, error);
    }
  }
  submitWith(ctx, form, submit, t("save"), save, { dirty: () => Object.keys(changed()).length > 0 });
  fill(ctx.root, heading(t("settings_title")), form, groupsSection(groups));
}

function deviceTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

// A number when the text is one; else the text itself, so the server's message explains.
function numberOrText(text, fallback = null) {
  const trimmed = String(text ?? "").trim();
  if (trimmed === "") return fallback;
  const number = Number(trimmed.replace(",", "."));
  return Number.isFinite(number) ? number : trimmed;
}

// The AI providers as an ordered checklist: the chain is the checked ones, top first.
function providerChain(saved, draft) {
  const choices = saved.choices?.ai_providers ?? [];
  const known = new Map(choices.map((choice) => [choice.value, choice]));
  const chosen = draft.ai_providers ?? (saved.ai_providers ?? []).filter((name) => known.has(name));
  let order = draft.provider_order
    ?? [...chosen, ...choices.map((choice) => choice.value).filter((name) => !chosen.includes(name))];
  const checked = new Set(chosen);
  const list = h("ol", { class: "list provider-list", testid: "settings-providers" });
  const fallback = (saved.effective?.ai_providers ?? []).map((name) => known.get(name)?.label ?? name).join(" → ");
  const hint = h("div", { class: "hint", testid: "settings-providers-hint" });
  const store = () => {
    draft.provider_order = order;
    draft.ai_providers = order.filter((name) => checked.has(name));
    // The form's save button follows what changed, moves included.
    list.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const paintList = (focus = null) => {
    list.replaceChildren(...order.map((name, index) => providerRow(known.get(name), index)));
    hint.textContent = checked.size ? t("settings_providers_hint") : t("settings_providers_default", { chain: fallback || "—" });
    if (focus) list.querySelector(`[data-testid="${focus}"]:not([disabled])`)?.focus();
  };
  const providerRow = (choice, index) => {
    const box = h("input", {
      type: "checkbox", id: `provider-${choice.value}`, testid: `settings-provider-${choice.value}`,
      checked: checked.has(choice.value),
    });
    box.addEventListener("change", () => {
      if (box.checked) checked.add(choice.value);
      else checked.delete(choice.value);
      store();
      paintList();
    });
    const move = (delta, testid) => {
      [order[index], order[index + delta]] = [order[index + delta], order[index]];
      order = [...order];
      store();
      paintList(testid);
    };
    const upId = `settings-provider-up-${choice.value}`;
    const downId = `settings-provider-down-${choice.value}`;
    return h("li", { class: "row provider" },
      h("div", { class: "row-main field-row" },
        box,
        h("label", { for: box.id }, choice.label,
          choice.configured === false ? h("span", { class: "hint provider-hint", text: ` · ${t("settings_provider_not_configured")}` }) : null),
      ),
      h("div", { class: "row-side" },
        h("button", {
          type: "button", class: "icon-button", testid: upId, disabled: index === 0, text: "↑",
          "aria-label": t("move_up", { name: choice.label }), onclick: () => move(-1, upId),
        }),
        h("button", {
          type: "button", class: "icon-button", testid: downId, disabled: index === order.length - 1, text: "↓",
          "aria-label": t("move_down", { name: choice.label }), onclick: () => move(1, downId),
        }),
      ),
    );
  };
  order = order.filter((name) => known.has(name));
  paintList();
  const element = h("fieldset", { class: "field", dataset: { field: "ai_providers" } },
    h("legend", { text: t("settings_providers") }),
    list,
    hint,
    h("div", { class: "field-error", role: "alert", testid: "error-ai_providers", dataset: { errorFor: "ai_providers" }, hidden: true }),
  );
  return { element, value: () => order.filter((name) => checked.has(name)) };
}

function groupsSection(groups) {
  return section(t("settings_groups"),
    groups.length
      ? h("ul", { class: "list", testid: "settings-groups" }, groups.map((group) =>
        h("li", { class: "row", testid: `settings-group-${group.id}` },
          h("div", { class: "row-main" },
            h("div", { class: "row-title", text: group.title }),
            h("div", { class: "badges" },
              group.is_default ? badge(t("settings_group_default"), "success") : null,
              group.problems?.length ? null : badge(`✓ ${t("settings_group_ok")}`, "success"),
            ),
            (group.problems ?? []).map((problem) =>
              h("p", { class: "problem", dataset: { code: problem.code }, text: `⚠️ ${problem.message}` })),
          ),
        ))) : h("p", { class: "empty", testid: "settings-no-groups", text: t("topics_no_group") }),
  );
}
