//! Whether a pass with no new email would only write again what the last pass wrote, so it can
//! be skipped.
//!
//! A pass recomputes every email's insights and the gold tables over the whole lake (minutes on
//! two cores), even when no email is new: the demo run a second time, the enricher started
//! again by its supervisor, bronze commits that hold no new email. What a pass computes depends
//! on the emails' facts, the day (due times and 30-day patterns are relative to it), and the
//! settings: the organisation mapping, the user, the lexicon, the thresholds. So a successful pass
//! records, as a property of `silver/email_facts`, a fingerprint of the day and the settings and
//! the version of the facts table it read; a later pass that stages no new email, finds the same
//! fingerprint and a facts table that has not changed since (only the property's own commit),
//! skips the rest.
//!
//! Anything that changes the facts (new emails, `--recompute`, a pass cut short after its facts)
//! moves the version; a new day, an edited organisation mapping or other settings change the
//! fingerprint. Not covered: a new release of `mindy` whose rules differ, on the same day
//! (`mindy enrich --recompute` applies them at once; the next day's pass does anyway).

use sha2::{Digest, Sha256};
use spark_client::SparkSession;

use super::delta;
use crate::jobs::delta_log;
use crate::Result;

/// The table property that holds the last pass: `<fingerprint>@<facts version it read>`.
pub const PROPERTY: &str = "mindy.enrich.lastPass";

/// A fingerprint of what a pass's results depend on besides the facts: `parts`, each written
/// with `{:?}`, and the release.
pub fn fingerprint(parts: &[&dyn std::fmt::Debug]) -> String {
    let mut hash = Sha256::new();
    hash.update(env!("CARGO_PKG_VERSION"));
    for part in parts {
        hash.update(format!("{part:?}\u{1f}"));
    }
    hash.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether the last pass recorded on the facts table at `facts` had `fingerprint` and the table
/// is as that pass left it.
pub async fn matches(session: &SparkSession, facts: &str, fingerprint: &str) -> Result<bool> {
    let Some(current) = delta_log::latest_version(session, facts).await? else {
        return Ok(false);
    };
    // (The path is checked for backticks by `delta::table` before anything is written there.)
    delta::table(facts)?;
    Ok(delta_log::table_property(session, facts, PROPERTY)
        .await?
        .is_some_and(|value| recorded_matches(&value, fingerprint, current)))
}

/// Records a successful pass with `fingerprint` on the facts table at `facts`.
pub async fn record(session: &SparkSession, facts: &str, fingerprint: &str) -> Result<()> {
    let Some(read) = delta_log::latest_version(session, facts).await? else {
        return Ok(());
    };
    session
        .sql(format!(
            "ALTER TABLE {} SET TBLPROPERTIES ('{PROPERTY}' = '{fingerprint}@{read}')",
            delta::table(facts)?
        ))
        .await?
        .collect()
        .await?;
    Ok(())
}

/// Forgets the last pass: the next one runs in full.
pub async fn forget(session: &SparkSession, facts: &str) -> Result<()> {
    session
        .sql(format!(
            "ALTER TABLE {} UNSET TBLPROPERTIES IF EXISTS ('{PROPERTY}')",
            delta::table(facts)?
        ))
        .await?
        .collect()
        .await?;
    Ok(())
}

/// `value` (`<fingerprint>@<version>`) names `fingerprint`, and the table's `current` version is
/// the one after it: the property's own commit, nothing else.
fn recorded_matches(value: &str, fingerprint: &str, current: i64) -> bool {
    let Some((recorded, version)) = value.rsplit_once('@') else {
        return false;
    };
    recorded == fingerprint && version.parse::<i64>().ok().map(|v| v + 1) == Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_is_skipped_only_for_the_same_fingerprint_and_untouched_facts() {
        assert!(recorded_matches("abc@7", "abc", 8));
        // The facts changed since (new emails, --recompute, a pass cut short).
        assert!(!recorded_matches("abc@7", "abc", 9));
        // Another day or other settings.
        assert!(!recorded_matches("abc@7", "abd", 8));
        assert!(!recorded_matches("garbage", "abc", 8));
        assert!(!recorded_matches("abc@x", "abc", 8));
    }

    #[test]
    fn the_fingerprint_follows_every_part() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let next = day.succ_opt().unwrap();
        let a = fingerprint(&[&day, &"UTC", &vec!["acme.example"]]);
        assert_eq!(a, fingerprint(&[&day, &"UTC", &vec!["acme.example"]]));
        assert_ne!(a, fingerprint(&[&next, &"UTC", &vec!["acme.example"]]));
        assert_ne!(
            a,
            fingerprint(&[&day, &"UTC", &vec!["acme.example", "b.example"]])
        );
        assert_eq!(a.len(), 32);
    }
}
