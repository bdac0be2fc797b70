//! The live page in a real browser: headless Chromium driven over WebDriver (chromedriver),
//! both from Debian's packages (`.ci/run` installs them). The test starts `needlesim serve`
//! and chromedriver on free loopback ports, drags a pointer across the default face's forehead, and checks that
//! punctures appear on the canvas (pixels and the page's counter), that the coverage figure
//! rises, that a second pass adds coverage and undo takes it back, and that a stroke across
//! an eye raises the red no-go banner; the page is opened through the printed URL with its
//! token (issue 18), which leaves the bare address and an HttpOnly cookie; it saves a screenshot to
//! `output/serve-browser.png` (git-ignored).
//!
//! Issue 20 ("the live page, fit for a class") adds one test per finding, each on its own
//! server and browser (run one at a time): a pen held still, a refused setting snapping
//! back with its message in view, holes in the pass's colour, a verdict for a short stroke,
//! the page's figures equal to the export's, a reload keeping the session (and Clear
//! asking first), Ctrl+Z in a field leaving the strokes alone; and the layout at laptop
//! (1366 × 768) and upright tablet (820 × 1180) sizes, with screenshots kept under
//! `output/` (`live-laptop.png`, `live-tablet.png`).
//!
//! Without chromium or chromedriver the test says so loudly and passes on a developer
//! machine; where `common::gate` says environment-dependent tests must run (.ci/run) it fails.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::http::{Server, call, free_port};
use serde_json::{Value, json};

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n))).find(|p| p.is_file())
}

