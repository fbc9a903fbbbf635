//! Issue 4's acceptance test: SIGKILL the validator in the middle of 100,000 records, restart
//! it, and the processed topic (read_committed) holds each valid record exactly once.

use std::collections::HashSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::Command;

use super::util::{high_watermarks, TestTopics};
use super::validator::{config, record};

const TOTAL: usize = 100_000;

fn validator(t: &TestTopics, until_idle: bool) -> Command {
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
            &c.transactional_id,
        ])
        .args(["--batch-records", "5000", "--no-metrics"])
        .env("MINDY_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if until_idle {
        cmd.arg("--until-idle");
    }
    cmd
}

#[tokio::test]
async fn sigkill_mid_stream_then_restart_yields_each_valid_record_exactly_once() {
    let t = TestTopics::create("eos").await;
    let input: Vec<(String, Vec<u8>)> = (0..TOTAL)
        .map(|i| {
            let id = format!("eos-{i:06}");
            let mut v = record(&id);
            if i % 10 == 0 {
                v["from"] = serde_json::Value::Null;
            }
            (id, serde_json::to_vec(&v).unwrap())
        })
        .collect();
    t.produce(&input).await;

    // First run: killed with SIGKILL once output is flowing, well before the end.
    let mut first = validator(&t, false).spawn().expect("spawn mindy validate");
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let written = high_watermarks(&t.kafka.bootstrap, &t.topics.processed);
        if written >= 15_000 {
            assert!(
                written < 85_000,
                "the validator got too far ({written}) before the kill: not mid-stream"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the validator produced nothing in time"
        );
        assert!(
            first.try_wait().unwrap().is_none(),
            "the validator exited on its own"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.start_kill().expect("SIGKILL");
    let status = first.wait().await.unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status:?}");
    }

    // Second run with the same group and transactional id, until caught up.
    let second = validator(&t, true).spawn().unwrap();
    let output = tokio::time::timeout(Duration::from_secs(300), second.wait_with_output())
        .await
        .expect("restarted validator finished in time")
        .unwrap();
    assert!(
        output.status.success(),
        "restarted validator failed: {:?}",
        output.status
    );

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
    let uncommitted = t.read(&t.topics.processed, true).await.len();
    eprintln!(
        "read_uncommitted sees {uncommitted} records: {} from the aborted transaction",
        uncommitted - processed.len()
    );
    t.delete().await;
}
