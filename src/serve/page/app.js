// needlesim live: pointer strokes → batches of timed samples → the server stamps them with
// the pen's frequency and answers with the new punctures and the live figures.
// Plain JS, no dependency. Coordinates: mm on the map, x right, y up.
"use strict";

const $ = (id) => document.getElementById(id);
const PASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
const BATCH_MS = 40;       // send pending samples this often
const HOLD_MS = 30;        // a pen held still sends its position this often (it keeps firing)
const STORE_KEY = "needlesim.session";   // this tab's session id (kept across a reload)

const S = {
  config: null, session: null, settings: null,
  pass: 0, strokeId: 0, down: false, last: null,
  pending: [],             // [{stroke, pass, t, x, y, end}]
  inFlight: false,
  strokes: [],             // [{id, pass, punctures: [x, y, ...], t: [per stamp], needles, nogo: [[x, y]]}]
  metrics: null, view: null, replaying: false, exports: 0,
  clockOffset: 0,          // ms added to the page's clock so a resumed session's time moves on
};
window.needlesim = S;

// ---- Drawing ------------------------------------------------------------------------

const canvas = $("map");
const ctx = canvas.getContext("2d");
const heat = document.createElement("canvas");   // overlap: translucent treated-zone disks
const dots = document.createElement("canvas");   // needle holes

// Show the whole map in the window: as tall as the window allows (on a narrow, upright
// screen at most 58 % of it, so the panels stay in view under it), no wider than the page
// leaves beside the panels; drawn at the screen's own pixel density (crisp names and holes).
// Called again when the window changes size (the strokes are drawn again at the new size).
function setupView() { fitCanvas(); }
function fitCanvas() {
  const b = S.config.map.bounds_mm;
  const margin = 0.03 * Math.max(b[2] - b[0], b[3] - b[1]);
  const wmm = b[2] - b[0] + 2 * margin, hmm = b[3] - b[1] + 2 * margin;
  const narrow = window.matchMedia("(max-width: 900px)").matches;
  const vw = document.documentElement.clientWidth, vh = window.innerHeight;
  const top = $("map-wrap").getBoundingClientRect().top + window.scrollY;
  const availH = narrow ? Math.min(0.58 * vh, vh - top - 12) : vh - top - 24;
  const availW = narrow ? vw - 24 : Math.max(260, vw - 24 - 2 * 290);
  const k = Math.max(0.05, Math.min(availW / wmm, availH / hmm));   // CSS px per mm
  const cssW = Math.floor(wmm * k), cssH = Math.floor(hmm * k);
  const dpr = window.devicePixelRatio || 1;
  const width = Math.round(cssW * dpr), height = Math.round(cssH * dpr);
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
  if (S.view && canvas.width === width && canvas.height === height) return;
  for (const c of [canvas, heat, dots]) { c.width = width; c.height = height; }
  S.view = { x0: b[0] - margin, y0: b[1] - margin, scale: width / wmm, height, dpr };
  redrawLayers();
  if (S.metrics) compose();
}
window.addEventListener("resize", () => { if (S.view) fitCanvas(); });
const px = (x) => (x - S.view.x0) * S.view.scale;
const py = (y) => S.view.height - (y - S.view.y0) * S.view.scale;
function toMm(ev) {
  const r = canvas.getBoundingClientRect();
  const cx = (ev.clientX - r.left) * canvas.width / r.width;
  const cy = (ev.clientY - r.top) * canvas.height / r.height;
  return [S.view.x0 + cx / S.view.scale, S.view.y0 + (S.view.height - cy) / S.view.scale];
}

