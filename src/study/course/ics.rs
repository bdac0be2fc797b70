//! The course as an iCalendar file (RFC 5545): one all-day VEVENT per session.
//!
//! **Deterministic:** the same course gives the same bytes. DTSTAMP (required, "when the
//! object was created") is the course's start date at 00:00:00 UTC rather than the wall
//! clock, and each UID is built from the course name, start date and session index.
//! Lines end in CRLF, text is escaped (`\\`, `;`, `,`, newlines) and lines longer than 75
//! octets are folded at character boundaries.

use super::date::Date;

/// One calendar entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub date: Date,
    pub summary: String,
    pub description: String,
}

/// Escape TEXT values (RFC 5545 §3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Append `line` folded to at most 75 octets per physical line (§3.1), CRLF-terminated.
fn push_folded(out: &mut String, line: &str) {
    let mut len = 0;
    for c in line.chars() {
        if len + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// A UID-safe form of the course name: letters, digits and `-`.
fn uid_part(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    if s.is_empty() { "course".into() } else { s }
}

/// The calendar text of `events` for the course `name` starting on `start`.
pub fn calendar(name: &str, start: Date, events: &[Event]) -> String {
    let mut out = String::new();
    for l in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//needlesim//course//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"] {
        push_folded(&mut out, l);
    }
    push_folded(&mut out, &format!("X-WR-CALNAME:{}", escape_text(name)));
    let stamp = format!("{}T000000Z", start.compact());
    for (k, e) in events.iter().enumerate() {
        push_folded(&mut out, "BEGIN:VEVENT");
        push_folded(&mut out, &format!("UID:{}-{}-session-{k}@needlesim", uid_part(name), start.compact()));
        push_folded(&mut out, &format!("DTSTAMP:{stamp}"));
        push_folded(&mut out, &format!("DTSTART;VALUE=DATE:{}", e.date.compact()));
        push_folded(&mut out, &format!("DTEND;VALUE=DATE:{}", e.date.plus_days(1).compact()));
        push_folded(&mut out, &format!("SUMMARY:{}", escape_text(&e.summary)));
        push_folded(&mut out, &format!("DESCRIPTION:{}", escape_text(&e.description)));
        push_folded(&mut out, "TRANSP:TRANSPARENT");
        push_folded(&mut out, "END:VEVENT");
    }
    push_folded(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_escape_and_end_in_crlf() {
        let d = Date::parse("2025-03-03").unwrap();
        let long = "é".repeat(60);
        let text = calendar("My course, 1", d, &[Event { date: d, summary: "a;b".into(), description: long }]);
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
            assert!(!line.contains('\n') && !line.contains('\r'));
        }
        assert!(text.contains("SUMMARY:a\\;b\r\n"));
        assert!(text.contains("X-WR-CALNAME:My course\\, 1\r\n"));
        assert!(text.contains("UID:my-course--1-20250303-session-0@needlesim\r\n"));
        assert!(text.contains("DTEND;VALUE=DATE:20250304\r\n"));
    }
}
