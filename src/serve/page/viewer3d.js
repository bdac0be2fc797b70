// needlesim live on the 3D face: plain WebGL (no library), one mesh coloured by live
// coverage per triangle, region outlines, orbit and zoom with mouse or touch, and strokes
// drawn on the skin: pointer → ray → triangle → chart point (u_mm, v_mm), sent with the
// pointer's time; the server stamps them on the surface (pen at 90° to the skin, true arc
// length) and answers with the punctures as skin points and the figures.
// Mesh units: mm, the face looks towards +z, y up.
"use strict";

(() => {
const $ = (id) => document.getElementById(id);
const PASS_COLOURS = [[0.12, 0.47, 0.71], [0.84, 0.15, 0.16], [0.17, 0.63, 0.17], [0.58, 0.4, 0.74], [1, 0.5, 0.05], [0.09, 0.75, 0.81], [0.55, 0.34, 0.29], [0.89, 0.47, 0.76]];
const BATCH_MS = 40;
const JUMP_MM = 8;   // a pick this far (3D) from the previous one starts a new stroke (the ray left the skin)

const V = {
  on: false, ready: false, gl: null, mesh: null, session: null, metrics: null,
  yaw: 0, pitch: 0.05, dist: 420, target: [0, 0, 0], fov: 0.6,
  pass: 0, strokeId: 0, drawing: false, orbit: null, pointers: new Map(), pinch: null,
  lastPick: null, pending: [], inFlight: false,
  points: [], pointColours: [], pointCount: 0,
};
window.needlesim3d = V;

// ---- Small linear algebra ---------------------------------------------------------------
const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const mul = (a, k) => [a[0] * k, a[1] * k, a[2] * k];
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a) => { const l = Math.hypot(a[0], a[1], a[2]) || 1; return [a[0] / l, a[1] / l, a[2] / l]; };

function camera() {
  const c = Math.cos(V.pitch);
  const dir = [c * Math.sin(V.yaw), Math.sin(V.pitch), c * Math.cos(V.yaw)];
  const eye = add(V.target, mul(dir, V.dist));
  const fwd = mul(dir, -1);
  const right = norm(cross(fwd, [0, 1, 0]));
  const up = cross(right, fwd);
  return { eye, fwd, right, up };
}

// Column-major view-projection matrix.
function viewProjection(aspect) {
  const { eye, fwd, right, up } = camera();
  const f = 1 / Math.tan(V.fov / 2), near = 10, far = 3000;
  const view = [right[0], up[0], -fwd[0], 0, right[1], up[1], -fwd[1], 0, right[2], up[2], -fwd[2], 0,
    -dot(right, eye), -dot(up, eye), dot(fwd, eye), 1];
  const proj = [f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) / (near - far), -1, 0, 0, 2 * far * near / (near - far), 0];
  const out = new Array(16).fill(0);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) for (let k = 0; k < 4; k++) out[c * 4 + r] += proj[k * 4 + r] * view[c * 4 + k];
  return out;
}

// ---- WebGL ---------------------------------------------------------------------------
function shader(gl, type, src) {
  const s = gl.createShader(type);
  gl.shaderSource(s, src); gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
  return s;
}
function program(gl, vs, fs) {
  const p = gl.createProgram();
  gl.attachShader(p, shader(gl, gl.VERTEX_SHADER, vs)); gl.attachShader(p, shader(gl, gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(p));
  return p;
}
const SKIN_VS = `attribute vec3 pos; attribute vec3 nrm; attribute vec3 base; attribute float cov;
uniform mat4 mvp; varying vec3 vN; varying vec3 vBase; varying float vCov; varying vec3 vP;
void main() { vN = nrm; vBase = base; vCov = cov; vP = pos; gl_Position = mvp * vec4(pos, 1.0); }`;
const SKIN_FS = `precision mediump float; varying vec3 vN; varying vec3 vBase; varying float vCov; varying vec3 vP;
uniform vec3 eye;
void main() {
  vec3 n = normalize(vN); vec3 v = normalize(eye - vP);
  if (dot(n, v) < 0.0) n = -n;
  float light = 0.35 + 0.65 * max(dot(n, normalize(v + vec3(0.3, 0.5, 0.2))), 0.0);
  vec3 heat = mix(vec3(1.0, 0.86, 0.25), vec3(0.62, 0.0, 0.32), clamp(vCov * 2.0, 0.0, 1.0));
  vec3 c = mix(vBase, heat, clamp(vCov * 6.0, 0.0, 0.9));
  gl_FragColor = vec4(c * light, 1.0);
}`;
const FLAT_VS = `attribute vec3 pos; attribute vec3 col; uniform mat4 mvp; uniform float size; varying vec3 vC;
void main() { vC = col; gl_Position = mvp * vec4(pos, 1.0); gl_PointSize = size; }`;
const FLAT_FS = `precision mediump float; varying vec3 vC; void main() { gl_FragColor = vec4(vC, 1.0); }`;

function buffer(gl, data, usage) {
  const b = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, b); gl.bufferData(gl.ARRAY_BUFFER, data, usage || gl.STATIC_DRAW);
  return b;
}
function bind(gl, prog, name, buf, size) {
  const loc = gl.getAttribLocation(prog, name);
  gl.bindBuffer(gl.ARRAY_BUFFER, buf); gl.enableVertexAttribArray(loc);
  gl.vertexAttribPointer(loc, size, gl.FLOAT, false, 0, 0);
}