function drawPunctures(stroke, from, to) {
  const r = Math.max(0.8 * S.view.dpr, 0.5 * S.settings.needle_diameter_mm * S.view.scale);
  const zr = (0.5 * S.settings.needle_diameter_mm + Math.max(S.settings.halo_mm, 0.15)) * S.view.scale;
  const h = heat.getContext("2d"), d = dots.getContext("2d");
  const colour = PASS_COLOURS[stroke.pass % PASS_COLOURS.length];
  // The treated zone as a faint wash, the holes in the pass's colour, translucent so that
  // where they pile up the colour deepens (a density shading, never a black bar).
  h.fillStyle = colour;
  h.globalAlpha = 0.10;
  d.fillStyle = colour;
  d.globalAlpha = 0.55;
  const p = stroke.punctures;
  for (let i = from; i < to; i++) {
    const x = px(p[2 * i]), y = py(p[2 * i + 1]);
    h.beginPath(); h.arc(x, y, zr, 0, 2 * Math.PI); h.fill();
    d.beginPath(); d.arc(x, y, r, 0, 2 * Math.PI); d.fill();
  }
}

function redrawLayers(untilT) {
  heat.getContext("2d").clearRect(0, 0, heat.width, heat.height);
  dots.getContext("2d").clearRect(0, 0, dots.width, dots.height);
  let shown = 0;
  for (const s of S.strokes) {
    const n = s.punctures.length / 2;
    let upto = n;
    if (untilT !== undefined) {
      upto = 0;
      while (upto < n && s.t[Math.floor(upto / s.needles)] <= untilT) upto += s.needles;
      upto = Math.min(upto, n);
    }
    drawPunctures(s, 0, upto);
    shown += upto;
  }
  return shown;
}

// Red diagonal hatching for no-go zones (a pattern tile, made once).
let hatchPattern = null;
function hatch() {
  if (!hatchPattern) {
    const t = document.createElement("canvas");
    t.width = t.height = 8;
    const c = t.getContext("2d");
    c.fillStyle = "rgba(198,40,40,0.12)"; c.fillRect(0, 0, 8, 8);
    c.strokeStyle = "rgba(198,40,40,0.8)"; c.lineWidth = 1.5;
    c.beginPath(); c.moveTo(0, 8); c.lineTo(8, 0); c.moveTo(-2, 2); c.lineTo(2, -2); c.moveTo(6, 10); c.lineTo(10, 6); c.stroke();
    hatchPattern = ctx.createPattern(t, "repeat");
  }
  return hatchPattern;
}

function compose() {
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = "#fbfaf8";
  ctx.fillRect(0, 0, width, height);
  // Map: regions, then no-go zones hatched red.
  for (const o of S.config.map.outlines_mm) {
    ctx.beginPath();
    o.ring.forEach(([x, y], i) => (i ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y))));
    ctx.closePath();
    if (o.no_go) { ctx.fillStyle = hatch(); ctx.fill(); ctx.strokeStyle = "#c62828"; ctx.lineWidth = 2; }
    else { ctx.fillStyle = "#f3e6da"; ctx.fill(); ctx.strokeStyle = "#9a8a7a"; ctx.lineWidth = 1; }
    ctx.stroke();
  }
  ctx.drawImage(heat, 0, 0);
  ctx.drawImage(dots, 0, 0);
  // Region outlines again, thin, over the holes (the holes never hide where a region ends).
  const dpr = S.view.dpr;
  ctx.lineWidth = 0.6 * dpr; ctx.strokeStyle = "rgba(120,100,80,0.6)";
  for (const o of S.config.map.outlines_mm) {
    if (o.no_go) continue;
    ctx.beginPath();
    o.ring.forEach(([x, y], i) => (i ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y))));
    ctx.closePath(); ctx.stroke();
  }
  // Region names at their label anchors (well inside each region), on a light halo.
  ctx.font = `${11 * dpr}px sans-serif`; ctx.textAlign = "center"; ctx.textBaseline = "middle";
  ctx.lineJoin = "round";
  const label = (text, x, y, ink) => {
    ctx.lineWidth = 2.5 * dpr; ctx.strokeStyle = "rgba(255,255,255,0.6)"; ctx.strokeText(text, x, y);
    ctx.fillStyle = ink; ctx.fillText(text, x, y);
  };
  for (const l of S.config.map.labels_mm || []) label(l.name, px(l.at_mm[0]), py(l.at_mm[1]), "rgba(60,50,40,0.9)");
  // No-go zones named at their centre ("never needle").
  ctx.font = `bold ${9 * dpr}px sans-serif`;
  for (const o of S.config.map.outlines_mm) {
    if (!o.no_go) continue;
    const n = o.ring.length;
    const cx = o.ring.reduce((a, p) => a + p[0], 0) / n, cy = o.ring.reduce((a, p) => a + p[1], 0) / n;
    label(o.name.replace(/_/g, " "), px(cx), py(cy), "#b71c1c");
  }
  const m = S.metrics;
  if (m && !S.replaying) {
    ctx.strokeStyle = "#ff6f00"; ctx.lineWidth = 2;
    for (const [x0, y0, x1, y1] of m.over_pass_limit_rects_mm) ctx.strokeRect(px(x0), py(y1), px(x1) - px(x0), py(y0) - py(y1));
  }
  ctx.strokeStyle = "#c62828"; ctx.lineWidth = 2;
  for (const s of S.strokes) for (const [x, y] of s.nogo) {
    const X = px(x), Y = py(y);
    ctx.beginPath(); ctx.moveTo(X - 5, Y - 5); ctx.lineTo(X + 5, Y + 5); ctx.moveTo(X + 5, Y - 5); ctx.lineTo(X - 5, Y + 5); ctx.stroke();
  }
  ctx.fillStyle = "#555"; ctx.font = `${11 * dpr}px system-ui`; ctx.textAlign = "left";
  const b = S.config.map.bounds_mm;
  ctx.fillText(`${(b[2] - b[0]).toFixed(0)} × ${(b[3] - b[1]).toFixed(0)} mm`, px(b[0]), py(b[1]) + 14 * S.view.dpr);
}

