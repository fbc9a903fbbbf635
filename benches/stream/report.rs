//! Turning per-record timestamps into the figures the benchmark prints: latency percentiles,
//! their breakdown, the latency trend over the run, throughput, and whether the stream kept up.

use std::collections::BTreeMap;
use std::fmt;

/// One measured record's timestamps, all in Unix milliseconds on this machine's clock.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Kafka timestamp, set by the producer when it handed the record to librdkafka.
    pub produced_ms: i64,
    /// Bronze's `processed_at`: the start of the micro-batch that read the record.
    pub batch_ms: i64,
    /// Modification time of the Delta commit file that made the record visible.
    pub written_ms: i64,
    /// When the benchmark's log poller first saw that commit file.
    pub observed_ms: i64,
}

/// What one run at one rate measured.
#[derive(Debug, Clone)]
pub struct PhaseReport {
    /// Offered rate, records a second.
    pub rate: f64,
    /// How long the producer ran, seconds.
    pub seconds: f64,
    /// Records produced (and acknowledged by Kafka).
    pub produced: u64,
    /// Produced records found in bronze.
    pub samples: Vec<Sample>,
    /// Delta commits during the measured part of the run: (commit time, rows added).
    pub commits: Vec<(i64, u64)>,
    /// When production started and ended, Unix ms.
    pub window_ms: (i64, i64),
    /// Milliseconds at the start of the window left out of throughput and trend (start-up noise).
    pub settle_ms: i64,
    /// 1-minute load averages sampled during the run.
    pub load: Vec<f64>,
    /// Growth of the median latency (first third → last third) still counted as keeping up:
    /// the larger of this and a quarter of the first third's median (batches of a few seconds
    /// make the medians of 20-second stretches jitter by about that much).
    pub growth_limit_ms: i64,
}

/// Latency quantiles, in ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantiles {
    /// Median.
    pub p50: i64,
    /// 95th percentile.
    pub p95: i64,
    /// Maximum.
    pub max: i64,
}

impl Quantiles {
    /// Nearest-rank quantiles of `values` (unsorted); `None` when empty.
    pub fn of(mut values: Vec<i64>) -> Option<Quantiles> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable();
        let rank =
            |q: f64| values[((q * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
        Some(Quantiles {
            p50: rank(0.50),
            p95: rank(0.95),
            max: values[values.len() - 1],
        })
    }
}

impl fmt::Display for Quantiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p50 {} s, p95 {} s, max {} s",
            secs(self.p50),
            secs(self.p95),
            secs(self.max)
        )
    }
}

impl PhaseReport {
    /// Produce → visible (commit file written): the headline latency.
    pub fn latency(&self) -> Option<Quantiles> {
        Quantiles::of(
            self.samples
                .iter()
                .map(|s| s.written_ms - s.produced_ms)
                .collect(),
        )
    }

    /// Produce → seen by the poller: the same latency without trusting file timestamps.
    pub fn observed_latency(&self) -> Option<Quantiles> {
        Quantiles::of(
            self.samples
                .iter()
                .map(|s| s.observed_ms - s.produced_ms)
                .collect(),
        )
    }

    /// Produce → start of the micro-batch that read it (waiting in Kafka for the next trigger).
    pub fn waiting(&self) -> Option<Quantiles> {
        Quantiles::of(
            self.samples
                .iter()
                .map(|s| s.batch_ms - s.produced_ms)
                .collect(),
        )
    }

    /// Micro-batch start → commit visible (the batch's own work).
    pub fn batch(&self) -> Option<Quantiles> {
        Quantiles::of(
            self.samples
                .iter()
                .map(|s| s.written_ms - s.batch_ms)
                .collect(),
        )
    }

    /// Rows that became visible per second while the producer ran (after the settling time):
    /// the rows of the commits in that stretch, but the first, over the time from the first
    /// commit to the last (so the result does not depend on where batches fall in the window).
    pub fn throughput(&self) -> f64 {
        let from = self.window_ms.0 + self.settle_ms;
        let to = self.window_ms.1;
        let inside: Vec<&(i64, u64)> = self
            .commits
            .iter()
            .filter(|(at, _)| *at > from && *at <= to)
            .collect();
        let (Some(first), Some(last)) = (inside.first(), inside.last()) else {
            return 0.0;
        };
        let rows: u64 = inside[1..].iter().map(|(_, rows)| rows).sum();
        rows as f64 * 1000.0 / (last.0 - first.0).max(1) as f64
    }

