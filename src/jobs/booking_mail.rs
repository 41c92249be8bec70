//! What a client reads about their booking, written once for every path that tells them
//! (an online booking, one made by staff, a move, a cancellation, the reminder): the date in
//! words in their language and the location's zone, the place with its address, the service
//! and its price, the manage link, an `.ics` file for their calendar, the organisation's
//! name as the sender and a footer that says why they receive it. Pure: the callers read the
//! facts in their own query.

use super::mail::{Attachment, OutgoingMail, compose};
use crate::i18n::{Tr, notice};
use jiff::{Timestamp, tz::TimeZone};

/// The facts of one booking a client message needs.
#[derive(Clone, Debug)]
pub struct BookingFacts<'a> {
    pub booking_id: &'a str,
    pub org_name: &'a str,
    pub location_name: &'a str,
    pub address: &'a str,
    /// Whom the client sees: the calendar's name.
    pub calendar_name: &'a str,
    pub service_name: Option<&'a str>,
    /// `(cents, currency)`.
    pub price: Option<(i64, &'a str)>,
    pub start_at: i64,
    pub end_at: i64,
    pub time_zone: &'a str,
    pub first_name: &'a str,
    pub manage_link: Option<&'a str>,
    /// When this message is written (the calendar file's stamp and version).
    pub now: i64,
}

impl BookingFacts<'_> {
    fn zoned(&self, ms: i64) -> jiff::Zoned {
        let tz = TimeZone::get(self.time_zone).unwrap_or(TimeZone::UTC);
        Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(tz)
    }

    /// "vendredi 4 décembre 2026 à 10:00", in the location's zone.
    pub fn when(&self, t: Tr) -> String {
        t.date_time(&self.zoned(self.start_at))
    }

    fn place(&self) -> String {
        let address = self.address.split_whitespace().collect::<Vec<_>>().join(" ");
        if address.is_empty() { self.location_name.to_string() } else { format!("{}, {address}", self.location_name) }
    }
}

/// The client's message of `kind` about `f`, to `to`, in `t`'s language: `booked` (online),
/// `created` (by staff), `moved`, `cancelled` (the `i18n::notice` list), or `reminder`.
pub fn client_mail(t: Tr, kind: &str, to: &str, f: &BookingFacts) -> OutgoingMail {
    let (subject_key, lead_key) = match kind {
        "reminder" => notice::REMINDER,
        _ => notice::client_mail(kind).unwrap_or(notice::REMINDER),
    };
    let when = f.when(t);
    let what = f.service_name.map(str::to_string).unwrap_or_else(|| t.get("mail.client.appointment").to_string());
    let subject = t.fmt(subject_key, &[("when", &when), ("what", &what), ("org", f.org_name)]);
    let minutes = ((f.end_at - f.start_at) / 60_000).max(0).to_string();
    let mut lines = vec![
        t.fmt(lead_key, &[("name", f.first_name), ("org", f.org_name)]),
        t.fmt("mail.client.when", &[("when", &when), ("minutes", &minutes)]),
    ];
    let service = match (f.service_name, f.price) {
        (Some(s), Some((cents, currency))) => Some(format!("{s} — {}", t.price(cents, currency))),
        (Some(s), None) => Some(s.to_string()),
        _ => None,
    };
    if let Some(s) = service {
        lines.push(t.fmt("mail.client.what", &[("what", &s)]));
    }
    lines.push(t.fmt("mail.client.with", &[("with", f.calendar_name)]));
    lines.push(t.fmt("mail.client.where", &[("place", &f.place())]));
    let cancelled = kind == "cancelled";
    if !cancelled {
        lines.push(t.get("mail.client.ics").to_string());
    }
    let action = f.manage_link.filter(|_| !cancelled).map(|l| (t.get("mail.client.manage"), l));
    let footer = t.fmt("mail.client.footer", &[("org", f.org_name)]);
    let mut mail = compose(to, &subject, &lines, action, &footer);
    mail.from_name = Some(f.org_name.to_string());
    mail.attachments.push(Attachment {
        filename: "rendez-vous.ics".into(),
        content_type: format!("text/calendar; charset=utf-8; method={}", if cancelled { "CANCEL" } else { "PUBLISH" }),
        body: ics(t, f, &what, cancelled),
    });
    mail
}

