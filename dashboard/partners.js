// Pacer dashboard: partner forms, shown when the server offers the partner API.
"use strict";

// Partner forms appear when the server's OpenAPI document lists the partner API.
async function detectPartnerAPI() {
  const document_ = (await api("GET", "/openapi.json")) || { paths: {} };
  state.partnerAPI = !!(document_.paths && document_.paths["/v1/partners"] && document_.paths["/v1/partners"].post);
  $("partner-form").hidden = !state.partnerAPI;
  $("partner-api-missing").hidden = state.partnerAPI;
}

async function partnerAction(p, action) {
  try { await api("POST", "/v1/partners/" + p.partner_id + "/" + action); say("Partner " + p.name + ": " + action + "d."); }
  catch (e) { say(e.message, true); }
  await refresh();
}

async function editPartner(id) {
  try {
    const p = await api("GET", "/v1/partners/" + id);
    const form = $("partner-form");
    form.elements.id.value = p.id;
    form.elements.version.value = p.version === undefined ? "" : p.version;
    for (const name of ["name", "endpoint_url", "format", "rate_limit_per_second", "daily_cap", "batch_size", "timeout_ms", "max_attempts"]) {
      form.elements[name].value = p[name] === null || p[name] === undefined ? "" : p[name];
    }
    $("partner-form-title").textContent = "Edit partner";
    $("partner-submit").textContent = "Save partner";
    $("partner-cancel").hidden = false;
  } catch (e) { say(e.message, true); }
}

function resetPartnerForm() {
  const form = $("partner-form");
  form.reset();
  form.elements.id.value = "";
  form.elements.version.value = "";
  $("partner-form-title").textContent = "New partner";
  $("partner-submit").textContent = "Create partner";
  $("partner-cancel").hidden = true;
}

async function submitPartner(event) {
  event.preventDefault();
  const f = event.target.elements;
  const body = { name: f.name.value, endpoint_url: f.endpoint_url.value, format: f.format.value,
    rate_limit_per_second: Number(f.rate_limit_per_second.value), batch_size: Number(f.batch_size.value) };
  for (const name of ["daily_cap", "timeout_ms", "max_attempts"]) { if (f[name].value) body[name] = Number(f[name].value); }
  try {
    if (f.id.value) {
      if (f.version.value) body.version = Number(f.version.value);
      await api("PUT", "/v1/partners/" + f.id.value, body, f.version.value ? { "If-Match": '"' + f.version.value + '"' } : {});
      say("Saved partner " + body.name + ".");
    } else {
      await api("POST", "/v1/partners", body);
      say("Created partner " + body.name + ".");
    }
    resetPartnerForm();
  } catch (e) {
    say(e.status === 409 ? "Someone else changed this partner meanwhile; reload it and edit again. (" + e.message + ")" : e.message, true);
  }
  await refresh();
}
