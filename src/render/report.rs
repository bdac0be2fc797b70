//! Self-contained HTML reports: headings, paragraphs, highlighted warnings, tables, images
//! and preformatted text, in one file that works offline.
//!
//! **Invariants.** Every image is embedded as a `data:` URI; the page refers to no URL at
//! all, and its Content-Security-Policy forbids fetching anything but `data:` images, so a
//! browser opening it makes no network request. Every piece of text is HTML-escaped here,
//! so callers pass plain text (user-supplied names, warnings, scenario files) as is.
//!
//! A small inline script records, after the page has loaded, each image's decoded size in
//! `data-natural-width`/`data-natural-height`, the number of resources fetched from
//! anywhere in `body[data-fetched]` and how far each table and the page run past the
//! window's right edge (`data-overflow-px`), so a headless browser's DOM dump shows whether
//! the page rendered and fits (see tests/report_browser.rs).

use std::fmt::Write;

use super::datauri::data_uri;
use super::escape_xml as esc;

/// A table of plain-text cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One piece of a report.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    /// Shown highlighted; "no warnings" when empty.
    Warnings(Vec<String>),
    Table(Table),
    /// A table whose rows carry a machine-readable key (`<tr data-key="…">`), e.g. the region
    /// keys of summary.json behind the display names people read.
    KeyedTable {
        table: Table,
        row_keys: Vec<String>,
    },
    /// A file embedded as a `data:` URI link that downloads as `file_name` (e.g. a CSV also
    /// written beside the report), so the page stays self-contained.
    Download {
        text: String,
        file_name: String,
        mime: String,
        bytes: Vec<u8>,
    },
    /// An embedded image (`mime` e.g. "image/png", "image/gif", "image/svg+xml").
    Image {
        caption: String,
        mime: String,
        bytes: Vec<u8>,
    },
    /// Preformatted text (a scenario file), optionally folded.
    Preformatted {
        caption: String,
        text: String,
    },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub title: String,
    pub blocks: Vec<Block>,
}

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em auto;max-width:1400px;padding:0 1em;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.6em 0}caption{text-align:left;font-weight:bold;padding:.3em 0}\
th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}\
.warnings{background:#fff3cd;border:2px solid #d39e00;padding:.5em 1em;border-radius:4px}\
.warnings li{color:#7a4b00;font-weight:bold}.ok{background:#e8f5e9;border:1px solid #81c784;padding:.5em 1em}\
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}figcaption{color:#555;font-size:.9em}\
pre{background:#f6f6f6;padding:.8em;overflow:auto}table{max-width:100%}th{white-space:normal;vertical-align:bottom}\
td{white-space:nowrap}td:first-child{white-space:normal}";

const SCRIPT: &str = "window.addEventListener('load',function(){\
for(var i=0;i<document.images.length;i++){var m=document.images[i];\
m.setAttribute('data-natural-width',m.naturalWidth);m.setAttribute('data-natural-height',m.naturalHeight);}\
var r=(performance.getEntriesByType?performance.getEntriesByType('resource'):[]).filter(function(e){return e.name.indexOf('data:')!==0;});\
document.body.setAttribute('data-fetched',r.length);\
var w=document.documentElement.clientWidth,t=document.getElementsByTagName('table');\
for(var k=0;k<t.length;k++){t[k].setAttribute('data-overflow-px',Math.max(0,Math.ceil(t[k].getBoundingClientRect().right)-w));}\
document.body.setAttribute('data-overflow-px',Math.max(0,document.documentElement.scrollWidth-w));\
document.body.setAttribute('data-loaded','1');});";

impl Report {
    pub fn new(title: impl Into<String>) -> Self {
        Report { title: title.into(), blocks: Vec::new() }
    }

    pub fn push(&mut self, b: Block) -> &mut Self {
        self.blocks.push(b);
        self
    }

    /// The whole page.
    pub fn to_html(&self) -> String {
        let mut h = String::with_capacity(1 << 16);
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{}</title><style>{STYLE}</style><script>{SCRIPT}</script></head>\n<body>\n<h1>{}</h1>\n",
            esc(&self.title),
            esc(&self.title)
        );
        for b in &self.blocks {
            block_html(&mut h, b);
        }
        h.push_str("</body></html>\n");
        h
    }
}

fn block_html(h: &mut String, b: &Block) {
    match b {
        Block::Heading(t) => {
            let _ = writeln!(h, "<h2>{}</h2>", esc(t));
        }
        Block::Paragraph(t) => {
            let _ = writeln!(h, "<p>{}</p>", esc(t));
        }
        Block::Warnings(ws) if ws.is_empty() => h.push_str("<div class=\"ok\">No warnings.</div>\n"),
        Block::Warnings(ws) => {
            h.push_str("<div class=\"warnings\" role=\"alert\"><strong>Warnings</strong><ul>");
            for w in ws {
                let _ = write!(h, "<li>{}</li>", esc(w));
            }
            h.push_str("</ul></div>\n");
        }
        Block::Table(t) => table_html(h, t, None),
        Block::KeyedTable { table, row_keys } => table_html(h, table, Some(row_keys)),
        Block::Download { text, file_name, mime, bytes } => {
            let _ = writeln!(h, "<p><a download=\"{}\" href=\"{}\">{}</a></p>", esc(file_name), data_uri(&esc(mime), bytes), esc(text));
        }
        Block::Image { caption, mime, bytes } => {
            let _ = writeln!(
                h,
                "<figure><img alt=\"{}\" src=\"{}\"><figcaption>{}</figcaption></figure>",
                esc(caption),
                data_uri(&esc(mime), bytes),
                esc(caption)
            );
        }
        Block::Preformatted { caption, text } => {
            let _ = writeln!(h, "<details open><summary>{}</summary><pre>{}</pre></details>", esc(caption), esc(text));
        }
    }
}

fn table_html(h: &mut String, t: &Table, row_keys: Option<&Vec<String>>) {
    let _ = write!(h, "<table><caption>{}</caption><thead><tr>", esc(&t.caption));
    for c in &t.header {
        let _ = write!(h, "<th>{}</th>", esc(c));
    }
    h.push_str("</tr></thead><tbody>");
    for (k, r) in t.rows.iter().enumerate() {
        match row_keys.and_then(|keys| keys.get(k)) {
            Some(key) => {
                let _ = write!(h, "<tr data-key=\"{}\">", esc(key));
            }
            None => h.push_str("<tr>"),
        }
        for c in r {
            let _ = write!(h, "<td>{}</td>", esc(c));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>\n");
}

/// Everything in `html` that could make a browser fetch something: URLs with a scheme other
/// than `data:`, protocol-relative `//host` references, `url(` in styles, `@import`, links
/// (`href=`) to anything but a `data:` URI. `data:` URIs are cut out first (their base64
/// may spell anything), so a link to one reads `href=""` and is allowed.
pub fn external_references(html: &str) -> Vec<String> {
    let mut rest = String::with_capacity(html.len());
    let mut s = html;
    while let Some(i) = s.find("data:") {
        rest.push_str(&s[..i]);
        let tail = &s[i..];
        let end = tail.find(['"', '\'', ')', ' ', '<']).unwrap_or(tail.len());
        s = &tail[end..];
    }
    rest.push_str(s);
    let lower = rest.to_ascii_lowercase();
    let mut found = Vec::new();
    for pat in ["http:", "https:", "ftp:", "//", "url(", "@import", "src=\"/", "href="] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(pat) {
            let at = from + i;
            if pat == "href=" && lower[at + pat.len()..].starts_with("\"\"") {
                from = at + pat.len();
                continue;
            }
            found.push(rest[at.saturating_sub(20)..(at + 40).min(rest.len())].to_string());
            from = at + pat.len();
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_everywhere() {
        let evil = "<img src=x onerror=alert(1)>&\"'";
        let mut r = Report::new(evil);
        r.push(Block::Paragraph(evil.into()))
            .push(Block::Warnings(vec![evil.into()]))
            .push(Block::Table(Table { caption: evil.into(), header: vec![evil.into()], rows: vec![vec![evil.into()]] }))
            .push(Block::Preformatted { caption: evil.into(), text: evil.into() })
            .push(Block::Image { caption: evil.into(), mime: "image/png".into(), bytes: vec![1, 2, 3] })
            .push(Block::KeyedTable { table: Table { rows: vec![vec!["x".into()]], ..Table::default() }, row_keys: vec![evil.into()] })
            .push(Block::Download { text: evil.into(), file_name: evil.into(), mime: "text/csv".into(), bytes: vec![1] });
        let html = r.to_html();
        assert!(!html.contains("<img src=x"), "raw markup leaked");
        assert!(!html.contains("\"'"));
        // <title> and <h1>, paragraph, warning, caption + header + cell, summary + pre, alt +
        // figcaption, row key, download name and text.
        assert_eq!(html.matches("&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;").count(), 14);
        assert!(external_references(&html).is_empty(), "{:?}", external_references(&html));
    }

    #[test]
    fn external_references_are_found_outside_data_uris() {
        assert!(external_references("<img src=\"data:image/png;base64,aHR0cDovL2h0dHA6Ly8=\">").is_empty());
        assert!(external_references("<img src=\"data:image/png;base64,http://x\">").is_empty());
        assert_eq!(external_references("<a href=\"https://example.org\">").len(), 3);
        assert_eq!(external_references("<style>b{background:url(x.png)}</style>").len(), 1);
        assert!(external_references("<a download=\"regions.csv\" href=\"data:text/csv;base64,YSxi\">").is_empty());
        assert_eq!(external_references("<a href=\"regions.csv\">").len(), 1, "a link out of the page");
    }
}
