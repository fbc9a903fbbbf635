//! Address lists (`From`, `To`, `Cc`) as mailers really write them: RFC 5322 §3.4 plus the
//! forms people's mail carries.
//!
//! Read: `Name <addr>`, `"Quoted, Name" <addr>`, `<addr>`, bare `addr`, `addr (Comment Name)`,
//! groups (`Team: a@x, b@y;`, members flattened), encoded-words in names (decoded after the
//! list is split, so an encoded comma stays in its name), `;` between mailboxes, a missing
//! comma between two `Name <addr>`, an unclosed `<addr`, obsolete routes (`<@relay:addr>`),
//! quotes around the address itself.
//!
//! **Unquoted commas in display names** (`Doe, Jane <jane@example.org>`, as Exchange and
//! Outlook send them): a comma-separated piece without an address that is followed by a piece
//! of the form `phrase <addr>` belongs to that phrase — the name becomes `Doe, Jane`, as
//! Outlook and Thunderbird show it. A piece without an address that nothing claims is not a
//! mailbox and is dropped: it is never "the first From mailbox".

use super::text::HeaderDecoder;

/// One mailbox as written: the decoded display name and the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Display name, decoded; `None` when there is none.
    pub name: Option<String>,
    /// The address, trimmed, as written.
    pub address: String,
}

/// Every mailbox of an address list, in order (module docs).
pub fn parse_list(text: &str, decoder: &mut HeaderDecoder) -> Vec<Written> {
    let mut out = Vec::new();
    let mut orphans: Vec<String> = Vec::new();
    for piece in split(text) {
        match piece.address() {
            Some(address) => {
                let mut name = piece.name(true);
                if piece.angle.is_some() && !orphans.is_empty() {
                    orphans.extend(name.take());
                    name = Some(orphans.join(", "));
                }
                orphans.clear();
                // `name` is collapsed already; only encoded-words can change it.
                let name = name
                    .map(|n| {
                        if n.contains("=?") {
                            collapse(&decoder.decode_words(&n))
                        } else {
                            n
                        }
                    })
                    .filter(|n| !n.is_empty());
                out.push(Written { name, address });
            }
            None => {
                if let Some(text) = piece.name(false) {
                    orphans.push(text);
                }
            }
        }
    }
    out
}

/// One comma-separated piece of a list, by part.
#[derive(Debug, Default)]
struct Piece {
    /// The phrase: atoms and quoted strings (unquoted), whitespace kept.
    phrase: String,
    /// Whether the phrase had a quoted string (then it cannot be a bare address).
    quoted: bool,
    /// The `<...>` content, when there was one.
    angle: Option<String>,
    /// Comments' text.
    comments: Vec<String>,
}

impl Piece {
    fn is_empty(&self) -> bool {
        self.phrase.trim().is_empty() && self.angle.is_none() && self.comments.is_empty()
    }

    /// The address: the angle's content, or the phrase when it is one bare `local@domain`.
    fn address(&self) -> Option<String> {
        let candidate = match &self.angle {
            Some(angle) => strip_route(angle),
            None => {
                let phrase = self.phrase.trim();
                if self.quoted || phrase.contains(char::is_whitespace) {
                    return None;
                }
                phrase
            }
        };
        let address = candidate
            .trim()
            .trim_matches(['\'', '"'])
            .trim()
            .to_string();
        let (local, domain) = address.rsplit_once('@')?;
        (!local.is_empty() && !domain.is_empty()).then_some(address)
    }

    /// The display name: the phrase when there was an angle address, else a comment;
    /// `has_address` is whether [`Piece::address`] found one. Whitespace collapsed.
    fn name(&self, has_address: bool) -> Option<String> {
        let phrase = collapse(&self.phrase);
        let from_phrase = (self.angle.is_some() || !has_address) && !phrase.is_empty();
        if from_phrase {
            return Some(phrase);
        }
        self.comments
            .iter()
            .map(|c| collapse(c))
            .find(|c| !c.is_empty())
    }
}

/// `@relay1,@relay2:local@domain` (RFC 5322 §4.4's obs-route) → `local@domain`.
fn strip_route(angle: &str) -> &str {
    let angle = angle.trim();
    match angle.strip_prefix('@').and_then(|_| angle.split_once(':')) {
        Some((_, address)) => address,
        None => angle,
    }
}