    /// Median latency of the first and the last third of the run (by produce time, after the
    /// settling time): a stream that falls behind shows a growing latency.
    pub fn trend(&self) -> Option<(i64, i64)> {
        let from = self.window_ms.0 + self.settle_ms;
        let third = (self.window_ms.1 - from) / 3;
        let median = |lo: i64, hi: i64| {
            let latencies = self
                .samples
                .iter()
                .filter(|s| s.produced_ms >= lo && s.produced_ms < hi)
                .map(|s| s.written_ms - s.produced_ms)
                .collect();
            Quantiles::of(latencies).map(|q| q.p50)
        };
        Some((
            median(from, from + third)?,
            median(from + 2 * third, self.window_ms.1 + 1)?,
        ))
    }

    /// The allowed growth of the median latency over the run, in ms.
    pub fn allowed_growth(&self) -> i64 {
        let first = self.trend().map_or(0, |(first, _)| first);
        self.growth_limit_ms.max(first / 4)
    }

    /// Each micro-batch that committed measured rows: (rows, batch start → commit in ms).
    pub fn batches(&self) -> Vec<(u64, i64)> {
        let mut by_commit: BTreeMap<i64, (u64, i64)> = BTreeMap::new();
        for s in &self.samples {
            by_commit
                .entry(s.written_ms)
                .or_insert((0, s.written_ms - s.batch_ms))
                .0 += 1;
        }
        by_commit.into_values().collect()
    }

    /// Median time between commits and median rows per commit.
    pub fn cadence(&self) -> Option<(i64, u64)> {
        let intervals: Vec<i64> = self.commits.windows(2).map(|w| w[1].0 - w[0].0).collect();
        let rows = Quantiles::of(self.commits.iter().map(|c| c.1 as i64).collect())?;
        Some((Quantiles::of(intervals)?.p50, rows.p50 as u64))
    }

    /// Kept up: every record became visible, the latency did not grow by more than the limit
    /// over the run, and bronze absorbed at least 95% of the offered rate.
    pub fn keeps_up(&self) -> bool {
        let all_visible = self.samples.len() as u64 == self.produced && self.produced > 0;
        let steady = self
            .trend()
            .is_some_and(|(first, last)| last - first <= self.allowed_growth());
        all_visible && steady && self.throughput() >= 0.95 * self.rate
    }

    /// Mean of the sampled 1-minute load averages.
    pub fn mean_load(&self) -> f64 {
        self.load.iter().sum::<f64>() / self.load.len().max(1) as f64
    }
}

impl fmt::Display for PhaseReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "rate {}/s for {:.0} s: produced {}, visible in bronze {}",
            self.rate,
            self.seconds,
            self.produced,
            self.samples.len()
        )?;
        let show = |q: Option<Quantiles>| q.map_or("n/a".to_string(), |q| q.to_string());
        writeln!(
            f,
            "  latency produce → visible (commit file written): {}",
            show(self.latency())
        )?;
        writeln!(
            f,
            "  latency produce → seen by the 100 ms poller:     {}",
            show(self.observed_latency())
        )?;
        writeln!(
            f,
            "    of which produce → batch start: {}",
            show(self.waiting())
        )?;
        writeln!(
            f,
            "    of which batch start → commit:  {}",
            show(self.batch())
        )?;
        if let Some((interval, rows)) = self.cadence() {
            writeln!(
                f,
                "  commits: {} (median {} s apart, median {rows} rows each)",
                self.commits.len(),
                secs(interval)
            )?;
        }
        writeln!(f, "  sustained throughput: {:.1} rows/s", self.throughput())?;
        if let Some((first, last)) = self.trend() {
            writeln!(
                f,
                "  median latency first third {} s → last third {} s (allowed growth {} s)",
                secs(first),
                secs(last),
                secs(self.allowed_growth())
            )?;
        }
        writeln!(
            f,
            "  load average (1 min, 2 cores shared): mean {:.2}, min {:.2}, max {:.2}",
            self.mean_load(),
            self.load.iter().copied().fold(f64::INFINITY, f64::min),
            self.load.iter().copied().fold(0.0, f64::max)
        )?;
        write!(
            f,
            "  keeps up: {}",
            if self.keeps_up() { "yes" } else { "no" }
        )
    }
}

/// A least-squares line through micro-batches, `duration = fixed + per_row × rows`: what a batch
/// costs however small, and what each row adds. The stream cannot absorb more than
/// `1 / per_row` rows a second (batches would have to grow without end); below that, at rate r,
/// batches settle at `fixed / (1 − r × per_row)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchCost {
    /// Cost of a batch regardless of its size, ms.
    pub fixed_ms: f64,
    /// Cost of each row, ms.
    pub per_row_ms: f64,
    /// Batches the line was fitted to.
    pub batches: usize,
}

