//! The words of the reports, one catalogue per language, shared by every
//! format people read: the HTML page, the text report, `--explain`'s stories
//! and `compare`'s text.
//!
//! Catalogues are TOML tables of `key = "text"` (`en.toml`, `es.toml` beside
//! this file), compiled in and parsed once. Placeholders are `{name}`. The
//! drawing and layout code never holds words: it asks for them by key.
//!
//! A message that depends on a count is a table of plural forms, one per
//! CLDR category the language uses (`one`, `other`; `other` is always
//! there): `"chain.staff" = { one = "{staff} person", other = "{staff} people" }`.
//! [`Catalogue::counted`] picks the form from the count *as shown* (`1` is
//! `one` in English, `1.0` is not; in Spanish both are), with the CLDR rules
//! of the `intl_pluralrules` crate (the one Fluent uses) rather than rules
//! written here: decimals are where hand-made rules go wrong.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules, operands::PluralOperands};
use serde::Deserialize;

/// The external customer's name where data name it: in scenarios (a handoff
/// `to = "customer"`), cause ids, JSON and CSV. Reports people read show
/// [`Lang::handoff_end`] instead.
pub const CUSTOMER: &str = "customer";

/// A language the reports can be written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    /// The code for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("en.toml"),
            Lang::Es => include_str!("es.toml"),
        }
    }

    /// The parsed catalogue.
    pub fn catalogue(self) -> &'static Catalogue {
        static EN: OnceLock<Catalogue> = OnceLock::new();
        static ES: OnceLock<Catalogue> = OnceLock::new();
        let cell = match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        };
        cell.get_or_init(|| Catalogue::parse(self.source(), self))
    }

    /// The CLDR plural category of a number as this language shows it
    /// (`"1"`, `"1,0"`, `"12\u{202f}345"`); `other` for what is not a number (`–`).
    pub fn plural_category(self, shown: &str) -> &'static str {
        let (_, point) = self.marks();
        let plain: String = shown
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == point)
            .map(|c| if c == point { '.' } else { c })
            .collect();
        let rules = self.plural_rules();
        match PluralOperands::try_from(plain.as_str())
            .ok()
            .and_then(|op| rules.select(op).ok())
        {
            Some(PluralCategory::ZERO) => "zero",
            Some(PluralCategory::ONE) => "one",
            Some(PluralCategory::TWO) => "two",
            Some(PluralCategory::FEW) => "few",
            Some(PluralCategory::MANY) => "many",
            _ => "other",
        }
    }

    fn plural_rules(self) -> &'static PluralRules {
        static EN: OnceLock<PluralRules> = OnceLock::new();
        static ES: OnceLock<PluralRules> = OnceLock::new();
        let cell = match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        };
        cell.get_or_init(|| {
            let id: unic_langid::LanguageIdentifier = self
                .code()
                .parse()
                .expect("en and es are language identifiers");
            PluralRules::create(id, PluralRuleType::CARDINAL)
                .expect("CLDR has cardinal plural rules for en and es")
        })
    }

    /// One end of a handoff as people read it in this language: a department
    /// by its name (names are the scenario's, never translated), the external
    /// customer (`customer` in scenarios, cause ids, JSON and CSV) in this
    /// language's word: `billing → cliente`. Every report people read names
    /// the customer through this, so none says `customer` in Spanish.
    pub fn handoff_end(self, name: &str) -> &str {
        if name == CUSTOMER {
            self.catalogue().get("chain.customer")
        } else {
            name
        }
    }

    /// Thousands separator and decimal mark.
    fn marks(self) -> (&'static str, char) {
        match self {
            // A thin space for thousands, as both the SI and the RAE recommend.
            Lang::En => ("\u{202f}", '.'),
            Lang::Es => ("\u{202f}", ','),
        }
    }

    /// A count: whole above 10, one decimal below (means over replications).
    pub fn count(self, x: f64) -> String {
        if !x.is_finite() {
            return "–".to_owned();
        }
        if x.abs() >= 9.95 || x == x.round() {
            self.grouped(x.round())
        } else {
            self.fixed(x, 1)
        }
    }

    /// `x` with `decimals` decimals, in this language's marks.
    pub fn fixed(self, x: f64, decimals: usize) -> String {
        if !x.is_finite() {
            return "–".to_owned();
        }
        let text = format!("{x:.decimals$}");
        let text = if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
            text[1..].to_owned()
        } else {
            text
        };
        let (_, point) = self.marks();
        text.replace('.', &point.to_string())
    }

    /// A whole number with thousands grouped.
    pub fn grouped(self, x: f64) -> String {
        if !x.is_finite() {
            return "–".to_owned();
        }
        let rounded = x.round();
        let digits = format!("{:.0}", rounded.abs());
        let (sep, _) = self.marks();
        let mut out = String::new();
        if rounded < 0.0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }

    /// A share in [0, 1] as a percentage: `0.372` → `37 %` (one decimal under 10 %).
    pub fn percent(self, share: f64) -> String {
        if !share.is_finite() {
            return "–".to_owned();
        }
        let p = share * 100.0;
        let digits = if p.abs() < 9.95 { 1 } else { 0 };
        format!("{}\u{a0}%", self.fixed(p, digits))
    }
}