function groupColour(m, g) {
  const name = m.groups[g];
  if (m.no_go.includes(name)) return [0.78, 0.42, 0.42];
  if (!name) return [0.72, 0.72, 0.72];
  const shade = 0.04 * ((g * 7) % 5);
  return [0.93 - shade, 0.8 - shade, 0.7 - shade];
}

function buildMesh(m) {
  const P = m.positions_mm, T = m.triangles, n = T.length / 3;
  // Smooth normals per position vertex.
  const vn = new Float32Array(P.length);
  for (let t = 0; t < n; t++) {
    const [a, b, c] = [T[3 * t], T[3 * t + 1], T[3 * t + 2]];
    const pa = [P[3 * a], P[3 * a + 1], P[3 * a + 2]], pb = [P[3 * b], P[3 * b + 1], P[3 * b + 2]], pc = [P[3 * c], P[3 * c + 1], P[3 * c + 2]];
    const fn = cross(sub(pb, pa), sub(pc, pa));
    for (const v of [a, b, c]) { vn[3 * v] += fn[0]; vn[3 * v + 1] += fn[1]; vn[3 * v + 2] += fn[2]; }
  }
  const pos = new Float32Array(9 * n), nrm = new Float32Array(9 * n), base = new Float32Array(9 * n), cov = new Float32Array(3 * n);
  for (let t = 0; t < n; t++) {
    const col = groupColour(m, m.group[t]);
    for (let k = 0; k < 3; k++) {
      const v = T[3 * t + k], o = 9 * t + 3 * k;
      const nv = norm([vn[3 * v], vn[3 * v + 1], vn[3 * v + 2]]);
      for (let d = 0; d < 3; d++) { pos[o + d] = P[3 * v + d]; nrm[o + d] = nv[d]; base[o + d] = col[d]; }
    }
  }
  // Region outlines: edges between triangles of different groups.
  const edges = new Map(), lines = [];
  for (let t = 0; t < n; t++) for (let k = 0; k < 3; k++) {
    const a = T[3 * t + k], b = T[3 * t + (k + 1) % 3];
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    const other = edges.get(key);
    if (other === undefined) edges.set(key, t);
    else if (m.group[other] !== m.group[t]) lines.push(a, b);
  }
  const linePos = new Float32Array(3 * lines.length), lineCol = new Float32Array(3 * lines.length);
  lines.forEach((v, i) => { for (let d = 0; d < 3; d++) { linePos[3 * i + d] = P[3 * v + d]; lineCol[3 * i + d] = 0.25; } });
  // Centre the view on the face group's box.
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let t = 0; t < n; t++) if (m.group[t] < m.regions.length) for (let k = 0; k < 3; k++) {
    const v = T[3 * t + k];
    for (let d = 0; d < 3; d++) { lo[d] = Math.min(lo[d], P[3 * v + d]); hi[d] = Math.max(hi[d], P[3 * v + d]); }
  }
  V.target = mul(add(lo, hi), 0.5);
  V.dist = 1.9 * Math.max(hi[0] - lo[0], hi[1] - lo[1]);
  const gl = V.gl;
  V.buf = {
    pos: buffer(gl, pos), nrm: buffer(gl, nrm), base: buffer(gl, base), cov: buffer(gl, cov, gl.DYNAMIC_DRAW),
    linePos: buffer(gl, linePos), lineCol: buffer(gl, lineCol),
    pts: gl.createBuffer(), ptsCol: gl.createBuffer(),
  };
  V.cov = cov; V.triCount = n; V.lineCount = lines.length;
}