struct Driver {
    child: Child,
    addr: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Driver {
    fn start(chromium: &PathBuf, chromedriver: &PathBuf) -> Driver {
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let addr = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = common::http::request(&addr, "GET", "/status", None)
                && r.status == 200
                && r.json()["value"]["ready"] == true
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready on {addr}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                         "--window-size=1400,1000", format!("--user-data-dir={}", profile.path().display())],
            }
        }}});
        let r = call(&addr, "POST", "/session", Some(&caps));
        assert_eq!(r.status, 200, "new WebDriver session: {}", r.body);
        let session = r.json()["value"]["sessionId"].as_str().unwrap().to_owned();
        Driver { child, addr, session, _profile: profile }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let r = call(&self.addr, method, &format!("/session/{}{path}", self.session), body.as_ref());
        assert_eq!(r.status, 200, "{method} {path}: {}", r.body);
        r.json()["value"].clone()
    }

    fn js(&self, script: &str) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": []})))
    }

    /// Wait until `script` returns true.
    fn wait_for(&self, script: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.js(script) != json!(true) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Viewport pixel of map point `(x_mm, y_mm)`.
    fn to_px(&self, x: f64, y: f64) -> (i64, i64) {
        let v = self.js(&format!(
            "const c = document.getElementById('map'); const r = c.getBoundingClientRect(); const S = window.needlesim;\
             const cx = ({x} - S.view.x0) * S.view.scale, cy = S.view.height - ({y} - S.view.y0) * S.view.scale;\
             return [Math.round(r.left + cx * r.width / c.width), Math.round(r.top + cy * r.height / c.height)];"
        ));
        (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
    }

    /// Drag the mouse from `a` to `b` (mm) in `steps` moves over `ms` milliseconds.
    fn drag(&self, a: (f64, f64), b: (f64, f64), steps: usize, ms: u64) {
        let (x0, y0) = self.to_px(a.0, a.1);
        let (x1, y1) = self.to_px(b.0, b.1);
        let mut actions = vec![
            json!({"type": "pointerMove", "duration": 0, "x": x0, "y": y0, "origin": "viewport"}),
            json!({"type": "pointerDown", "button": 0}),
        ];
        for k in 1..=steps {
            let f = k as f64 / steps as f64;
            let (x, y) = ((x0 as f64 + f * (x1 - x0) as f64).round() as i64, (y0 as f64 + f * (y1 - y0) as f64).round() as i64);
            actions.push(json!({"type": "pointerMove", "duration": ms / steps as u64, "x": x, "y": y, "origin": "viewport"}));
        }
        actions.push(json!({"type": "pointerUp", "button": 0}));
        self.cmd(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": actions}]})),
        );
        self.cmd("DELETE", "/actions", None);
    }

    fn number(&self, id: &str) -> f64 {
        self.js(&format!("return Number(document.getElementById('{id}').dataset.value);")).as_f64().unwrap()
    }

    /// Wait until the page has sent every sample and got every answer.
    fn settle(&self) {
        self.wait_for(
            "const S = window.needlesim; return !S.down && !S.inFlight && S.pending.length === 0;",
            "the page to send its batches",
        );
    }

    /// Press at `at` (mm), hold still for `ms` milliseconds, release.
    fn hold(&self, at: (f64, f64), ms: u64) {
        let (x, y) = self.to_px(at.0, at.1);
        let actions = vec![
            json!({"type": "pointerMove", "duration": 0, "x": x, "y": y, "origin": "viewport"}),
            json!({"type": "pointerDown", "button": 0}),
            json!({"type": "pause", "duration": ms}),
            json!({"type": "pointerUp", "button": 0}),
        ];
        self.cmd(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": actions}]})),
        );
        self.cmd("DELETE", "/actions", None);
    }

    /// Press Ctrl+`key` on whatever has the focus.
    fn ctrl(&self, key: &str) {
        let ctrl = "\u{E009}";
        let actions = [
            json!({"type": "keyDown", "value": ctrl}),
            json!({"type": "keyDown", "value": key}),
            json!({"type": "keyUp", "value": key}),
            json!({"type": "keyUp", "value": ctrl}),
        ];
        self.cmd("POST", "/actions", Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})));
        self.cmd("DELETE", "/actions", None);
    }

    /// Click element `#id` (as a user would: scrolled into view, a real click).
    fn click(&self, id: &str) {
        let el = self.cmd("POST", "/element", Some(json!({"using": "css selector", "value": format!("#{id}")})));
        let key = el.as_object().and_then(|o| o.values().next()).and_then(|v| v.as_str()).expect("an element id").to_owned();
        self.cmd("POST", &format!("/element/{key}/click"), Some(json!({})));
    }

    /// Resize the window so that the page's viewport is `w` × `h` CSS pixels.
    fn viewport(&self, w: i64, h: i64) {
        self.cmd("POST", "/window/rect", Some(json!({"width": w, "height": h})));
        // Headless windows may differ from the viewport by their frame: correct once.
        let inner = self.js("return [window.innerWidth, window.innerHeight];");
        let (iw, ih) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
        if (iw, ih) != (w, h) {
            self.cmd("POST", "/window/rect", Some(json!({"width": 2 * w - iw, "height": 2 * h - ih})));
        }
        self.js("window.dispatchEvent(new Event('resize')); return true;");
    }

    /// Save a screenshot as `output/NAME` (a PNG).
    fn screenshot(&self, name: &str) {
        let png = base64_decode(self.cmd("GET", "/screenshot", None).as_str().unwrap());
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("output");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join(name), &png).unwrap();
    }

    /// `el`'s box in the viewport: [left, top, right, bottom].
    fn rect(&self, selector: &str) -> [f64; 4] {
        let v = self.js(&format!(
            "const r = document.querySelector('{selector}').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];"
        ));
        let f = |i: usize| v[i].as_f64().unwrap();
        [f(0), f(1), f(2), f(3)]
    }

    /// A label anchor of the map by region name, mm.
    fn anchor(&self, region: &str) -> (f64, f64) {
        let a = self.js(&format!("return window.needlesim.config.map.labels_mm.find((l) => l.name === '{region}').at_mm;"));
        (a[0].as_f64().unwrap(), a[1].as_f64().unwrap())
    }

    /// Script errors the page threw since it loaded.
    fn errors(&self) -> Value {
        self.js("return window.__errors || [];")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = call(&self.addr, "DELETE", &format!("/session/{}", self.session), None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pixels of the map canvas by kind: `[pass 1 blue, pass 2 red, dark]` (pass 1 is
/// #1f77b4 and pass 2 #d62728 over the skin tone; dark is what the old black holes were).
const PIXEL_KINDS: &str = "const c = document.getElementById('map'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;\
    let blue = 0, red = 0, dark = 0; for (let i = 0; i < d.length; i += 4) { const r = d[i], g = d[i + 1], b = d[i + 2];\
    if (b > r + 40 && b > g + 10) blue++; if (r > g + 70 && r > b + 70) red++; if (r < 60 && g < 60 && b < 60) dark++; } return [blue, red, dark];";

fn pixel_kinds(d: &Driver) -> [i64; 3] {
    let v = d.js(PIXEL_KINDS);
    [v[0].as_i64().unwrap(), v[1].as_i64().unwrap(), v[2].as_i64().unwrap()]
}

/// chromium and chromedriver, or `None` after saying loudly that the test did not run.
fn browser(test: &str) -> Option<(PathBuf, PathBuf)> {
    match (which(&["chromium", "chromium-browser"]), which(&["chromedriver"])) {
        (Some(c), Some(d)) => Some((c, d)),
        _ => {
            common::gate::unavailable(
                test,
                "chromium and/or chromedriver not found, so the live page was NOT tested in a browser \
                 (Debian: chromium and chromium-driver; .ci/run installs them)",
            );
            None
        }
    }
}

/// One browser at a time (two cores shared with compilers).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The default face served, the page opened through its printed URL at viewport `w` × `h`
/// and ready; script errors are recorded in `window.__errors`.
fn open_page(test: &str, w: i64, h: i64) -> Option<(MutexGuard<'static, ()>, Server, Driver)> {
    let (chromium, driver) = browser(test)?;
    let lock = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let server = Server::start(&[]);
    let d = Driver::start(&chromium, &driver);
    d.viewport(w, h);
    d.cmd("POST", "/url", Some(json!({"url": server.url})));
    d.wait_for("return document.body.dataset.ready === '1';", "the page to start a session");
    d.js("window.__errors = []; window.addEventListener('error', (e) => window.__errors.push(String(e.message))); return true;");
    Some((lock, server, d))
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => 0,
    };
    let clean: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let pad = chunk.iter().filter(|&&c| c == b'=').count();
        let n = chunk.iter().fold(0u32, |acc, &c| (acc << 6) | val(c) as u32) << (6 * (4 - chunk.len()));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad.min(2)]);
    }
    out
}

