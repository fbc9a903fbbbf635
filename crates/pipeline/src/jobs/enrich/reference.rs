//! The reference data the enrichment plans join with, shipped inside the binary as data files
//! (`crates/pipeline/data/`) and sent to Spark as small in-memory tables (Arrow `LocalRelation`s)
//! registered as temporary views of the session:
//!
//! | view | rows | from |
//! | --- | --- | --- |
//! | `mindy_lexicon (word, valence)` | ~7,500 | VADER 3.3.2's lexicon (MIT, `data/sentiment/vader_lexicon.txt`) with our business-email supplement (`data/sentiment/business.tsv`) applied over it |
//! | `mindy_freemail (domain)` | ~40 | `data/senders/freemail_domains.txt` |
//! | `mindy_teams (ord, pattern, team)` | ~10 | `data/senders/teams.tsv` |
//! | `mindy_org_names (domain, display_name, role)` | as edited | PostgreSQL `organization_names` |
//! | `mindy_user_addresses (address)` | configured | `MINDY_USER_ADDRESSES` |
//! | `mindy_user_domains (domain)` | configured | `MINDY_USER_DOMAINS` |
//!
//! The sentiment modifiers (negations, boosters, dampeners) travel as array parameters of the
//! SQL instead ([`Modifiers`]), and the bulk-mail services (`data/senders/bulk_mailers.txt`) as
//! one pattern ([`bulk_mailer_pattern`]).

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};
use mindy_core::intel::SenderRole;
use spark_client::SparkSession;

use crate::{Error, Result};

/// VADER 3.3.2's lexicon as shipped in the `vaderSentiment` wheel: `word<TAB>mean<TAB>sd<TAB>ratings`.
const VADER_LEXICON: &str = include_str!("../../../data/sentiment/vader_lexicon.txt");
/// Our business-email supplement: `word<TAB>valence<TAB>reason`.
const BUSINESS_LEXICON: &str = include_str!("../../../data/sentiment/business.tsv");
/// Negations, boosters and dampeners: `kind<TAB>word`.
const MODIFIERS: &str = include_str!("../../../data/sentiment/modifiers.tsv");
const FREEMAIL: &str = include_str!("../../../data/senders/freemail_domains.txt");
const BULK_MAILERS: &str = include_str!("../../../data/senders/bulk_mailers.txt");
const TEAMS: &str = include_str!("../../../data/senders/teams.tsv");

/// Which lexicon the sentiment plan scores with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LexiconChoice {
    /// VADER's lexicon with the business-email supplement over it (the default).
    #[default]
    Business,
    /// VADER's lexicon as published (for comparison in the sentiment benchmark).
    Vader,
}

/// One word of a lexicon and its valence on VADER's scale (-4 to 4).
pub type Entry = (String, f64);

/// The lexicon to score with: VADER's entries, with the supplement's replacing or adding words.
pub fn lexicon(choice: LexiconChoice) -> Vec<Entry> {
    let mut words: std::collections::BTreeMap<String, f64> = data_lines(VADER_LEXICON)
        .filter_map(|line| {
            let mut parts = line.split('\t');
            let word = parts.next()?;
            let valence = parts.next()?.parse().ok()?;
            Some((word.to_string(), valence))
        })
        .collect();
    if choice == LexiconChoice::Business {
        for line in data_lines(BUSINESS_LEXICON) {
            let mut parts = line.split('\t');
            if let (Some(word), Some(Ok(valence))) = (parts.next(), parts.next().map(str::parse)) {
                words.insert(word.to_string(), valence);
            }
        }
    }
    words.into_iter().collect()
}

/// The words that modify the valence of the lexicon words after them (VADER's rules).
#[derive(Debug, Clone, Default)]
pub struct Modifiers {
    /// Words that negate (multiply by -0.74) a lexicon word up to three words after.
    pub negations: Vec<String>,
    /// Words that add 0.293 to the intensity of the word after them.
    pub boosters: Vec<String>,
    /// Words that take 0.293 from it.
    pub dampeners: Vec<String>,
}

/// The shipped modifiers.
pub fn modifiers() -> Modifiers {
    let mut out = Modifiers::default();
    for line in data_lines(MODIFIERS) {
        let Some((kind, word)) = line.split_once('\t') else {
            continue;
        };
        let list = match kind {
            "negation" => &mut out.negations,
            "booster" => &mut out.boosters,
            "dampener" => &mut out.dampeners,
            _ => continue,
        };
        list.push(word.trim().to_lowercase());
    }
    out
}

/// A Java/Rust regular expression matching a sender domain that is, or is under, one of the
/// bulk-mail services' domains.
pub fn bulk_mailer_pattern() -> String {
    let domains: Vec<String> = data_lines(BULK_MAILERS)
        .map(|d| d.trim().to_lowercase().replace('.', r"\."))
        .collect();
    format!(r"(?:^|\.)(?:{})$", domains.join("|"))
}

/// One configured organisation name (a row of PostgreSQL's `organization_names`).
#[derive(Debug, Clone, PartialEq)]
pub struct OrgName {
    /// The domain, lower case.
    pub domain: String,
    /// The name to show.
    pub display_name: String,
    /// The role to give its senders, or none to keep the inferred one.
    pub role: Option<SenderRole>,
}

/// Reads the editable organisation mapping from PostgreSQL.
pub async fn org_names(pool: &sqlx::PgPool) -> Result<Vec<OrgName>> {
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as(ORG_NAMES_SQL).fetch_all(pool).await?;
    rows.into_iter()
        .map(|(domain, display_name, role)| {
            let role = match role {
                None => None,
                Some(name) => Some(SenderRole::parse(&name).ok_or_else(|| {
                    Error::invalid(format!(
                        "organization_names: domain {domain} has unknown role {name:?}"
                    ))
                })?),
            };
            Ok(OrgName {
                domain: domain.trim().to_lowercase(),
                display_name,
                role,
            })
        })
        .collect()
}

