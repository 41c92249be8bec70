//! Interface text in French and English. The words live in Fluent files under `locales/`
//! (`locales/fr/*.ftl`, `locales/en/*.ftl`), compiled into the binary; a key such as
//! `nav.login` reads the file's `nav-login` (Fluent ids have no dots). Variables are Fluent
//! variables (`{ $name }`), counts are numbers so the files choose the plural form. Keys that
//! depend on a value (a role, a weekday, a status…) come from the closed lists below, so the
//! tests see every key the code can ask for; error codes read `error-<code>` (`error_text`).

use crate::types::Lang;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use fluent_syntax::ast;
use std::{collections::HashMap, sync::LazyLock};

/// The translation files of one language, by name: the same names in every language.
type Files = [(&'static str, &'static str); 3];

const FR: Files = [
    ("creneau.ftl", include_str!("../locales/fr/creneau.ftl")),
    ("mail.ftl", include_str!("../locales/fr/mail.ftl")),
    ("errors.ftl", include_str!("../locales/fr/errors.ftl")),
];

const EN: Files = [
    ("creneau.ftl", include_str!("../locales/en/creneau.ftl")),
    ("mail.ftl", include_str!("../locales/en/mail.ftl")),
    ("errors.ftl", include_str!("../locales/en/errors.ftl")),
];

/// One language's messages, and each message's value formatted once (most need no variable),
/// so that `Tr::get` lends `&'static str` as the templates expect.
struct Catalogue {
    bundle: FluentBundle<FluentResource>,
    plain: HashMap<String, String>,
}

fn catalogue(lang: &str, files: &Files) -> Catalogue {
    let id = lang.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Pages, mail and text messages are plain text: no Unicode isolation marks around values.
    bundle.set_use_isolating(false);
    for (name, text) in files {
        // The files are compiled in, so the tests below have read them; should one still
        // not parse, what did parse serves and the log says where.
        let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(partial, errors)| {
            tracing::error!(lang, file = name, ?errors, "translation file does not parse");
            partial
        });
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(lang, file = name, ?errors, "translation file repeats an id");
        }
    }
    let mut plain = HashMap::new();
    for (_, text) in files {
        let Ok(resource) = FluentResource::try_new(text.to_string()) else { continue };
        for entry in resource.entries() {
            if let ast::Entry::Message(m) = entry
                && let Some(value) = bundle.get_message(m.id.name).and_then(|m| m.value())
            {
                let mut errors = Vec::new();
                let text = bundle.format_pattern(value, None, &mut errors).into_owned();
                plain.insert(m.id.name.to_string(), text);
            }
        }
    }
    Catalogue { bundle, plain }
}

static CATALOGUES: LazyLock<[Catalogue; 2]> = LazyLock::new(|| [catalogue("fr", &FR), catalogue("en", &EN)]);

fn of(lang: Lang) -> &'static Catalogue {
    &CATALOGUES[match lang {
        Lang::Fr => 0,
        Lang::En => 1,
    }]
}

/// The Fluent id of a key: dots become dashes.
fn fluent_id(key: &str) -> String {
    key.replace('.', "-")
}

/// A value given to a message: words, or a number (counts select the plural form).
#[derive(Clone, Copy, Debug)]
enum Arg<'a> {
    Text(&'a str),
    Number(i64),
}

fn fluent_args<'a>(args: impl IntoIterator<Item = (&'a str, Arg<'a>)>) -> FluentArgs<'a> {
    let mut out = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(s) => out.set(name, FluentValue::from(s)),
            Arg::Number(n) => out.set(name, FluentValue::from(n)),
        }
    }
    out
}

