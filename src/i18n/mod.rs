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
    ("creneau.ftl", include_str!("../../locales/fr/creneau.ftl")),
    ("mail.ftl", include_str!("../../locales/fr/mail.ftl")),
    ("errors.ftl", include_str!("../../locales/fr/errors.ftl")),
];

const EN: Files = [
    ("creneau.ftl", include_str!("../../locales/en/creneau.ftl")),
    ("mail.ftl", include_str!("../../locales/en/mail.ftl")),
    ("errors.ftl", include_str!("../../locales/en/errors.ftl")),
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

mod lists;
pub use lists::notice;

#[cfg(test)]
mod tests;