/// The query [`org_names`] runs (checked against the serving schema by a unit test).
const ORG_NAMES_SQL: &str = "SELECT domain, display_name, role FROM organization_names";

/// Who the user is, as configured; the plans add the senders of mail labelled `SENT`.
#[derive(Debug, Clone, Default)]
pub struct UserIdentity {
    /// The user's addresses, lower case.
    pub addresses: Vec<String>,
    /// The user's organisation's domains, lower case (subdomains count too).
    pub domains: Vec<String>,
}

/// Everything [`register`] sends.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The sentiment lexicon.
    pub lexicon: Vec<Entry>,
    /// The editable organisation mapping.
    pub org_names: Vec<OrgName>,
    /// The user.
    pub user: UserIdentity,
}

/// Registers the reference views (see the module docs) in `session`, replacing earlier ones.
pub async fn register(session: &SparkSession, reference: &Reference) -> Result<()> {
    let (words, valences): (Vec<&str>, Vec<f64>) = reference
        .lexicon
        .iter()
        .map(|(w, v)| (w.as_str(), *v))
        .unzip();
    view(
        session,
        "mindy_lexicon",
        vec![
            ("word", strings(words)),
            (
                "valence",
                Arc::new(Float64Array::from(valences)) as ArrayRef,
            ),
        ],
    )
    .await?;
    view(
        session,
        "mindy_freemail",
        vec![("domain", strings(data_lines(FREEMAIL)))],
    )
    .await?;
    let teams: Vec<(&str, &str)> = data_lines(TEAMS)
        .filter_map(|l| l.split_once('\t'))
        .collect();
    view(
        session,
        "mindy_teams",
        vec![
            (
                "ord",
                Arc::new(Int32Array::from_iter_values(0..teams.len() as i32)) as ArrayRef,
            ),
            (
                "pattern",
                strings(teams.iter().map(|(p, _)| format!("(?i){p}"))),
            ),
            ("team", strings(teams.iter().map(|(_, t)| *t))),
        ],
    )
    .await?;
    let orgs = &reference.org_names;
    view(
        session,
        "mindy_org_names",
        vec![
            ("domain", strings(orgs.iter().map(|o| o.domain.as_str()))),
            (
                "display_name",
                strings(orgs.iter().map(|o| o.display_name.as_str())),
            ),
            (
                "role",
                Arc::new(StringArray::from_iter(
                    orgs.iter().map(|o| o.role.map(SenderRole::as_str)),
                )) as ArrayRef,
            ),
        ],
    )
    .await?;
    let user = &reference.user;
    view(
        session,
        "mindy_user_addresses",
        vec![("address", strings(user.addresses.iter()))],
    )
    .await?;
    view(
        session,
        "mindy_user_domains",
        vec![("domain", strings(user.domains.iter()))],
    )
    .await?;
    Ok(())
}

/// The non-comment, non-blank lines of a data file, trimmed.
fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

fn strings<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> ArrayRef {
    let values: Vec<S> = values.into_iter().collect();
    Arc::new(StringArray::from_iter_values(values)) as ArrayRef
}

/// Registers `columns` as the temporary view `name`. Spark needs the schema even for an empty
/// table, which an Arrow batch with no rows carries.
async fn view(session: &SparkSession, name: &str, columns: Vec<(&str, ArrayRef)>) -> Result<()> {
    let batch = RecordBatch::try_from_iter(columns)
        .map_err(|e| Error::invalid(format!("reference table {name}: {e}")))?;
    session
        .create_dataframe(&[batch])?
        .create_or_replace_temp_view(name)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lexicon_is_vaders_with_the_supplement_over_it() {
        let vader = lexicon(LexiconChoice::Vader);
        // 7,520 lines, 14 words listed twice (the later wins, as in VADER's own dict).
        assert_eq!(vader.len(), 7506);
        let find = |l: &[Entry], w: &str| l.iter().find(|(x, _)| x == w).map(|(_, v)| *v);
        assert_eq!(find(&vader, "great"), Some(3.1));
        assert_eq!(find(&vader, "please"), Some(1.3));
        let business = lexicon(LexiconChoice::Business);
        assert_eq!(find(&business, "please"), Some(0.0));
        assert_eq!(find(&business, "outage"), Some(-2.0));
        assert_eq!(find(&business, "great"), Some(3.1));
    }

    #[test]
    fn modifiers_and_sender_lists_load() {
        let m = modifiers();
        assert!(m.negations.contains(&"isn't".to_string()));
        assert!(m.boosters.contains(&"extremely".to_string()));
        assert!(m.dampeners.contains(&"slightly".to_string()));
        assert!(data_lines(FREEMAIL).any(|d| d == "gmail.com"));
        let bulk = regex::Regex::new(&bulk_mailer_pattern()).unwrap();
        assert!(bulk.is_match("mail.sendgrid.net") && bulk.is_match("mcsv.net"));
        assert!(!bulk.is_match("notsendgrid.net") && !bulk.is_match("acmecorp.example"));
        assert!(data_lines(TEAMS).all(|l| l.split('\t').count() == 2));
        for (pattern, _) in data_lines(TEAMS).filter_map(|l| l.split_once('\t')) {
            regex::Regex::new(&format!("(?i){pattern}")).expect("a team pattern is a regex");
        }
    }

    #[test]
    fn the_mapping_query_reads_serving_columns() {
        mindy_core::serving::check_sql(ORG_NAMES_SQL).unwrap();
    }
}