/// A translator for one language; cheap to copy into every template.
#[derive(Clone, Copy, Debug)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get(&self, key: &str) -> &'static str {
        self.try_get(key).unwrap_or_else(|| {
            tracing::warn!(key, "missing translation");
            "??"
        })
    }

    /// The text for `key`, when the files have it (codes that may or may not have words).
    pub fn try_get(&self, key: &str) -> Option<&'static str> {
        of(self.0).plain.get(&fluent_id(key)).map(String::as_str)
    }

    /// A field error in this language: its code's words when the files have them, else the
    /// service's English message.
    pub fn field_message(&self, e: &crate::error::FieldError) -> String {
        self.field_words(e).unwrap_or_else(|| e.message.clone())
    }

    /// The words of a field error's code (`field_error-<code>`): the value or attribute whose
    /// English text the service's English message is, with the values it carries. None when
    /// the files have no such form (the message is then all there is).
    pub fn field_words(&self, e: &crate::error::FieldError) -> Option<String> {
        self.recognise(&format!("field_error-{}", e.code), &e.message, true)
    }

    /// The message `key` with these variables (words).
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.format(key, None, fluent_args(args.iter().map(|(k, v)| (*k, Arg::Text(v)))))
    }

    /// The message `key` for `count` things: its `$count`, a number, picks the plural form.
    pub fn count(&self, key: &str, count: usize) -> String {
        self.format(key, None, fluent_args([("count", Arg::Number(i64::try_from(count).unwrap_or(i64::MAX)))]))
    }

    fn format(&self, key: &str, attribute: Option<&str>, args: FluentArgs) -> String {
        let id = fluent_id(key);
        let bundle = &of(self.0).bundle;
        let message = bundle.get_message(&id);
        let pattern = match attribute {
            None => message.and_then(|m| m.value()),
            Some(a) => message.and_then(|m| m.get_attribute(a)).map(|a| a.value()),
        };
        let Some(pattern) = pattern else {
            tracing::warn!(key, attribute, "missing translation");
            return "??".into();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&args), &mut errors).into_owned();
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "translation formatted with errors");
        }
        text
    }

    pub fn lang(&self) -> &'static str {
        self.0.code()
    }

    /// The words for error `code` (`error-<code>` in `errors.ftl`), or None when the files
    /// have none. An attribute of the entry is the same error with values: the one whose English
    /// text the service's English `detail` matches is told with the values read from it;
    /// otherwise the entry's value, which needs none.
    pub fn error_text(&self, code: &str, detail: &str) -> Option<String> {
        let id = format!("error-{code}");
        self.recognise(&id, detail, false).or_else(|| of(self.0).plain.get(&id).cloned())
    }

    /// Message `id` in this language, in the form (its value when `with_value`, or an
    /// attribute) whose English text `english` reads as, with the values read from it.
    fn recognise(&self, id: &str, english: &str, with_value: bool) -> Option<String> {
        let message = of(Lang::En).bundle.get_message(id)?;
        let value = message.value().filter(|_| with_value).map(|v| (None, v));
        for (attribute, pattern) in value.into_iter().chain(message.attributes().map(|a| (Some(a.id()), a.value()))) {
            if let Some(values) = read_values(pattern, english) {
                let args = fluent_args(values.iter().map(|(k, v)| (*k, Arg::Text(v.as_str()))));
                return Some(self.format(id, attribute, args));
            }
        }
        None
    }

    /// One attribute of error `code`'s entry, with a number (such as the seconds to wait).
    pub fn error_count(&self, code: &str, attribute: &str, name: &str, n: i64) -> String {
        self.format(&format!("error-{code}"), Some(attribute), fluent_args([(name, Arg::Number(n))]))
    }
}