// ---- Figures ------------------------------------------------------------------------

// One rounding for every percentage (the server's warnings use the same rule,
// `live::session::percent`): one decimal, "< 0.1 %" for a non-zero figure below it.
const pct = (v) => (typeof v !== "number" || !isFinite(v)) ? "–" : (v > 0 && v < 0.0005 ? "< 0.1 %" : (100 * v).toFixed(1) + " %");
const fixed = (v, d = 0) => (typeof v === "number" && isFinite(v)) ? v.toFixed(d) : "–";
const count = (v) => (typeof v === "number" && isFinite(v)) ? Math.round(v).toLocaleString("en") : "–";
const clock = (s) => (typeof s === "number" && isFinite(s)) ? `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}` : "–";
const esc = (t) => String(t).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

// A stroke's verdict in a few words (the full sentence is `message`, from the server).
function verdictText(sp) {
  if (!sp) return "–";
  const what = sp.held
    ? `held: ${fixed(sp.stamps_per_spot)} stamps on one spot, ${count(sp.density_per_pass_per_cm2)} /cm²`
    : `${fixed(sp.speed_mm_s)} mm/s, ${count(sp.density_per_pass_per_cm2)} /cm²`;
  const word = sp.held ? { "too slow": "too many stamps", "too fast": "too few stamps", ok: "ok" }[sp.verdict] : sp.verdict;
  return `stroke ${sp.stroke}: ${what} — ${word}`;
}

