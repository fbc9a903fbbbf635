//! One sender, one identity: the canonical form of a mail address, in which addresses are
//! compared, counted and grouped (`sender_domain`), while the record keeps the address as the
//! sender wrote it for display.
//!
//! The canonical form of `local@domain` is:
//! - the local part trimmed and lower-cased (RFC 5321 lets a server treat it case-sensitively,
//!   but no mail system in use does; provider-specific rules such as Gmail's dots or `+tags` are
//!   not applied, since they do not hold for other domains);
//! - the domain through IDNA's ToASCII (UTS #46, non-transitional, STD3 rules: `idna` crate):
//!   lower-cased, Unicode labels as their punycode A-labels (`bücher.example` →
//!   `xn--bcher-kva.example`), full-width dots mapped, and one trailing root dot removed
//!   (`example.org.` → `example.org`).
//!
//! ASCII (A-label) rather than Unicode is the canonical domain because it is the form DNS and
//! SMTP compare, it has one spelling per name, and it survives every tool downstream; a display
//! name for a domain can always be derived back from it.
//!
//! Computed here, in Rust, by the validator's normalisation (Spark cannot run IDNA): the stream
//! reads `from.canonical` for `from_address` and `sender_domain`.

use std::fmt;

use idna::AsciiDenyList;

/// Why an address has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressError {
    /// No `@`, or nothing on one side of it.
    NotAnAddress,
    /// The domain is not a valid IDNA name (e.g. a bad punycode label, a forbidden character).
    BadDomain(String),
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::NotAnAddress => f.write_str("not local@domain"),
            AddressError::BadDomain(why) => write!(f, "the domain is not a valid IDNA name: {why}"),
        }
    }
}

impl std::error::Error for AddressError {}

/// The canonical form of `address` (module docs), or why it has none.
pub fn canonical_address(address: &str) -> Result<String, AddressError> {
    let (local, domain) = address
        .trim()
        .rsplit_once('@')
        .ok_or(AddressError::NotAnAddress)?;
    let domain = canonical_domain(domain)?;
    if local.is_empty() {
        return Err(AddressError::NotAnAddress);
    }
    Ok(format!("{}@{domain}", local.to_lowercase()))
}

/// The canonical form of a domain: IDNA ToASCII, lower-case, without a trailing dot.
pub fn canonical_domain(domain: &str) -> Result<String, AddressError> {
    let domain = domain.trim();
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain.is_empty() {
        return Err(AddressError::NotAnAddress);
    }
    let ascii = idna::domain_to_ascii_cow(domain.as_bytes(), AsciiDenyList::STD3)
        .map_err(|e| AddressError::BadDomain(e.to_string()))?;
    // ToASCII maps U+3002 and friends to '.', so a trailing full-width dot shows only now.
    let ascii = ascii.strip_suffix('.').unwrap_or(&ascii);
    if ascii.is_empty() || ascii.split('.').any(str::is_empty) {
        return Err(AddressError::BadDomain("an empty label".into()));
    }
    Ok(ascii.to_string())
}

/// The domain of a canonical address (what follows the last `@`).
pub fn domain_of(canonical: &str) -> &str {
    canonical.rsplit_once('@').map_or("", |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_organisation_one_domain_whatever_the_spelling() {
        let forms = [
            "jane@bücher.example",
            "Jane@BÜCHER.example",
            "jane@xn--bcher-kva.example",
            "JANE@XN--BCHER-KVA.EXAMPLE.",
            " jane@bücher.example. ",
            "jane@bücher\u{3002}example",
        ];
        for form in forms {
            assert_eq!(
                canonical_address(form).as_deref(),
                Ok("jane@xn--bcher-kva.example"),
                "{form}"
            );
        }
        assert_eq!(
            canonical_address("Tom@AcmeCorp.Example").as_deref(),
            Ok("tom@acmecorp.example")
        );
        assert_eq!(domain_of("tom@acmecorp.example"), "acmecorp.example");
    }

    #[test]
    fn unicode_local_parts_are_lower_cased_and_kept() {
        assert_eq!(
            canonical_address("JÜRGEN@example.de").as_deref(),
            Ok("jürgen@example.de")
        );
    }

    #[test]
    fn broken_domains_have_no_canonical_form() {
        for bad in [
            "jane",
            "@example.org",
            "jane@",
            "jane@.",
            "jane@a..example",
            "jane@xn--a.example",
            "jane@ex_ample.org",
        ] {
            assert!(canonical_address(bad).is_err(), "{bad}");
        }
    }
}
