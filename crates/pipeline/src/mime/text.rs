//! Header text as people read it: raw header bytes to Unicode with the charset rules, and
//! RFC 2047 encoded-words decoded, adjacent words joined before decoding.
//!
//! **Raw bytes.** A header's bytes that are valid UTF-8 (RFC 6532) are used as they are. Bytes
//! that are not — a mailer writing 8-bit text without encoded-words, as some Chinese, Japanese
//! and Russian clients do — are decoded with the charset the message declares (its top-level
//! `Content-Type` charset, else that of its first text part; WHATWG labels through `encoding_rs`,
//! so `GB2312` reads as GBK, `us-ascii`/`iso-8859-1` as windows-1252). When the message declares
//! none, or the declared one does not fit the bytes, the charset is **guessed** by `chardetng`
//! (Firefox's detector) once per message, from the whole message's bytes (a lone subject is too
//! little text to tell windows-1252 from windows-1250) with the sender's top-level domain as a
//! hint, and the guess is counted (the ingest summary's "charset guesses"). Raw ISO-2022-JP
//! (7-bit escape sequences) is recognised by its `ESC`.
//!
//! **Encoded-words** (`=?charset?B|Q?text?=`) are decoded wherever they appear, quoted strings
//! included, as mail clients do. Whitespace between two adjacent encoded-words is dropped
//! (RFC 2047 §6.2), and adjacent words of the same charset are joined as bytes before decoding,
//! so a character split across two words (a mailer cutting at a byte, not a character,
//! boundary) comes out whole. A word whose bytes do not fit its declared charset is decoded with
//! a guessed one (counted too); a word of an unknown charset is kept as written.

use std::borrow::Cow;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use encoding_rs::{Encoding, ISO_2022_JP, UTF_8};

/// Base64 as encoded-words use it: the standard alphabet, padding optional (mailers differ).
const B_ENCODING: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// How one message's header bytes are turned into text; counts the guesses it made.
#[derive(Debug, Clone, Default)]
pub struct HeaderDecoder<'a> {
    /// The charset the message declares, if it declares one `encoding_rs` knows.
    declared: Option<&'static Encoding>,
    /// The whole message, what a guess is made from.
    message: &'a [u8],
    /// The sender's top-level domain (`fr`), a hint for the guess.
    tld: Option<&'a [u8]>,
    /// The message's guessed charset, once guessed.
    guessed: Option<&'static Encoding>,
    /// Times a charset was guessed (no declared charset, or it did not fit the bytes).
    pub guesses: u32,
}

/// At most this much of a message feeds a charset guess.
const GUESS_SAMPLE_BYTES: usize = 64 * 1024;

