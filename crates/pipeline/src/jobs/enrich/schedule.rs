//! When a continuous `mindy enrich` refreshes the gold tables it deferred.
//!
//! A pass's per-email half (new facts, every email's insights and action items) is what makes
//! new mail answerable; the gold half (threads, contacts, organisations, 30-day patterns) rolls
//! the whole mailbox up, and took about a third of a pass on the demo lake (35 of 141 s under
//! load, 1 Dec 2026). Run after every per-email half, it made the next message wait for it
//! whenever that message reached bronze during the roll-up. So the gold half waits until
//! bronze has been quiet for a while (`--gold-quiet`), and at most `--gold-max-delay` after the
//! first per-email half it follows, so a steady flow of mail still refreshes the gold tables.
//! A quiet time of zero refreshes them after every per-email half, as `--available-now` does.

use std::time::{Duration, Instant};

/// The deferred gold refresh: due after `quiet` without a per-email pass, or `max_delay` after
/// the first per-email pass since the last refresh.
#[derive(Debug, Clone)]
pub struct GoldSchedule {
    quiet: Duration,
    max_delay: Duration,
    /// The first and the last per-email pass since the last refresh.
    deferred: Option<(Instant, Instant)>,
}

impl GoldSchedule {
    /// Nothing deferred yet.
    pub fn new(quiet: Duration, max_delay: Duration) -> GoldSchedule {
        GoldSchedule {
            quiet,
            max_delay,
            deferred: None,
        }
    }

    /// A per-email pass ended at `at`, leaving the gold tables for later.
    pub fn deferred(&mut self, at: Instant) {
        let first = self.deferred.map_or(at, |(first, _)| first);
        self.deferred = Some((first, at));
    }

    /// Whether the gold tables are due at `now`: something was deferred, and bronze has been
    /// quiet for `quiet` since the last per-email pass or `max_delay` has passed since the first.
    pub fn due(&self, now: Instant) -> bool {
        self.deferred.is_some_and(|(first, last)| {
            now.saturating_duration_since(last) >= self.quiet
                || now.saturating_duration_since(first) >= self.max_delay
        })
    }

    /// The gold tables were refreshed (or the session that held the views was lost).
    pub fn done(&mut self) {
        self.deferred = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn nothing_deferred_is_never_due() {
        let schedule = GoldSchedule::new(Duration::ZERO, Duration::ZERO);
        assert!(!schedule.due(Instant::now() + 3600 * S));
    }

    #[test]
    fn gold_waits_for_a_quiet_bronze() {
        let t0 = Instant::now();
        let mut schedule = GoldSchedule::new(30 * S, 120 * S);
        schedule.deferred(t0);
        assert!(!schedule.due(t0 + 29 * S));
        assert!(schedule.due(t0 + 30 * S));
        // Another pass 20 s later starts the quiet time again.
        schedule.deferred(t0 + 20 * S);
        assert!(!schedule.due(t0 + 30 * S));
        assert!(schedule.due(t0 + 50 * S));
        schedule.done();
        assert!(!schedule.due(t0 + 50 * S));
    }

    #[test]
    fn a_steady_flow_still_refreshes_gold_after_the_maximum_delay() {
        let t0 = Instant::now();
        let mut schedule = GoldSchedule::new(30 * S, 120 * S);
        // A per-email pass every 20 s: never 30 s quiet.
        for i in 0..6 {
            schedule.deferred(t0 + i * 20 * S);
            assert!(!schedule.due(t0 + (i * 20 + 10) * S), "after pass {i}");
        }
        schedule.deferred(t0 + 120 * S);
        assert!(schedule.due(t0 + 120 * S));
        // After the refresh the delay counts from the next deferral.
        schedule.done();
        schedule.deferred(t0 + 140 * S);
        assert!(!schedule.due(t0 + 150 * S));
    }

    #[test]
    fn zero_quiet_refreshes_after_every_pass() {
        let t0 = Instant::now();
        let mut schedule = GoldSchedule::new(Duration::ZERO, 120 * S);
        schedule.deferred(t0);
        assert!(schedule.due(t0));
    }
}
