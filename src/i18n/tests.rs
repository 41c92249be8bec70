//! The translation files are complete and agree: every key the code and the templates ask
//! for, in both languages, the same ids, every error code, plurals and the closed lists.

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
        if path.ends_with("i18n/lists.rs") {
            // The closed lists: every key-shaped literal after their heading.
            let start = text.find("// ---- the keys that depend on a value").unwrap();
            let end = text.find("#[cfg(test)]").unwrap_or(text.len());
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
                ) if c == "code" && ["Forbidden", "Unauthorized", "BadRequest", "Conflict"].contains(&v.as_str()) => {
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
        for (attribute, pattern) in value.into_iter().chain(m.attributes.iter().map(|a| (Some(a.id.name), &a.value))) {
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
    assert_eq!(fr.error_count("rate-limited", "wait", "seconds", 1), "Trop de tentatives ; réessayez dans 1 seconde.");
    assert_eq!(en.error_count("rate-limited", "wait", "seconds", 30), "Too many attempts; try again in 30 seconds.");
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

#[test]
fn prices_are_written_the_way_each_language_writes_them() {
    let (fr, en) = (Tr(Lang::Fr), Tr(Lang::En));
    assert_eq!(fr.price(4500, "EUR"), "45,00\u{a0}€");
    assert_eq!(en.price(4500, "EUR"), "€45.00");
    assert_eq!(fr.price(123_456_789, "EUR"), "1\u{202f}234\u{202f}567,89\u{a0}€");
    assert_eq!(en.price(123_456_789, "USD"), "$1,234,567.89");
    assert_eq!(fr.price(5, "CHF"), "0,05\u{a0}CHF");
    assert_eq!(en.price(100_000, "CHF"), "CHF\u{a0}1,000.00");
    assert_eq!(fr.amount(-250), "-2,50");
}
