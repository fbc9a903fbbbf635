//! The chat through a Redis outage: a private redis-server (Debian's, as the stack runs it) is
//! killed and started again under a running API. While it is down, answers come at once —
//! uncached, with history said to be unavailable — and health says Redis is down; once it is back,
//! health says so within seconds and answers are cached again, with no restart of the API.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mindy_api::chat::service::HISTORY_UNAVAILABLE;
use serde_json::Value;

use crate::util::{Options, TestApp};

/// A redis-server of this test's own, on a fixed free port so a restart comes back at the same
/// address.
struct PrivateRedis {
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    fn start() -> PrivateRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut redis = PrivateRedis { port, child: None };
        redis.up();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn up(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (Debian's redis-server, which ./stack installs)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

fn redis_up(health: &Value) -> bool {
    health["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "redis")
        .map(|c| c["up"] == true)
        .unwrap()
}

#[tokio::test]
async fn a_redis_restart_degrades_the_chat_for_seconds_and_heals_without_a_restart() {
    let mut redis = PrivateRedis::start();
    let app = TestApp::with(Options {
        redis_url: redis.url(),
        ..Options::semantic()
    })
    .await;
    let question = "How many emails did I receive yesterday?";
    let first = app.ask(question, None).await;
    assert_eq!(first["cached"], false);
    assert_eq!(app.ask(question, None).await["cached"], true);

    redis.kill();
    let asked = Instant::now();
    let reply = app.ask(question, first["conversation_id"].as_str()).await;
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "answered in {took:?} without Redis"
    );
    assert_eq!(reply["cached"], false, "{reply}");
    assert_eq!(reply["notices"][0], HISTORY_UNAVAILABLE, "{reply}");
    assert!(
        reply["answer"].as_str().unwrap().contains("email"),
        "{reply}"
    );
    let (_, health) = app.get("/api/health").await;
    assert!(!redis_up(&health), "{health}");
    assert_eq!(health["status"], "down");

    redis.up();
    let back = Instant::now();
    loop {
        let (_, health) = app.get("/api/health").await;
        if redis_up(&health) {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "health still says Redis is down {:?} after it came back: {health}",
            back.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("redis back → health up in {:?}", back.elapsed());
    // The cool-down passed, the cache works again: computed once, then served from it.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = app.ask(question, None).await;
    assert!(again.get("notices").is_none(), "{again}");
    assert_eq!(app.ask(question, None).await["cached"], true);
    // The reader's connections end before the test database is dropped.
    app.db.reader.close().await;
}
