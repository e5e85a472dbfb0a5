// Tiny DOM helpers: build elements from data with textContent only (never innerHTML).
export function h(tag, attrs = {}, ...children) {
  const ns = tag.startsWith("svg:") ? "http://www.w3.org/2000/svg" : null;
  const el = ns ? document.createElementNS(ns, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else if (!ns && (k === "value" || k === "checked" || k === "selected")) el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false)
    el.append(c instanceof Node ? c : String(c));
  return el;
}

/** A labelled control: the label beside (not around) it, so its accessible name is the label. */
export function field(text, control) {
  return h("div", { class: "field" }, h("label", { for: control.id }, text), control);
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

/** Replace an element's children, skipping null/false ones (DOM append would print "null"). */
export function fill(el, ...children) {
  clear(el);
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

let toastTimer;
export function toast(text) {
  const el = document.getElementById("toast");
  el.textContent = text; el.classList.add("show");
  clearTimeout(toastTimer); toastTimer = setTimeout(() => el.classList.remove("show"), 4000);
}

export function errorText(err) {
  const body = err && err.body;
  if (body && typeof body === "object") {
    // RFC 9457 problem document: detail, then each {field, problem} not already in the detail
    const detail = body.detail || body.title || String(err);
    const extra = (body.errors || []).filter((e) => !detail.includes(`${e.field}: ${e.problem}`));
    return detail + (extra.length ? " — " + extra.map((e) => `${e.field}: ${e.problem}`).join("; ") : "");
  }
  return err && err.message ? err.message : String(err);
}

export const badge = (status) => h("span", { class: `badge ${status || ""}` }, status || "—");

/** An amount as text, 2 decimals, with its currency (Intl.NumberFormat); "—" when absent. */
export function money(value, currency) {
  if (value === null || value === undefined || value === "") return "—";
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  const opts = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  if (currency) {
    try { return new Intl.NumberFormat(undefined, { ...opts, style: "currency", currency }).format(n); }
    catch { return `${new Intl.NumberFormat(undefined, opts).format(n)} ${currency}`; }
  }
  return new Intl.NumberFormat(undefined, opts).format(n);
}

/** An amount element: 2 decimals and the currency, the exact figure on hover (title). */
export function amount(value, currency) {
  if (value === null || value === undefined || value === "") return h("span", { class: "muted" }, "—");
  return h("span", { class: "amount", title: `${value} ${currency || "(no currency)"}`, "data-exact": String(value) },
    money(value, currency));
}

/** Amounts per currency ([{currency, revenue}]) side by side, never added together. */
export function amounts(list) {
  const parts = (list || []).map((t) => amount(t.revenue, t.currency));
  return parts.length ? h("span", { class: "amounts" }, ...parts.flatMap((p, i) => i ? [" · ", p] : [p])) : amount(null);
}

export function when(ts) { return ts ? new Date(ts).toLocaleString() : "—"; }

/** A table whose cells carry data-label, so the phone layout can stack them. */
export function table(columns, rows, opts = {}) {
  const head = h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.title))));
  const body = h("tbody", {}, rows.map((r) => tableRow(columns, r)));
  return h("div", { class: "table-wrap" }, h("table", { class: "responsive", "aria-label": opts.label }, head, body));
}

export function tableRow(columns, r, attrs = {}) {
  return h("tr", attrs, columns.map((c) => h("td", { "data-label": c.title, class: c.num ? "num" : null }, c.cell(r))));
}

export function needSignIn(root, what) {
  root.append(h("section", { class: "card" }, h("p", {}, `Sign in with ${what} first. `,
    h("a", { href: "#/signin" }, "Sign in"))));
}
