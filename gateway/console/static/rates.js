// The fix for a missing exchange rate, on the file's page: enter the rate (POST
// /api/exchange-rates/), then the file is reimported so its converted totals include those lines.
import { sales } from "./api.js";
import { h, field, errorText, toast } from "./ui.js";

let seq = 0;

/** A card with one form per missing rate of the record (lines with no currency cannot be fixed here). */
export function missingRatesCard(r) {
  const missing = ((r.conversion || {}).missing || []).filter((m) => m.from && m.to && m.month);
  if (!missing.length) return null;
  return h("section", { class: "card", id: "missing-rates-fix", "aria-labelledby": "rates-h" },
    h("h2", { id: "rates-h" }, "Missing exchange rates"),
    h("p", { class: "small muted" }, "Lines in these currencies are left out of the converted totals until a rate for their month is known."),
    missing.map((m) => rateForm(r, m)));
}

function rateForm(r, m) {
  const input = h("input", { type: "text", inputmode: "decimal", id: `rate-${++seq}`, required: true, pattern: "[0-9]+([.][0-9]+)?", placeholder: "1.08" });
  const msg = h("span", { class: "small", role: "status" });
  const form = h("form", { class: "row rate-form", "data-pair": `${m.from}-${m.to}-${m.month}` },
    field(`1 ${m.from} in ${m.to}, ${m.month} (${m.rows} lines)`, input),
    h("button", { type: "submit" }, "Save rate and reimport"), msg);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = form.querySelector("button"); button.disabled = true;
    try {
      await sales("POST", "/api/exchange-rates/", { month: m.month, from: m.from, to: m.to, rate: input.value.trim() });
      await sales("POST", `/api/files/salesfiles/${r.id}/process/`, { action: "reimport" });
      msg.textContent = " Saved; reimporting."; toast(`Rate saved; reimporting ${r.filename}`);
    } catch (err) { msg.textContent = ` ${errorText(err)}`; msg.classList.add("error"); button.disabled = false; }
  });
  return form;
}
