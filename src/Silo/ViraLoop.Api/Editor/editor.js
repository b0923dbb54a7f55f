// The editor: submit a video, watch it live over SignalR, approve its script, play and download it.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const state = { id: null, last: 0, stream: null, hub: null, urls: [] };
  const key = () => $("apiKey").value.trim();
  $("apiKey").value = localStorage.getItem("viraloop.key") || "";
  $("apiKey").addEventListener("change", () => localStorage.setItem("viraloop.key", key()));

  function showError(text) { const e = $("error"); e.textContent = text; e.hidden = !text; if (text) e.focus?.(); }

  async function api(path, options = {}) {
    const headers = { "X-Api-Key": key(), ...(options.body ? { "Content-Type": "application/json" } : {}) };
    const r = await fetch(path, { ...options, headers });
    if (r.ok) return r.status === 204 ? null : (r.headers.get("content-type") || "").includes("json") ? r.json() : r.blob();
    let detail = `HTTP ${r.status}`;
    try { const p = await r.json(); detail = p.detail || p.title || detail; } catch { }
    if (r.status === 401) detail = "Check your API key: " + detail;
    throw new Error(detail);
  }

  async function blobUrl(path) { const url = URL.createObjectURL(await api(path)); state.urls.push(url); return url; }

  // What the form asks for.
  document.querySelectorAll("input[name=mode]").forEach(r => r.addEventListener("change", () => {
    const mode = document.querySelector("input[name=mode]:checked").value;
    document.querySelectorAll("[data-mode]").forEach(el => el.hidden = el.dataset.mode !== mode);
  }));

  $("form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    showError("");
    if (!key()) { showError("Enter your API key first (top right)."); $("apiKey").focus(); return; }
    const mode = document.querySelector("input[name=mode]:checked").value;
    const body = {
      topic: $("topic").value, language: $("language").value, durationSeconds: Number($("duration").value),
      style: $("style").value, music: $("music").value, preview: $("preview").checked, requireApproval: $("approval").checked,
    };
    if (mode === "text") body.text = $("text").value;
    if (mode === "scenes") {
      try { body.scenes = JSON.parse($("scenes").value || "[]"); } catch { showError("The scene list is not valid JSON."); return; }
    }
    $("submit").disabled = true;
    try {
      const video = await api("/v1/videos", { method: "POST", body: JSON.stringify(body) });
      start(video);
    } catch (e) { showError(e.message); } finally { $("submit").disabled = false; }
  });

  function start(video) {
    state.id = video.id; state.last = 0;
    state.urls.forEach(URL.revokeObjectURL); state.urls = [];
    $("job").hidden = false; $("result").hidden = true; $("approve").hidden = true; $("again").hidden = true; $("cancel").hidden = false;
    $("sceneCards").innerHTML = "";
    $("job-title").textContent = video.title || $("topic").value || "Your video";
    render(video);
    watch();
    $("job").scrollIntoView({ behavior: "smooth" });
  }

  // Live: the hub streams a snapshot, then progress events; after a reconnect the stream resumes after the last one seen.
  async function watch() {
    if (!state.hub) {
      state.hub = new signalR.HubConnectionBuilder()
        .withUrl("/hubs/jobs", { accessTokenFactory: () => key() })
        .withAutomaticReconnect()
        .build();
      state.hub.onreconnected(() => subscribe());
    }
    if (state.hub.state === signalR.HubConnectionState.Disconnected) await state.hub.start();
    subscribe();
  }

  function subscribe() {
    state.stream?.dispose();
    const id = state.id;
    state.stream = state.hub.stream("Watch", id, state.last).subscribe({
      next: (e) => {
        if (id !== state.id) return;
        if (e.type === "snapshot") { state.last = Math.max(state.last, e.sequence); render(e.snapshot); return; }
        if (e.sequence <= state.last) return;
        state.last = e.sequence;
        progress(e.progress);
      },
      complete: () => { },
      error: (err) => showError(String(err.message || err).replace(/^.*HubException: /, "")),
    });
  }

  function render(v) {
    status(v.status, v.percent, v.step, v.etaSeconds, v.error);
    (v.scenes || []).forEach(scene);
    if (v.title) $("job-title").textContent = v.title;
    if (v.status === "awaiting-approval") showApproval();
    if (v.status === "completed") finished();
  }

  function progress(p) {
    status(p.status, p.percent, p.step, p.etaSeconds, p.error);
    if (p.scene) scene(p.scene);
    if (p.status === "awaiting-approval") showApproval();
    if (p.status === "completed") finished();
  }

  function status(s, percent, step, eta, error) {
    const badge = $("status"); badge.textContent = s.replace("-", " "); badge.className = "badge " + s;
    $("step").textContent = step ? `· ${step}` : "";
    $("eta").textContent = eta > 0 && s !== "awaiting-approval" ? `· about ${Math.ceil(eta)} s left` : "";
    const pct = Math.round(percent);
    $("bar").style.width = pct + "%"; $("percent").textContent = pct + " %";
    document.querySelector(".progress").setAttribute("aria-valuenow", String(pct));
    if (s === "failed" || s === "cancelled" || s === "rejected") { showError(error || `The video was ${s}.`); $("cancel").hidden = true; $("again").hidden = false; }
    if (s !== "awaiting-approval") $("approve").hidden = true;
  }

  async function scene(s) {
    let card = document.getElementById("scene-" + s.index);
    if (!card) {
      card = document.createElement("li"); card.id = "scene-" + s.index;
      card.innerHTML = `<div class="placeholder">Scene ${s.index + 1}</div><p><strong>Scene ${s.index + 1}</strong> · <span class="st"></span></p>`;
      $("sceneCards").appendChild(card);
    }
    card.querySelector(".st").textContent = s.status + (s.backend ? ` · ${s.backend}` : "");
    if (s.preview && !card.querySelector("img")) {
      try {
        const img = document.createElement("img"); img.alt = `Scene ${s.index + 1} preview`; img.src = await blobUrl(s.preview);
        card.querySelector(".placeholder")?.replaceWith(img);
      } catch { }
    }
  }

  async function showApproval() {
    if (!$("approve").hidden) return;
    try {
      const script = await api(`/v1/videos/${state.id}/script`);
      $("scriptTitle").value = script.title;
      const list = $("narration"); list.innerHTML = "";
      script.scenes.forEach((s, i) => {
        const li = document.createElement("li");
        const kind = ["hook", "body", "call to action"][s.kind] ?? (typeof s.kind === "string" ? s.kind : "");
        li.innerHTML = `<label>Scene ${i + 1}${kind ? " · " + kind : ""} <textarea rows="3" maxlength="1000"></textarea></label>`;
        li.querySelector("textarea").value = s.narration;
        list.appendChild(li);
      });
      $("approve").hidden = false;
      list.querySelector("textarea")?.focus();
    } catch (e) { showError(e.message); }
  }

  $("approveForm").addEventListener("submit", async (ev) => {
    ev.preventDefault(); showError("");
    const scenes = [...document.querySelectorAll("#narration textarea")].map(t => ({ narration: t.value }));
    $("approveButton").disabled = true;
    try { render(await api(`/v1/videos/${state.id}/approve`, { method: "POST", body: JSON.stringify({ title: $("scriptTitle").value, scenes }) })); $("approve").hidden = true; }
    catch (e) { showError(e.message); } finally { $("approveButton").disabled = false; }
  });

  $("rejectButton").addEventListener("click", async () => {
    showError("");
    const reason = $("rejectReason").value.trim();
    if (!reason) { showError("Say why you reject the script."); $("rejectReason").focus(); return; }
    try { render(await api(`/v1/videos/${state.id}/reject`, { method: "POST", body: JSON.stringify({ reason }) })); } catch (e) { showError(e.message); }
  });

  $("cancel").addEventListener("click", async () => {
    try { render(await api(`/v1/videos/${state.id}/cancel`, { method: "POST", body: JSON.stringify({ reason: "cancelled in the editor" }) })); } catch (e) { showError(e.message); }
  });
  $("again").addEventListener("click", () => { $("job").hidden = true; $("topic").focus(); });

  let shown = null;
  async function finished() {
    if (shown === state.id) return;
    shown = state.id;
    $("cancel").hidden = true; $("again").hidden = false;
    try {
      const base = `/v1/videos/${state.id}`;
      const [video, thumb, captions] = await Promise.all([blobUrl(`${base}/video.mp4`), blobUrl(`${base}/thumbnail.jpg`), blobUrl(`${base}/captions.ass`)]);
      $("player").src = video; $("thumb").src = thumb;
      $("dlVideo").href = video; $("dlThumb").href = thumb; $("dlCaptions").href = captions;
      const view = await api(base);
      if (view.provenance) {
        // Text only: the signer's name comes from a certificate, never markup.
        const p = view.provenance;
        $("provenance").textContent = `Content credentials (C2PA): signed by ${p.signer} on ${new Date(p.signedAt).toLocaleString()}; ${p.actions.join(", ")}; made by ${p.claimGenerator}.`;
        $("provenance").hidden = false;
      }
      $("result").hidden = false;
    } catch (e) { showError(e.message); }
  }
})();
