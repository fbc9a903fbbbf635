//! The question's words once its date expressions are taken out: the one tokenised question both
//! recognisers (the scenes and the statistics parser) read, with whole-word phrase matching and
//! the positions of the words kept (which date a word stands before).

use super::dates;

/// The words outside the date expressions, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    /// The words kept, as tokens.
    pub tokens: Vec<String>,
    /// Each kept word's position in the question's tokens (dates included).
    pub positions: Vec<usize>,
    /// The kept words joined and padded with spaces, so phrases match whole words.
    text: String,
}

impl Words {
    /// `tokens` without the ones `found` covers.
    pub fn new(tokens: &[&str], found: &[dates::Match]) -> Self {
        let (positions, tokens): (Vec<usize>, Vec<String>) = tokens
            .iter()
            .enumerate()
            .filter(|(i, _)| !found.iter().any(|m| (m.at..m.at + m.len).contains(i)))
            .map(|(i, t)| (i, t.to_string()))
            .unzip();
        let text = format!(" {} ", tokens.join(" "));
        Words {
            tokens,
            positions,
            text,
        }
    }

    /// Whether `phrase` (one or more words) is among them, as whole words.
    pub fn has(&self, phrase: &str) -> bool {
        self.text.contains(&format!(" {phrase} "))
    }

    /// Whether any of `phrases` is.
    pub fn any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|p| self.has(p))
    }

    /// Whether the words start with one of `phrases`.
    pub fn starts_with_any(&self, phrases: &[&str]) -> bool {
        phrases
            .iter()
            .any(|p| self.text.starts_with(&format!(" {p} ")))
    }

    /// The words no list accounts for (phrases of several words count word by word).
    pub fn left(&self, lists: &[&[&str]]) -> Vec<String> {
        self.tokens
            .iter()
            .filter(|t| {
                !lists
                    .iter()
                    .flat_map(|l| l.iter())
                    .any(|w| w.split(' ').any(|part| part == t.as_str()))
            })
            .cloned()
            .collect()
    }

    /// (position in the question, word), in order.
    pub fn placed(&self) -> impl DoubleEndedIterator<Item = (usize, &str)> {
        self.positions
            .iter()
            .copied()
            .zip(self.tokens.iter().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn dates_are_taken_out_and_positions_kept() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let tokens = ["emails", "from", "acme", "last", "week", "please"];
        let words = Words::new(&tokens, &dates::find(&tokens, today));
        assert_eq!(words.tokens, ["emails", "from", "acme", "please"]);
        assert_eq!(words.positions, [0, 1, 2, 5]);
        assert!(words.has("from acme") && !words.has("acme last"));
        assert!(words.starts_with_any(&["emails"]));
        assert_eq!(words.left(&[&["emails from", "acme"]]), ["please"]);
    }
}