impl<'a> HeaderDecoder<'a> {
    /// A decoder for a message declaring `charset` (a label such as `GB2312`), if any.
    pub fn new(charset: Option<&str>) -> Self {
        HeaderDecoder {
            declared: charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())),
            ..HeaderDecoder::default()
        }
    }

    /// The same, guessing (when it must) from the whole `message` and the sender's `tld`.
    pub fn for_message(charset: Option<&str>, message: &'a [u8], tld: Option<&'a [u8]>) -> Self {
        HeaderDecoder {
            message,
            tld,
            ..HeaderDecoder::new(charset)
        }
    }

    /// Raw header bytes (already unfolded) as text: UTF-8 as is, else the declared charset,
    /// else a guessed one. Encoded-words are left for [`Self::decode_words`].
    pub fn raw_to_text<'b>(&mut self, bytes: &'b [u8]) -> Cow<'b, str> {
        let escaped = bytes.contains(&0x1b);
        if !escaped {
            if let Ok(text) = std::str::from_utf8(bytes) {
                return Cow::Borrowed(text);
            }
        }
        if let Some(declared) = self.declared {
            let fits = !escaped || declared.name().starts_with("ISO-2022");
            if fits {
                if let Some(text) =
                    declared.decode_without_bom_handling_and_without_replacement(bytes)
                {
                    return Cow::Owned(text.into_owned());
                }
            }
        }
        if escaped {
            if let Some(text) =
                ISO_2022_JP.decode_without_bom_handling_and_without_replacement(bytes)
            {
                return Cow::Owned(text.into_owned());
            }
        }
        Cow::Owned(self.guess(bytes))
    }

    /// Decodes with the charset guessed for the message (or, when that does not read these
    /// bytes cleanly, for the bytes alone; lossy only when nothing reads them), and counts it.
    fn guess(&mut self, bytes: &[u8]) -> String {
        self.guesses += 1;
        let (message, tld) = (self.message, self.tld);
        let encoding = *self.guessed.get_or_insert_with(|| {
            let sample = if message.is_empty() { bytes } else { message };
            detect(&sample[..sample.len().min(GUESS_SAMPLE_BYTES)], tld)
        });
        match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => text.into_owned(),
            None => detect(bytes, tld)
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
        }
    }

    /// Text with its RFC 2047 encoded-words decoded (module docs).
    pub fn decode_words(&mut self, text: &str) -> String {
        if !text.contains("=?") {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut pending: Option<(String, Vec<u8>)> = None; // charset, bytes of joined words
        let mut gap = String::new(); // text between the last word and what follows
        let mut rest = text;
        while let Some(start) = rest.find("=?") {
            let Some((word, len)) = EncodedWord::parse(&rest[start..]) else {
                // Not a word: keep the "=?" as text and go on after it.
                gap.push_str(&rest[..start + 2]);
                rest = &rest[start + 2..];
                continue;
            };
            gap.push_str(&rest[..start]);
            let joins = pending.is_some() && gap.chars().all(char::is_whitespace);
            match &mut pending {
                Some((charset, bytes)) if joins && charset.eq_ignore_ascii_case(&word.charset) => {
                    bytes.extend_from_slice(&word.bytes);
                }
                _ => {
                    if let Some((charset, bytes)) = pending.take() {
                        out.push_str(&self.decode_charset(&charset, &bytes));
                    }
                    if !joins {
                        out.push_str(&gap);
                    }
                    pending = Some((word.charset, word.bytes));
                }
            }
            gap.clear();
            rest = &rest[start + len..];
        }
        if let Some((charset, bytes)) = pending.take() {
            out.push_str(&self.decode_charset(&charset, &bytes));
        }
        out.push_str(&gap);
        out.push_str(rest);
        out
    }

    /// The bytes of joined encoded-words in their charset; a guessed charset when they do not
    /// fit it; the bytes as UTF-8 (lossy) for a charset nobody knows.
    fn decode_charset(&mut self, charset: &str, bytes: &[u8]) -> String {
        let encoding = Encoding::for_label(charset.trim().as_bytes()).unwrap_or(UTF_8);
        match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => text.into_owned(),
            None => self.guess(bytes),
        }
    }
}

/// chardetng's guess for `bytes`, UTF-8 allowed, with a top-level domain hint.
fn detect(bytes: &[u8], tld: Option<&[u8]>) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(tld, true)
}

/// One RFC 2047 encoded-word, its payload decoded to bytes.
#[derive(Debug, PartialEq, Eq)]
struct EncodedWord {
    /// The charset label, without an RFC 2231 `*language` suffix.
    charset: String,
    /// The decoded payload.
    bytes: Vec<u8>,
}

impl EncodedWord {
    /// The word at the start of `text` (which starts with `=?`) and its length in bytes.
    fn parse(text: &str) -> Option<(EncodedWord, usize)> {
        let inner = &text[2..];
        let q1 = inner.find('?')?;
        let charset = &inner[..q1];
        let after = &inner[q1 + 1..];
        let encoding = after.chars().next()?;
        if after.as_bytes().get(1) != Some(&b'?') {
            return None;
        }
        let payload_and_rest = &after[2..];
        let end = payload_and_rest.find("?=")?;
        let payload = &payload_and_rest[..end];
        if charset.is_empty()
            || charset.contains(char::is_whitespace)
            || payload.contains(char::is_whitespace)
        {
            return None;
        }
        let bytes = match encoding.to_ascii_uppercase() {
            'B' => B_ENCODING.decode(payload).ok()?,
            'Q' => q_decode(payload),
            _ => return None,
        };
        let charset = charset.split('*').next().unwrap_or(charset).to_string();
        let len = 2 + q1 + 1 + 2 + end + 2;
        Some((EncodedWord { charset, bytes }, len))
    }
}

