"use strict";
// ViraLoop's cluster pages: silos, GPU workers, jobs, stream queues and a job's trace, from /v1/admin/ops (admin key).
(() => {
  const $ = (id) => document.getElementById(id);
  const keyInput = $("adminKey");
  keyInput.value = sessionStorage.getItem("viraloop.adminKey") || "";
  const pages = ["silos", "gpu", "jobs", "streams", "trace"];
  const siloColours = ["#6b7cff", "#3ddc97", "#ffb020", "#ff6b9a", "#4dd0ff", "#c58bff", "#a3e635", "#f97316"];
  const colourOf = new Map();
  const workerSamples = new Map();
  let timer = null;

  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const ago = (t) => { if (!t) return "never"; const s = Math.max(0, (Date.now() - Date.parse(t)) / 1000); return s < 90 ? `${s.toFixed(0)} s ago` : `${(s / 60).toFixed(0)} min ago`; };
  const secs = (s) => s == null ? "–" : s < 1 ? `${(s * 1000).toFixed(0)} ms` : s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
  const colour = (silo) => { if (!colourOf.has(silo)) colourOf.set(silo, siloColours[colourOf.size % siloColours.length]); return colourOf.get(silo); };

  function showError(message) { const e = $("error"); e.textContent = message || ""; e.hidden = !message; }

  async function api(path) {
    const key = keyInput.value.trim();
    if (!key) throw new Error("Enter the admin key (ViraLoop__AdminKey; scripts/cluster.sh prints it) to see the cluster.");
    const r = await fetch(path, { headers: { "X-Admin-Key": key, Accept: "application/json" } });
    if (!r.ok) {
      let detail = `HTTP ${r.status}`;
      try { const p = await r.json(); detail = p.detail || p.title || detail; } catch { /* not JSON */ }
      throw new Error(r.status === 401 || r.status === 403 ? `The admin key was refused: ${detail}` : detail);
    }
    return r.json();
  }

  function route() {
    const [page, ...rest] = (location.hash.replace(/^#/, "") || "silos").split("/");
    const current = pages.includes(page) ? page : "silos";
    document.querySelectorAll("[data-view]").forEach((v) => { v.hidden = v.dataset.view !== current; });
    document.querySelectorAll("nav a[data-page]").forEach((a) => a.toggleAttribute("aria-current", a.dataset.page === current));
    if (current === "trace" && rest.length >= 2) { $("traceTenant").value = decodeURIComponent(rest[0]); $("traceJob").value = decodeURIComponent(rest[1]); }
    return current;
  }

  async function refresh() {
    clearTimeout(timer);
    const page = route();
    try {
      if (page === "silos") await silos();
      else if (page === "gpu") await gpu();
      else if (page === "jobs") await jobs();
      else if (page === "streams") await streams();
      else if (page === "trace") await trace();
      showError("");
      $("updated").textContent = `Updated ${new Date().toLocaleTimeString()} · refreshes every 2 s`;
      document.body.dataset.loaded = page;
    } catch (e) {
      showError(e.message);
    }
    timer = setTimeout(refresh, 2000);
  }

  async function silos() {
    const list = await api("/v1/admin/ops/silos");
    $("silosBody").innerHTML = list.map((s) => `<tr data-silo="${esc(s.name)}"><td><span class="dot ${s.status === "Active" ? "" : "off"}"></span>${esc(s.name)}</td>
      <td>${esc(s.status)}</td><td>${esc((s.roles || []).join(", ") || "–")}</td>
      <td>${s.gpuSlots != null ? `${esc(s.gpuDevice || "cpu")} · ${s.gpuSlots} slots` : "–"}</td><td><code>${esc(s.address)}</code></td></tr>`).join("");
  }

  function rateOf(worker, completed) {
    const now = Date.now();
    const samples = workerSamples.get(worker) || [];
    samples.push([now, completed]);
    while (samples.length > 2 && now - samples[0][0] > 60000) samples.shift();
    workerSamples.set(worker, samples);
    const [t0, c0] = samples[0];
    return now - t0 < 1500 ? null : ((completed - c0) * 60000) / (now - t0);
  }

  async function gpu() {
    const v = await api("/v1/admin/ops/gpu");
    const q = v.queue;
    const waiting = q.queued.reduce((n, l) => n + l.items, 0);
    const slots = v.workers.reduce((n, w) => n + w.slots, 0), busy = v.workers.reduce((n, w) => n + w.busy, 0);
    $("gpuTiles").innerHTML = [
      [`${busy} / ${slots}`, "GPU slots busy"], [waiting, "visuals waiting"], [q.leased, "leased"],
      [q.completedLastMinute, "rendered last minute"], [secs(q.meanWaitSeconds), "mean queue wait (5 min)"],
    ].map(([b, s]) => `<div class="tile"><b>${esc(b)}</b><span>${esc(s)}</span></div>`).join("");
    $("gpuBody").innerHTML = v.workers.map((w) => {
      const rate = rateOf(w.silo, w.completed);
      const cells = Array.from({ length: w.slots }, (_, i) => `<i class="${i < w.busy ? "busy" : ""}"></i>`).join("");
      return `<tr data-worker="${esc(w.silo)}"><td><span class="dot ${w.status === "Active" && w.pulling ? "" : "off"}"></span>${esc(w.silo)}${w.error ? `<br><small class="status">${esc(w.error)}</small>` : ""}</td>
        <td>${esc(w.device || "cpu")}</td><td><span class="slots">${cells}</span>${w.busy}/${w.slots}</td><td class="num">${w.leased}</td>
        <td>${esc(w.backends.join(", ") || "–")}</td><td class="num">${w.completed}</td><td class="num">${rate == null ? "…" : rate.toFixed(1)}</td><td>${esc(ago(w.lastPull))}</td></tr>`;
    }).join("") || `<tr><td colspan="8" class="status">No GPU silo has joined.</td></tr>`;
    $("queueBody").innerHTML = q.queued.map((l) => `<tr><td>${esc(l.tenantId)}</td><td>${esc(l.priority)}</td><td class="num">${l.items}</td>
      <td class="num">${l.costSeconds.toFixed(1)}</td><td class="num">${secs(l.oldestWaitSeconds)}</td></tr>`).join("")
      || `<tr><td colspan="5" class="status">Nothing is waiting.</td></tr>`;
  }

  function chart(minutes) {
    const w = 720, h = 160, pad = 18, n = minutes.length;
    const max = Math.max(1, ...minutes.map((m) => Math.max(m.submitted, m.completed + m.failed)));
    const bw = (w - pad) / n;
    const bars = minutes.map((m, i) => {
      const x = pad + i * bw, y = (v) => h - pad - (v / max) * (h - 2 * pad);
      const sub = `<rect x="${x + 1}" y="${y(m.submitted)}" width="${bw / 2 - 1}" height="${h - pad - y(m.submitted)}" fill="#6b7cff"><title>${new Date(m.minute).toLocaleTimeString()}: ${m.submitted} accepted</title></rect>`;
      const ok = `<rect x="${x + bw / 2}" y="${y(m.completed + m.failed)}" width="${bw / 2 - 1}" height="${h - pad - y(m.completed)}" fill="#3ddc97"><title>${m.completed} completed, ${m.failed} failed</title></rect>`;
      const bad = m.failed ? `<rect x="${x + bw / 2}" y="${y(m.failed + m.completed)}" width="${bw / 2 - 1}" height="${h - pad - y(m.failed)}" fill="#ff4d6d"></rect>` : "";
      return sub + ok + bad;
    }).join("");
    return `<svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none"><line x1="${pad}" y1="${h - pad}" x2="${w}" y2="${h - pad}" stroke="#2a2f3a"/>
      <text x="0" y="12" fill="#9aa3b2" font-size="11">${max}</text><text x="${pad}" y="${h - 3}" fill="#9aa3b2" font-size="11">−60 min</text>
      <text x="${w - 30}" y="${h - 3}" fill="#9aa3b2" font-size="11">now</text>${bars}</svg>`;
  }

  async function jobs() {
    const v = await api("/v1/admin/ops/jobs");
    const last = v.perMinute[v.perMinute.length - 1] || { submitted: 0, completed: 0, failed: 0 };
    const done = v.tenants.reduce((n, t) => n + t.completed, 0), failed = v.tenants.reduce((n, t) => n + t.failed, 0);
    $("jobTiles").innerHTML = [[v.inFlight, "in flight"], [last.submitted, "accepted this minute"], [last.completed, "completed this minute"],
      [done, "completed"], [failed, "failed"]].concat(Object.entries(v.inFlightByState).map(([s, n]) => [n, s]))
      .map(([b, s]) => `<div class="tile" data-tile="${esc(s)}"><b>${esc(b)}</b><span>${esc(s)}</span></div>`).join("");
    $("jobChart").innerHTML = chart(v.perMinute);
    $("tenantBody").innerHTML = v.tenants.map((t) => `<tr><td>${esc(t.tenantId)}</td><td>${esc(Object.entries(t.inFlightByState).map(([s, n]) => `${n} ${s}`).join(", ") || "0")}</td>
      <td class="num">${t.submitted}</td><td class="num">${t.completed}</td><td class="num">${t.failed}</td><td class="num">${t.cancelled}</td></tr>`).join("")
      || `<tr><td colspan="6" class="status">No jobs yet.</td></tr>`;
    $("recentBody").innerHTML = v.recent.map((c) => {
      const [tenant, id] = c.jobKey.split("/");
      return `<tr data-job="${esc(id)}"><td><code>${esc(c.jobKey)}</code></td><td><span class="badge" data-state="${esc(stateName(c.status))}">${esc(stateName(c.status))}</span></td>
        <td>${esc(c.silo || "")}</td><td>${esc(ago(c.at))}</td><td><a class="link" href="#trace/${encodeURIComponent(tenant)}/${encodeURIComponent(id)}">trace</a></td></tr>`;
    }).join("") || `<tr><td colspan="5" class="status">No jobs yet.</td></tr>`;
    $("failures").innerHTML = v.recentFailures.map((c) => `<li><code>${esc(c.jobKey)}</code> · ${esc(ago(c.at))}<br>${esc(c.error || "")}</li>`).join("")
      || `<li class="status">No failures.</li>`;
  }

  function stateName(s) {
    const names = ["accepted", "scripting", "awaiting-approval", "scenes", "assembly", "packaging", "completed", "failed", "cancelled", "rejected"];
    return typeof s === "number" ? names[s] : String(s).replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
  }

  async function streams() {
    const v = await api("/v1/admin/ops/streams");
    const partitions = v.queues.filter((q) => !q.parking), parked = v.queues.filter((q) => q.parking).reduce((n, q) => n + q.messages, 0);
    $("streamsNote").textContent = v.error || `${partitions.length} partition queues on ${v.provider}; depth counts messages not yet acknowledged by a silo. `
      + (parked ? `${parked} undecodable message(s) parked in the .dead queues.` : "No parked messages.");
    $("streamsBody").innerHTML = v.queues.map((q) => `<tr ${q.parking ? `data-parking="${esc(q.name)}"` : `data-queue="${esc(q.name)}"`}><td><code>${esc(q.name)}</code>${q.parking ? " <small class=\"status\">parked</small>" : ""}</td><td class="num">${q.messages}</td>
      <td class="num">${q.ready}</td><td class="num">${q.unacknowledged}</td><td class="num">${q.consumers}</td>
      <td class="num">${q.publishRate.toFixed(1)}</td><td class="num">${q.deliverRate.toFixed(1)}</td></tr>`).join("");
  }

  async function trace() {
    const tenant = $("traceTenant").value.trim(), id = $("traceJob").value.trim();
    if (!tenant || !id) { $("traceCard").hidden = true; return; }
    const t = await api(`/v1/admin/ops/jobs/${encodeURIComponent(tenant)}/${encodeURIComponent(id)}/trace`);
    $("traceCard").hidden = false;
    $("traceTitle").textContent = `${tenant}/${id} · ${stateName(t.status)}`;
    const spans = t.spans;
    if (!spans.length) { $("traceSummary").textContent = "No spans yet."; $("traceRows").innerHTML = ""; return; }
    const t0 = Math.min(...spans.map((s) => Date.parse(s.start)));
    const t1 = Math.max(...spans.map((s) => Date.parse(s.start) + s.seconds * 1000));
    const total = Math.max(1, t1 - t0);
    const silosUsed = [...new Set(spans.map((s) => s.silo))];
    $("traceSummary").innerHTML = `trace <code>${esc(t.traceId)}</code> · ${spans.length} spans over ${secs(total / 1000)} on ${silosUsed.length} silo(s): `
      + `<span class="silos-legend">${silosUsed.map((s) => `<span><span class="sw" style="background:${colour(s)}"></span>${esc(s)}</span>`).join("")}</span>`;
    $("traceRows").innerHTML = spans.map((s) => {
      const left = ((Date.parse(s.start) - t0) / total) * 100, width = Math.max(0.3, (s.seconds * 1000 / total) * 100);
      return `<div class="name" title="${esc(s.detail || "")}">${esc(s.name)} <small>${esc(s.silo)} · ${secs(s.seconds)}</small></div>
        <div class="lane"><div class="span ${esc(s.status)}" data-silo="${esc(s.silo)}" style="left:${left}%;width:${width}%;background:${colour(s.silo)}" title="${esc(`${s.name} on ${s.silo}: ${secs(s.seconds)} ${s.status}${s.detail ? " — " + s.detail : ""}`)}"></div></div>`;
    }).join("") + `<div class="axis"><span>0</span><span>${secs(total / 2000)}</span><span>${secs(total / 1000)}</span></div>`;
  }

  $("keyForm").addEventListener("submit", (e) => { e.preventDefault(); sessionStorage.setItem("viraloop.adminKey", keyInput.value.trim()); refresh(); });
  keyInput.addEventListener("change", () => { sessionStorage.setItem("viraloop.adminKey", keyInput.value.trim()); refresh(); });
  $("traceForm").addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `trace/${encodeURIComponent($("traceTenant").value.trim())}/${encodeURIComponent($("traceJob").value.trim())}`;
  });
  window.addEventListener("hashchange", refresh);
  refresh();
})();
