// Pacer dashboard: plain DOM, every piece of user text set with textContent (never innerHTML).
"use strict";

const state = { token: sessionStorage.getItem("pacer.token") || "", selected: null, campaigns: [], charts: {}, partnerAPI: false };

function $(id) { return document.getElementById(id); }

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (className) td.className = className;
  return td;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", (event) => { event.stopPropagation(); onClick(); });
  return b;
}

function say(text, isError) {
  const m = $("message");
  m.textContent = text || "";
  m.className = isError ? "error" : "";
}

function money(cents) {
  return cents === null || cents === undefined ? "" : Number(cents).toLocaleString(undefined, { maximumFractionDigits: 4 });
}

async function api(method, path, body, headers) {
  const init = { method, headers: Object.assign({ Authorization: "Bearer " + state.token }, headers || {}) };
  if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (response.status === 401) { signOut("The token was refused; enter a valid one."); throw new Error("unauthorized"); }
  if (!response.ok) {
    const fields = data && data.errors ? data.errors.map((e) => e.field + " " + e.message).join("; ") : "";
    const detail = (data && (data.detail || data.title)) || response.statusText;
    const error = new Error(detail + (fields ? ": " + fields : ""));
    error.status = response.status;
    throw error;
  }
  return data;
}

function signOut(message) {
  sessionStorage.removeItem("pacer.token");
  state.token = "";
  $("app").hidden = true;
  $("login").hidden = false;
  $("logout").hidden = true;
  $("who").textContent = message || "";
}