function showMetrics(m) {
  S.metrics = m;
  const t = m.treated;
  $("coverage").textContent = pct(t.coverage);
  $("coverage").dataset.value = t.coverage;
  $("coverage-map").textContent = pct(m.hole.coverage);
  $("coverage-map").dataset.value = m.hole.coverage;
  $("zone-coverage").textContent = m.zone ? `${pct(t.zone_coverage)} (halo ${m.zone.halo_mm} mm; map ${pct(m.zone.coverage)})` : "– (halo 0)";
  $("punctures-count").textContent = count(m.punctures);
  $("punctures-count").dataset.value = m.punctures;
  $("density").textContent = `${count(t.density_per_cm2)} /cm²`;
  $("density").dataset.value = t.density_per_cm2;
  $("session-time").textContent = `${clock(m.pen_on_s)} / ${clock(m.elapsed_s)}`;
  $("treated-regions").textContent = t.regions.length ? t.regions.map((n) => n.replace(/_/g, " ")).join(", ") : "none yet";
  const sp = m.speed;
  $("speed").textContent = verdictText(sp);
  $("speed").className = sp ? (sp.verdict === "ok" ? "ok" : "warn") : "";
  $("speed").dataset.stroke = sp ? sp.stroke : "";
  $("speed").dataset.verdict = sp ? sp.verdict : "";
  const v = $("verdict");
  if (sp) {
    v.textContent = verdictText(sp);
    v.className = "banner verdict" + (sp.verdict === "ok" ? "" : " warn");
    v.hidden = false;
  } else v.hidden = true;
  const pt = $("pass-table").tBodies[0];
  pt.innerHTML = "";
  t.coverage_per_pass.forEach((c, p) => {
    pt.insertAdjacentHTML("beforeend", `<tr><td style="color:${PASS_COLOURS[p]};font-weight:700">${p + 1}</td><td>${pct(c)}</td><td>${pct(t.coverage_cumulative[p])}</td></tr>`);
  });
  const rt = $("region-table").tBodies[0];
  rt.innerHTML = "";
  for (const r of m.regions) {
    rt.insertAdjacentHTML("beforeend", `<tr class="${r.treated ? "treated" : "untreated"}"><td>${esc(r.name.replace(/_/g, " "))}</td><td>${pct(r.coverage)}</td><td>${count(r.density_per_cm2)}</td></tr>`);
  }
  const w = $("warnings");
  w.innerHTML = "";
  for (const text of m.warnings) {
    const li = document.createElement("li");
    li.textContent = text;
    if (text.startsWith("no-go")) li.className = "nogo";
    w.appendChild(li);
  }
  const ng = $("nogo-warning");
  if (m.no_go.length) {
    ng.textContent = "NO-GO ZONE TOUCHED: " + m.no_go.map((z) => `${z.zone} (${z.punctures} punctures)`).join(", ");
    ng.hidden = false;
  } else ng.hidden = true;
  compose();
}

// Which grids the live figures come from (the treated zone has its own, see live::zone_grid).
function gridNote() {
  const zone = S.settings && S.settings.zone_resolution_mm ? `, the treated zone on ${S.settings.zone_resolution_mm} mm` : "";
  $("grid-note").textContent = `Live figures on a ${S.config.live_resolution_mm} mm grid${zone}; exports are measured at the scenario's resolution.`;
}

function showSettings(st) {
  S.settings = st;
  gridNote();
  $("preset").value = st.preset ?? "";
  $("device-preset").value = st.device_preset ?? "";
  $("depth").value = st.depth_mm;
  $("frequency").value = st.frequency_hz;
  $("tilt").value = st.tilt_deg;
  $("rotation").value = st.rotation_deg;
  $("halo").value = st.halo_mm;
  $("target-lo").value = st.target_density_per_cm2[0];
  $("target-hi").value = st.target_density_per_cm2[1];
  $("pen-info").textContent = `${st.needles} needles × ${st.needle_diameter_mm} mm; vertical depth ${fixed(st.vertical_depth_mm, 2)} mm; device range ${st.depth_range_mm[0]}–${st.depth_range_mm[1]} mm`;
  const b = st.target_speed_mm_s;
  $("speed-band").textContent = b
    ? `${st.target_density_per_cm2[0]}–${st.target_density_per_cm2[1]} /cm² per pass needs ${fixed(b.horizontal[1])}–${fixed(b.horizontal[0])} mm/s across (→), ${fixed(b.vertical[1])}–${fixed(b.vertical[0])} mm/s up/down (↑) with this pen`
    : "";
}

// A refused setting: the message next to the control it names and in the banner over the
// map; the fields go back to what the pen really is (the server changed nothing).
const FIELD_KEYS = [
  ["device_preset", "device-preset"], ["depth_mm", "depth"], ["frequency_hz", "frequency"], ["tilt_deg", "tilt"],
  ["rotation_deg", "rotation"], ["halo_mm", "halo"], ["target_density", "target-lo"], ["preset", "preset"],
];
function clearFieldMessages() {
  for (const el of document.querySelectorAll(".field-msg")) el.textContent = "";
  for (const el of document.querySelectorAll(".refused")) el.classList.remove("refused");
}
function refuseSetting(message) {
  clearFieldMessages();
  const hit = FIELD_KEYS.find(([key]) => message.includes(key));
  const id = hit ? hit[1] : "depth";
  const msg = document.querySelector(`.field-msg[data-for="${id}"]`);
  if (msg) msg.textContent = `Refused: ${message}`;
  $(id).classList.add("refused");
  showSettings(S.settings);
  showError(`Setting refused (the pen is unchanged): ${message}`);
}

