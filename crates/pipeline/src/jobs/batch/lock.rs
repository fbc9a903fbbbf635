//! One batch job per day at a time: PostgreSQL advisory locks keyed by the day.
//!
//! Airflow can limit runs per DAG, not per day, and people and backfills start jobs outside
//! Airflow. So every job that writes a day's results (quality, aggregate, export, backfill) holds
//! that day's lock while it works; a second job for the same day waits, then redoes the work on
//! the first one's result (each job is idempotent), and both succeed. Jobs for other days do not
//! wait. The locks belong to one database session: they go away with the process, even when it
//! is killed, so a crashed job never leaves a day locked.

use std::time::Duration;

use chrono::NaiveDate;
use sqlx::{Connection, PgConnection};

use crate::Result;
use mindy_core::config::DatabaseArgs;

/// The first key of every batch day lock (`pg_advisory_lock(int4, int4)`): ASCII "mdyb", so the
/// locks cannot be mistaken for another program's.
const LOCK_SPACE: i32 = 0x6d64_7962;

/// How long a job waits for another job on the same day before giving up.
const WAIT: Duration = Duration::from_secs(60 * 60);

/// Held locks on some days; released when dropped (the session closes).
pub struct DayLocks {
    conn: PgConnection,
    days: Vec<NaiveDate>,
}

impl DayLocks {
    /// Takes the lock of every day in `days`, in date order (so two jobs never deadlock), waiting
    /// for other jobs on the same days to finish; says so when it has to wait.
    pub async fn acquire(
        database: &DatabaseArgs,
        days: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<DayLocks> {
        let mut days: Vec<NaiveDate> = days.into_iter().collect();
        days.sort();
        days.dedup();
        let mut conn = PgConnection::connect(&database.url).await?;
        sqlx::query(&format!("SET lock_timeout = '{}s'", WAIT.as_secs()))
            .execute(&mut conn)
            .await?;
        for day in &days {
            let free: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
                .bind(LOCK_SPACE)
                .bind(key(*day))
                .fetch_one(&mut conn)
                .await?;
            if !free {
                tracing::info!(%day, "another batch job is working on this day; waiting for it");
                sqlx::query("SELECT pg_advisory_lock($1, $2)")
                    .bind(LOCK_SPACE)
                    .bind(key(*day))
                    .execute(&mut conn)
                    .await?;
                tracing::info!(%day, "the other job is done; going on");
            }
        }
        Ok(DayLocks { conn, days })
    }

    /// The locked days, in order.
    pub fn days(&self) -> &[NaiveDate] {
        &self.days
    }

    /// Releases the locks now (dropping does too, when the session closes).
    pub async fn release(self) -> Result<()> {
        self.conn.close().await?;
        Ok(())
    }
}

/// The second lock key: days since 1970-01-01 (fits an int4 for any date chrono accepts here).
fn key(day: NaiveDate) -> i32 {
    (day - NaiveDate::default()).num_days() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_day_has_its_own_key() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(key(d(1970, 1, 1)), 0);
        assert_eq!(key(d(1970, 1, 2)), 1);
        assert_ne!(key(d(2026, 11, 28)), key(d(2026, 11, 29)));
    }
}
