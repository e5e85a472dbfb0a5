// The console's only way out: the gateway's HTTP API (plus the presigned upload URLs it hands out).
const TOKEN = "tributary.token", TICKET = "tributary.ticket";
export const GTIN_HEADER = "authenticateit_identity_ticket";

export const auth = {
  get token() { return sessionStorage.getItem(TOKEN) || ""; },
  get ticket() { return sessionStorage.getItem(TICKET) || ""; },
  setToken(v) { v ? sessionStorage.setItem(TOKEN, v) : sessionStorage.removeItem(TOKEN); },
  setTicket(v) { v ? sessionStorage.setItem(TICKET, v) : sessionStorage.removeItem(TICKET); },
};

export class ApiError extends Error {
  constructor(status, body) {
    const text = body && typeof body === "object" ? (body.detail || body.title || body.message) : String(body || "");
    super(`${status}: ${text}`);
    this.status = status; this.body = body;
  }
}

/** The gateway answered (or not): the page's offline banner follows this (app.js). */
function reachable(yes) { window.dispatchEvent(new CustomEvent("tributary:reachable", { detail: yes })); }
const DOWN = [502, 503, 504];   // a proxy in front of a stopped gateway answers these

/** fetch, telling the offline banner whether the gateway could be reached. */
export async function request(path, init) {
  let resp;
  try { resp = await fetch(path, init); }
  catch { reachable(false); throw new ApiError(0, { detail: "The gateway cannot be reached (network error)." }); }
  reachable(!DOWN.includes(resp.status));
  return resp;
}

async function call(method, path, body, headers) {
  const init = { method, headers: { ...headers }, credentials: "same-origin" };
  if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  const resp = await request(path, init);
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!resp.ok) throw new ApiError(resp.status, data);
  return data;
}

/** Sales API call with the organisation token. */
export const sales = (method, path, body) => call(method, path, body, { Authorization: `Bearer ${auth.token}` });
/** Description-service call with the session ticket. */
export const gtin = (method, path, body) => call(method, path, body, { [GTIN_HEADER]: auth.ticket });

/** Save an API answer (e.g. `format=csv`) as a file: fetched with the token (a plain link could
 * not send it), handed to the browser as a blob. */
export async function download(path, filename) {
  const resp = await request(path, { headers: { Authorization: `Bearer ${auth.token}` }, credentials: "same-origin" });
  if (!resp.ok) throw new ApiError(resp.status, safeJson(await resp.text()));
  const url = URL.createObjectURL(await resp.blob());
  const a = Object.assign(document.createElement("a"), { href: url, download: filename, hidden: true });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** PUT a file to a presigned URL with upload progress (fetch has no upload progress). */
export function putFile(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300) ? (onProgress(file.size, file.size), resolve())
      : reject(new ApiError(xhr.status, safeJson(xhr.responseText)));
    xhr.onerror = () => reject(new Error("upload failed: network error (open the console at the gateway's public URL; S3 buckets need CORS for PUT)"));
    xhr.send(file);
  });
}

function safeJson(text) { try { return JSON.parse(text); } catch { return text; } }

const liveBadge = () => document.getElementById("live");
export function setLive(on, text) {
  const el = liveBadge(); if (!el) return;
  el.textContent = text ?? (on ? "live" : "offline");
  el.classList.toggle("on", !!on);
}

/**
 * Follow a server-sent event stream of the organisation (`files` or `reports`).
 * EventSource cannot send headers: trade the Bearer token for a short-lived stream ticket first.
 * `onReady` runs on every (re)connection — load the list there, so nothing is missed — and once
 * when the stream cannot be opened at all, so the page shows the API's answer, never nothing.
 * On any error the stream is closed and reopened with a fresh ticket (backing off to 30 s).
 */
export function liveStream(name, types, onEvent, onReady) {
  let source = null, stopped = false, delay = 1000, timer = null, shown = false;
  async function connect() {
    if (stopped) return;
    let ticket;
    try { ticket = await sales("POST", "/api/events/ticket"); }
    catch (err) {
      setLive(false, err.status === 401 ? "signed out" : "offline");
      if (!shown && onReady) { shown = true; onReady(); }
      if (err.status !== 401) retry();
      return;
    }
    if (stopped) return;
    source = new EventSource(ticket.streams[name]);
    source.addEventListener("ready", () => { delay = 1000; shown = true; setLive(true); onReady && onReady(); });
    for (const t of types) source.addEventListener(t, (ev) => onEvent(JSON.parse(ev.data)));
    source.onerror = () => { source.close(); setLive(false, "reconnecting"); retry(); };
  }
  function retry() { timer = setTimeout(connect, delay); delay = Math.min(delay * 2, 30000); }
  connect();
  return () => { stopped = true; clearTimeout(timer); if (source) source.close(); setLive(false, ""); };
}
