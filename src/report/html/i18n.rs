//! The words of the HTML page, one catalogue per language.
//!
//! Catalogues are TOML tables of `key = "text"` (`en.toml`, `es.toml` beside
//! this file), compiled in and parsed once. Placeholders are `{name}`. The
//! drawing code never holds words: it asks for them by key.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A language the page can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
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
        cell.get_or_init(|| Catalogue::parse(self.source()))
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

/// The messages of one language.
#[derive(Debug)]
pub struct Catalogue {
    messages: BTreeMap<String, String>,
}

impl Catalogue {
    fn parse(source: &str) -> Catalogue {
        let messages = toml::from_str(source).expect("the compiled-in catalogues are valid TOML");
        Catalogue { messages }
    }

    /// The message `key`, or the key itself so a missing word shows on the
    /// page (the unit tests, which render every section, fail on it instead).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        match self.messages.get(key) {
            Some(m) => m,
            None if cfg!(test) => panic!("no message `{key}` in the catalogue"),
            None => key,
        }
    }

    /// The message `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(|k| k.as_str())
    }
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
            assert_eq!(
                placeholders(en.get(key)),
                placeholders(es.get(key)),
                "placeholders of `{key}` differ"
            );
            assert_ne!(en.get(key), "", "`{key}` is empty in English");
            assert_ne!(es.get(key), "", "`{key}` is empty in Spanish");
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