/// Runs of whitespace as one space, trimmed.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Splits a list into pieces at top-level `,` and `;`, flattening groups.
fn split(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut piece = Piece::default();
    let mut chars = text.chars().peekable();
    let mut in_group = false;
    while let Some(c) = chars.next() {
        match c {
            ',' | ';' => {
                if c == ';' {
                    in_group = false;
                }
                pieces.push(std::mem::take(&mut piece));
            }
            ':' if !in_group && piece.angle.is_none() && !piece.phrase.contains('@') => {
                // A group's display name: dropped, its members follow.
                in_group = true;
                piece = Piece::default();
            }
            '"' => {
                if piece.angle.is_some() {
                    pieces.push(std::mem::take(&mut piece));
                }
                piece.quoted = true;
                while let Some(q) = chars.next() {
                    match q {
                        '\\' => piece.phrase.extend(chars.next()),
                        '"' => break,
                        _ => piece.phrase.push(q),
                    }
                }
            }
            '(' => {
                let mut comment = String::new();
                let mut depth = 1;
                while let Some(q) = chars.next() {
                    match q {
                        '\\' => comment.extend(chars.next()),
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    if depth > 0 && q != '\\' {
                        comment.push(q);
                    }
                }
                piece.comments.push(comment);
            }
            '<' => {
                if piece.angle.is_some() {
                    pieces.push(std::mem::take(&mut piece));
                }
                let mut angle = String::new();
                for q in chars.by_ref() {
                    if q == '>' {
                        break;
                    }
                    angle.push(q);
                }
                piece.angle = Some(angle);
            }
            _ if c.is_whitespace() => piece.phrase.push(' '),
            _ => {
                // Text after `<addr>`: a missing comma before the next mailbox.
                if piece.angle.is_some() {
                    pieces.push(std::mem::take(&mut piece));
                }
                piece.phrase.push(c);
            }
        }
    }
    pieces.push(piece);
    pieces.retain(|p| !p.is_empty());
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> Vec<(Option<String>, String)> {
        parse_list(text, &mut HeaderDecoder::new(None))
            .into_iter()
            .map(|w| (w.name, w.address))
            .collect()
    }

    fn named(name: &str, address: &str) -> (Option<String>, String) {
        (Some(name.to_string()), address.to_string())
    }

    fn bare(address: &str) -> (Option<String>, String) {
        (None, address.to_string())
    }

    #[test]
    fn unquoted_commas_join_the_name_that_follows() {
        assert_eq!(
            list("Doe, Jane <jane.doe@example.org>"),
            [named("Doe, Jane", "jane.doe@example.org")]
        );
        assert_eq!(
            list("Smith, Bob <bob.smith@example.com>, Lee, Ann <ann.lee@example.com>"),
            [
                named("Smith, Bob", "bob.smith@example.com"),
                named("Lee, Ann", "ann.lee@example.com")
            ]
        );
        assert_eq!(
            list("Doe, Jr., John <j@example.org>"),
            [named("Doe, Jr., John", "j@example.org")]
        );
        assert_eq!(
            list("\"Park, Min-ji\" <minji.park@example.net>"),
            [named("Park, Min-ji", "minji.park@example.net")]
        );
    }

    #[test]
    fn a_piece_without_an_address_is_never_a_mailbox() {
        assert_eq!(list("Doe"), []);
        assert_eq!(list("Doe, jane@example.org"), [bare("jane@example.org")]);
        assert_eq!(list("undisclosed-recipients:;"), []);
    }

    #[test]
    fn odd_forms() {
        assert_eq!(
            list("jane@example.org (Jane Doe)"),
            [named("Jane Doe", "jane@example.org")]
        );
        assert_eq!(list("<jane@example.org>"), [bare("jane@example.org")]);
        assert_eq!(list("  jane@example.org  "), [bare("jane@example.org")]);
        assert_eq!(
            list("Jane <jane@example.org"),
            [named("Jane", "jane@example.org")]
        );
        assert_eq!(
            list("Jane < 'jane@example.org' >"),
            [named("Jane", "jane@example.org")]
        );
        assert_eq!(
            list("<@relay.example:jane@example.org>"),
            [bare("jane@example.org")]
        );
        assert_eq!(
            list("\"O\\\"Neil\" <o@example.org>"),
            [named("O\"Neil", "o@example.org")]
        );
        assert_eq!(
            list("A <a@example.org> B <b@example.org>; c@example.org"),
            [
                named("A", "a@example.org"),
                named("B", "b@example.org"),
                bare("c@example.org")
            ]
        );
        assert_eq!(
            list("Team: a@example.org, B <b@example.org>;, c@example.org"),
            [
                bare("a@example.org"),
                named("B", "b@example.org"),
                bare("c@example.org")
            ]
        );
        assert_eq!(
            list("a@example.org,,b@example.org"),
            [bare("a@example.org"), bare("b@example.org")]
        );
        assert_eq!(list("\"quoted only\""), []);
    }

    #[test]
    fn encoded_names_are_decoded_after_splitting() {
        assert_eq!(
            list("=?utf-8?Q?M=C3=BCller=2C_Hans?= <hans@example.de>, x@example.de"),
            [
                named("Müller, Hans", "hans@example.de"),
                bare("x@example.de")
            ]
        );
        assert_eq!(
            list("\"=?utf-8?Q?J=C3=BCrgen_Gro=C3?= =?utf-8?Q?=9F?=\" <j@example.de>"),
            [named("Jürgen Groß", "j@example.de")]
        );
    }
}