function draw() {
  if (!V.ready) return;
  const gl = V.gl, cv = gl.canvas;
  gl.viewport(0, 0, cv.width, cv.height);
  gl.clearColor(1, 1, 1, 1); gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
  gl.enable(gl.DEPTH_TEST);
  const mvp = viewProjection(cv.width / cv.height);
  gl.useProgram(V.skin);
  gl.uniformMatrix4fv(gl.getUniformLocation(V.skin, "mvp"), false, mvp);
  gl.uniform3fv(gl.getUniformLocation(V.skin, "eye"), camera().eye);
  bind(gl, V.skin, "pos", V.buf.pos, 3); bind(gl, V.skin, "nrm", V.buf.nrm, 3); bind(gl, V.skin, "base", V.buf.base, 3); bind(gl, V.skin, "cov", V.buf.cov, 1);
  gl.enable(gl.POLYGON_OFFSET_FILL); gl.polygonOffset(2, 4);
  gl.drawArrays(gl.TRIANGLES, 0, 3 * V.triCount);
  gl.disable(gl.POLYGON_OFFSET_FILL);
  gl.useProgram(V.flat);
  gl.uniformMatrix4fv(gl.getUniformLocation(V.flat, "mvp"), false, mvp);
  gl.uniform1f(gl.getUniformLocation(V.flat, "size"), Math.max(1.5, 2 * (window.devicePixelRatio || 1)));
  bind(gl, V.flat, "pos", V.buf.linePos, 3); bind(gl, V.flat, "col", V.buf.lineCol, 3);
  gl.drawArrays(gl.LINES, 0, V.lineCount);
  if (V.pointCount > 0) {
    bind(gl, V.flat, "pos", V.buf.pts, 3); bind(gl, V.flat, "col", V.buf.ptsCol, 3);
    gl.drawArrays(gl.POINTS, 0, V.pointCount);
  }
}
let frame = 0;
function redraw() { if (!frame) frame = requestAnimationFrame(() => { frame = 0; draw(); }); }

function uploadPoints() {
  const gl = V.gl;
  gl.bindBuffer(gl.ARRAY_BUFFER, V.buf.pts); gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(V.points), gl.DYNAMIC_DRAW);
  gl.bindBuffer(gl.ARRAY_BUFFER, V.buf.ptsCol); gl.bufferData(gl.ARRAY_BUFFER, new Float32Array(V.pointColours), gl.DYNAMIC_DRAW);
  V.pointCount = V.points.length / 3;
}

function applyCoverage(list) {
  if (!list || !list.length) return;
  for (const [t, level] of list) { const c = level / 255; V.cov[3 * t] = c; V.cov[3 * t + 1] = c; V.cov[3 * t + 2] = c; }
  const gl = V.gl;
  gl.bindBuffer(gl.ARRAY_BUFFER, V.buf.cov); gl.bufferData(gl.ARRAY_BUFFER, V.cov, gl.DYNAMIC_DRAW);
}