/// The values of `text` if it reads as `pattern` (words and `{ $variables }` only), by name.
fn read_values<'p>(pattern: &'p ast::Pattern<&'p str>, text: &str) -> Option<Vec<(&'p str, String)>> {
    enum Part<'p> {
        Words(&'p str),
        Var(&'p str),
    }
    let mut parts = Vec::new();
    for element in &pattern.elements {
        parts.push(match element {
            ast::PatternElement::TextElement { value } => Part::Words(value),
            ast::PatternElement::Placeable {
                expression: ast::Expression::Inline(ast::InlineExpression::VariableReference { id }),
            } => Part::Var(id.name),
            _ => return None,
        });
    }
    fn go<'p>(parts: &[Part<'p>], text: &str, out: &mut Vec<(&'p str, String)>) -> bool {
        match parts.split_first() {
            None => text.is_empty(),
            Some((Part::Words(w), rest)) => text.strip_prefix(w).is_some_and(|t| go(rest, t, out)),
            Some((Part::Var(name), rest)) => {
                // The shortest value that lets the rest match: values are short, details too.
                for (i, _) in text.char_indices().skip(1).chain([(text.len(), ' ')]) {
                    out.push((name, text[..i].to_string()));
                    if go(rest, &text[i..], out) {
                        return true;
                    }
                    out.pop();
                }
                false
            }
        }
    }
    let mut out = Vec::new();
    go(&parts, text, &mut out).then_some(out)
}

// ---- the keys that depend on a value: closed lists ----

/// A role, by its code (`access::Role::as_str`).
const ROLES: [&str; 5] = ["role.owner", "role.administrator", "role.manager", "role.staff", "role.assistant"];

/// An access level, by its code (`policy::Level::as_str`).
const LEVELS: [&str; 3] = ["level.view", "level.book", "level.manage"];

/// A toggle, by its code (`policy::Toggle::as_str`).
const TOGGLES: [&str; 8] = [
    "toggle.all_bookings",
    "toggle.client_list",
    "toggle.business_settings",
    "toggle.statistics",
    "toggle.promotion",
    "toggle.user_management",
    "toggle.api_integrations",
    "toggle.audit_log",
];

/// An action, by its code (`policy::Action::as_str`).
const PERMS: [&str; 32] = [
    "perm.view_calendar",
    "perm.view_bookings",
    "perm.create_booking",
    "perm.move_booking",
    "perm.cancel_booking",
    "perm.delete_booking",
    "perm.manage_calendar",
    "perm.view_location",
    "perm.manage_location",
    "perm.create_location",
    "perm.delete_location",
    "perm.create_calendar",
    "perm.export_bookings",
    "perm.view_statistics",
    "perm.manage_promotion",
    "perm.manage_services",
    "perm.view_client",
    "perm.edit_client",
    "perm.export_clients",
    "perm.view_members",
    "perm.invite_member",
    "perm.change_member",
    "perm.remove_member",
    "perm.manage_teams",
    "perm.explain_access",
    "perm.manage_api_keys",
    "perm.manage_webhooks",
    "perm.manage_integrations",
    "perm.view_audit_log",
    "perm.manage_org_settings",
    "perm.transfer_ownership",
    "perm.delete_org",
];

/// A membership status, as stored.
const MEMBER_STATUSES: [&str; 5] = [
    "member.status.active",
    "member.status.invited",
    "member.status.inactive",
    "member.status.blocked",
    "member.status.removed",
];

/// The buttons of a member page, by operation.
const MEMBER_OPS: [&str; 6] = [
    "member.op.activate",
    "member.op.resend",
    "member.op.revoke",
    "member.op.block",
    "member.op.unblock",
    "member.op.remove",
];

/// A booking status, as stored, for staff.
const BOOKING_STATUSES: [&str; 3] = ["booking.status.confirmed", "booking.status.cancelled", "booking.status.no_show"];

/// A booking status, as stored, for the client.
const MANAGE_STATUSES: [&str; 3] = ["manage.status.confirmed", "manage.status.cancelled", "manage.status.no_show"];

/// A notification event (`notifications::service::EVENTS`).
const EVENTS: [&str; 3] = [
    "notifications.event.booking_created",
    "notifications.event.booking_moved",
    "notifications.event.booking_cancelled",
];

