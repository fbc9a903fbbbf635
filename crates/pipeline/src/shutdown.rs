//! A shutdown signal that jobs can both poll (from blocking threads, e.g. the validator's Kafka
//! loop) and await (from async code, e.g. the Gmail poller's sleep between runs).
//!
//! `main` builds one with [`Shutdown::on_signals`] (SIGINT and SIGTERM); tests build one with
//! [`Shutdown::new`] and trigger it themselves, so no test needs a real signal.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// A cloneable, one-way shutdown flag.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    /// Shared state of every clone.
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Set once, never cleared.
    triggered: AtomicBool,
    /// Wakes the async waiters.
    notify: Notify,
}

impl Shutdown {
    /// A flag nothing triggers but [`Shutdown::trigger`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A flag triggered by the first SIGINT (Ctrl-C) or SIGTERM. Must be called inside a Tokio
    /// runtime.
    pub fn on_signals() -> Self {
        let shutdown = Self::new();
        let trigger = shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutdown requested; finishing the current batch");
            trigger.trigger();
        });
        shutdown
    }

    /// Asks every holder to stop.
    pub fn trigger(&self) {
        self.inner.triggered.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// Whether a stop was asked for.
    pub fn is_triggered(&self) -> bool {
        self.inner.triggered.load(Ordering::SeqCst)
    }

    /// Resolves once a stop is asked for (immediately if it already was).
    pub async fn wait(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.is_triggered() {
                return;
            }
            notified.await;
        }
    }

    /// A flag of its own that this one's trigger also triggers (not the other way round): one
    /// attempt of a job can be stopped without stopping the job. The task that links them ends
    /// when either is triggered.
    pub fn child(&self) -> Shutdown {
        let child = Shutdown::new();
        let (parent, linked) = (self.clone(), child.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = parent.wait() => linked.trigger(),
                _ = linked.wait() => {}
            }
        });
        child
    }

    /// Sleeps for `duration` unless a stop is asked for first; returns whether it was.
    pub async fn sleep(&self, duration: std::time::Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(duration) => self.is_triggered(),
            _ = self.wait() => true,
        }
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(term) => term,
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops this job");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiters_wake_on_trigger_and_late_waiters_return_at_once() {
        let shutdown = Shutdown::new();
        let waiter = tokio::spawn({
            let s = shutdown.clone();
            async move { s.wait().await }
        });
        assert!(!shutdown.is_triggered());
        shutdown.trigger();
        waiter.await.unwrap();
        shutdown.wait().await;
        assert!(shutdown.is_triggered());
    }

    #[tokio::test]
    async fn a_child_stops_with_its_parent_but_not_the_other_way_round() {
        let parent = Shutdown::new();
        let first = parent.child();
        first.trigger();
        tokio::task::yield_now().await;
        assert!(!parent.is_triggered());
        let second = parent.child();
        parent.trigger();
        tokio::time::timeout(std::time::Duration::from_secs(5), second.wait())
            .await
            .expect("the child is triggered with its parent");
    }
}