// ---- Picking: pointer → ray → triangle → chart point --------------------------------------
function ray(clientX, clientY) {
  const r = V.gl.canvas.getBoundingClientRect();
  const x = 2 * (clientX - r.left) / r.width - 1, y = 1 - 2 * (clientY - r.top) / r.height;
  const { eye, fwd, right, up } = camera();
  const k = Math.tan(V.fov / 2), aspect = r.width / r.height;
  return { o: eye, d: norm(add(fwd, add(mul(right, x * k * aspect), mul(up, y * k)))) };
}
function pick(clientX, clientY) {
  const { o, d } = ray(clientX, clientY);
  const m = V.mesh, P = m.positions_mm, T = m.triangles;
  let best = null;
  for (let t = 0; t < V.triCount; t++) {
    const a = 3 * T[3 * t], b = 3 * T[3 * t + 1], c = 3 * T[3 * t + 2];
    const e1 = [P[b] - P[a], P[b + 1] - P[a + 1], P[b + 2] - P[a + 2]], e2 = [P[c] - P[a], P[c + 1] - P[a + 1], P[c + 2] - P[a + 2]];
    const p = cross(d, e2), det = dot(e1, p);
    if (Math.abs(det) < 1e-12) continue;
    const s = [o[0] - P[a], o[1] - P[a + 1], o[2] - P[a + 2]];
    const u = dot(s, p) / det; if (u < 0 || u > 1) continue;
    const q = cross(s, e1), v = dot(d, q) / det; if (v < 0 || u + v > 1) continue;
    const dist = dot(e2, q) / det;
    if (dist > 0 && (!best || dist < best.dist)) best = { t, u, v, dist };
  }
  if (!best) return null;
  const C = m.chart_mm, U = m.triangle_uvs, t = best.t, w = [1 - best.u - best.v, best.u, best.v];
  let cu = 0, cv = 0;
  for (let k = 0; k < 3; k++) { const i = U[3 * t + k]; cu += w[k] * C[2 * i]; cv += w[k] * C[2 * i + 1]; }
  return { tri: t, chart: [cu, cv], at: add(o, mul(d, best.dist)), group: m.groups[m.group[t]] };
}

// Screen position (client px) of a 3D point, or null behind the camera.
function project(p) {
  const cv = V.gl.canvas, r = cv.getBoundingClientRect();
  const m = viewProjection(cv.width / cv.height);
  const x = m[0] * p[0] + m[4] * p[1] + m[8] * p[2] + m[12], y = m[1] * p[0] + m[5] * p[1] + m[9] * p[2] + m[13];
  const w = m[3] * p[0] + m[7] * p[1] + m[11] * p[2] + m[15];
  if (w <= 0) return null;
  return { x: r.left + (x / w + 1) / 2 * r.width, y: r.top + (1 - y / w) / 2 * r.height };
}

// Test hook: a screen point over a visible triangle of group `name` near the group's centre.
V.screenOf = (name) => {
  const m = V.mesh, g = m.groups.indexOf(name), P = m.positions_mm, T = m.triangles;
  if (g < 0) return null;
  const cents = [];
  let mean = [0, 0, 0];
  for (let t = 0; t < V.triCount; t++) if (m.group[t] === g) {
    let c = [0, 0, 0];
    for (let k = 0; k < 3; k++) { const v = T[3 * t + k]; c = add(c, [P[3 * v], P[3 * v + 1], P[3 * v + 2]]); }
    c = mul(c, 1 / 3); cents.push([t, c]); mean = add(mean, c);
  }
  mean = mul(mean, 1 / cents.length);
  cents.sort((a, b) => dot(sub(a[1], mean), sub(a[1], mean)) - dot(sub(b[1], mean), sub(b[1], mean)));
  for (const [, c] of cents) {
    const s = project(c);
    if (!s) continue;
    const hit = pick(s.x, s.y);
    if (hit && hit.group === name) return s;
  }
  return null;
};
V.rotate = (dyaw, dpitch) => { V.yaw += dyaw; V.pitch = Math.max(-1.4, Math.min(1.4, V.pitch + dpitch)); draw(); };

// ---- Strokes -------------------------------------------------------------------------------
async function api(path, body, method = "POST") {
  const headers = method === "GET" ? {} : { "content-type": "application/json" };
  const res = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(data.error || `HTTP ${res.status}`);
  return data;
}

function push(t, hit) {
  if (V.lastPick && Math.hypot(...sub(hit.at, V.lastPick.at)) > JUMP_MM) endStroke(), startStroke();
  V.lastPick = hit;
  const prev = V.pending.length ? V.pending[V.pending.length - 1] : null;
  if (prev && prev.stroke === V.strokeId && t <= prev.t) t = prev.t + 0.01;
  V.pending.push({ stroke: V.strokeId, pass: V.pass, t, u: hit.chart[0], v: hit.chart[1], end: false });
}
function startStroke() { V.strokeId += 1; V.drawing = true; V.lastPick = null; }
function endStroke() {
  if (!V.drawing) return;
  V.drawing = false; V.lastPick = null;
  V.pending.push({ stroke: V.strokeId, pass: V.pass, end: true });
  flush();
}

