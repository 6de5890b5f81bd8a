//! "Did you mean …?" for misspelt names.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
///
/// Uses the optimal string alignment distance (a swap of two neighbouring
/// letters counts as one edit) and accepts up to one edit per three letters,
/// at least one; a candidate that only differs in case always matches. Failing
/// that, a word of four letters or more that begins exactly one candidate is
/// taken as that candidate cut short (`learn` for `learning`, `prod` for
/// `production`).
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'c str)> = None;
    let mut starts: Option<&'c str> = None;
    let mut starts_many = false;
    for c in candidates {
        if c == word {
            continue;
        }
        let c_lower = c.to_lowercase();
        let d = if c_lower == lower {
            0
        } else {
            strsim::osa_distance(&lower, &c_lower)
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
        if c_lower.starts_with(&lower) {
            starts_many |= starts.is_some_and(|s| s != c);
            starts = Some(c);
        }
    }
    let cut_short = starts.filter(|_| !starts_many && word.chars().count() >= 4);
    best.map(|(_, c)| c).or(cut_short)
}

/// `did you mean `x`?` when there is a close candidate.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// How many names [`list`] writes out before counting the rest.
const LISTED: usize = 12;

/// `` `a`, `b`, `c` `` for messages; a long list ends with `… and N more`.
pub fn list<'c>(items: impl IntoIterator<Item = &'c str>) -> String {
    let mut shown = Vec::new();
    let mut more = 0usize;
    for s in items {
        if shown.len() < LISTED {
            shown.push(format!("`{s}`"));
        } else {
            more += 1;
        }
    }
    let mut text = shown.join(", ");
    if more > 0 {
        text.push_str(&format!(" … and {more} more"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut() {
        let names: Vec<String> = (0..20).map(|i| format!("d{i}")).collect();
        let text = list(names.iter().map(String::as_str));
        assert!(text.starts_with("`d0`, `d1`"), "{text}");
        assert!(text.ends_with("`d11` … and 8 more"), "{text}");
        assert_eq!(list(["a", "b"]), "`a`, `b`");
    }

    #[test]
    fn close_names_are_suggested() {
        let fields = ["name", "staff", "service"];
        assert_eq!(closest("staf", fields), Some("staff"));
        assert_eq!(closest("Staff", fields), Some("staff"));
        assert_eq!(closest("sevrice", fields), Some("service"));
        assert_eq!(closest("colour", fields), None);
        assert_eq!(
            closest("expnential", ["exponential", "erlang"]),
            Some("exponential")
        );
        assert_eq!(
            closest("prodution", ["sales", "production"]),
            Some("production")
        );
    }

    #[test]
    fn a_name_cut_short_is_suggested_when_it_begins_one_candidate() {
        let sections = ["scenario", "simulation", "learning", "morale", "policy"];
        assert_eq!(closest("learn", sections), Some("learning"));
        assert_eq!(closest("Learn", sections), Some("learning"));
        assert_eq!(closest("prod", ["sales", "production"]), Some("production"));
        // Too short to tell, or the start of several.
        assert_eq!(closest("sc", sections), None);
        assert_eq!(closest("sim", ["simulation", "simple"]), None);
        assert_eq!(closest("compl", ["complaints", "complain_share"]), None);
    }
}