/// The confirmation after a POST, by its `?done=` word.
const DONE: [&str; 16] = [
    "done.invited",
    "done.created",
    "done.saved",
    "done.grants",
    "done.activated",
    "done.resent",
    "done.revoked",
    "done.blocked",
    "done.unblocked",
    "done.removed",
    "done.deleted",
    "done.calendar",
    "done.booked",
    "done.moved",
    "done.cancelled",
    "done.no_show",
];

/// Days of the week, Monday = 1.
const WEEKDAYS: [&str; 7] = ["wd.1", "wd.2", "wd.3", "wd.4", "wd.5", "wd.6", "wd.7"];

/// Days of the week in short, Monday = 1.
const WEEKDAYS_SHORT: [&str; 7] =
    ["wd.short.1", "wd.short.2", "wd.short.3", "wd.short.4", "wd.short.5", "wd.short.6", "wd.short.7"];

/// Months, January = 1.
const MONTHS: [&str; 12] = [
    "month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8", "month.9", "month.10",
    "month.11", "month.12",
];

/// The messages about one booking change, by kind: "booked" (by the client on the public
/// page, which writes the client's confirmation itself), "created" (by staff), "moved",
/// "cancelled". Emails are (subject, body); text messages and the staff member say "booked"
/// for a booking whoever made it.
pub mod notice {
    type Mail = (&'static str, &'static str);

    /// Kind, the client's email, the client's text, the staff member's email and text.
    const NOTICES: [(&str, Option<Mail>, &str, Mail, &str); 4] = [
        ("booked", None, "sms.booked", ("mail.staff.booked.subject", "mail.staff.booked.body"), "sms.staff.booked"),
        (
            "created",
            Some(("mail.created.subject", "mail.created.body")),
            "sms.booked",
            ("mail.staff.booked.subject", "mail.staff.booked.body"),
            "sms.staff.booked",
        ),
        (
            "moved",
            Some(("mail.moved.subject", "mail.moved.body")),
            "sms.moved",
            ("mail.staff.moved.subject", "mail.staff.moved.body"),
            "sms.staff.moved",
        ),
        (
            "cancelled",
            Some(("mail.cancelled.subject", "mail.cancelled.body")),
            "sms.cancelled",
            ("mail.staff.cancelled.subject", "mail.staff.cancelled.body"),
            "sms.staff.cancelled",
        ),
    ];

    fn of(kind: &str) -> Option<&'static (&'static str, Option<Mail>, &'static str, Mail, &'static str)> {
        NOTICES.iter().find(|n| n.0 == kind)
    }

    pub fn client_mail(kind: &str) -> Option<Mail> {
        of(kind).and_then(|n| n.1)
    }

    pub fn client_sms(kind: &str) -> Option<&'static str> {
        of(kind).map(|n| n.2)
    }

    pub fn staff_mail(kind: &str) -> Option<Mail> {
        of(kind).map(|n| n.3)
    }

    pub fn staff_sms(kind: &str) -> Option<&'static str> {
        of(kind).map(|n| n.4)
    }
}

impl Tr {
    /// The words for `code` in `list` (the key whose last part is `code`); a code the list
    /// lacks is a bug, shown as `??`.
    fn pick(&self, list: &[&str], what: &str, code: &str) -> &'static str {
        match list.iter().find(|key| key.rsplit('.').next() == Some(code)) {
            Some(key) => self.get(key),
            None => {
                tracing::warn!(what, code, "no words for this value");
                "??"
            }
        }
    }

    /// The confirmation for a `?done=` word; None for words that are not ours.
    pub fn done(&self, word: &str) -> Option<&'static str> {
        DONE.iter().any(|key| key.rsplit('.').next() == Some(word)).then(|| self.pick(&DONE, "done", word))
    }

    /// Monday = 1 … Sunday = 7.
    pub fn weekday(&self, n: i8) -> &'static str {
        self.pick(&WEEKDAYS, "weekday", &n.to_string())
    }

    pub fn weekday_short(&self, n: i8) -> &'static str {
        self.pick(&WEEKDAYS_SHORT, "weekday", &n.to_string())
    }

    /// January = 1 … December = 12.
    pub fn month(&self, n: i8) -> &'static str {
        self.pick(&MONTHS, "month", &n.to_string())
    }
}