// The banner over the map: stays until dismissed or the next successful change.
function showError(text) {
  $("error-text").textContent = text;
  $("error").hidden = !text;
}
$("error-close").addEventListener("click", () => showError(""));

// ---- API ----------------------------------------------------------------------------

// Same-origin requests: the access cookie (set by opening the printed ?token=… URL) rides
// along; every request that changes anything says its body is JSON, as the server demands.
async function api(path, body, method = "POST") {
  const headers = method === "GET" ? {} : { "content-type": "application/json" };
  const res = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  return data;
}
const sessionPath = (p) => `/api/sessions/${S.session}/${p}`;

async function start() {
  S.config = await api("/api/config", undefined, "GET");
  $("map-name").textContent = S.config.map.name;
  gridNote();
  $("preset").innerHTML = `<option value="">(the pen's)</option>` + S.config.presets.map((n) => `<option value="${n}">${n} needles</option>`).join("");
  $("device-preset").innerHTML = `<option value="">(as set)</option>` +
    S.config.device_presets.map((p) => `<option value="${p.name}">${p.label} (${p.needles})</option>`).join("");
  $("pass-buttons").innerHTML = Array.from({ length: S.config.passes }, (_, p) => `<button data-pass="${p}" style="border-color:${PASS_COLOURS[p]}">${p + 1}</button>`).join("");
  setupView();
  // This tab's session survives a reload (its id in sessionStorage; the server keeps it
  // until it has been idle too long); a new tab starts its own.
  let s = null, resumed = false;
  const kept = sessionStorage.getItem(STORE_KEY);
  if (kept) {
    try { s = await api(`/api/sessions/${encodeURIComponent(kept)}`, undefined, "GET"); resumed = true; } catch (e) { s = null; }
  }
  if (!s) s = await api("/api/sessions", {});
  S.session = s.session;
  sessionStorage.setItem(STORE_KEY, S.session);
  $("trace-link").href = sessionPath("trace.csv");
  $("strokes-link").href = sessionPath("strokes.csv");
  showSettings(s.settings);
  S.strokes = (s.strokes || []).map((r) => ({ id: r.stroke, pass: r.pass, punctures: r.punctures, t: r.stamp_t_s, needles: r.needles, nogo: r.no_go }));
  S.strokeId = S.strokes.reduce((a, r) => Math.max(a, r.id), 0);
  S.exports = s.exports || 0;
  // A reloaded page's clock starts again near 0: continue after the session's last sample.
  if (typeof s.last_sample_t_ms === "number") S.clockOffset = Math.max(0, s.last_sample_t_ms + 1000 - performance.now());
  const lastPass = S.strokes.length ? S.strokes[S.strokes.length - 1].pass : 0;
  setPass(lastPass);
  redrawLayers();
  showMetrics(s.metrics);
  $("status").textContent = resumed ? `session resumed (${S.strokes.length} strokes): draw on the map` : "ready: draw on the map";
  document.body.dataset.resumed = resumed ? "1" : "0";
  document.body.dataset.ready = "1";
}

function setPass(p) {
  endStroke();
  S.pass = p;
  for (const b of document.querySelectorAll("#pass-buttons button")) b.classList.toggle("active", Number(b.dataset.pass) === p);
}

// ---- Pointer → samples → batches ----------------------------------------------------

function pushSample(t, x, y) {
  if (S.last && t <= S.last.t) return;   // the clock must move forward
  S.last = { t, x, y };
  S.pending.push({ stroke: S.strokeId, pass: S.pass, t: t + S.clockOffset, x, y });
}

function endStroke() {
  if (!S.down) return;
  S.down = false;
  S.pending.push({ stroke: S.strokeId, pass: S.pass, end: true });
}