async function loadCampaigns() {
  let campaigns = [];
  let cursor = null;
  do {
    const page = await api("GET", "/v1/campaigns?limit=1000" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
    campaigns = campaigns.concat(page.campaigns);
    cursor = page.next_cursor;
  } while (cursor);
  state.campaigns = campaigns.filter((c) => c.status !== "archived");
  const statuses = await Promise.all(state.campaigns.map((c) => api("GET", "/v1/budget/status/" + c.id).catch(() => null)));
  const body = $("campaigns").querySelector("tbody");
  body.replaceChildren();
  state.campaigns.forEach((c, i) => {
    const s = statuses[i] || {};
    const row = document.createElement("tr");
    row.dataset.id = c.id;
    if (state.selected === c.id) row.className = "selected";
    row.append(cell(c.name), cell(c.pacing), cell(c.status), cell(money(c.daily_budget_cents) + " " + c.currency, "number"),
      cell(money(s.spent_today_cents), "number"), cell(money(s.target_spent_cents), "number"),
      cell(s.throttle === undefined ? "" : (s.throttle * 100).toFixed(0) + "%", "number"),
      cell(s.breaker ? s.breaker + (c.breaker.override !== "none" ? " (forced)" : "") : "", "breaker-" + (s.breaker || "")));
    const actions = document.createElement("td");
    actions.append(
      button("Chart", () => select(c.id)),
      button("Edit", () => edit(c)),
      c.status === "paused" ? button("Resume", () => control(c, "resume")) : button("Pause", () => control(c, "pause")),
      button(c.breaker.override === "open" ? "Release kill switch" : "Kill switch", () => killSwitch(c)));
    row.append(actions);
    row.addEventListener("click", () => select(c.id));
    body.append(row);
  });
  if (!state.selected && state.campaigns.length > 0) await select(state.campaigns[0].id);
}

async function control(c, action) {
  try {
    await api("POST", "/v1/campaigns/" + c.id + "/" + action, undefined, { "If-Match": '"' + c.version + '"' });
    say("Campaign " + c.name + ": " + action + "d.");
  } catch (e) { say(e.message, true); }
  await refresh();
}

async function killSwitch(c) {
  const override = c.breaker.override === "open" ? "none" : "open";
  try {
    await api("PUT", "/v1/campaigns/" + c.id + "/kill-switch", { override, version: c.version });
    say("Campaign " + c.name + ": breaker " + (override === "open" ? "forced open" : "back to automatic") + ".");
  } catch (e) { say(e.message, true); }
  await refresh();
}

async function loadGlobal() {
  const g = await api("GET", "/v1/kill-switch");
  $("global-switch").textContent = g.override;
  $("global-override").value = g.override;
}

function chartOrNothing(id, config) {
  if (typeof Chart === "undefined") { $("chart-missing").hidden = false; return; }
  if (state.charts[id]) state.charts[id].destroy();
  state.charts[id] = new Chart($(id), config);
}

function targetShare(pacing, x, shape) {
  if (pacing === "ASAP") return 1;
  if (pacing === "FRONT_LOADED") return 1 - Math.pow(1 - x, Math.max(1, shape || 2));
  return x;
}

async function select(id) {
  state.selected = id;
  document.querySelectorAll("#campaigns tbody tr").forEach((r) => { r.className = r.dataset.id === id ? "selected" : ""; });
  const c = state.campaigns.find((x) => x.id === id);
  if (!c) return;
  $("detail").hidden = false;
  $("detail-name").textContent = c.name;
  try {
    const status = await api("GET", "/v1/budget/status/" + id);
    const now = Date.now();
    const dayStart = now - status.day_elapsed * 86400000;
    const from = new Date(Math.floor(dayStart / 3600000) * 3600000);
    const perf = await api("GET", "/v1/campaigns/" + id + "/performance?granularity=hour&from=" + encodeURIComponent(from.toISOString()) +
      "&to=" + encodeURIComponent(new Date(now + 3600000).toISOString()));
    const hours = Array.from({ length: 24 }, (_, h) => h);
    const byHour = new Map(perf.series.map((p) => [Math.round((Date.parse(p.start) - dayStart) / 3600000), p]));
    let total = 0;
    const elapsedHours = status.day_elapsed * 24;
    const actual = hours.map((h) => {
      if (h > elapsedHours) return null;
      total += byHour.has(h) ? Number(byHour.get(h).spent_cents) : 0;
      return total;
    });
    const target = hours.map((h) => Number(status.daily_budget_cents) * targetShare(c.pacing, (h + 1) / 24, c.front_loaded_shape));
    chartOrNothing("spend-chart", {
      type: "line",
      data: { labels: hours.map((h) => h + 1 + "h"), datasets: [
        { label: "Spent (cents)", data: actual, borderColor: "#1f6feb", backgroundColor: "#1f6feb", tension: 0.2 },
        { label: "Target (cents)", data: target, borderColor: "#8b949e", borderDash: [6, 4], pointRadius: 0 },
      ] },
      options: { animation: false, responsive: true, scales: { y: { beginAtZero: true } } },
    });
    const outcomes = ["allowed", "throttled", "denied_budget", "denied_breaker", "denied_paused", "denied_not_running", "denied_other"];
    const colors = ["#2da44e", "#bf8700", "#cf222e", "#8250df", "#57606a", "#0969da", "#999999"];
    chartOrNothing("outcome-chart", {
      type: "bar",
      data: { labels: perf.series.map((p) => new Date(p.start).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })),
        datasets: outcomes.map((o, i) => ({ label: o, data: perf.series.map((p) => p[o]), backgroundColor: colors[i] })) },
      options: { animation: false, responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    });
  } catch (e) { say(e.message, true); }
}

function edit(c) {
  const form = $("campaign-form");
  form.elements.id.value = c.id;
  form.elements.version.value = c.version;
  for (const name of ["name", "daily_budget_cents", "total_budget_cents", "pacing", "timezone", "currency", "start_date", "end_date"]) {
    form.elements[name].value = c[name] === null || c[name] === undefined ? "" : c[name];
  }
  form.elements.status.value = c.status === "paused" ? "paused" : "active";
  $("form-title").textContent = "Edit campaign";
  $("campaign-submit").textContent = "Save changes";
  $("campaign-cancel").hidden = false;
}

function resetForm() {
  const form = $("campaign-form");
  form.reset();
  form.elements.id.value = "";
  form.elements.version.value = "";
  $("form-title").textContent = "New campaign";
  $("campaign-submit").textContent = "Create campaign";
  $("campaign-cancel").hidden = true;
}

