// Usage: totals, notes per day as CSS bars (no chart library), and a table by month.
import { fill, h } from "./dom.js";
import { formatCost, formatDay, formatMonth, formatNumber, t } from "./i18n.js";
import { emptyState, heading, section } from "./ui.js";

const DAYS = 30;
const MONTHS = 12;

export async function usageScreen(ctx) {
  const data = await ctx.api.get("usage/", { params: { days: DAYS, months: MONTHS }, signal: ctx.signal });
  if (!ctx.live()) return;
  fill(ctx.root,
    heading(t("usage_title")),
    totals(data?.totals ?? {}),
    section(t("usage_days", { days: DAYS }), dayChart(data?.days ?? [])),
    section(t("usage_months"), monthTable(data?.months ?? [])),
  );
}

function totals(sum) {
  const tile = (label, value, testid) =>
    h("div", { class: "tile", testid }, h("div", { class: "tile-value", text: value }), h("div", { class: "tile-label", text: label }));
  return h("div", { class: "tiles", testid: "usage-totals" },
    tile(t("usage_notes"), formatNumber(sum.notes), "usage-total-notes"),
    tile(t("usage_filed"), formatNumber(sum.filed), "usage-total-filed"),
    tile(t("usage_cost"), formatCost(sum.cost_usd), "usage-total-cost"),
    tile(t("usage_tokens"), formatNumber((Number(sum.input_tokens) || 0) + (Number(sum.output_tokens) || 0)), "usage-total-tokens"),
  );
}

function dayChart(days) {
  if (!days.length) return emptyState(t("usage_empty"), "usage-empty");
  const peak = Math.max(1, ...days.map((day) => Number(day.notes) || 0));
  const chart = h("div", { class: "chart", testid: "usage-chart", role: "list", "aria-label": t("usage_chart_label") });
  days.forEach((day, index) => {
    const notes = Number(day.notes) || 0;
    const filed = Math.min(notes, Number(day.filed) || 0);
    const label = t("usage_day_summary", {
      date: formatDay(day.date), notes: formatNumber(notes), filed: formatNumber(filed), cost: formatCost(day.cost_usd),
    });
    // Every seventh day, counted back from the last, is named under the chart; every
    // bar has a tooltip.
    const named = (days.length - 1 - index) % 7 === 0;
    const labelClass = index > days.length / 2 ? "bar-label bar-label-end" : "bar-label";
    chart.append(
      h("div", { class: "bar", role: "listitem", title: label, "aria-label": label, dataset: { date: day.date } },
        h("div", { class: "bar-track" },
          h("div", { class: "bar-fill", style: `height: ${(notes / peak) * 100}%` },
            h("div", { class: "bar-filed", style: `height: ${notes ? (filed / notes) * 100 : 0}%` }),
          ),
        ),
        h("div", { class: labelClass, "aria-hidden": "true", text: named ? formatDay(day.date) : "" }),
      ),
    );
  });
  const legend = h("div", { class: "legend", "aria-hidden": "true" },
    h("span", { class: "legend-item legend-notes", text: t("usage_notes") }),
    h("span", { class: "legend-item legend-filed", text: t("usage_filed") }),
  );
  return h("div", {}, chart, legend);
}

// Months as a list (it fits a phone in either language), from the first with any notes.
function monthTable(all) {
  const first = all.findIndex((month) => Number(month.notes) || Number(month.cost_usd));
  const months = first < 0 ? [] : all.slice(first);
  if (!months.length) return emptyState(t("usage_empty"), "usage-months-empty");
  return h("ul", { class: "list month-list", testid: "usage-months" },
    months.map((month) => h("li", { class: "row month-row", dataset: { month: month.month } },
      h("div", { class: "row-main" },
        h("div", { class: "row-title", text: formatMonth(month.month) }),
        h("div", { class: "row-text", text: t("usage_month_summary", {
          notes: formatNumber(month.notes),
          filed: formatNumber(month.filed),
          tokens: formatNumber((Number(month.input_tokens) || 0) + (Number(month.output_tokens) || 0)),
        }) }),
      ),
      h("div", { class: "row-side month-cost", text: formatCost(month.cost_usd) }),
    )),
  );
}