/// One message: plain text, or its plural forms by CLDR category.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Message {
    Text(String),
    Plural(BTreeMap<String, String>),
}

/// The messages of one language.
#[derive(Debug)]
pub struct Catalogue {
    lang: Lang,
    messages: BTreeMap<String, Message>,
}

impl Catalogue {
    fn parse(source: &str, lang: Lang) -> Catalogue {
        let messages = toml::from_str(source).expect("the compiled-in catalogues are valid TOML");
        Catalogue { lang, messages }
    }

    /// The message `key` (its `other` form if it has plural forms), or the key
    /// itself so a missing word shows on the page (the unit tests, which
    /// render every section, fail on it instead).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.form(key, "other")
    }

    /// The form of `key` for a plural `category`, or its `other` form.
    fn form<'a>(&'a self, key: &'a str, category: &str) -> &'a str {
        match self.messages.get(key) {
            Some(Message::Text(m)) => m,
            Some(Message::Plural(forms)) => match forms.get(category).or(forms.get("other")) {
                Some(m) => m,
                None if cfg!(test) => panic!("message `{key}` has no `other` form"),
                None => key,
            },
            None if cfg!(test) => panic!("no message `{key}` in the catalogue"),
            None => key,
        }
    }

    /// Whether the catalogue has a message `key`.
    pub fn has(&self, key: &str) -> bool {
        self.messages.contains_key(key)
    }

    /// The message `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        replace(self.get(key), args)
    }

    /// The message `key` in the plural form `count` asks for, `count` being a
    /// `(name, number as shown)` placeholder, with every placeholder filled:
    /// `counted("chain.staff", ("staff", "1"), &[])` → `1 person`.
    pub fn counted(&self, key: &str, count: (&str, &str), args: &[(&str, &str)]) -> String {
        let category = self.lang.plural_category(count.1);
        let text = replace(self.form(key, category), &[count]);
        replace(&text, args)
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(|k| k.as_str())
    }

    /// Every text of `key`: the message, or each of its plural forms by category.
    pub fn forms(&self, key: &str) -> Vec<(&str, &str)> {
        match self.messages.get(key) {
            Some(Message::Text(m)) => vec![("", m.as_str())],
            Some(Message::Plural(forms)) => forms
                .iter()
                .map(|(c, m)| (c.as_str(), m.as_str()))
                .collect(),
            None => Vec::new(),
        }
    }
}

