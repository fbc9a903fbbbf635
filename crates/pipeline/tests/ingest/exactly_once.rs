//! Issue 4's acceptance test: SIGKILL the validator in the middle of 100,000 records, restart
//! it, and the processed topic (read_committed) holds each valid record exactly once. Also: a
//! second instance joining mid-stream (a rebalance under the first one's open transaction)
//! loses and duplicates nothing.

use std::collections::HashSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::Command;

use super::util::{high_watermarks, TestTopics};
use super::validator::{config, record};

const TOTAL: usize = 100_000;

fn validator(t: &TestTopics, until_idle: bool) -> Command {
    validator_instance(t, until_idle, &config(t).transactional_id)
}

/// A validator in `t`'s group with its own transactional id (and so its own static member id),
/// 5,000 records per transaction.
fn validator_instance(t: &TestTopics, until_idle: bool, transactional_id: &str) -> Command {
    validator_with(t, until_idle, transactional_id, "5000")
}

fn validator_with(
    t: &TestTopics,
    until_idle: bool,
    transactional_id: &str,
    batch_records: &str,
) -> Command {
    let c = config(t);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mindy"));
    cmd.arg("validate")
        .args(["--kafka-bootstrap", &t.kafka.bootstrap])
        .args([
            "--topic-emails",
            &t.topics.emails,
            "--topic-processed",
            &t.topics.processed,
        ])
        .args([
            "--topic-dlq",
            &t.topics.dlq,
            "--group",
            &c.group,
            "--transactional-id",
            transactional_id,
        ])
        .args(["--batch-records", batch_records, "--no-metrics"])
        // Mail only: the test's topics are the mail's; calendar records have their own.
        .args(["--records", "email"])
        .env("MINDY_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if until_idle {
        cmd.arg("--until-idle");
    }
    cmd
}

/// TOTAL records with ids `{prefix}-NNNNNN`, every tenth without a sender (invalid), produced.
async fn produce_input(t: &TestTopics, prefix: &str) -> Vec<(String, Vec<u8>)> {
    let input: Vec<(String, Vec<u8>)> = (0..TOTAL)
        .map(|i| {
            let id = format!("{prefix}-{i:06}");
            let mut v = record(&id);
            if i % 10 == 0 {
                v["from"] = serde_json::Value::Null;
            }
            (id, serde_json::to_vec(&v).unwrap())
        })
        .collect();
    t.produce(&input).await;
    input
}

/// Waits until the validator has forwarded at least 15,000 records, and checks it is still
/// running and well short of the end (so what happens next happens mid-stream).
async fn wait_mid_stream(t: &TestTopics, running: &mut tokio::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let written = high_watermarks(&t.kafka.bootstrap, &t.topics.processed);
        if written >= 15_000 {
            assert!(
                written < 85_000,
                "the validator got too far ({written}): not mid-stream"
            );
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the validator produced nothing in time"
        );
        assert!(
            running.try_wait().unwrap().is_none(),
            "the validator exited on its own"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits for a validator run with `--until-idle`, checks it succeeded and answers its report.
async fn finishes(child: tokio::process::Child) -> String {
    let output = tokio::time::timeout(Duration::from_secs(300), child.wait_with_output())
        .await
        .expect("validator finished in time")
        .unwrap();
    assert!(
        output.status.success(),
        "validator failed: {:?}",
        output.status
    );
    String::from_utf8(output.stdout).expect("UTF-8 report")
}

#[tokio::test]
async fn sigkill_mid_stream_then_restart_yields_each_valid_record_exactly_once() {
    let t = TestTopics::create("eos").await;
    let input = produce_input(&t, "eos").await;

    // First run: killed with SIGKILL once output is flowing, well before the end.
    let mut first = validator(&t, false).spawn().expect("spawn mindy validate");
    wait_mid_stream(&t, &mut first).await;
    first.start_kill().expect("SIGKILL");
    let status = first.wait().await.unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status:?}");
    }

    // Second run with the same group and transactional id, until caught up.
    finishes(validator(&t, true).spawn().unwrap()).await;
    assert_exactly_once(&t, &input).await;
    let uncommitted = t.read(&t.topics.processed, true).await.len();
    eprintln!(
        "read_uncommitted sees {uncommitted} records: {} from the aborted transaction",
        uncommitted - TOTAL / 10 * 9
    );
    t.delete().await;
}

#[tokio::test]
async fn a_second_instance_joining_mid_stream_loses_and_duplicates_nothing() {
    let t = TestTopics::create("eos-join").await;
    let input = produce_input(&t, "join").await;
    let c = config(&t);

    // Both until idle: each exits once the partitions it holds are read to their end. The first
    // keeps one transaction open until it catches up, heartbeats every 100 ms (so the second
    // one's join revokes its partitions under that open transaction within moments), and is
    // throttled (small prefetch, long fetch backoff) so that it is still mid-stream by then.
    let mut first = validator_with(&t, true, &format!("{}-a", c.transactional_id), "1000000");
    first.args(["--batch-ms", "600000"]);
    first.args(["--kafka-option", "heartbeat.interval.ms=100"]);
    first.args(["--kafka-option", "queued.min.messages=1000"]);
    first.args(["--kafka-option", "fetch.queue.backoff.ms=200"]);
    let mut first = first.spawn().expect("spawn the first validator");
    wait_mid_stream(&t, &mut first).await;
    let second = validator_instance(&t, true, &format!("{}-b", c.transactional_id))
        .spawn()
        .expect("spawn the second validator");
    let report = finishes(first).await;
    assert!(
        !report.contains(" 0 batches redone"),
        "the first instance redid its open batch after the rebalance: {report}"
    );
    finishes(second).await;
    assert_exactly_once(&t, &input).await;
    t.delete().await;
}

/// The processed topic (read_committed) holds each valid input record once, and the DLQ each
/// invalid one once.
async fn assert_exactly_once(t: &TestTopics, input: &[(String, Vec<u8>)]) {
    let valid_ids: HashSet<&str> = input
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 != 0)
        .map(|(_, (id, _))| id.as_str())
        .collect();
    let processed = t.read(&t.topics.processed, false).await;
    let seen: HashSet<&str> = processed.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        processed.len(),
        valid_ids.len(),
        "no duplicates and nothing lost (read_committed)"
    );
    assert_eq!(seen, valid_ids);
    let dlq = t.read(&t.topics.dlq, false).await;
    assert_eq!(
        dlq.len(),
        TOTAL / 10,
        "each invalid record dead-lettered exactly once"
    );
    assert!(dlq
        .iter()
        .all(|r| r.headers["mindy-rule"] == "from.address"));
}
