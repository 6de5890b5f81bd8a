//! "Did you mean …?" for misspelt names.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
///
/// Uses the optimal string alignment distance (a swap of two neighbouring
/// letters counts as one edit) and accepts up to one edit per three letters,
/// at least one; a candidate that only differs in case always matches.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let lower = word.to_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'c str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let d = if c.to_lowercase() == lower {
            0
        } else {
            strsim::osa_distance(&lower, &c.to_lowercase())
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `did you mean `x`?` when there is a close candidate.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// `` `a`, `b`, `c` `` for messages.
pub fn list<'c>(items: impl IntoIterator<Item = &'c str>) -> String {
    items
        .into_iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