/// RFC 2047's Q encoding: `_` is a space, `=XX` a byte, anything else itself.
fn q_decode(payload: &str) -> Vec<u8> {
    let bytes = payload.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < bytes.len()
                && hex(bytes[i + 1]).is_some()
                && hex(bytes[i + 2]).is_some() =>
            {
                out.push(hex(bytes[i + 1]).unwrap_or(0) * 16 + hex(bytes[i + 2]).unwrap_or(0));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Unfolds a raw header value (RFC 5322 §2.2.3: a line break followed by whitespace is
/// removed, the whitespace kept) and trims it.
pub fn unfold(raw: &[u8]) -> Cow<'_, [u8]> {
    let trimmed = raw.trim_ascii();
    if !trimmed.iter().any(|b| *b == b'\r' || *b == b'\n') {
        return Cow::Borrowed(trimmed);
    }
    Cow::Owned(
        trimmed
            .iter()
            .copied()
            .filter(|b| *b != b'\r' && *b != b'\n')
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_inside_a_character_are_joined_before_decoding() {
        let mut d = HeaderDecoder::new(None);
        // "ö" is C3 B6, split across two B words; "ß" is C3 9F, split across two Q words.
        assert_eq!(
            d.decode_words("=?utf-8?B?QmVoww==?= =?UTF-8?B?tnJkZW4=?="),
            "Behörden"
        );
        assert_eq!(
            d.decode_words("=?utf-8?B?QmVoww?=\r\n =?utf-8?B?tnJkZW4=?="),
            "Behörden"
        );
        assert_eq!(
            d.decode_words("=?utf-8?Q?J=C3=BCrgen_Gro=C3?= =?utf-8?Q?=9F?="),
            "Jürgen Groß"
        );
        assert_eq!(d.guesses, 0);
    }

    #[test]
    fn text_around_words_is_kept_and_whitespace_between_words_dropped() {
        let mut d = HeaderDecoder::new(None);
        assert_eq!(
            d.decode_words("Re: =?iso-8859-1?Q?caf=E9?= ok"),
            "Re: café ok"
        );
        assert_eq!(d.decode_words("=?iso-8859-1?Q?a?=  \t =?utf-8?Q?b?="), "ab");
        assert_eq!(d.decode_words("=?utf-8*en?Q?hi?="), "hi");
        assert_eq!(d.decode_words("1 =? 2 and =?bogus"), "1 =? 2 and =?bogus");
        assert_eq!(d.decode_words("=?x-unknown?Q?plain?="), "plain");
    }

    #[test]
    fn raw_eight_bit_headers_use_the_declared_charset_then_a_guess() {
        let gb2312 = b"\xcf\xee\xc4\xbf\xd6\xdc\xb1\xa8"; // 项目周报
        let mut declared = HeaderDecoder::new(Some("GB2312"));
        assert_eq!(declared.raw_to_text(gb2312), "项目周报");
        assert_eq!(declared.guesses, 0);
        let mut undeclared = HeaderDecoder::new(None);
        let text = undeclared.raw_to_text("Größenänderung der Bestände übermorgen".as_bytes());
        assert_eq!(
            text, "Größenänderung der Bestände übermorgen",
            "UTF-8 is used as is"
        );
        let latin1 = b"R\xe9union du conseil d'\xe9t\xe9 \xe0 la mairie";
        assert_eq!(
            undeclared.raw_to_text(latin1),
            "Réunion du conseil d'été à la mairie"
        );
        assert_eq!(undeclared.guesses, 1);
        // A declared charset that does not fit the bytes gives way to the guess.
        let mut wrong = HeaderDecoder::new(Some("utf-8"));
        assert!(!wrong.raw_to_text(latin1).contains('\u{fffd}'));
        assert_eq!(wrong.guesses, 1);
    }

    #[test]
    fn raw_iso_2022_jp_is_recognised_by_its_escapes() {
        let raw = b"\x1b$B8+@Q\x1b(B"; // 見積 in ISO-2022-JP
        assert_eq!(HeaderDecoder::new(None).raw_to_text(raw), "見積");
    }

    #[test]
    fn folded_values_are_unfolded() {
        assert_eq!(&*unfold(b" a\r\n\tb\n c \r\n"), b"a\tb c");
        assert_eq!(&*unfold(b" plain \r\n"), b"plain");
    }
}
