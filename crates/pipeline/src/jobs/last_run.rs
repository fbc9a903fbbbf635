//! Whether a job's run would only write again what its last run wrote, so it can be skipped.
//!
//! Some runs recompute whole tables from the lake (minutes on two cores) even when nothing they
//! read has changed: the demo run a second time, a job restarted by its supervisor. A job that
//! can tell records, after a successful run, a table property on a table the run writes last:
//! `<fingerprint>@<that table's version>`, the fingerprint covering everything the results depend
//! on (the day, the settings, what the inputs hold). A later run with the same fingerprint, on a
//! table that has not changed since (only the property's own commit), skips its work.
//!
//! Users: `mindy enrich` (its pass, on `silver/email_facts`: [`crate::jobs::enrich`]) and the
//! calendar's silver and gold recompute (on `gold/calendar_one_on_ones`:
//! [`crate::jobs::stream::calendar`]). Not covered by any fingerprint: a new release of `mindy`
//! whose rules differ but whose version number does not.

use sha2::{Digest, Sha256};
use spark_client::SparkSession;

use crate::jobs::delta_log;
use crate::jobs::enrich::delta::table;
use crate::Result;

/// A fingerprint of what a run's results depend on: `parts`, each written with `{:?}`, and the
/// release.
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

/// Whether the last run recorded in `property` of the Delta table at `path` had `fingerprint`
/// and the table is as that run left it.
pub async fn matches(
    session: &SparkSession,
    path: &str,
    property: &str,
    fingerprint: &str,
) -> Result<bool> {
    table(path)?;
    let Some(current) = delta_log::latest_version(session, path).await? else {
        return Ok(false);
    };
    Ok(delta_log::table_property(session, path, property)
        .await?
        .is_some_and(|value| recorded_matches(&value, fingerprint, current)))
}

/// Records a successful run with `fingerprint` in `property` of the Delta table at `path`.
pub async fn record(
    session: &SparkSession,
    path: &str,
    property: &str,
    fingerprint: &str,
) -> Result<()> {
    let Some(read) = delta_log::latest_version(session, path).await? else {
        return Ok(());
    };
    session
        .sql(format!(
            "ALTER TABLE {} SET TBLPROPERTIES ('{property}' = '{fingerprint}@{read}')",
            table(path)?
        ))
        .await?
        .collect()
        .await?;
    Ok(())
}

/// Forgets the last run: the next one runs in full.
pub async fn forget(session: &SparkSession, path: &str, property: &str) -> Result<()> {
    session
        .sql(format!(
            "ALTER TABLE {} UNSET TBLPROPERTIES IF EXISTS ('{property}')",
            table(path)?
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
    fn a_run_is_skipped_only_for_the_same_fingerprint_and_an_untouched_table() {
        assert!(recorded_matches("abc@7", "abc", 8));
        // The table changed since (new emails, --recompute, a run cut short).
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
