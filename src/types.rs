//! Parse, don't validate: values that exist are valid.

use crate::error::{AppError, FieldError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An email address as typed, plus its platform-wide normal form (case-insensitive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    display: String,
    norm: String,
}

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Email, FieldError> {
        let display = raw.trim();
        let bad = || FieldError::new(field, "invalid-email", "Enter a valid email address.");
        if display.is_empty() || display.len() > 254 || display.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = display.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || local.len() > 64
            || local.contains('@')
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || !domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
            || display.contains(['<', '>', '"', ',', ';', '\\'])
        {
            return Err(bad());
        }
        Ok(Email { display: display.to_string(), norm: display.to_lowercase() })
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The uniqueness key.
    pub fn norm(&self) -> &str {
        &self.norm
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

/// A password that meets the policy; never printed.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN: usize = 10;
    pub const MAX: usize = 256;

    pub fn parse(field: &str, raw: &str) -> Result<NewPassword, FieldError> {
        let n = raw.chars().count();
        if n < Self::MIN {
            return Err(FieldError::new(
                field,
                "password-too-short",
                format!("Use at least {} characters.", Self::MIN),
            ));
        }
        if n > Self::MAX {
            return Err(FieldError::new(field, "password-too-long", format!("Use at most {} characters.", Self::MAX)));
        }
        if raw.trim().is_empty() {
            return Err(FieldError::new(field, "password-blank", "The password cannot be only spaces."));
        }
        Ok(NewPassword(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

/// A trimmed, non-empty, bounded single line of text (names, titles).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    pub fn parse(field: &str, raw: &str, max: usize) -> Result<Name, FieldError> {
        let v = raw.trim();
        if v.is_empty() {
            return Err(FieldError::new(field, "required", "This field is required."));
        }
        if v.chars().count() > max {
            return Err(FieldError::new(field, "too-long", format!("At most {max} characters.")));
        }
        if v.chars().any(|c| c.is_control()) {
            return Err(FieldError::new(field, "invalid-characters", "Control characters are not allowed."));
        }
        Ok(Name(v.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Lowercase letters, digits and single hyphens; 3–63 characters; used in public URLs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(field: &str, raw: &str) -> Result<Slug, FieldError> {
        let v = raw.trim().to_ascii_lowercase();
        let ok = (3..=63).contains(&v.len())
            && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !v.starts_with('-')
            && !v.ends_with('-')
            && !v.contains("--");
        if !ok {
            return Err(FieldError::new(
                field,
                "invalid-slug",
                "Use 3 to 63 lowercase letters, digits and single hyphens.",
            ));
        }
        const RESERVED: &[&str] = &["api", "admin", "static", "login", "logout", "signup", "www", "new"];
        if RESERVED.contains(&v.as_str()) {
            return Err(FieldError::new(field, "reserved-slug", "This address is reserved."));
        }
        Ok(Slug(v))
    }

    /// A slug suggested from a display name ("Salon Étoile" → "salon-etoile").
    pub fn suggest(name: &str) -> String {
        let mut out = String::new();
        for c in name.chars() {
            let c = fold_accent(c).to_ascii_lowercase();
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let mut slug: String = out.trim_end_matches('-').chars().take(58).collect();
        // Too short or reserved to stand alone: make it unique enough to be usable.
        if slug.len() < 3 || Slug::parse("slug", &slug).is_err() {
            const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
            let suffix: String = (0..4)
                .map(|_| ALPHABET[rand::Rng::gen_range(&mut rand::thread_rng(), 0..ALPHABET.len())] as char)
                .collect();
            slug = if slug.is_empty() { suffix } else { format!("{slug}-{suffix}") };
        }
        slug
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' | 'À' | 'Â' | 'Ä' | 'Á' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'î' | 'ï' | 'í' | 'ì' | 'Î' | 'Ï' => 'i',
        'ô' | 'ö' | 'ó' | 'ò' | 'õ' | 'Ô' | 'Ö' => 'o',
        'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        'ÿ' => 'y',
        other => other,
    }
}

/// An IANA time zone name known to the bundled database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(field: &str, raw: &str) -> Result<TimeZoneName, FieldError> {
        let v = raw.trim();
        match jiff::tz::TimeZone::get(v) {
            Ok(_) if !v.is_empty() => Ok(TimeZoneName(v.to_string())),
            _ => Err(FieldError::new(field, "invalid-time-zone", "Choose a time zone such as Europe/Paris.")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The languages the interface speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().get(..2)? {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, by preference.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut langs: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
                Lang::from_code(tag).map(|l| (q, l))
            })
            .collect();
        langs.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        langs.first().map(|(_, l)| *l)
    }
}

/// An ISO 3166-1 alpha-2 country code.
pub fn parse_country(field: &str, raw: &str) -> Result<String, FieldError> {
    let v = raw.trim().to_ascii_uppercase();
    if v.len() == 2 && v.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(v)
    } else {
        Err(FieldError::new(field, "invalid-country", "Use a two-letter country code such as FR."))
    }
}

/// A phone number in international E.164 form, `+` and 8 to 15 digits, the first not 0:
/// the form the README promises and the only one an SMS provider accepts. Spaces, dots,
/// dashes, brackets and no-break spaces are dropped, and a leading `00` reads as `+`.
/// National numbers (`06 …`, or `+06 …`) are refused: the country they belong to is not
/// known here. One rule for the forms (accounts, clients, bookings, public booking), the
/// configuration (`twilio_from`) and the SMS sender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Option<Phone> {
        let compact: String =
            raw.trim().chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}')).collect();
        let digits = compact.strip_prefix('+').or_else(|| compact.strip_prefix("00"))?;
        let ok =
            (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
        ok.then(|| Phone(format!("+{digits}")))
    }

    /// `parse`, or else a number in the national form of `country` (ISO 3166 alpha-2, such
    /// as `FR` for "06 12 34 56 78"), checked against that country's numbering plan and kept
    /// in E.164. Without a country, only the international form.
    pub fn parse_in(raw: &str, country: Option<&str>) -> Option<Phone> {
        if let Some(p) = Phone::parse(raw) {
            return Some(p);
        }
        let id = country?.parse::<phonenumber::country::Id>().ok()?;
        // The library reads any text; bound what it is given.
        if raw.len() > 40 {
            return None;
        }
        let n = phonenumber::parse(Some(id), raw).ok().filter(phonenumber::is_valid)?;
        Phone::parse(&n.format().mode(phonenumber::Mode::E164).to_string())
    }

    /// `parse` for a form field, refusing with the field's error.
    pub fn parse_field(field: &str, raw: &str) -> Result<Phone, FieldError> {
        Phone::parse_field_in(field, raw, None)
    }

    /// `parse_in` for a form field: the national form of `country` or the international one.
    pub fn parse_field_in(field: &str, raw: &str, country: Option<&str>) -> Result<Phone, FieldError> {
        Phone::parse_in(raw, country).ok_or_else(|| match country {
            Some(c) => FieldError::new(
                field,
                "invalid-phone",
                format!("Use a national number ({c}) or the international form, such as +33 6 12 34 56 78."),
            ),
            None => FieldError::new(field, "invalid-phone", "Use the international form, such as +33 6 12 34 56 78."),
        })
    }

    /// The country whose national numbers a place in `zone` most likely gives: the zones
    /// offered in the pickers; none for others (the international form is then asked).
    pub fn country_of_zone(zone: &str) -> Option<&'static str> {
        const COUNTRIES: [(&str, &str); 22] = [
            ("Europe/Paris", "FR"),
            ("Europe/Brussels", "BE"),
            ("Europe/Luxembourg", "LU"),
            ("Europe/Zurich", "CH"),
            ("Europe/London", "GB"),
            ("Europe/Madrid", "ES"),
            ("Europe/Berlin", "DE"),
            ("Europe/Amsterdam", "NL"),
            ("Europe/Lisbon", "PT"),
            ("Europe/Monaco", "MC"),
            ("Africa/Casablanca", "MA"),
            ("Africa/Abidjan", "CI"),
            ("Africa/Dakar", "SN"),
            ("America/Montreal", "CA"),
            ("America/New_York", "US"),
            ("America/Guadeloupe", "GP"),
            ("America/Martinique", "MQ"),
            ("America/Cayenne", "GF"),
            ("Indian/Reunion", "RE"),
            ("Indian/Mayotte", "YT"),
            ("Pacific/Noumea", "NC"),
            ("Pacific/Tahiti", "PF"),
        ];
        COUNTRIES.iter().find(|(z, _)| *z == zone).map(|(_, c)| *c)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Collect field errors from several parses into one `Validation` error.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn check<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// A changed field (`None` keeps what `into` holds): `parse`d, and written into `into`
    /// when it passes; a refusal joins the others.
    pub fn set(
        &mut self,
        into: &mut String,
        given: Option<&str>,
        parse: impl FnOnce(&str) -> Result<String, FieldError>,
    ) {
        if let Some(v) = given
            && let Some(s) = self.check(parse(v))
        {
            *into = s;
        }
    }

    /// A changed name, as `Name::parse` reads it.
    pub fn set_name(&mut self, into: &mut String, field: &str, given: Option<&str>, max: usize) {
        self.set(into, given, |v| Name::parse(field, v, max).map(Name::into_string));
    }

    /// A changed time zone, as `TimeZoneName::parse` reads it.
    pub fn set_zone(&mut self, into: &mut String, field: &str, given: Option<&str>) {
        self.set(into, given, |v| TimeZoneName::parse(field, v).map(|z| z.as_str().to_string()));
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Validation(self.0)) }
    }
}

/// The years a date or an instant from a request may fall in. Far inside jiff's range
/// (−9999…9999), so a day, a week or a zone offset either side of an accepted value never
/// overflows, and milliseconds since the epoch always turn back into a time.
pub const MIN_YEAR: i16 = 1900;
pub const MAX_YEAR: i16 = 2200;

fn out_of_range(field: &str) -> FieldError {
    FieldError::new(field, "out-of-range", crate::i18n::Tr(Lang::En).get("field_error.out-of-range"))
}

/// A calendar date between 1900-01-01 and 2200-12-31, as `YYYY-MM-DD` in requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BoundedDate(jiff::civil::Date);

impl BoundedDate {
    pub fn parse(field: &str, raw: &str) -> Result<BoundedDate, FieldError> {
        let d = raw
            .trim()
            .parse::<jiff::civil::Date>()
            .map_err(|_| FieldError::new(field, "invalid-date", "Use YYYY-MM-DD."))?;
        BoundedDate::new(d).ok_or_else(|| out_of_range(field))
    }

    pub fn new(d: jiff::civil::Date) -> Option<BoundedDate> {
        (MIN_YEAR..=MAX_YEAR).contains(&d.year()).then_some(BoundedDate(d))
    }

    pub fn get(self) -> jiff::civil::Date {
        self.0
    }
}

/// An instant between 1900-01-01T00:00:00Z and the end of 2200 (UTC), RFC 3339 in requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BoundedInstant(jiff::Timestamp);

impl BoundedInstant {
    pub fn parse(field: &str, raw: &str) -> Result<BoundedInstant, FieldError> {
        let t = raw.trim().parse::<jiff::Timestamp>().map_err(|_| {
            FieldError::new(field, "invalid-instant", "Use an RFC 3339 instant such as 2026-03-02T09:00:00+01:00.")
        })?;
        BoundedInstant::new(t).ok_or_else(|| out_of_range(field))
    }

    pub fn new(t: jiff::Timestamp) -> Option<BoundedInstant> {
        (MIN_YEAR..=MAX_YEAR).contains(&t.to_zoned(jiff::tz::TimeZone::UTC).year()).then_some(BoundedInstant(t))
    }

    pub fn from_ms(ms: i64) -> Option<BoundedInstant> {
        jiff::Timestamp::from_millisecond(ms).ok().and_then(BoundedInstant::new)
    }

    pub fn get(self) -> jiff::Timestamp {
        self.0
    }

    pub fn ms(self) -> i64 {
        self.0.as_millisecond()
    }
}

/// Local dates from `from` to `to` inclusive, in order and at most a given number of days
/// apart: what the availability questions ask about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateWindow {
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
}

impl DateWindow {
    pub fn parse(from: &str, to: &str, max_days: i32) -> Result<DateWindow, AppError> {
        let mut checks = Checks::default();
        let f = checks.check(BoundedDate::parse("from", from));
        let t = checks.check(BoundedDate::parse("to", to));
        checks.finish()?;
        let (Some(f), Some(t)) = (f, t) else { return Err(AppError::internal("date window")) };
        let (from, to) = (f.get(), t.get());
        if to < from || (to - from).get_days() > max_days {
            return Err(AppError::field(
                "to",
                "invalid-window",
                format!("The window must be positive and at most {max_days} days."),
            ));
        }
        Ok(DateWindow { from, to })
    }
}

/// "HH:MM" (00:00–24:00) as minutes after midnight.
pub fn parse_hhmm(field: &str, raw: &str) -> Result<i64, FieldError> {
    let bad = || FieldError::new(field, "invalid-time", "Use the form HH:MM, such as 08:30.");
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(0..=24).contains(&h) || !(0..60).contains(&m) || (h == 24 && m != 0) || raw.trim().len() > 5 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub fn format_hhmm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        let e = Email::parse("email", "  Alice.Martin@Example.FR ").unwrap();
        assert_eq!(e.as_str(), "Alice.Martin@Example.FR");
        assert_eq!(e.norm(), "alice.martin@example.fr");
        for bad in ["", "a", "a@b", "@x.fr", "a@.fr", "a b@x.fr", "a@x..fr", "<a@x.fr>", "a@x.fr\nBcc: b@y.fr"] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(Slug::parse("slug", "Salon-Etoile").unwrap().as_str(), "salon-etoile");
        for bad in ["ab", "-abc", "abc-", "a--b", "a_b", "api", "café"] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(Slug::suggest("Salon Étoile & Co"), "salon-etoile-co");
        for short in ["A", "", "!!", "api"] {
            let s = Slug::suggest(short);
            assert!(Slug::parse("slug", &s).is_ok(), "{short:?} gave unusable {s:?}");
        }
    }

    #[test]
    fn languages() {
        assert_eq!(Lang::from_accept_language("de-DE,en;q=0.8,fr;q=0.9"), Some(Lang::Fr));
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("de"), None);
    }

    #[test]
    fn clock_times() {
        assert_eq!(parse_hhmm("t", "08:30").unwrap(), 510);
        assert_eq!(parse_hhmm("t", "24:00").unwrap(), 1440);
        for bad in ["8h30", "24:01", "12:60", "-1:00", "123:00", ""] {
            assert!(parse_hhmm("t", bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(format_hhmm(510), "08:30");
    }

    #[test]
    fn dates_and_instants_stay_inside_the_years_we_can_compute_with() {
        assert_eq!(BoundedDate::parse("d", "2026-03-02").unwrap().get().to_string(), "2026-03-02");
        assert!(BoundedDate::parse("d", "1900-01-01").is_ok() && BoundedDate::parse("d", "2200-12-31").is_ok());
        for (raw, code) in [
            ("9999-12-31", "out-of-range"),
            ("1899-12-31", "out-of-range"),
            ("2201-01-01", "out-of-range"),
            ("0000-01-01", "out-of-range"),
            ("-001-01-01", "invalid-date"),
            ("99999999999-01-01", "invalid-date"),
            ("2026-02-30", "invalid-date"),
        ] {
            assert_eq!(BoundedDate::parse("d", raw).unwrap_err().code, code, "{raw}");
        }
        assert_eq!(BoundedInstant::parse("s", "2026-03-02T09:00:00+01:00").unwrap().ms(), 1_772_438_400_000);
        assert_eq!(BoundedInstant::parse("s", "9999-12-30T21:55:00Z").unwrap_err().code, "out-of-range");
        assert_eq!(BoundedInstant::parse("s", "1899-12-31T23:59:59Z").unwrap_err().code, "out-of-range");
        assert!(BoundedInstant::from_ms(i64::MAX).is_none() && BoundedInstant::from_ms(0).is_some());
        assert!(DateWindow::parse("2026-03-02", "2026-03-08", 31).is_ok());
        assert!(DateWindow::parse("9999-12-30", "9999-12-31", 31).is_err());
        assert!(DateWindow::parse("2026-03-08", "2026-03-02", 31).is_err());
        assert!(DateWindow::parse("2026-03-01", "2026-05-01", 31).is_err());
    }

    #[test]
    fn phones_and_countries() {
        assert_eq!(Phone::parse_field("m", "+33 6 12 34 56 78").unwrap().as_str(), "+33612345678");
        assert!(Phone::parse_field("m", "0612345678").is_err());
        // The national form of the place's country, kept in E.164.
        let fr = Some("FR");
        assert_eq!(Phone::parse_in("06 12 34 56 78", fr).unwrap().as_str(), "+33612345678");
        assert_eq!(Phone::parse_in("01.23.45.67.89", fr).unwrap().as_str(), "+33123456789");
        assert_eq!(Phone::parse_in("0470 12 34 56", Some("BE")).unwrap().as_str(), "+32470123456");
        assert_eq!(Phone::parse_in("+32 470 12 34 56", fr).unwrap().as_str(), "+32470123456", "international stays");
        assert!(Phone::parse_in("06 12 34", fr).is_none(), "too short for France");
        assert!(Phone::parse_in("0612345678", None).is_none(), "no country: international only");
        assert!(Phone::parse_in("06 12 34 56 78", Some("ZZ")).is_none());
        assert_eq!(Phone::country_of_zone("Europe/Brussels"), Some("BE"));
        assert_eq!(Phone::country_of_zone("UTC"), None);
        // One rule with the SMS sender (these were `jobs::sms::e164`'s cases).
        let e164 = |raw: &str| Phone::parse(raw).map(String::from);
        assert_eq!(e164("+33 6 12 34 56 78").as_deref(), Some("+33612345678"));
        assert_eq!(e164("0033 (6) 12.34.56.78").as_deref(), Some("+33612345678"));
        assert_eq!(e164("+1-415-555-0100").as_deref(), Some("+14155550100"));
        for bad in ["06 12 34 56 78", "+0612345678", "+33 6 12", "+33612345678901234", "+33 6 12 34 56 7x", ""] {
            assert_eq!(e164(bad), None, "{bad}");
        }
        assert_eq!(parse_country("c", "be").unwrap(), "BE");
        assert!(parse_country("c", "FRA").is_err());
    }
}