async function flush() {
  if (V.inFlight || !V.pending.length || !V.session) return;
  V.inFlight = true;
  try {
    while (V.pending.length) {
      const stroke = V.pending[0].stroke;
      let k = 0;
      while (k < V.pending.length && V.pending[k].stroke === stroke && k < 200) k++;
      const batch = V.pending.slice(0, k);
      const samples = batch.filter((s) => !s.end).map((s) => [s.t, s.u, s.v]);
      const end = batch.some((s) => s.end);
      if (samples.length || end) {
        const out = await api(`/api/surface/sessions/${V.session}/strokes`, { stroke, pass: batch[0].pass, samples, end });
        const col = PASS_COLOURS[batch[0].pass % PASS_COLOURS.length];
        for (let i = 0; i < out.punctures.length; i += 3) { V.points.push(out.punctures[i], out.punctures[i + 1], out.punctures[i + 2]); V.pointColours.push(...col); }
        if (out.punctures.length) uploadPoints();
        applyCoverage(out.coverage);
        showMetrics(out.metrics);
        redraw();
      }
      V.pending.splice(0, k);
    }
  } catch (e) {
    V.pending = [];
    $("nogo3d").hidden = false; $("nogo3d").textContent = String(e.message || e);
  } finally {
    V.inFlight = false;
  }
}
setInterval(() => { if (V.on) flush(); }, BATCH_MS);

const pct = (x) => `${(100 * x).toFixed(1)} %`;
function showMetrics(m) {
  V.metrics = m;
  $("coverage3d").textContent = pct(m.treated.coverage);
  $("coverage3d").dataset.value = m.treated.coverage;
  $("punctures3d").textContent = m.punctures.toLocaleString("en");
  $("punctures3d").dataset.value = m.punctures;
  const touched = m.no_go.filter((z) => z.punctures > 0);
  const banner = $("nogo3d");
  banner.hidden = touched.length === 0;
  banner.textContent = touched.length ? `No-go zone reached: ${touched.map((z) => `${z.zone} (${z.punctures} punctures)`).join(", ")}` : "";
  const ul = $("warnings3d");
  ul.replaceChildren(...m.warnings.map((w) => { const li = document.createElement("li"); li.textContent = w; return li; }));
  const body = $("regions3d").querySelector("tbody");
  body.replaceChildren(...m.regions.filter((r) => r.punctures > 0).map((r) => {
    const tr = document.createElement("tr");
    for (const v of [r.name, pct(r.coverage.coverage), Math.round(r.density_per_cm2)]) { const td = document.createElement("td"); td.textContent = v; tr.appendChild(td); }
    return tr;
  }));
}

// ---- Pointer: draw on the skin, orbit elsewhere (or with the right button), wheel / pinch zoom
function setupPointer(cv) {
  cv.addEventListener("contextmenu", (ev) => ev.preventDefault());
  cv.addEventListener("pointerdown", (ev) => {
    cv.setPointerCapture(ev.pointerId);
    V.pointers.set(ev.pointerId, [ev.clientX, ev.clientY]);
    if (V.pointers.size === 2) { endStroke(); V.orbit = null; V.pinch = pinchSpan(); return; }
    const hit = ev.button === 0 && !ev.shiftKey ? pick(ev.clientX, ev.clientY) : null;
    if (hit) { startStroke(); push(performance.now(), hit); }
    else V.orbit = [ev.clientX, ev.clientY];
  });
  cv.addEventListener("pointermove", (ev) => {
    if (!V.pointers.has(ev.pointerId)) return;
    V.pointers.set(ev.pointerId, [ev.clientX, ev.clientY]);
    if (V.pinch && V.pointers.size === 2) {
      const s = pinchSpan();
      V.dist = Math.max(60, Math.min(2000, V.dist * V.pinch / s)); V.pinch = s; redraw(); return;
    }
    if (V.orbit) {
      V.rotate(-(ev.clientX - V.orbit[0]) * 0.008, (ev.clientY - V.orbit[1]) * 0.008);
      V.orbit = [ev.clientX, ev.clientY]; return;
    }
    if (V.drawing) {
      const hit = pick(ev.clientX, ev.clientY);
      if (hit) push(performance.now(), hit); else { endStroke(); }
    }
  });
  const up = (ev) => {
    V.pointers.delete(ev.pointerId);
    if (V.pointers.size < 2) V.pinch = null;
    V.orbit = null; endStroke();
  };
  cv.addEventListener("pointerup", up); cv.addEventListener("pointercancel", up);
  cv.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    V.dist = Math.max(60, Math.min(2000, V.dist * Math.exp(ev.deltaY * 0.001))); redraw();
  }, { passive: false });
}
function pinchSpan() { const [a, b] = [...V.pointers.values()]; return Math.hypot(a[0] - b[0], a[1] - b[1]) || 1; }