async function submitCampaign(event) {
  event.preventDefault();
  const f = event.target.elements;
  const body = { name: f.name.value, daily_budget_cents: Number(f.daily_budget_cents.value), pacing: f.pacing.value,
    timezone: f.timezone.value || "UTC", currency: (f.currency.value || "USD").toUpperCase(), status: f.status.value };
  if (f.total_budget_cents.value) body.total_budget_cents = Number(f.total_budget_cents.value);
  if (f.start_date.value) body.start_date = f.start_date.value;
  if (f.end_date.value) body.end_date = f.end_date.value;
  try {
    if (f.id.value) {
      const existing = state.campaigns.find((c) => c.id === f.id.value);
      if (existing) body.breaker = { trip_ratio: existing.breaker.trip_ratio, cooldown_seconds: existing.breaker.cooldown_seconds,
        probe_bids: existing.breaker.probe_bids, recovery_throttle: existing.breaker.recovery_throttle };
      await api("PUT", "/v1/campaigns/" + f.id.value, body, { "If-Match": '"' + f.version.value + '"' });
      say("Saved " + body.name + ".");
    } else {
      const created = await api("POST", "/v1/campaigns", body);
      state.selected = created.id;
      say("Created " + body.name + ".");
    }
    resetForm();
  } catch (e) {
    say(e.status === 409 ? "Someone else changed this campaign meanwhile; reload it and edit again. (" + e.message + ")" : e.message, true);
  }
  await refresh();
}

async function loadPartners() {
  const body = $("partners").querySelector("tbody");
  body.replaceChildren();
  const data = await api("GET", "/v1/dashboard/clicks");
  for (const p of data.partners) {
    const row = document.createElement("tr");
    row.append(cell(p.name), cell(p.status), cell(p.batches_waiting, "number"), cell(p.clicks_waiting, "number"),
      cell(p.batches_in_flight, "number"), cell(p.delivered_last_minute, "number"), cell(p.delivered_today, "number"),
      cell(p.batches_dead, "number"));
    const actions = document.createElement("td");
    if (state.partnerAPI) {
      actions.append(
        button("Edit", () => editPartner(p.partner_id)),
        p.status === "paused" ? button("Resume", () => partnerAction(p, "resume")) : button("Pause", () => partnerAction(p, "pause")));
    }
    row.append(actions);
    body.append(row);
  }
  if (data.partners.length === 0) { const row = document.createElement("tr"); const td = cell("No partners yet."); td.colSpan = 9; row.append(td); body.append(row); }
}

async function loadInstances() {
  const body = $("instances").querySelector("tbody");
  body.replaceChildren();
  const data = await api("GET", "/v1/instances");
  for (const i of data.instances) {
    const leased = i.leases.reduce((sum, l) => sum + Number(l.granted_cents), 0);
    const row = document.createElement("tr");
    row.append(cell(i.id), cell(i.status), cell(i.heartbeat_age_seconds, "number"), cell(i.leases.length, "number"), cell(money(leased), "number"));
    body.append(row);
  }
}

async function refresh() {
  try {
    await Promise.all([loadCampaigns(), loadGlobal(), loadPartners(), loadInstances()]);
    if (state.selected) await select(state.selected);
  } catch (e) { if (e.message !== "unauthorized") say(e.message, true); }
}

async function start() {
  $("login").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = "";
  if (typeof Chart === "undefined") $("chart-missing").hidden = false;
  try { await detectPartnerAPI(); } catch (e) { state.partnerAPI = false; }
  await refresh();
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.token = $("token").value.trim();
    $("token").value = "";
    sessionStorage.setItem("pacer.token", state.token);
    start();
  });
  $("logout").addEventListener("click", () => signOut(""));
  $("refresh").addEventListener("click", refresh);
  $("campaign-form").addEventListener("submit", submitCampaign);
  $("campaign-cancel").addEventListener("click", resetForm);
  $("partner-form").addEventListener("submit", submitPartner);
  $("partner-cancel").addEventListener("click", resetPartnerForm);
  $("global-apply").addEventListener("click", async () => {
    try { await api("PUT", "/v1/kill-switch", { override: $("global-override").value }); say("Global kill switch set."); }
    catch (e) { say(e.message, true); }
    await refresh();
  });
  if (state.token) start();
});
setInterval(() => { if (state.token && document.visibilityState === "visible") refresh(); }, 15000);