#[test]
fn drawing_on_the_page_makes_punctures_and_coverage() {
    let Some((_lock, server, d)) = open_page("serve_browser", 1400, 1000) else { return };
    // Opened through the printed URL with its token: the page is at the bare address, and
    // the token rides in a cookie that scripts cannot read (HttpOnly).
    assert!(server.url.contains(&format!("?token={}", server.token)) && !server.token.is_empty(), "{}", server.url);
    assert_eq!(d.js("return location.pathname + location.search;"), json!("/"));
    assert!(!d.js("return document.cookie;").as_str().unwrap().contains(&server.token), "the token cookie is HttpOnly");
    assert_eq!(d.number("punctures-count"), 0.0);
    let blue_before = pixel_kinds(&d)[0];

    // The map's geometry as the page has it: the forehead's label anchor and an eye's ring.
    let map = d.js("return window.needlesim.config.map;");
    let forehead =
        map["labels_mm"].as_array().unwrap().iter().find(|l| l["name"] == "forehead").expect("a forehead label")["at_mm"].clone();
    let (fx, fy) = (forehead[0].as_f64().unwrap(), forehead[1].as_f64().unwrap());
    let eye = map["outlines_mm"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["no_go"] == true && o["name"].as_str().unwrap().contains("eye"))
        .expect("an eye zone")
        .clone();
    let ring = eye["ring"].as_array().unwrap();
    let n = ring.len() as f64;
    let (ex, ey) =
        (ring.iter().map(|p| p[0].as_f64().unwrap()).sum::<f64>() / n, ring.iter().map(|p| p[1].as_f64().unwrap()).sum::<f64>() / n);
    assert_eq!(d.js("return document.getElementById('nogo-warning').hidden;"), json!(true));

    // A slow stroke across the forehead.
    d.drag((fx - 16.0, fy), (fx + 16.0, fy), 40, 1200);
    d.settle();
    let punctures = d.number("punctures-count");
    let coverage = d.number("coverage");
    assert!(punctures >= 12.0 * 10.0, "punctures shown: {punctures}");
    assert!(coverage > 0.0, "coverage figure: {coverage}");
    let blue_after = pixel_kinds(&d)[0];
    assert!(blue_after > blue_before + 100, "puncture pixels (pass 1's blue) on the canvas: {blue_before} → {blue_after}");
    // The page's count is the server's.
    let text = d.js("return document.getElementById('punctures-count').textContent;");
    assert_eq!(text.as_str().unwrap().replace(',', "").parse::<f64>().unwrap(), punctures);
    assert_eq!(d.js("return document.getElementById('nogo-warning').hidden;"), json!(true), "the forehead is not a no-go zone");

    // Second pass across the first: coverage rises, the pass table has two rows.
    d.js("document.querySelector('#pass-buttons button[data-pass=\"1\"]').click(); return true;");
    d.drag((fx, fy - 8.0), (fx, fy + 8.0), 40, 1200);
    d.settle();
    let coverage2 = d.number("coverage");
    assert!(coverage2 > coverage, "coverage {coverage} → {coverage2}");
    assert_eq!(d.js("return document.querySelectorAll('#pass-table tbody tr').length;"), json!(2));

    // Undo removes the second stroke: the figure goes back.
    d.js("document.getElementById('undo').click(); return true;");
    d.wait_for(&format!("return Number(document.getElementById('coverage').dataset.value) === {coverage};"), "undo");
    assert_eq!(d.errors(), json!([]));

    // Across an eye: the red no-go banner appears, naming the eye.
    d.drag((ex - 8.0, ey), (ex + 8.0, ey), 30, 900);
    d.settle();
    d.wait_for("return !document.getElementById('nogo-warning').hidden;", "the no-go warning");
    let banner = d.js("return document.getElementById('nogo-warning').textContent;");
    assert!(banner.as_str().unwrap().contains(eye["name"].as_str().unwrap()), "{banner}");

    // Screenshot as an artifact.
    d.screenshot("serve-browser.png");

    // Export from the page: the face report is written under the export directory.
    d.js("document.getElementById('export').click(); return true;");
    d.wait_for("return document.getElementById('export-info').textContent.startsWith('wrote ');", "the export");
    let dirs: Vec<PathBuf> = std::fs::read_dir(server.export_dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(dirs[0].join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["punctures"].as_f64(), Some(d.number("punctures-count")));
    assert_eq!(summary["regions"]["forehead"]["treated"], true);
    assert!(dirs[0].join("report.html").is_file());

    // Choosing a pen model sets the whole pen: the frequency field shows the pen's.
    d.js("const s = document.getElementById('device-preset'); s.value = 'exceed'; s.dispatchEvent(new Event('change')); return true;");
    let f = needlesim::pen::preset::find("k", "exceed").unwrap().frequency_hz.value;
    d.wait_for(&format!("return Number(document.getElementById('frequency').value) === {f};"), "the pen model's frequency");
}

/// Issue 20.1: pressing and holding the pen in one spot gave a `null` density, the page threw
/// on it, dropped the rest of the stroke and stopped updating. Now the stroke is kept, its
/// verdict names the stamps on the spot, every figure is a number, and the page goes on.
#[test]
fn a_pen_held_still_keeps_its_stroke_and_the_page_goes_on() {
    let Some((_lock, _server, d)) = open_page("serve_browser_held_pen", 1366, 768) else { return };
    let (fx, fy) = d.anchor("forehead");
    d.hold((fx, fy), 1500);
    d.settle();
    assert_eq!(d.errors(), json!([]), "the page threw");
    let sp = d.js("return window.needlesim.metrics.speed;");
    assert_eq!(sp["held"], true, "{sp}");
    for k in ["density_per_pass_per_cm2", "stamps_per_spot", "speed_mm_s"] {
        assert!(sp[k].as_f64().is_some_and(f64::is_finite), "{k} is not a number: {sp}");
    }
    let stamps = d.js("return window.needlesim.metrics.stamps;").as_f64().unwrap();
    assert!(stamps >= 100.0, "held 1.5 s at the pen's frequency, only {stamps} stamps");
    let text = d.js("return document.getElementById('speed').textContent;").as_str().unwrap().to_owned();
    assert!(text.contains("held") && text.contains("stamps on one spot") && !text.contains("NaN"), "{text}");
    let density = d.js("return document.getElementById('density').textContent;");
    assert!(!density.as_str().unwrap().contains('–'), "{density}");
    // The panels still follow: a stroke after the hold adds punctures.
    let before = d.number("punctures-count");
    d.drag((fx - 10.0, fy - 5.0), (fx + 10.0, fy - 5.0), 20, 500);
    d.settle();
    assert!(d.number("punctures-count") > before);
    assert_eq!(d.js("return window.needlesim.strokes.length;"), json!(2));
    assert_eq!(d.errors(), json!([]));
}

/// Issue 20.2: a refused setting (depth 3 on a 0.4–2 mm pen) snaps back to the pen's depth,
/// with the refusal next to the field and in a banner over the map, both in view on a
/// laptop screen.
#[test]
fn a_refused_setting_snaps_back_with_its_message_in_view() {
    let Some((_lock, _server, d)) = open_page("serve_browser_refused", 1366, 768) else { return };
    let depth = d.js("return window.needlesim.settings.depth_mm;").as_f64().unwrap();
    d.js("document.getElementById('depth').value = '3'; return true;");
    d.click("apply");
    d.wait_for("return document.querySelector('.field-msg[data-for=\"depth\"]').textContent !== '';", "the refusal next to the field");
    assert_eq!(d.js("return Number(document.getElementById('depth').value);").as_f64(), Some(depth), "the field snaps back");
    let msg = d.js("return document.querySelector('.field-msg[data-for=\"depth\"]').textContent;");
    assert!(msg.as_str().unwrap().contains("depth_mm = 3"), "{msg}");
    assert_eq!(d.js("return document.getElementById('error').hidden;"), json!(false));
    let h = d.js("return window.innerHeight;").as_f64().unwrap();
    for sel in ["#error", ".field-msg[data-for=\"depth\"]"] {
        let r = d.rect(sel);
        assert!(r[1] >= 0.0 && r[3] <= h, "{sel} out of view at {r:?} (viewport height {h})");
    }
    // The banner lies over the map.
    let (map, banner) = (d.rect("#map"), d.rect("#error"));
    assert!(banner[1] >= map[1] && banner[3] <= map[3], "banner {banner:?} over map {map:?}");
    // A good value clears the refusal.
    d.js("document.getElementById('depth').value = '1'; return true;");
    d.click("apply");
    d.wait_for("return window.needlesim.settings.depth_mm === 1;", "the accepted depth");
    assert_eq!(d.js("return document.querySelector('.field-msg[data-for=\"depth\"]').textContent;"), json!(""));
    assert_eq!(d.js("return document.getElementById('error').hidden;"), json!(true));
}

/// Issue 20.3: strokes were solid black bars hiding the pass colours. The holes are drawn in
/// their pass's colour: blue pixels appear with pass 1, red with pass 2, nothing black.
#[test]
fn holes_are_drawn_in_their_pass_colour() {
    let Some((_lock, _server, d)) = open_page("serve_browser_colours", 1366, 768) else { return };
    let (fx, fy) = d.anchor("forehead");
    let [b0, r0, k0] = pixel_kinds(&d);
    d.drag((fx - 15.0, fy), (fx + 15.0, fy), 30, 800);
    d.settle();
    let [b1, r1, k1] = pixel_kinds(&d);
    assert!(b1 > b0 + 50, "pass 1's blue: {b0} → {b1}");
    d.js("document.querySelector('#pass-buttons button[data-pass=\"1\"]').click(); return true;");
    d.drag((fx, fy - 10.0), (fx, fy + 10.0), 30, 800);
    d.settle();
    let [_, r2, k2] = pixel_kinds(&d);
    assert!(r2 > r1 + 50, "pass 2's red: {r1} → {r2} (before any stroke {r0})");
    assert!(k2 - k0 < 50 && k1 - k0 < 50, "black pixels: {k0} → {k1} → {k2}");
}

/// Issue 20.4: strokes under 0.3 s got no verdict, and "too slow" was unstyled. A 0.15 s
/// flick gets its verdict, styled as a warning unless it is ok, with the speed band shown.
#[test]
fn a_short_stroke_gets_a_styled_verdict() {
    let Some((_lock, _server, d)) = open_page("serve_browser_verdict", 1366, 768) else { return };
    let (fx, fy) = d.anchor("forehead");
    d.drag((fx - 12.0, fy), (fx + 12.0, fy), 6, 150);
    d.settle();
    let id = d.js("return window.needlesim.strokeId;");
    d.wait_for(&format!("return document.getElementById('speed').dataset.stroke === '{id}';"), "the verdict of the flick");
    let verdict = d.js("return document.getElementById('speed').dataset.verdict;");
    assert!(["ok", "too fast", "too slow"].contains(&verdict.as_str().unwrap()), "{verdict}");
    let styled = d.js(
        "const s = document.getElementById('speed'); const c = getComputedStyle(s); \
         return s.dataset.verdict === 'ok' ? c.color !== getComputedStyle(document.body).color : c.backgroundColor !== 'rgba(0, 0, 0, 0)';",
    );
    assert_eq!(styled, json!(true), "the verdict is styled");
    assert_eq!(d.js("return document.getElementById('verdict').hidden;"), json!(false), "the verdict over the map");
    let band = d.js("return document.getElementById('speed-band').textContent;");
    assert!(band.as_str().unwrap().contains("mm/s"), "{band}");
}

/// Issue 20.5: the big figure was over the whole map while the export's was over the treated
/// regions. Both are over the treated regions now, and the page shows the export's figures
/// with the one rounding (the Rust `percent`).
#[test]
fn the_page_figures_are_the_exports() {
    let Some((_lock, server, d)) = open_page("serve_browser_figures", 1366, 768) else { return };
    let (fx, fy) = d.anchor("forehead");
    for k in 0..3 {
        let y = fy - 5.0 + 5.0 * k as f64;
        d.drag((fx - 15.0, y), (fx + 15.0, y), 30, 700);
        d.settle();
    }
    let live = d.number("coverage");
    let whole_map = d.number("coverage-map");
    let density_text = d.js("return document.getElementById('density').textContent;").as_str().unwrap().to_owned();
    assert!(live > 5.0 * whole_map, "treated regions {live} vs whole map {whole_map}");
    d.click("export");
    d.wait_for("return document.getElementById('export-coverage') !== null;", "the export");
    let ex = d.js("return window.needlesim.lastExport;");
    let dirs: Vec<PathBuf> = std::fs::read_dir(server.export_dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(dirs[0].join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["punctures"].as_f64(), Some(d.number("punctures-count")));
    let exact = ex["coverage"].as_f64().unwrap();
    assert_eq!(summary["coverage"].as_f64(), Some(exact), "the export's answer is its summary");
    // Same definition: the live grid's figure is the export's within its sampling error.
    assert!((live - exact).abs() <= 0.05 * exact + 0.001, "live {live} vs export {exact}");
    // Same rounding: the page writes the export's figures as the Rust `percent` does, and the
    // density (a count over the same area) reads the same.
    let shown = d.js("return document.getElementById('export-coverage').textContent;");
    assert_eq!(shown.as_str().unwrap(), needlesim::live::session::percent(exact));
    let ex_density = d.js("return document.getElementById('export-density').textContent;");
    assert_eq!(ex_density.as_str().unwrap(), density_text, "density: page vs export");
    // The report opens from the page's link.
    let href = d.js("return document.getElementById('report-link').getAttribute('href');").as_str().unwrap().to_owned();
    let r = server.call("GET", &href, None);
    assert_eq!(r.status, 200, "{href}: {}", r.body);
    assert!(r.body.contains("<html") || r.body.contains("<!doctype"), "{}", &r.body[..200.min(r.body.len())]);
}

/// Issue 20.7: a reload threw the session away and Clear asked nothing. The session survives
/// a reload (drawing goes on after it), and Clear needs a second click.
#[test]
fn a_reload_keeps_the_session_and_clear_asks_first() {
    let Some((_lock, _server, d)) = open_page("serve_browser_reload", 1366, 768) else { return };
    let (fx, fy) = d.anchor("forehead");
    d.drag((fx - 15.0, fy), (fx + 15.0, fy), 30, 700);
    d.settle();
    let (punctures, coverage) = (d.number("punctures-count"), d.number("coverage"));
    let session = d.js("return window.needlesim.session;");
    let blue = pixel_kinds(&d)[0];
    d.cmd("POST", "/refresh", Some(json!({})));
    d.wait_for("return document.body.dataset.ready === '1';", "the reloaded page");
    assert_eq!(d.js("return document.body.dataset.resumed;"), json!("1"));
    assert_eq!(d.js("return window.needlesim.session;"), session);
    assert_eq!((d.number("punctures-count"), d.number("coverage")), (punctures, coverage));
    assert_eq!(d.js("return window.needlesim.strokes.length;"), json!(1));
    assert!(pixel_kinds(&d)[0] >= blue - 50, "the strokes are drawn again");
    // Drawing goes on after the reload (the page's clock restarted; the session's did not).
    d.drag((fx - 15.0, fy - 6.0), (fx + 15.0, fy - 6.0), 30, 700);
    d.settle();
    assert!(d.number("punctures-count") > punctures);
    assert_eq!(
        d.js("return document.getElementById('error').hidden;"),
        json!(true),
        "{}",
        d.js("return document.getElementById('error').textContent;")
    );
    // Clear: the first click only asks.
    d.click("clear");
    assert!(d.js("return document.getElementById('clear').textContent;").as_str().unwrap().contains("Click again"));
    assert_eq!(d.js("return window.needlesim.strokes.length;"), json!(2));
    d.click("clear");
    d.wait_for(
        "return window.needlesim.strokes.length === 0 && Number(document.getElementById('punctures-count').dataset.value) === 0;",
        "the clear",
    );
}

/// Issue 20.7: Ctrl+Z while typing in a field deleted the last stroke. In a field it is the
/// field's own; outside the fields it undoes a stroke.
#[test]
fn ctrl_z_in_a_field_leaves_the_strokes_alone() {
    let Some((_lock, _server, d)) = open_page("serve_browser_ctrl_z", 1366, 768) else { return };
    let (fx, fy) = d.anchor("forehead");
    d.drag((fx - 15.0, fy), (fx + 15.0, fy), 30, 700);
    d.settle();
    let punctures = d.number("punctures-count");
    d.click("frequency");
    assert_eq!(d.js("return document.activeElement.id;"), json!("frequency"));
    d.ctrl("z");
    // The key handler runs synchronously: had it undone, the count of undos would be 1.
    assert_eq!(d.js("return window.needlesim.undos || 0;"), json!(0));
    d.settle();
    assert_eq!(d.number("punctures-count"), punctures);
    d.js("document.activeElement.blur(); return true;");
    d.ctrl("z");
    d.wait_for(
        "return window.needlesim.strokes.length === 0 && Number(document.getElementById('punctures-count').dataset.value) === 0;",
        "the undo",
    );
}

/// Issue 20.2: the layout at a laptop (1366 × 768) and an upright tablet (820 × 1180): the
/// whole map in view, the figures and warnings in view beside (laptop) or under (tablet) it,
/// the pass buttons, Undo and Clear over the map. Screenshots kept under `output/`.
#[test]
fn the_layout_fits_a_laptop_and_a_tablet() {
    let Some((_lock, _server, d)) = open_page("serve_browser_layout", 1366, 768) else { return };
    let (fx, fy) = d.anchor("forehead");
    d.drag((fx - 15.0, fy), (fx + 15.0, fy), 30, 700);
    d.settle();
    d.js("document.querySelector('#pass-buttons button[data-pass=\"1\"]').click(); return true;");
    let (cx, cy) = d.anchor("cheek_left");
    d.drag((cx, cy - 10.0), (cx, cy + 10.0), 30, 700);
    d.settle();
    for (w, h, name) in [(1366, 768, "live-laptop.png"), (820, 1180, "live-tablet.png")] {
        d.viewport(w, h);
        d.wait_for(&format!("return window.innerWidth === {w};"), "the window size");
        let (vw, vh) = (w as f64, h as f64);
        let map = d.rect("#map");
        assert!(map[0] >= 0.0 && map[1] >= 0.0 && map[2] <= vw && map[3] <= vh, "{name}: the map {map:?} is not all in view");
        // Drawn at the screen's pixels (crisp), not a fixed bitmap scaled down.
        let crisp = d.js(
            "const c = document.getElementById('map'); return Math.abs(c.width - c.getBoundingClientRect().width * devicePixelRatio) <= 2;",
        );
        assert_eq!(crisp, json!(true), "{name}: the canvas is scaled");
        for sel in ["#figures", "#coverage", "#warnings", "#undo", "#clear", "#pass-buttons"] {
            let r = d.rect(sel);
            assert!(r[1] >= 0.0 && r[1] < vh && r[2] <= vw + 1.0, "{name}: {sel} at {r:?} is out of view");
        }
        let no_scroll_x = d.js("return document.documentElement.scrollWidth <= document.documentElement.clientWidth;");
        assert_eq!(no_scroll_x, json!(true), "{name}: the page scrolls sideways");
        d.screenshot(name);
    }
}

/// Drag the mouse through viewport points `path` (CSS px), `ms` milliseconds in all.
fn drag_px(d: &Driver, path: &[(f64, f64)], ms: u64) {
    let mut actions = vec![
        json!({"type": "pointerMove", "duration": 0, "x": path[0].0.round() as i64, "y": path[0].1.round() as i64, "origin": "viewport"}),
        json!({"type": "pointerDown", "button": 0}),
    ];
    for &(x, y) in &path[1..] {
        actions.push(json!({"type": "pointerMove", "duration": ms / path.len() as u64, "x": x.round() as i64, "y": y.round() as i64, "origin": "viewport"}));
    }
    actions.push(json!({"type": "pointerUp", "button": 0}));
    d.cmd(
        "POST",
        "/actions",
        Some(json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": actions}]})),
    );
    d.cmd("DELETE", "/actions", None);
}

/// Issue 16 items 5–6: the live page on the 3D face. Switch to the 3D face, turn it (a drag
/// off the skin), draw across the left cheek (its screen position from the page's own
/// projection of the cheek's triangles, checked by the page's ray pick), see punctures and
/// the coverage figure rise and the cheek's row in the region table; draw across the left
/// eye (from the upper to the lower periorbital region) and see the red no-go banner.
/// Screenshot: `output/live-3d.png` (kept in git, shown in the README).
#[test]
fn drawing_on_the_3d_face_makes_punctures_coverage_and_the_no_go_warning() {
    let Some((_lock, _server, d)) = open_page("serve_browser_3d", 1400, 1000) else { return };
    d.click("view-switch");
    d.wait_for("const V = window.needlesim3d; return V.ready === true && !!V.session;", "the 3D face and its session");
    assert_eq!(d.js("return document.getElementById('map').hidden && !document.getElementById('face3d').hidden;"), json!(true));
    assert_eq!(d.number("punctures3d"), 0.0);
    let settle = "const V = window.needlesim3d; return !V.drawing && !V.inFlight && V.pending.length === 0;";

    // Turn the face a little to its left with a drag that starts off the skin (top-left corner).
    let yaw0 = d.js("return window.needlesim3d.yaw;").as_f64().unwrap();
    let r = d.rect("#face3d");
    drag_px(&d, &[(r[0] + 8.0, r[1] + 8.0), (r[0] + 40.0, r[1] + 8.0), (r[0] + 60.0, r[1] + 9.0)], 300);
    let yaw1 = d.js("return window.needlesim3d.yaw;").as_f64().unwrap();
    assert!((yaw1 - yaw0).abs() > 0.1, "the face turned: yaw {yaw0} → {yaw1}");
    assert_eq!(d.number("punctures3d"), 0.0, "turning the face draws nothing");

    // Across the left cheek.
    let c = d.js("return window.needlesim3d.screenOf('cheek_left');");
    assert!(c.is_object(), "the left cheek is in view: {c}");
    let (cx, cy) = (c["x"].as_f64().unwrap(), c["y"].as_f64().unwrap());
    let path: Vec<(f64, f64)> = (0..=30).map(|k| (cx - 15.0 + k as f64, cy + 0.3 * k as f64)).collect();
    drag_px(&d, &path, 1200);
    d.wait_for(settle, "the 3D page to send its batches");
    let punctures = d.number("punctures3d");
    let coverage = d.number("coverage3d");
    assert!(punctures >= 12.0 * 10.0, "punctures: {punctures}");
    assert!(coverage > 0.0, "coverage: {coverage}");
    let rows = d.js("return [...document.querySelectorAll('#regions3d tbody tr td:first-child')].map((td) => td.textContent);");
    assert!(rows.as_array().unwrap().iter().any(|n| n == "cheek_left"), "region rows: {rows}");
    assert_eq!(d.js("return document.getElementById('nogo3d').hidden;"), json!(true), "no warning on the cheek");
    let drawn = d.js("return window.needlesim3d.pointCount;").as_f64().unwrap();
    assert_eq!(drawn, punctures, "every puncture is drawn on the skin");

    // A second stroke across the cheek raises the coverage.
    let path: Vec<(f64, f64)> = (0..=30).map(|k| (cx - 12.0 + k as f64 * 0.8, cy - 10.0 + 0.7 * k as f64)).collect();
    drag_px(&d, &path, 1200);
    d.wait_for(settle, "the second stroke");
    assert!(d.number("coverage3d") > coverage, "coverage rises: {coverage} → {}", d.number("coverage3d"));

    // Across the left eye: from the upper periorbital region to the lower one.
    let up = d.js("return window.needlesim3d.screenOf('periorbital_upper_left');");
    let down = d.js("return window.needlesim3d.screenOf('periorbital_lower_left');");
    assert!(up.is_object() && down.is_object(), "{up} {down}");
    let (ux, uy, dx, dy) = (up["x"].as_f64().unwrap(), up["y"].as_f64().unwrap(), down["x"].as_f64().unwrap(), down["y"].as_f64().unwrap());
    let path: Vec<(f64, f64)> = (0..=40).map(|k| (ux + (dx - ux) * k as f64 / 40.0, uy + (dy - uy) * k as f64 / 40.0)).collect();
    drag_px(&d, &path, 1500);
    d.wait_for(settle, "the stroke across the eye");
    d.wait_for("return !document.getElementById('nogo3d').hidden;", "the no-go banner");
    let banner = d.js("return document.getElementById('nogo3d').textContent;");
    assert!(banner.as_str().unwrap().contains("eye_left"), "banner: {banner}");
    assert_eq!(d.errors(), json!([]), "no script errors");
    d.screenshot("live-3d.png");
}