canvas.addEventListener("pointerdown", (ev) => {
  if (!S.session || S.replaying) return;
  ev.preventDefault();
  canvas.setPointerCapture(ev.pointerId);
  S.strokeId += 1;
  S.down = true;
  const [x, y] = toMm(ev);
  pushSample(ev.timeStamp, x, y);
});
canvas.addEventListener("pointermove", (ev) => {
  if (!S.down) return;
  const events = ev.getCoalescedEvents ? ev.getCoalescedEvents() : [];
  for (const e of events.length ? events : [ev]) {
    const [x, y] = toMm(e);
    pushSample(e.timeStamp, x, y);
  }
});
for (const type of ["pointerup", "pointercancel"]) {
  canvas.addEventListener(type, (ev) => {
    if (!S.down) return;
    const [x, y] = toMm(ev);
    pushSample(ev.timeStamp, x, y);
    endStroke();
  });
}
// A pen held still keeps firing: repeat the position while the pointer rests.
function hold() {
  if (S.down && S.last && performance.now() - S.last.t > HOLD_MS) pushSample(performance.now(), S.last.x, S.last.y);
  requestAnimationFrame(hold);
}
requestAnimationFrame(hold);

async function flush() {
  if (S.inFlight || !S.pending.length) return;
  // One batch: samples of one stroke, at most the server's batch size.
  const first = S.pending[0];
  const max = S.config.limits.max_batch_samples;
  const batch = { stroke: first.stroke, pass: first.pass, samples: [], end: false };
  let k = 0;
  while (k < S.pending.length && S.pending[k].stroke === first.stroke && batch.samples.length < max) {
    const p = S.pending[k++];
    if (p.end) { batch.end = true; break; }
    batch.samples.push([Math.round(p.t * 1000) / 1000, Math.round(p.x * 1e4) / 1e4, Math.round(p.y * 1e4) / 1e4]);
  }
  S.pending.splice(0, k);
  if (!batch.samples.length && !batch.end) return;
  S.inFlight = true;
  try {
    const r = await api(sessionPath("strokes"), batch);
    if (r.punctures.length) {
      let s = S.strokes[S.strokes.length - 1];
      if (!s || s.id !== r.stroke) {
        s = { id: r.stroke, pass: r.pass, punctures: [], t: [], needles: S.settings.needles, nogo: [] };
        S.strokes.push(s);
      }
      const from = s.punctures.length / 2;
      s.punctures.push(...r.punctures);
      s.t.push(...r.stamp_t_s);
      s.nogo.push(...r.no_go);
      drawPunctures(s, from, s.punctures.length / 2);
    }
    try { showMetrics(r.metrics); } catch (e) { console.error(e); }
  } catch (e) {
    showError(e.message);
    // The server stored nothing of this batch; drop the rest of the stroke too.
    S.pending = S.pending.filter((p) => p.stroke !== batch.stroke);
    if (S.down && S.strokeId === batch.stroke) { S.down = false; S.last = null; }
  } finally {
    S.inFlight = false;
  }
}
setInterval(flush, BATCH_MS);

// ---- Controls -----------------------------------------------------------------------

async function whenIdle() {
  endStroke();
  while (S.pending.length || S.inFlight) { await flush(); await new Promise((r) => setTimeout(r, 10)); }
}

$("pass-buttons").addEventListener("click", (ev) => {
  const p = ev.target.dataset && ev.target.dataset.pass;
  if (p !== undefined) setPass(Number(p));
});

// Choosing a pen model sets the whole pen at once (needles, frequency, ranges).
$("device-preset").addEventListener("change", async () => {
  const name = $("device-preset").value;
  if (!name) return;
  await whenIdle();
  try {
    const r = await api(sessionPath("settings"), { device_preset: name });
    clearFieldMessages();
    showSettings(r.settings);
    redrawLayers();
    showMetrics(r.metrics);
    showError("");
  } catch (e) { refuseSetting(e.message); }
});

