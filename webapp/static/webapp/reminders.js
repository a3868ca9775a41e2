// Reminders: the upcoming ones, each with another time (a date-time field) and cancel.
// Reached at #reminders (and #reminders/<id>, the "other time" button under a preview).
import { fill, h } from "./dom.js";
import { formatDateTime, instantFromZoned, t, zonedInputValue } from "./i18n.js";
import { busy, button, emptyState, heading, showError, toast } from "./ui.js";

export async function remindersScreen(ctx, focusId) {
  const reminders = await ctx.api.get("reminders/", { signal: ctx.signal });
  if (!ctx.live()) return;
  fill(ctx.root,
    heading(t("reminders_title")),
    reminders?.length
      ? h("ul", { class: "list", testid: "reminders" }, reminders.map((item) => row(ctx, item, focusId)))
      : emptyState(t("reminders_empty"), "reminders-empty"),
  );
}

function row(ctx, item, focusId) {
  const when = h("input", {
    type: "datetime-local", value: zonedInputValue(item.due_at), testid: `reminder-time-${item.id}`,
    "aria-label": t("reminders_time"),
  });
  const save = button(t("reminders_save"), { testid: `reminder-save-${item.id}`, kind: "primary" });
  const cancel = button(t("reminders_cancel"), { testid: `reminder-cancel-${item.id}` });
  save.onclick = () => busy([save, cancel], async () => {
    try {
      await ctx.api.patch(`reminders/${item.id}/`, { due_at: instantFromZoned(when.value) });
      toast(t("reminders_saved"));
      ctx.rerender();
    } catch (error) {
      showError(error);
    }
  });
  cancel.onclick = () => busy([save, cancel], async () => {
    try {
      await ctx.api.delete(`reminders/${item.id}/`);
      toast(t("reminders_cancelled"));
      ctx.rerender();
    } catch (error) {
      showError(error);
    }
  });
  const late = item.status === "undelivered" ? ` · ${t("reminders_undelivered")}` : "";
  return h("li", { class: String(item.id) === focusId ? "item item-focus" : "item", testid: `reminder-${item.id}` },
    h("div", { class: "item-title", text: item.note_title || `#${item.note}` }),
    h("div", { class: "item-meta", text: formatDateTime(item.due_at) + late, testid: `reminder-when-${item.id}` }),
    h("div", { class: "item-actions" }, when, save, cancel),
  );
}