/// An iCalendar (RFC 5545) event for the booking; a cancellation carries the same UID with
/// `STATUS:CANCELLED`, so calendars that imported it remove it.
pub fn ics(t: Tr, f: &BookingFacts, what: &str, cancelled: bool) -> String {
    let utc = |ms: i64| {
        Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH).strftime("%Y%m%dT%H%M%SZ").to_string()
    };
    let summary = format!("{what} — {}", f.org_name);
    let mut description = t.fmt("mail.client.with", &[("with", f.calendar_name)]);
    if let Some(l) = f.manage_link.filter(|_| !cancelled) {
        description.push_str(&format!("\n{}: {l}", t.get("mail.client.manage")));
    }
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Creneau//Creneau//FR".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("METHOD:{}", if cancelled { "CANCEL" } else { "PUBLISH" }),
        "BEGIN:VEVENT".into(),
        format!("UID:{}@creneau", f.booking_id),
        format!("DTSTAMP:{}", utc(f.now)),
        // Later messages about the same booking replace earlier ones.
        format!("SEQUENCE:{}", (f.now / 1000).max(0)),
        format!("DTSTART:{}", utc(f.start_at)),
        format!("DTEND:{}", utc(f.end_at)),
        format!("SUMMARY:{}", text_value(&summary)),
        format!("LOCATION:{}", text_value(&f.place())),
        format!("DESCRIPTION:{}", text_value(&description)),
        format!("STATUS:{}", if cancelled { "CANCELLED" } else { "CONFIRMED" }),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    lines.iter_mut().for_each(|l| *l = fold(l));
    let mut out = lines.join("\r\n");
    out.push_str("\r\n");
    out
}

/// A TEXT value: backslash, semicolon, comma and newlines escaped; control characters dropped.
fn text_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Lines longer than 75 octets folded (CRLF and a space), never inside a character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Lang;

    fn facts() -> BookingFacts<'static> {
        BookingFacts {
            booking_id: "b1",
            org_name: "Salon Camille",
            location_name: "Lyon",
            address: "2 rue Mercière,\n69002 Lyon",
            calendar_name: "Camille",
            service_name: Some("Coupe femme"),
            price: Some((4500, "EUR")),
            // Friday 4 December 2026, 10:00 in Paris (09:00 UTC), 45 minutes.
            start_at: 1_796_374_800_000,
            end_at: 1_796_374_800_000 + 45 * 60_000,
            time_zone: "Europe/Paris",
            first_name: "Zoé",
            manage_link: Some("https://salon.example/manage/tok"),
            now: 1_796_000_000_000,
        }
    }

    #[test]
    fn the_confirmation_reads_like_the_business_wrote_it() {
        let m = client_mail(Tr(Lang::Fr), "booked", "zoe@example.fr", &facts());
        assert!(m.subject.contains("vendredi 4 décembre 2026 à 10:00"), "{}", m.subject);
        assert!(m.text.contains("Bonjour Zoé"), "{}", m.text);
        assert!(m.text.contains("Coupe femme — 45,00\u{a0}€"), "{}", m.text);
        assert!(m.text.contains("Lyon, 2 rue Mercière, 69002 Lyon"), "{}", m.text);
        assert!(m.text.contains("https://salon.example/manage/tok"));
        assert!(m.text.contains("Salon Camille") && !m.text.contains("votre compte"), "a footer that fits: {}", m.text);
        assert_eq!(m.from_name.as_deref(), Some("Salon Camille"));
        let ics = &m.attachments[0];
        assert!(ics.content_type.starts_with("text/calendar"));
        assert!(ics.body.contains("DTSTART:20261204T090000Z\r\nDTEND:20261204T094500Z"), "{}", ics.body);
        assert!(ics.body.contains("UID:b1@creneau"));
        assert!(ics.body.contains("LOCATION:Lyon\\, 2 rue Mercière\\, 69002 Lyon"), "{}", ics.body);
        let en = client_mail(Tr(Lang::En), "booked", "zoe@example.fr", &facts());
        assert!(en.subject.contains("Friday 4 December 2026 at 10:00"), "{}", en.subject);
        assert!(en.text.contains("€45.00"));
    }

    #[test]
    fn a_cancellation_withdraws_the_event_and_offers_no_link() {
        let m = client_mail(Tr(Lang::Fr), "cancelled", "zoe@example.fr", &facts());
        assert!(!m.text.contains("/manage/"));
        assert!(m.attachments[0].body.contains("METHOD:CANCEL") && m.attachments[0].body.contains("STATUS:CANCELLED"));
    }

    #[test]
    fn long_lines_fold_without_cutting_a_character() {
        let long = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded:?}");
        assert_eq!(folded.replace("\r\n ", ""), long);
        assert_eq!(text_value("a,b;c\\d\ne\u{7}"), "a\\,b\\;c\\\\d\\ne");
    }
}
