// Sign in: an organisation token (sales pages) and/or a session ticket (GTIN pages),
// each checked against the API and kept in sessionStorage (gone when the tab closes).
import { auth, sales, gtin } from "./api.js";
import { h, field, errorText } from "./ui.js";

export function render(root) {
  root.append(h("h1", {}, "Sign in"));
  root.append(form({
    id: "token", legend: "Sales: organisation token",
    hint: "Your organisation's token, from whoever runs Tributary for you.",
    current: auth.token, label: "Organisation token",
    check: async (v) => { auth.setToken(v); await sales("GET", "/api/sales/summary/"); },
    clearIt: () => auth.setToken(""), next: "#/dashboard",
  }));
  root.append(form({
    id: "ticket", legend: "GTIN description service: session ticket",
    hint: "A session ticket for your brand, from whoever runs Tributary for you.",
    current: auth.ticket, label: "Session ticket",
    check: async (v) => { auth.setTicket(v); await gtin("GET", "/description-service/import/tasks"); },
    clearIt: () => auth.setTicket(""), next: "#/gtin/imports",
  }));
}

function form({ id, legend, hint, current, label, check, clearIt, next }) {
  const input = h("input", { type: "password", id: `${id}-input`, name: id, autocomplete: "off", required: true, value: current });
  const msg = h("p", { class: "small", role: "status", "aria-live": "polite" }, current ? "Signed in." : "");
  const el = h("form", { class: "card", id: `${id}-form` },
    h("h2", {}, legend), h("p", { class: "muted small" }, hint),
    field(label, input),
    h("div", { class: "row" },
      h("button", { type: "submit" }, "Sign in"),
      h("button", { type: "button", class: "secondary", onclick: () => { clearIt(); input.value = ""; msg.textContent = "Signed out."; } }, "Sign out")),
    msg);
  el.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    msg.textContent = "Checking…"; msg.classList.remove("error");
    try { await check(input.value.trim()); msg.textContent = "Signed in."; location.hash = next; }
    catch (err) { clearIt(); msg.textContent = `Not accepted: ${errorText(err)}`; msg.classList.add("error"); }
  });
  return el;
}
