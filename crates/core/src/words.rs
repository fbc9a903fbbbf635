//! Words for dates that both mail headers and the user's questions use: month names.

use std::str::FromStr;

/// The month (1–12) a word names: a full English name or its three-letter abbreviation, any case,
/// with or without a trailing full stop (`"November"`, `"nov"`, `"Nov."`), or `"Sept"`. Names
/// and abbreviations are chrono's ([`chrono::Month`]'s `FromStr`); `"Sept"`, common in mail
/// headers and writing, is added. Anything else (`"no"`, `"mar"`-like prefixes longer than three
/// letters such as `"marc"`) is `None`.
pub fn month(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.');
    if word.eq_ignore_ascii_case("sept") {
        return Some(9);
    }
    chrono::Month::from_str(word)
        .ok()
        .map(|m| m.number_from_month())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_by_name_and_abbreviation() {
        for (word, n) in [
            ("January", 1),
            ("jan", 1),
            ("Feb.", 2),
            ("sept", 9),
            ("Sept.", 9),
            ("SEP", 9),
            ("may", 5),
            ("december", 12),
        ] {
            assert_eq!(month(word), Some(n), "{word}");
        }
        for word in ["", "ja", "marc", "mayday", "13", "no", "monday"] {
            assert_eq!(month(word), None, "{word}");
        }
    }
}