function fit() {
  const cv = V.gl.canvas, dpr = window.devicePixelRatio || 1;
  const w = Math.max(320, Math.min(900, document.documentElement.clientWidth - 620)), h = Math.round(0.8 * Math.min(w * 1.1, window.innerHeight - 120));
  cv.style.width = `${w}px`; cv.style.height = `${h}px`;
  cv.width = Math.round(w * dpr); cv.height = Math.round(h * dpr);
  redraw();
}

async function init() {
  const cv = $("face3d");
  V.gl = cv.getContext("webgl", { antialias: true, preserveDrawingBuffer: true });
  if (!V.gl) throw new Error("this browser has no WebGL: the 3D face needs it (the flat map works without)");
  V.skin = program(V.gl, SKIN_VS, SKIN_FS);
  V.flat = program(V.gl, FLAT_VS, FLAT_FS);
  V.mesh = await api("/api/surface/mesh", undefined, "GET");
  buildMesh(V.mesh);
  const s = await api("/api/surface/sessions", {});
  V.session = s.session;
  $("trace3d").href = `/api/surface/sessions/${V.session}/trace.csv`;
  showMetrics(s.metrics);
  setupPointer(cv);
  window.addEventListener("resize", () => { if (V.on) fit(); });
  const st = s.settings;
  $("grid3d").textContent = `pen: ${st.needles} needles, ${st.depth_mm} mm, ${st.frequency_hz} Hz, at 90° to the skin (the scenario's pen). live grid ${V.mesh.live_resolution_mm} mm in the chart (≥ ${V.mesh.min_cells_across_radius} cells across a hole); coverage per mm² of skin`;
  V.ready = true;
}

async function toggle() {
  V.on = !V.on;
  for (const id of ["map", "figures", "session-panel", "pen"]) $(id).hidden = V.on;
  // The flat session's toolbar (its passes, undo, clear, replay) hides too: the 3D panel has its own.
  for (const el of [$("pass-buttons"), $("undo"), $("clear"), $("replay"), document.querySelector("#toolbar .label")]) if (el) el.style.display = V.on ? "none" : "";
  if (!V.flatName) V.flatName = $("map-name").textContent;
  $("map-name").textContent = V.on ? "3D face (built-in ICT face surface): drag on the skin to draw, off it to turn" : V.flatName;
  for (const id of ["face3d", "figures3d"]) $(id).hidden = !V.on;
  $("nogo-warning").hidden = true;
  $("view-switch").textContent = V.on ? "Flat map" : "3D face";
  $("view-switch").setAttribute("aria-pressed", V.on ? "true" : "false");
  if (V.on && !V.ready) {
    try { await init(); } catch (e) { $("nogo3d").hidden = false; $("nogo3d").textContent = String(e.message || e); return; }
  }
  if (V.on) fit();
}
$("view-switch").addEventListener("click", toggle);
$("undo3d").addEventListener("click", async () => {
  if (!V.session) return;
  const out = await api(`/api/surface/sessions/${V.session}/undo`, {});
  applyCoverage(out.coverage); showMetrics(out.metrics);
  // Punctures of the undone stroke: rebuilt from the count the server reports.
  V.points.length = 3 * out.metrics.punctures; V.pointColours.length = 3 * out.metrics.punctures; uploadPoints();
  redraw();
});
$("pass3d").addEventListener("change", (ev) => { V.pass = Number(ev.target.value); });
// Export: a folder `needlesim run scenario.toml` reproduces (figures at the scenario's grid).
$("export3d").addEventListener("click", async () => {
  if (!V.session) return;
  const info = $("export3d-info");
  try {
    const r = await api(`/api/surface/sessions/${V.session}/export`, {});
    info.textContent = `wrote ${r.dir}: ${r.punctures} punctures, coverage ${(100 * r.coverage).toFixed(1)} % of the treated skin at ${r.resolution_mm} mm (exact; live grid ${r.live_resolution_mm} mm)`;
  } catch (e) { info.textContent = String(e.message || e); }
});
})();