/// `Tr` methods naming a value from one of the lists above; a value the list lacks is a bug,
/// shown as `??`.
macro_rules! words_for {
    ($($name:ident: $list:ident, $what:literal;)*) => {
        impl Tr {
            $(pub fn $name(&self, code: &str) -> &'static str {
                self.pick(&$list, $what, code)
            })*
        }
    };
}

words_for! {
    role: ROLES, "role";
    level: LEVELS, "level";
    toggle: TOGGLES, "toggle";
    perm: PERMS, "action";
    member_status: MEMBER_STATUSES, "member status";
    member_op: MEMBER_OPS, "member operation";
    booking_status: BOOKING_STATUSES, "booking status";
    manage_status: MANAGE_STATUSES, "booking status";
    notification_event: EVENTS, "notification event";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{collections::BTreeSet, path::Path};

    fn files(lang: Lang) -> &'static Files {
        match lang {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// Each message id of a file, with its attributes' names.
    fn ids(text: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(text.to_string()).map_err(|(_, e)| e).unwrap();
        let mut out = BTreeSet::new();
        for entry in resource.entries() {
            if let ast::Entry::Message(m) = entry {
                out.insert(m.id.name.to_string());
                for a in &m.attributes {
                    out.insert(format!("{}.{}", m.id.name, a.id.name));
                }
            }
        }
        out
    }

    #[test]
    fn files_parse_and_no_id_repeats() {
        for lang in [Lang::Fr, Lang::En] {
            let mut bundle = FluentBundle::new_concurrent(vec![lang.code().parse().unwrap()]);
            for (name, text) in files(lang) {
                let resource = FluentResource::try_new(text.to_string())
                    .unwrap_or_else(|(_, e)| panic!("{}/{name} does not parse: {e:?}", lang.code()));
                bundle.add_resource(resource).unwrap_or_else(|e| panic!("{}/{name} repeats an id: {e:?}", lang.code()));
            }
        }
    }

    #[test]
    fn both_languages_hold_the_same_ids() {
        for ((name, fr), (en_name, en)) in FR.iter().zip(EN.iter()) {
            assert_eq!(name, en_name);
            let (fr, en) = (ids(fr), ids(en));
            let only = |a: &BTreeSet<String>, b: &BTreeSet<String>| a.difference(b).cloned().collect::<Vec<_>>();
            assert_eq!(only(&fr, &en), Vec::<String>::new(), "{name}: only in French");
            assert_eq!(only(&en, &fr), Vec::<String>::new(), "{name}: only in English");
        }
    }

    /// What a source file is made of, as far as finding the keys it asks for goes.
    #[derive(Debug, PartialEq)]
    enum Token {
        Str(String),
        Word(String),
        Punct(char),
    }

    /// Rust and askama alike: words, string literals (raw ones too) and punctuation; comments
    /// and character literals dropped.
    fn tokens(src: &str) -> Vec<Token> {
        let b: Vec<char> = src.chars().collect();
        let (mut i, mut out) = (0, Vec::new());
        while i < b.len() {
            let c = b[i];
            if c == '/' && b.get(i + 1) == Some(&'/') {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
            } else if c == '/' && b.get(i + 1) == Some(&'*') {
                while i + 1 < b.len() && !(b[i] == '*' && b[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
            } else if c == 'r' && matches!(b.get(i + 1), Some('"' | '#')) && (i == 0 || !b[i - 1].is_alphanumeric()) {
                let hashes = b[i + 1..].iter().take_while(|c| **c == '#').count();
                let start = i + 2 + hashes;
                let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let rest: String = b[start.min(b.len())..].iter().collect();
                let len = rest.find(&close).unwrap_or(rest.len());
                out.push(Token::Str(rest[..len].to_string()));
                i = start + rest[..len].chars().count() + close.chars().count();
            } else if c == '"' {
                let mut s = String::new();
                i += 1;
                while i < b.len() && b[i] != '"' {
                    if b[i] == '\\' {
                        i += 1;
                    }
                    if let Some(c) = b.get(i) {
                        s.push(*c);
                    }
                    i += 1;
                }
                out.push(Token::Str(s));
                i += 1;
            } else if c == '\'' && b.get(i + 2) == Some(&'\'') {
                i += 3;
            } else if c == '\'' && b.get(i + 1) == Some(&'\\') {
                i += 2;
                while i < b.len() && b[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.is_alphanumeric() || c == '_' {
                let start = i;
                while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                    i += 1;
                }
                out.push(Token::Word(b[start..i].iter().collect()));
            } else {
                if !c.is_whitespace() {
                    out.push(Token::Punct(c));
                }
                i += 1;
            }
        }
        out
    }

    fn is_key(s: &str) -> bool {
        let mut parts = s.split('.');
        let first = parts.next().unwrap_or_default();
        first.starts_with(|c: char| c.is_ascii_lowercase())
            && first.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && s.contains('.')
            && parts.all(|p| {
                !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c))
            })
    }

    /// The functions whose arguments are keys: `Tr`'s lookups, `error::en`, and the message
    /// page of `accounts/pages.rs` (title, message and link label keys).
    const LOOKUPS: [&str; 6] = ["get", "try_get", "fmt", "count", "en", "message"];

    /// Key-shaped string literals inside the parentheses of a lookup call.
    fn keys_asked(src: &str) -> Vec<String> {
        let t = tokens(src);
        let mut out = Vec::new();
        for (i, tok) in t.iter().enumerate() {
            let Token::Word(w) = tok else { continue };
            if !LOOKUPS.contains(&w.as_str()) || t.get(i + 1) != Some(&Token::Punct('(')) {
                continue;
            }
            let mut depth = 0;
            for tok in &t[i + 1..] {
                match tok {
                    Token::Punct('(') => depth += 1,
                    Token::Punct(')') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Token::Str(s) if is_key(s) => out.push(s.clone()),
                    _ => {}
                }
            }
        }
        out
    }

    fn walk(dir: &Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, ext, out);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }

    fn sources(dir: &str, ext: &str) -> Vec<(String, String)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths = Vec::new();
        walk(&root.join(dir), ext, &mut paths);
        paths.sort();
        paths
            .into_iter()
            .map(|p| (p.strip_prefix(root).unwrap().display().to_string(), std::fs::read_to_string(&p).unwrap()))
            .collect()
    }

    /// Every key the templates and the code ask for, with where.
    fn used_keys() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, text) in sources("templates", "html").into_iter().chain(sources("src", "rs")) {
            out.extend(keys_asked(&text).into_iter().map(|k| (k, path.clone())));
            if path.ends_with("i18n.rs") {
                // The closed lists: every key-shaped literal between their heading and the tests.
                let start = text.find("// ---- the keys that depend on a value").unwrap();
                let end = text.find("#[cfg(test)]").unwrap();
                for tok in tokens(&text[start..end]) {
                    if let Token::Str(s) = tok
                        && is_key(&s)
                    {
                        out.push((s, path.clone()));
                    }
                }
            }
        }
        out
    }

    /// What a language lacks of `found` (what, where), by `lacks`, which says what is missing.
    fn lacking(found: &[(String, String)], lacks: impl Fn(Lang, &str) -> Option<String>) -> Vec<String> {
        let both = found.iter().flat_map(|(what, path)| [Lang::Fr, Lang::En].map(|lang| (lang, what, path)));
        both.filter_map(|(lang, what, path)| lacks(lang, what).map(|m| format!("{m} ({}, in {path})", lang.code())))
            .collect()
    }

    #[test]
    fn every_key_asked_for_is_in_both_languages() {
        let used = used_keys();
        assert!(used.len() > 400, "the scan found only {} keys", used.len());
        let mut by_id: HashMap<String, String> = HashMap::new();
        for (key, _) in &used {
            if let Some(other) = by_id.insert(fluent_id(key), key.clone()) {
                assert_eq!(&other, key, "two keys read the same Fluent id");
            }
        }
        let missing = lacking(&used, |lang, key| Tr(lang).try_get(key).is_none().then(|| key.to_string()));
        assert!(missing.is_empty(), "missing translations: {missing:#?}");
    }

    /// Every code given to an `AppError` constructor in `src/`, with where.
    fn error_codes() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, text) in sources("src", "rs") {
            let t = tokens(&text);
            for (i, tok) in t.iter().enumerate() {
                let code = match (tok, t.get(i + 1), t.get(i + 2), t.get(i + 3), t.get(i + 4)) {
                    (Token::Word(f), Some(Token::Punct('(')), Some(Token::Str(code)), ..)
                        if ["bad_request", "forbidden", "conflict"].contains(&f.as_str()) =>
                    {
                        code
                    }
                    (
                        Token::Word(v),
                        Some(Token::Punct('{')),
                        Some(Token::Word(c)),
                        Some(Token::Punct(':')),
                        Some(Token::Str(code)),
                    ) if c == "code"
                        && ["Forbidden", "Unauthorized", "BadRequest", "Conflict"].contains(&v.as_str()) =>
                    {
                        code
                    }
                    _ => continue,
                };
                out.push((code.clone(), path.clone()));
            }
        }
        use crate::error::AppError as E;
        let fixed = [
            E::NotFound,
            E::Unauthenticated,
            E::Validation(Vec::new()),
            E::RateLimited { retry_after_secs: 1 },
            E::PayloadTooLarge,
            E::UnsupportedMediaType,
            E::MethodNotAllowed,
            E::UriTooLong,
            E::internal(""),
        ];
        out.extend(fixed.iter().map(|e| (e.code().to_string(), "src/error.rs".to_string())));
        out
    }

    #[test]
    fn every_error_code_has_words_in_both_languages() {
        let codes = error_codes();
        assert!(codes.len() > 60, "the scan found only {} codes", codes.len());
        let missing = lacking(&codes, |lang, code| {
            let bundle = &of(lang).bundle;
            let Some(value) = bundle.get_message(&format!("error-{code}")).and_then(|m| m.value()) else {
                return Some(format!("error-{code}"));
            };
            // The value is what a detail without values reads: it needs none itself.
            let mut errors = Vec::new();
            bundle.format_pattern(value, None, &mut errors);
            assert!(errors.is_empty(), "error-{code} ({}) needs a variable: {errors:?}", lang.code());
            None
        });
        assert!(missing.is_empty(), "error codes without words: {missing:#?}");
    }

    #[test]
    fn english_error_forms_are_words_and_variables() {
        let (_, text) = EN.iter().find(|(n, _)| *n == "errors.ftl").unwrap();
        let resource = FluentResource::try_new(text.to_string()).map_err(|(_, e)| e).unwrap();
        for entry in resource.entries() {
            let ast::Entry::Message(m) = entry else { continue };
            // `.wait` of rate-limited is told from the error's own number, never read.
            if m.id.name == "error-rate-limited" {
                continue;
            }
            // Field errors are recognised by their value too.
            let value = m.value.as_ref().filter(|_| m.id.name.starts_with("field_error-")).map(|v| (None, v));
            for (attribute, pattern) in
                value.into_iter().chain(m.attributes.iter().map(|a| (Some(a.id.name), &a.value)))
            {
                let sample = Tr(Lang::En).format(m.id.name, attribute, FluentArgs::new());
                assert!(
                    read_values(pattern, &sample).is_some(),
                    "{}.{attribute:?}: only words and {{ $variables }} can be read in a detail",
                    m.id.name
                );
            }
        }
    }

    #[test]
    fn formats() {
        assert_eq!(Tr(Lang::En).fmt("home.welcome", &[("name", "Ana")]), "Hello Ana");
        assert_eq!(Tr(Lang::Fr).fmt("home.welcome", &[("name", "Ana")]), "Bonjour Ana");
        assert_eq!(Tr(Lang::Fr).get("nav.login"), "Se connecter");
        assert_eq!(Tr(Lang::En).get("audit.masked"), "[masked]");
        assert_eq!(Tr(Lang::En).get("nowhere"), "??");
    }

    #[test]
    fn counts_choose_the_plural_form() {
        let (fr, en) = (Tr(Lang::Fr), Tr(Lang::En));
        assert_eq!(fr.count("teams.member_count", 0), "0 membre");
        assert_eq!(fr.count("teams.member_count", 1), "1 membre");
        assert_eq!(fr.count("teams.member_count", 3), "3 membres");
        assert_eq!(en.count("teams.member_count", 1), "1 member");
        assert_eq!(en.count("teams.member_count", 0), "0 members");
        assert_eq!(
            fr.error_count("rate-limited", "wait", "seconds", 1),
            "Trop de tentatives ; réessayez dans 1 seconde."
        );
        assert_eq!(
            en.error_count("rate-limited", "wait", "seconds", 30),
            "Too many attempts; try again in 30 seconds."
        );
    }

    #[test]
    fn error_words_carry_the_values_of_the_detail() {
        let detail = "This time clashes with a booking from 2026-03-03 10:00 to 2026-03-03 10:30.";
        assert_eq!(
            Tr(Lang::Fr).error_text("slot-taken", detail).unwrap(),
            "Ce créneau chevauche un rendez-vous de 2026-03-03 10:00 à 2026-03-03 10:30."
        );
        assert_eq!(Tr(Lang::En).error_text("slot-taken", detail).unwrap(), detail);
        // A detail in no known form: the entry's own words.
        assert_eq!(Tr(Lang::Fr).error_text("slot-taken", "Something else.").unwrap(), "Ce créneau vient d'être pris.");
        assert_eq!(Tr(Lang::Fr).error_text("no-such-code", "x"), None);
    }

    #[test]
    fn field_words_are_told_only_for_the_english_they_know() {
        use crate::error::FieldError;
        let fr = Tr(Lang::Fr);
        let date = FieldError::new("from", "out-of-range", "Use a date between 1900 and 2200.");
        assert_eq!(fr.field_message(&date), "Choisissez une date entre 1900 et 2200.");
        let long = FieldError::new("notes", "too-long", "At most 5000 characters.");
        assert_eq!(fr.field_message(&long), "5000 caractères au plus.");
        let price = FieldError::new("price", "out-of-range", "Between 0 and 100000.");
        assert_eq!(fr.field_message(&price), "Entre 0 et 100000.");
        // A message no form of the code repeats stays what the service said.
        let odd = FieldError::new("x", "out-of-range", "Something else entirely");
        assert_eq!(fr.field_message(&odd), "Something else entirely");
        assert_eq!(fr.field_words(&FieldError::new("x", "no-such-code", "Hm.")), None);
        assert_eq!(Tr(Lang::En).field_message(&long), "At most 5000 characters.");
    }

    #[test]
    fn closed_lists_answer_known_values_only() {
        let t = Tr(Lang::En);
        assert_eq!(t.role("owner"), "Owner");
        assert_eq!(t.role("emperor"), "??");
        assert_eq!(t.weekday(1), "Monday");
        assert_eq!(t.month(12), "December");
        assert_eq!(t.done("saved"), Some("Changes saved."));
        assert_eq!(t.done("<script>"), None);
        for kind in ["created", "moved", "cancelled"] {
            assert!(notice::client_mail(kind).is_some());
        }
        for kind in ["booked", "moved", "cancelled"] {
            assert!(notice::client_sms(kind).is_some() && notice::staff_mail(kind).is_some());
            assert!(notice::staff_sms(kind).is_some());
        }
    }
}