fn replace(text: &str, args: &[(&str, &str)]) -> String {
    let mut text = text.to_owned();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<&str> {
        let mut out: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn both_catalogues_have_the_same_keys_and_placeholders() {
        let en = Lang::En.catalogue();
        let es = Lang::Es.catalogue();
        let en_keys: Vec<&str> = en.keys().collect();
        let es_keys: Vec<&str> = es.keys().collect();
        assert_eq!(en_keys, es_keys, "keys differ between en.toml and es.toml");
        for key in en_keys {
            let expected = placeholders(en.get(key));
            assert_eq!(
                placeholders(es.get(key)),
                expected,
                "placeholders of `{key}` differ"
            );
            for (lang, t) in [("English", en), ("Spanish", es)] {
                for (category, text) in t.forms(key) {
                    // A singular may say "the first day" instead of "the first 1 day".
                    let names = placeholders(text);
                    assert!(
                        names.iter().all(|n| expected.contains(n)),
                        "`{key}` {category} has placeholders the other form lacks in {lang}"
                    );
                    assert_ne!(text, "", "`{key}` {category} is empty in {lang}");
                }
            }
            // Plural in one language, plural in the other.
            assert_eq!(
                en.forms(key).len() > 1 || !en.forms(key)[0].0.is_empty(),
                es.forms(key).len() > 1 || !es.forms(key)[0].0.is_empty(),
                "`{key}` has plural forms in one catalogue only"
            );
        }
    }

    /// Numbers as the page shows them, of every kind: whole, decimal, grouped.
    const SAMPLES: [f64; 12] = [
        0.0,
        0.4,
        1.0,
        1.04,
        1.5,
        2.0,
        3.0,
        11.0,
        21.0,
        101.0,
        1000.0,
        1_000_000.0,
    ];

    #[test]
    fn every_plural_message_has_the_forms_its_language_uses() {
        for lang in [Lang::En, Lang::Es] {
            let t = lang.catalogue();
            for key in t.keys() {
                let forms = t.forms(key);
                if forms[0].0.is_empty() {
                    continue;
                }
                assert!(
                    forms.iter().any(|(c, _)| *c == "other"),
                    "{lang:?} `{key}` has no `other` form"
                );
                for x in SAMPLES {
                    for shown in [lang.count(x), lang.fixed(x, 1), lang.grouped(x)] {
                        let category = lang.plural_category(&shown);
                        assert!(
                            forms.iter().any(|(c, _)| *c == category),
                            "{lang:?} `{key}` lacks the `{category}` form {shown} needs"
                        );
                    }
                }
                for (category, _) in forms {
                    assert!(
                        SAMPLES
                            .iter()
                            .any(|x| lang.plural_category(&lang.count(*x)) == category
                                || lang.plural_category(&lang.fixed(*x, 1)) == category),
                        "{lang:?} `{key}` has a `{category}` form the language never uses"
                    );
                }
            }
        }
    }

    #[test]
    fn plural_forms_follow_the_number_as_shown() {
        // English: only a whole 1 is singular; Spanish: 1 and 1,0 are.
        assert_eq!(Lang::En.plural_category("1"), "one");
        assert_eq!(Lang::En.plural_category("1.0"), "other");
        assert_eq!(Lang::En.plural_category("0"), "other");
        assert_eq!(Lang::En.plural_category("21"), "other");
        assert_eq!(Lang::Es.plural_category("1"), "one");
        assert_eq!(Lang::Es.plural_category("1,0"), "one");
        assert_eq!(Lang::Es.plural_category("1,5"), "other");
        assert_eq!(Lang::Es.plural_category("0"), "other");
        // Grouped thousands are one number, not several.
        assert_eq!(Lang::Es.plural_category("1\u{202f}001"), "other");
        assert_eq!(Lang::En.plural_category("–"), "other");
        let en = Lang::En.catalogue();
        let es = Lang::Es.catalogue();
        assert_eq!(en.counted("chain.staff", ("staff", "1"), &[]), "1 person");
        assert_eq!(en.counted("chain.staff", ("staff", "2"), &[]), "2 people");
        assert_eq!(es.counted("chain.staff", ("staff", "1"), &[]), "1 persona");
        assert_eq!(es.counted("chain.staff", ("staff", "3"), &[]), "3 personas");
    }

    #[test]
    fn no_page_sentence_says_one_with_a_plural_noun() {
        // Every counted message, with a count of exactly one, in both languages.
        let plural_nouns = [
            " customers",
            " complaints",
            " people",
            " prospects",
            " departures",
            " clientes",
            " quejas",
            " personas",
            " salidas",
            " perdidos",
            " posibles",
        ];
        for lang in [Lang::En, Lang::Es] {
            let t = lang.catalogue();
            for key in t.keys() {
                if t.forms(key)[0].0.is_empty() {
                    continue;
                }
                let one = t.form(key, lang.plural_category("1"));
                for (name, _) in placeholders(one).iter().map(|n| (*n, ())) {
                    let text = one.replace(&format!("{{{name}}}"), "1");
                    for noun in plural_nouns {
                        assert!(
                            !text.contains(&format!("1{noun}")),
                            "{lang:?} `{key}`: {text}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Lang::En.count(12345.4), "12\u{202f}345");
        assert_eq!(Lang::Es.fixed(2.26, 1), "2,3");
        assert_eq!(Lang::En.fixed(-0.01, 1), "0.0");
        assert_eq!(Lang::Es.percent(0.372), "37\u{a0}%");
        assert_eq!(Lang::En.percent(0.0588), "5.9\u{a0}%");
        assert_eq!(Lang::En.count(3.26), "3.3");
    }
}