$("apply").addEventListener("click", async () => {
  await whenIdle();
  const num = (id) => Number($(id).value);
  try {
    const r = await api(sessionPath("settings"), {
      preset: $("preset").value ? num("preset") : undefined, depth_mm: num("depth"), frequency_hz: num("frequency"), tilt_deg: num("tilt"),
      rotation_deg: num("rotation"), halo_mm: num("halo"), target_density_per_cm2: [num("target-lo"), num("target-hi")],
    });
    clearFieldMessages();
    showSettings(r.settings);
    redrawLayers();
    showMetrics(r.metrics);
    showError("");
  } catch (e) { refuseSetting(e.message); }
});

async function undo() {
  S.undos = (S.undos || 0) + 1;
  await whenIdle();
  try {
    const r = await api(sessionPath("undo"));
    if (r.undone) S.strokes.pop();
    redrawLayers();
    showMetrics(r.metrics);
  } catch (e) { showError(e.message); }
}
$("undo").addEventListener("click", undo);
// Ctrl+Z undoes a stroke only outside the fields: while typing it is the field's own undo.
const typing = (el) => el && (el.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName));
document.addEventListener("keydown", (ev) => {
  if (typing(ev.target) || typing(document.activeElement)) return;
  if ((ev.ctrlKey || ev.metaKey) && !ev.shiftKey && ev.key.toLowerCase() === "z") { ev.preventDefault(); undo(); }
});

// Clear asks first: the first click arms it (for a few seconds), the second clears.
let clearArmed = null;
function disarmClear() {
  clearTimeout(clearArmed); clearArmed = null;
  $("clear").textContent = "Clear"; $("clear").classList.remove("confirm");
}
$("clear").addEventListener("click", async () => {
  if (!clearArmed) {
    if (!S.strokes.length) return;
    $("clear").textContent = `Clear all ${S.strokes.length} strokes? Click again`;
    $("clear").classList.add("confirm");
    clearArmed = setTimeout(disarmClear, 5000);
    return;
  }
  disarmClear();
  await whenIdle();
  try {
    const r = await api(sessionPath("clear"));
    S.strokes = [];
    redrawLayers();
    showMetrics(r.metrics);
  } catch (e) { showError(e.message); }
});

// Replay: the session's punctures in time order, at twice the real speed.
$("replay").addEventListener("click", async () => {
  await whenIdle();
  if (S.replaying || !S.strokes.length) return;
  S.replaying = true;
  const speed = 2;
  const t0 = S.strokes[0].t[0];
  const tEnd = S.strokes[S.strokes.length - 1].t.slice(-1)[0];
  const startWall = performance.now();
  // While it plays, the figures the page cannot follow are blanked (the final ones come
  // back at the end) and the puncture count follows the replay.
  const final = S.metrics;
  for (const id of ["coverage", "coverage-map", "zone-coverage", "density"]) $(id).textContent = "…";
  const frame = () => {
    const t = t0 + ((performance.now() - startWall) / 1000) * speed;
    const shown = redrawLayers(t);
    compose();
    $("punctures-count").textContent = count(shown);
    $("status").textContent = `replay ${clock(t - t0)} / ${clock(tEnd - t0)}: figures at the end`;
    if (t < tEnd) requestAnimationFrame(frame);
    else { S.replaying = false; redrawLayers(); showMetrics(final); $("status").textContent = "ready: draw on the map"; }
  };
  requestAnimationFrame(frame);
});

$("export").addEventListener("click", async () => {
  await whenIdle();
  try {
    const r = await api(sessionPath("export"));
    S.exports = r.export;
    S.lastExport = r;
    $("export-info").innerHTML = `wrote ${esc(r.dir)} — <a id="report-link" href="${esc(r.report_url)}" target="_blank" rel="noopener">open the report</a><br>` +
      `exact, at ${r.resolution_mm} mm: coverage <b id="export-coverage">${pct(r.coverage)}</b> (treated regions), density <b id="export-density">${count(r.density_per_cm2)} /cm²</b>, ${count(r.punctures)} punctures`;
  } catch (e) { showError(e.message); }
});


start().catch((e) => { $("status").textContent = "error: " + e.message; showError(e.message); });
