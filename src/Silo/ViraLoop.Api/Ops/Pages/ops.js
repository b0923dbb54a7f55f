"use strict";
// ViraLoop's cluster pages: silos, GPU workers, jobs, stream queues, a job's trace and the experiments, from /v1/admin/ops (admin key).
(() => {
  const $ = (id) => document.getElementById(id);
  const keyInput = $("adminKey");
  keyInput.value = sessionStorage.getItem("viraloop.adminKey") || "";
  const pages = ["silos", "gpu", "jobs", "streams", "trace", "experiments"];
  const siloColours = ["#6b7cff", "#3ddc97", "#ffb020", "#ff6b9a", "#4dd0ff", "#c58bff", "#a3e635", "#f97316"];
  const colourOf = new Map();
  const workerSamples = new Map();
  let timer = null;
  let routeArgs = [];

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
    routeArgs = rest.map((r) => decodeURIComponent(r));
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
      else if (page === "experiments") await experiments();
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

  // Experiments: the newest of every tenant (or of one), each a card: its arms with their posteriors, and its allocations over time.
  const maxCards = 8;
  const armPalette = ["#6b7cff", "#3ddc97", "#ffb020", "#ff6b9a", "#4dd0ff", "#c58bff", "#a3e635", "#f97316", "#2dd4bf", "#f472b6", "#facc15", "#60a5fa"];
  const controlColour = "#8b93a3";
  const bucketSteps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map((s) => s * 1000);
  const pct = (v, digits = 1) => `${(v * 100).toFixed(digits)}%`;
  const stepName = (ms) => { const s = ms / 1000; return s < 60 ? `${s} s` : s < 3600 ? `${s / 60} min` : s < 86400 ? `${s / 3600} h` : `${s / 86400} d`; };
  const when = (ms, withDate) => new Date(ms).toLocaleString([], withDate ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" } : { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const objectives = { ctr: ["CTR", "Clicks / impr."], completion: ["Completion", "Completed / started"] };

  function armColours(arms) {
    const colours = new Map();
    let i = 0;
    for (const a of arms) colours.set(a.id, a.control ? controlColour : i < armPalette.length ? armPalette[i++] : `hsl(${(i++ * 137.5) % 360} 70% 62%)`);
    return colours;
  }

  const swatch = (c) => `<span class="sw" style="background:${c}"></span>`;

  async function experiments() {
    const tenant = routeArgs[0] || "";
    const list = await api("/v1/admin/ops/experiments");
    const tenants = [...new Set(list.items.map((e) => e.tenant))].sort();
    const select = $("expTenant");
    const options = ["", ...tenants, ...(tenant && !tenants.includes(tenant) ? [tenant] : [])];
    if (select.dataset.options !== options.join("\n")) {
      select.dataset.options = options.join("\n");
      select.innerHTML = options.map((t) => `<option value="${esc(t)}">${t ? esc(t) : "All tenants"}</option>`).join("");
    }
    select.value = tenant;
    const matching = list.items.filter((e) => !tenant || e.tenant === tenant), shown = matching.slice(0, maxCards);
    $("expNote").textContent = !list.items.length ? "No experiments yet: a tenant starts one with POST /v1/experiments."
      : `${matching.length} experiment(s)${tenant ? ` of ${tenant}` : ` across ${tenants.length} tenant(s)`}`
        + (matching.length > shown.length ? `; the newest ${shown.length} are shown.` : ".");
    const cards = await Promise.all(shown.map(async (e) => {
      try { return experimentCard(e, await api(`/v1/admin/ops/experiments/${encodeURIComponent(e.tenant)}/${encodeURIComponent(e.id)}`)); }
      catch (err) { return `<article class="card exp" data-experiment="${esc(`${e.tenant}/${e.id}`)}"><h2>${esc(e.name)}</h2><p class="error">${esc(err.message)}</p></article>`; }
    }));
    $("expCards").innerHTML = cards.join("");
  }

  function experimentCard(entry, v) {
    const colours = armColours(v.arms);
    const [objective, exposures] = objectives[v.objective] || [v.objective, "Successes / exposures"];
    // The API names a leader even before any engagement (every chance of being best 0): the page shows none until there is evidence.
    const leader = v.arms.find((a) => a.id === v.leader && a.probabilityBest > 0);
    const leaderFact = leader ? `${swatch(colours.get(leader.id))}<code>${esc(leader.id)}</code> <span class="status">${pct(leader.probabilityBest, 0)}</span>`
      : `<span class="status">none yet</span>`;
    const facts = [["Objective", esc(objective)], ["Generation", v.generation], ["Videos", v.videos],
      ["Leader", leaderFact],
      ["Control share", pct(v.controlShare, 0)], ["Judged after", `${v.minExposures} exp.`]];
    return `<article class="card exp" data-experiment="${esc(`${entry.tenant}/${v.id}`)}">
      <header class="exp-head">
        <div><h2>${esc(v.name)}</h2><p class="status"><code>${esc(entry.tenant)}/${esc(v.id)}</code> · created ${esc(ago(v.createdAt))}
          · ${v.refreshedAt ? `posteriors updated ${esc(ago(v.refreshedAt))}` : "no engagement yet"}</p></div>
        <dl class="facts">${facts.map(([k, d]) => `<div${k === "Leader" ? ` data-fact="leader" data-arm="${esc(leader ? leader.id : "")}"` : ""}><dt>${k}</dt><dd>${d}</dd></div>`).join("")}</dl>
      </header>
      ${armsTable(v, colours, exposures, leader ? leader.id : null)}
      <h3>Allocation over time</h3>
      ${allocationChart(v, colours)}
    </article>`;
  }

  function armsTable(v, colours, exposures, leader) {
    const control = v.arms.find((a) => a.control);
    const top = Math.max(...v.arms.map((a) => a.posterior.high));
    const scale = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1].find((s) => s >= top) || 1;
    const at = (x) => `${Math.min(100, (x / scale) * 100).toFixed(2)}%`;
    const rows = v.arms.map((a) => {
      const colour = colours.get(a.id), post = a.posterior;
      const differs = control ? Object.entries(a.genome).filter(([g, value]) => control.genome[g] !== value) : [];
      const genes = a.control ? `<span class="status">baseline</span>`
        : differs.map(([g, value]) => `<span class="gene"><i>${esc(g)}</i>${esc(value)}</span>`).join("") || `<span class="status">as the control</span>`;
      const tags = (a.control ? `<span class="tag control">control</span>` : "") + (a.id === leader ? `<span class="tag leader">leader</span>` : "")
        + (a.retiredAt != null ? `<span class="tag retired">retired g${a.retiredAt}</span>` : "");
      const whisker = `<div class="ci" title="${esc(`mean ${pct(post.mean, 2)}, 95% interval ${pct(post.low, 2)}–${pct(post.high, 2)}; prior mean ${pct(a.prior.mean, 1)}`)}">
          <span class="range" style="left:${at(post.low)};width:calc(${at(post.high)} - ${at(post.low)});background:${colour}"></span>
          <span class="mean" style="left:${at(post.mean)};background:${colour}"></span></div>`;
      return `<tr data-arm="${esc(a.id)}" class="${a.retiredAt != null ? "retired" : ""} ${a.id === leader ? "leader" : ""}"${a.control ? " data-control" : ""}${a.id === leader ? " data-leader" : ""}>
        <td class="arm">${swatch(colour)}<code>${esc(a.id)}</code>${tags}</td>
        <td class="genes" title="${esc(Object.entries(a.genome).map(([g, value]) => `${g}: ${value}`).join(", "))}">${genes}</td>
        <td class="num">${a.generation}</td><td class="num">${a.videos}</td><td class="num">${a.successes} / ${a.exposures}</td>
        <td>${whisker}</td><td class="num">${pct(post.mean)}</td>
        <td><div class="pbest"><span class="meter"><i style="width:${pct(a.probabilityBest)}"></i></span><span>${pct(a.probabilityBest, 0)}</span></div></td></tr>`;
    }).join("");
    return `<div class="scroll"><table class="arms"><thead><tr><th>Arm</th><th>Genes unlike the control</th><th class="num">Gen</th><th class="num">Videos</th>
      <th class="num">${esc(exposures)}</th><th class="post">Posterior, 95% interval<span class="axis-row"><span>0</span><span>${pct(scale / 2, 0)}</span><span>${pct(scale, 0)}</span></span></th>
      <th class="num">Mean</th><th>Chance best</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  }

  function allocationChart(v, colours) {
    const allocs = v.allocations;
    if (!allocs.length) return `<p class="status">No videos allocated yet.</p>`;
    const times = allocs.map((a) => Date.parse(a.at));
    const t0 = Math.min(...times), t1 = Math.max(...times);
    const step = bucketSteps.find((s) => Math.floor(t1 / s) - Math.floor(t0 / s) < 40) || bucketSteps[bucketSteps.length - 1];
    const first = Math.floor(t0 / step), n = Math.floor(t1 / step) - first + 1;
    const counts = new Map();
    allocs.forEach((a, i) => {
      if (!counts.has(a.armId)) counts.set(a.armId, new Array(n).fill(0));
      counts.get(a.armId)[Math.floor(times[i] / step) - first]++;
    });
    const order = [...v.arms.map((a) => a.id).filter((id) => counts.has(id)), ...[...counts.keys()].filter((id) => !colours.has(id))];
    const totals = Array.from({ length: n }, (_, i) => order.reduce((sum, id) => sum + counts.get(id)[i], 0));
    const max = Math.max(...totals);
    const W = 1100, H = 220, left = 40, right = 10, top = 22, bottom = 26, plotW = W - left - right, plotH = H - top - bottom;
    const unit = plotH / max, slot = plotW / n, bw = Math.min(slot * 0.8, 60);
    const below = new Array(n).fill(0);
    const series = order.map((id) => {
      const colour = colours.get(id) || "#555";
      const rects = counts.get(id).map((c, i) => {
        if (!c) return "";
        const h = c * unit, y = top + plotH - (below[i] + c) * unit;
        below[i] += c;
        return `<rect x="${(left + i * slot + (slot - bw) / 2).toFixed(2)}" y="${y.toFixed(2)}" width="${bw.toFixed(2)}" height="${h.toFixed(2)}" data-count="${c}">`
          + `<title>${esc(id)}: ${c} video(s) from ${esc(when((first + i) * step, step >= 86400000))}</title></rect>`;
      }).join("");
      return `<g data-series="${esc(id)}" fill="${colour}">${rects}</g>`;
    }).join("");
    const withDate = t1 - t0 > 20 * 3600000;
    const ticks = [...new Set([0, Math.round(max / 2), max])].map((t) => {
      const y = top + plotH - t * unit;
      return `<line x1="${left}" x2="${W - right}" y1="${y}" y2="${y}" stroke="${t ? "#232833" : "#3a4150"}"/><text x="${left - 6}" y="${y + 4}" text-anchor="end">${t}</text>`;
    }).join("");
    const generations = [];
    allocs.forEach((a, i) => { if (a.generation > 0 && !generations.some((g) => g.generation === a.generation)) generations.push({ generation: a.generation, at: times[i] }); });
    const marks = generations.map((g) => {
      const x = left + (Math.floor(g.at / step) - first) * slot;
      return `<line x1="${x}" x2="${x}" y1="${top - 4}" y2="${top + plotH}" stroke="#9aa3b2" stroke-dasharray="4 4"/><text x="${x}" y="${top - 8}" text-anchor="middle">gen ${g.generation}</text>`;
    }).join("");
    const axis = [[left, "start", first * step], [left + plotW / 2, "middle", (first + n / 2) * step], [W - right, "end", (first + n) * step]]
      .map(([x, anchor, t]) => `<text x="${x}" y="${H - 8}" text-anchor="${anchor}">${esc(when(t, withDate))}</text>`).join("");
    const legend = order.map((id) => {
      const arm = v.arms.find((a) => a.id === id);
      const shown = counts.get(id).reduce((s, c) => s + c, 0);
      return `<span data-legend="${esc(id)}">${swatch(colours.get(id) || "#555")}<code>${esc(id)}</code>${arm && arm.control ? " control" : ""} · ${shown}</span>`;
    }).join("");
    const note = v.videos > allocs.length ? ` (the newest ${allocs.length} of ${v.videos})` : "";
    return `<div class="alloc"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Videos allocated to each arm per ${stepName(step)}" data-unit="${unit}" data-videos="${allocs.length}">
      <g class="grid">${ticks}</g>${series}<g class="marks">${marks}</g><g class="axis">${axis}</g></svg>
      <p class="legend exp-legend"><span class="status">videos per ${stepName(step)}${note}:</span> ${legend}</p></div>`;
  }

  $("expTenant").addEventListener("change", (e) => { location.hash = e.target.value ? `experiments/${encodeURIComponent(e.target.value)}` : "experiments"; });
  $("keyForm").addEventListener("submit", (e) => { e.preventDefault(); sessionStorage.setItem("viraloop.adminKey", keyInput.value.trim()); refresh(); });
  keyInput.addEventListener("change", () => { sessionStorage.setItem("viraloop.adminKey", keyInput.value.trim()); refresh(); });
  $("traceForm").addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `trace/${encodeURIComponent($("traceTenant").value.trim())}/${encodeURIComponent($("traceJob").value.trim())}`;
  });
  window.addEventListener("hashchange", refresh);
  refresh();
})();