impl BatchCost {
    /// The fit, or `None` with fewer than 3 batches or batch sizes that barely vary.
    pub fn fit(batches: &[(u64, i64)]) -> Option<BatchCost> {
        let n = batches.len() as f64;
        let mean_x = batches.iter().map(|b| b.0 as f64).sum::<f64>() / n;
        let mean_y = batches.iter().map(|b| b.1 as f64).sum::<f64>() / n;
        let sxx: f64 = batches.iter().map(|b| (b.0 as f64 - mean_x).powi(2)).sum();
        let sxy: f64 = batches
            .iter()
            .map(|b| (b.0 as f64 - mean_x) * (b.1 as f64 - mean_y))
            .sum();
        if batches.len() < 3 || sxx < n * 100.0 {
            return None;
        }
        let per_row_ms = sxy / sxx;
        Some(BatchCost {
            fixed_ms: mean_y - per_row_ms * mean_x,
            per_row_ms,
            batches: batches.len(),
        })
    }

    /// Rows a second the stream could absorb with ever larger batches (`1 / per_row`).
    pub fn capacity(&self) -> Option<f64> {
        (self.per_row_ms > 0.0).then(|| 1000.0 / self.per_row_ms)
    }
}

impl fmt::Display for BatchCost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} s + {:.2} ms per row (least squares over {} micro-batches)",
            secs(self.fixed_ms as i64),
            self.per_row_ms,
            self.batches
        )?;
        if let Some(capacity) = self.capacity() {
            write!(f, "; ceiling {capacity:.0} rows/s")?;
        }
        Ok(())
    }
}

/// Milliseconds as seconds with two decimals.
pub fn secs(ms: i64) -> String {
    format!("{:.2}", ms as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(latency_of: impl Fn(i64) -> i64) -> PhaseReport {
        // 60 s at 10/s, each record visible `latency_of(t)` ms after it was produced at t.
        let samples: Vec<Sample> = (0..600)
            .map(|i| {
                let produced_ms = i * 100;
                let written_ms = produced_ms + latency_of(produced_ms);
                Sample {
                    produced_ms,
                    batch_ms: written_ms - 300,
                    written_ms,
                    observed_ms: written_ms + 50,
                }
            })
            .collect();
        let commits = (1..=60)
            .map(|s| (s * 1000 + latency_of(s * 1000), 10))
            .collect();
        PhaseReport {
            rate: 10.0,
            seconds: 60.0,
            produced: 600,
            samples,
            commits,
            window_ms: (0, 60_000),
            settle_ms: 6_000,
            load: vec![1.0, 3.0],
            growth_limit_ms: 1_000,
        }
    }

    #[test]
    fn quantiles_use_nearest_rank() {
        let q = Quantiles::of((1..=100).collect()).unwrap();
        assert_eq!((q.p50, q.p95, q.max), (50, 95, 100));
        assert_eq!(Quantiles::of(vec![]), None);
    }

    #[test]
    fn a_steady_latency_keeps_up_and_a_growing_one_does_not() {
        let steady = report(|_| 1_500);
        assert_eq!(steady.latency().unwrap().p50, 1_500);
        assert!((steady.throughput() - 10.0).abs() < 0.5);
        assert!(steady.keeps_up());
        // Falling behind: latency grows by 10% of elapsed time (5 s over the run).
        let behind = report(|t| 1_500 + t / 10);
        assert!(!behind.keeps_up());
        assert_eq!(behind.mean_load(), 2.0);
    }

    #[test]
    fn batch_cost_is_a_line_through_the_batches() {
        let cost = BatchCost::fit(&[(100, 2_000), (300, 2_600), (500, 3_200)]).unwrap();
        assert!((cost.fixed_ms - 1_700.0).abs() < 1e-6);
        assert!((cost.per_row_ms - 3.0).abs() < 1e-9);
        assert!((cost.capacity().unwrap() - 333.3).abs() < 0.1);
        assert_eq!(
            BatchCost::fit(&[(100, 2_000), (101, 2_600), (100, 3_200)]),
            None
        );
        let steady = report(|_| 1_500);
        assert_eq!(steady.batches().len(), 600);
    }

    #[test]
    fn missing_records_mean_not_keeping_up() {
        let mut lost = report(|_| 1_000);
        lost.samples.pop();
        assert!(!lost.keeps_up());
    }
}
