//! `mindy enrich` against the real Spark cluster: the demo persona's mailbox written to bronze in
//! the stream's shape, enriched, and the scenes of the product brief checked on the Delta
//! tables; sentiment accuracy on the labelled set; due times, text cleaning, roles and threads
//! on small inputs. Every test has its own lake directory (and database, when it needs one).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use mindy_core::config::{DatabaseArgs, LakeArgs, SparkArgs};
use mindy_core::email::{EmailRecord, Mailbox, Source};
use mindy_core::intel;
use mindy_core::serving::LAKE_EXPORTS;
use mindy_pipeline::jobs::enrich::reference::LexiconChoice;
use mindy_pipeline::jobs::enrich::sentiment::SentimentSettings;
use mindy_pipeline::jobs::enrich::{evaluate, seed, EnrichConfig, Enricher, Paths};
use mindy_pipeline::jobs::export::{self, ExportConfig, ExportSpec};
use mindy_pipeline::persona::{self, PersonaOptions};
use mindy_pipeline::shutdown::Shutdown;
use mindy_test::{unique, Stack};
use spark_client::functions::col;
use spark_client::rows::Rows;
use spark_client::SparkSession;

const TZ: &str = "America/New_York";

fn config(stack: &Stack, lake: &Path, database_url: Option<String>) -> EnrichConfig {
    EnrichConfig {
        spark: SparkArgs {
            remote: stack.spark_remote.clone(),
        },
        lake: LakeArgs {
            root: lake.to_string_lossy().into_owned(),
        },
        database_url,
        available_now: true,
        poll_interval: std::time::Duration::from_secs(1),
        gold_quiet: std::time::Duration::ZERO,
        gold_max_delay: std::time::Duration::ZERO,
        timezone: TZ.into(),
        user_addresses: Vec::new(),
        user_domains: Vec::new(),
        urgent_threshold: 60,
        as_of: None,
        recompute: false,
    }
}

/// The jobs' progress lines in the test output (shown for failing tests).
fn logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("info,sqlx=warn")
        .with_test_writer()
        .try_init();
}

async fn session(stack: &Stack) -> SparkSession {
    SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await
        .unwrap()
}

async fn read(session: &SparkSession, path: &str, filter: &str) -> Rows {
    let df = session
        .read()
        .format("delta")
        .load_path(path)
        .filter_expr(filter);
    Rows::new(df.collect().await.unwrap())
}

/// The rows of the Delta table at `path` that pass `filter`, sorted by `order` (column names).
async fn read_sorted(session: &SparkSession, path: &str, filter: &str, order: &[&str]) -> Rows {
    let df = session
        .read()
        .format("delta")
        .load_path(path)
        .filter_expr(filter)
        .sort(order.iter().map(|c| col(c)));
    Rows::new(df.collect().await.unwrap())
}

fn local(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    let tz: Tz = TZ.parse().unwrap();
    tz.from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

/// Rows keyed by a string column.
fn by<'a>(rows: &'a Rows, key: &str) -> BTreeMap<String, spark_client::rows::Row<'a>> {
    rows.iter()
        .map(|r| (r.get::<Option<String>>(key).unwrap().unwrap(), r))
        .collect()
}

#[tokio::test]
async fn the_demo_mailbox_serves_the_scenes() {
    logs();
    let stack = Stack::from_env();
    let lake = stack.lake_path("enrich-demo");
    let until = NaiveDate::from_ymd_opt(2025, 10, 8).unwrap(); // a Wednesday
    let opts = PersonaOptions {
        until,
        days: 30,
        tz: TZ.parse().unwrap(),
        seed: 42,
        not_after: None,
    };
    let ingested = local(until, 9, 0);
    let records = seed::demo_records(&persona::mailbox(&opts), ingested).unwrap();
    let session = session(&stack).await;
    let mut config = config(&stack, &lake, None);
    config.as_of = Some(until);
    let paths = Paths::new(&config.lake);
    seed::write_bronze(&session, &records, &paths.bronze, TZ, ingested)
        .await
        .unwrap();

    let enricher = Enricher::connect(&config).await.unwrap();
    let first = enricher.pass().await.unwrap();
    println!("{first}");
    assert_eq!(first.staged, records.len() as i64);
    assert_eq!(first.insights.inserted, records.len() as i64);

    // Scene 2: "Show me the urgent emails from Acme Corp" — exactly the three of the night.
    let acme = read_sorted(
        &session,
        &paths.insights,
        "organization = 'Acme Corp' AND urgent",
        &["sent_at"],
    )
    .await;
    let acme: Vec<_> = acme.iter().collect();
    let seen: Vec<(String, String, Option<String>, DateTime<Utc>)> = acme
        .iter()
        .map(|r| {
            (
                r.get::<Option<String>>("from_name").unwrap().unwrap(),
                r.get::<Option<String>>("subject").unwrap().unwrap(),
                r.get::<Option<String>>("sender_title").unwrap(),
                r.get::<Option<chrono::DateTime<chrono::Utc>>>("sent_at")
                    .unwrap()
                    .unwrap(),
            )
        })
        .collect();
    let yesterday = until.pred_opt().unwrap();
    assert_eq!(
        seen,
        vec![
            (
                "Tom Anderson".into(),
                "Production Issue - Need Immediate Support".into(),
                Some("CTO".into()),
                local(yesterday, 22, 47)
            ),
            (
                "Tom Anderson".into(),
                "Re: Production Issue - Status Update?".into(),
                Some("CTO".into()),
                local(until, 7, 23)
            ),
            (
                "Lisa Chen".into(),
                "Executive Review Meeting Request".into(),
                Some("VP Operations".into()),
                local(until, 8, 15)
            ),
        ]
    );
    for r in &acme {
        assert_eq!(
            r.get::<Option<String>>("sender_role").unwrap().as_deref(),
            Some("client")
        );
        assert_eq!(
            r.get::<Option<bool>>("escalating").unwrap(),
            Some(true),
            "{:?}",
            r.get::<Option<String>>("subject")
        );
        assert_eq!(r.get::<Option<bool>>("needs_reply").unwrap(), Some(true));
        assert!(!r
            .get::<Option<String>>("summary")
            .unwrap()
            .unwrap()
            .is_empty());
    }
    // Tom's two messages are one thread, the second a follow-up without reply; both frustrated.
    assert_eq!(
        acme[0].get::<Option<String>>("thread_id").unwrap(),
        acme[1].get::<Option<String>>("thread_id").unwrap()
    );
    assert_ne!(
        acme[0].get::<Option<String>>("thread_id").unwrap(),
        acme[2].get::<Option<String>>("thread_id").unwrap()
    );
    assert_eq!(
        acme[1].get::<Option<i64>>("thread_position").unwrap(),
        Some(2)
    );
    assert_eq!(acme[1].get::<Option<i64>>("follow_ups").unwrap(), Some(1));
    for tom in &acme[..2] {
        assert_eq!(
            tom.get::<Option<String>>("sentiment").unwrap().as_deref(),
            Some("negative")
        );
        assert_eq!(tom.get::<Option<bool>>("frustrated").unwrap(), Some(true));
    }
    assert!(
        acme[1].get::<Option<i64>>("urgency_score").unwrap()
            >= acme[0].get::<Option<i64>>("urgency_score").unwrap()
    );
    assert_eq!(
        acme[2].get::<Option<bool>>("frustrated").unwrap(),
        Some(false)
    );

    // Newsletters and notifications are never urgent.
    let bulk = read(
        &session,
        &paths.insights,
        "sender_role = 'newsletter_automated'",
    )
    .await;
    assert!(bulk.len() > 100, "{} newsletters", bulk.len());
    assert!(bulk
        .iter()
        .all(|r| r.get::<Option<bool>>("urgent").unwrap() == Some(false)
            && r.get::<Option<i64>>("urgency_score").unwrap().unwrap() <= 10));

    // The user's replies give response times: every reply answers one inbound email.
    let replies = read(&session, &paths.insights, "direction = 'outbound'")
        .await
        .len();
    let answered = read(
        &session,
        &paths.insights,
        "direction = 'inbound' AND replied_at IS NOT NULL",
    )
    .await;
    assert_eq!(answered.len(), replies);
    let minutes: BTreeMap<String, f64> = answered
        .iter()
        .map(|r| {
            (
                r.get::<Option<String>>("subject").unwrap().unwrap(),
                r.get::<Option<f64>>("response_minutes").unwrap().unwrap(),
            )
        })
        .collect();
    for (subject, expected) in [
        ("Q4 rollout plan for the analytics module", 95.0),
        ("Renewal timeline and executive sponsor", 150.0),
        ("Quarterly Review agenda confirmation", 45.0),
        ("Feature request: native Snowflake connector", 60.0),
        ("Pricing for 250 seats?", 90.0),
    ] {
        assert_eq!(minutes.get(subject), Some(&expected), "{subject}");
    }

    // Roles and teams from signatures.
    let people = read(&session, &paths.contacts, "true").await;
    let people = by(&people, "address");
    let tom = &people["tom.anderson@acmecorp.example"];
    assert_eq!(
        tom.get::<Option<String>>("title").unwrap().as_deref(),
        Some("CTO")
    );
    assert_eq!(
        tom.get::<Option<String>>("organization")
            .unwrap()
            .as_deref(),
        Some("Acme Corp")
    );
    assert!(tom.get::<Option<i64>>("awaiting_reply").unwrap().unwrap() >= 2);
    assert_eq!(
        people["lisa.chen@acmecorp.example"]
            .get::<Option<String>>("title")
            .unwrap()
            .as_deref(),
        Some("VP Operations")
    );
    for (address, team) in [
        ("john.carter@northwind.example", "Sales"),
        ("mike.stevens@northwind.example", "Leadership"),
        ("maria.lopez@northwind.example", "Finance"),
    ] {
        assert_eq!(
            people[address]
                .get::<Option<String>>("role")
                .unwrap()
                .as_deref(),
            Some("internal")
        );
        assert_eq!(
            people[address]
                .get::<Option<String>>("group_name")
                .unwrap()
                .as_deref(),
            Some(team),
            "{address}"
        );
    }
    assert_eq!(
        people["sarah.mitchell@northwind.example"]
            .get::<Option<bool>>("is_user")
            .unwrap(),
        Some(true)
    );
    let orgs = read(&session, &paths.organizations, "true").await;
    let orgs = by(&orgs, "domain");
    let acme_org = &orgs["acmecorp.example"];
    assert_eq!(
        acme_org.get::<Option<String>>("name").unwrap().as_deref(),
        Some("Acme Corp")
    );
    assert_eq!(
        acme_org.get::<Option<String>>("role").unwrap().as_deref(),
        Some("client")
    );
    assert!(
        acme_org
            .get::<Option<i64>>("escalating_threads")
            .unwrap()
            .unwrap()
            >= 1
    );
    assert_eq!(acme_org.get::<Option<i64>>("urgent_30d").unwrap(), Some(3));
    assert_eq!(
        orgs["northwind.example"]
            .get::<Option<String>>("role")
            .unwrap()
            .as_deref(),
        Some("internal")
    );
    assert_eq!(
        orgs["saasweekly.example"]
            .get::<Option<String>>("role")
            .unwrap()
            .as_deref(),
        Some("newsletter_automated")
    );

    // Scene 1's "action required": due times resolved in the user's zone.
    let items = read(&session, &paths.action_items, "open AND due_at IS NOT NULL").await;
    let due: BTreeMap<String, DateTime<Utc>> = items
        .iter()
        .map(|r| {
            (
                r.get::<Option<String>>("description").unwrap().unwrap(),
                r.get::<Option<chrono::DateTime<chrono::Utc>>>("due_at")
                    .unwrap()
                    .unwrap(),
            )
        })
        .collect();
    let find = |words: &str| {
        due.iter()
            .find(|(d, _)| d.contains(words))
            .map(|(_, t)| *t)
            .unwrap_or_else(|| panic!("no open item about {words:?} in {due:#?}"))
    };
    assert_eq!(find("contract review deadline"), local(until, 17, 0));
    assert_eq!(find("sign-off on the revised numbers"), local(until, 17, 0));
    assert_eq!(
        find("status update and a call this morning"),
        local(until, 12, 0)
    );
    assert_eq!(
        find("before Thursday's pricing committee"),
        local(until.succ_opt().unwrap(), 17, 0)
    );

    // The thread and the 30-day patterns.
    let thread_id = acme[0].get::<Option<String>>("thread_id").unwrap().unwrap();
    let thread = read(
        &session,
        &paths.threads,
        &format!("thread_id = '{thread_id}'"),
    )
    .await;
    let thread = thread.iter().next().expect("the Acme thread");
    assert_eq!(thread.get::<Option<i64>>("message_count").unwrap(), Some(2));
    assert_eq!(
        thread.get::<Option<bool>>("needs_reply").unwrap(),
        Some(true)
    );
    assert_eq!(
        thread.get::<Option<bool>>("escalating").unwrap(),
        Some(true)
    );
    assert!(thread
        .get::<Option<String>>("participants")
        .unwrap()
        .unwrap()
        .contains("Lisa Chen <lisa.chen@acmecorp.example>"));
    let patterns = read(&session, &paths.patterns, "true").await;
    let pattern = |kind: &str, key: &str| {
        patterns
            .iter()
            .find(|r| {
                r.get::<Option<String>>("kind").unwrap().as_deref() == Some(kind)
                    && r.get::<Option<String>>("key").unwrap().as_deref() == Some(key)
            })
            .unwrap_or_else(|| panic!("no pattern {kind}/{key}"))
    };
    let per_day = |key| {
        pattern("weekday", key)
            .get::<Option<f64>>("per_day")
            .unwrap()
            .unwrap()
    };
    assert!(per_day("Monday") > 1.3 * per_day("Tuesday"));
    let share = |key| {
        pattern("group", key)
            .get::<Option<f64>>("share_pct")
            .unwrap()
            .unwrap()
    };
    assert!(share("Sales") > share("Clients") && share("Clients") > share("Leadership"));
    let response = pattern("response_time", "overall")
        .get::<Option<f64>>("avg_response_minutes")
        .unwrap()
        .unwrap();
    assert!(
        (60.0..300.0).contains(&response),
        "mean response {response} min"
    );

    // A second pass over the same bronze, the same day, with the same settings: nothing new,
    // so nothing is recomputed.
    let skipped = enricher.pass().await.unwrap();
    assert!(skipped.skipped, "{skipped}");
    assert_eq!(skipped.staged, 0);
    // Computed again in full, it changes nothing.
    enricher.forget_last_pass().await.unwrap();
    let again = enricher.pass().await.unwrap();
    assert!(!again.skipped, "{again}");
    assert_eq!(again.staged, 0);
    assert_eq!(again.insights, Default::default(), "{again}");
    assert_eq!(again.action_items, Default::default(), "{again}");
    assert_eq!(again.gold.threads, Default::default(), "{again}");

    // Sarah answers Tom: the thread is answered, with its response time; urgency stays.
    let tom_last = records
        .iter()
        .find(|r| r.subject == "Re: Production Issue - Status Update?")
        .unwrap();
    let mut reply = tom_last.clone();
    reply.id = "reply-to-tom@mail.northwind.example".into();
    reply.rfc822_message_id = Some(reply.id.clone());
    reply.subject = "Re: Production Issue - Status Update?".into();
    reply.from = Some(Mailbox {
        name: Some("Sarah Mitchell".into()),
        address: "sarah.mitchell@northwind.example".into(),
        canonical: Some("sarah.mitchell@northwind.example".into()),
    });
    reply.to = vec![tom_last.from.clone().unwrap()];
    reply.cc = vec![];
    reply.date = Some(local(until, 8, 40));
    reply.in_reply_to = tom_last.rfc822_message_id.clone();
    reply
        .references
        .push(tom_last.rfc822_message_id.clone().unwrap());
    reply.labels = vec!["SENT".into()];
    reply.body_text = "Hi Tom,\n\nI am sorry for the delay. Our engineers are on it; can we talk at 11 AM?\n\nSarah".into();
    seed::write_bronze(&session, &[reply], &paths.bronze, TZ, local(until, 8, 41))
        .await
        .unwrap();
    let third = enricher.pass().await.unwrap();
    assert_eq!(third.staged, 1);
    assert!(!third.skipped, "{third}");
    let after = read_sorted(
        &session,
        &paths.insights,
        &format!("thread_id = '{thread_id}'"),
        &["sent_at"],
    )
    .await;
    let after: Vec<_> = after.iter().collect();
    assert_eq!(after.len(), 3);
    assert_eq!(
        after[1].get::<Option<f64>>("response_minutes").unwrap(),
        Some(77.0)
    );
    assert!(after[..2]
        .iter()
        .all(|r| r.get::<Option<bool>>("needs_reply").unwrap() == Some(false)));
    assert_eq!(
        after[1].get::<Option<i64>>("urgency_score").unwrap(),
        acme[1].get::<Option<i64>>("urgency_score").unwrap()
    );
    assert_eq!(
        after[2]
            .get::<Option<String>>("direction")
            .unwrap()
            .as_deref(),
        Some("outbound")
    );
    let thread = read(
        &session,
        &paths.threads,
        &format!("thread_id = '{thread_id}'"),
    )
    .await;
    let thread = thread.iter().next().unwrap();
    assert_eq!(
        thread.get::<Option<i64>>("user_reply_count").unwrap(),
        Some(1)
    );
    assert_eq!(
        thread.get::<Option<bool>>("needs_reply").unwrap(),
        Some(false)
    );
    let open = read(
        &session,
        &paths.action_items,
        &format!("thread_id = '{thread_id}' AND open"),
    )
    .await;
    assert_eq!(open.len(), 0);

    let _ = std::fs::remove_dir_all(&lake);
}

#[tokio::test]
async fn sentiment_is_accurate_on_the_labelled_set() {
    logs();
    let stack = Stack::from_env();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sentiment");
    let set = evaluate::read_labelled(&dir).unwrap();
    let session = session(&stack).await;
    let scores = evaluate::score(&session, &set, LexiconChoice::Business)
        .await
        .unwrap();
    let predicted = evaluate::classify(&scores, &SentimentSettings::default());
    let all = evaluate::metrics(&set, &predicted);
    println!("{all}");
    assert!(all.accuracy >= 0.80, "accuracy {:.3}", all.accuracy);
    let held_out = evaluate::metrics(
        set.iter().filter(|e| e.split == evaluate::Split::HeldOut),
        &predicted,
    );
    assert!(
        held_out.accuracy >= 0.80,
        "held-out accuracy {:.3}",
        held_out.accuracy
    );
}

/// A minimal record.
fn record(id: &str, from: &str, subject: &str, body: &str, at: DateTime<Utc>) -> EmailRecord {
    let mailbox = |address: &str| Mailbox {
        name: None,
        address: address.into(),
        canonical: Some(address.to_lowercase()),
    };
    EmailRecord {
        to: vec![mailbox("me@mycorp.example")],
        date_source: None,
        ..EmailRecord::plain(Source::Mbox, id, mailbox(from), subject, body, at)
    }
}

/// A private database, migrated: the organisation mapping lives there.
async fn private_database(stack: &Stack) -> (String, String) {
    use sqlx::Connection;
    let name = unique("mindy_enrich_test");
    let mut admin = sqlx::PgConnection::connect(&stack.database_url)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut url = url::Url::parse(&stack.database_url).unwrap();
    url.set_path(&format!("/{name}"));
    let pool = sqlx::PgPool::connect(url.as_str()).await.unwrap();
    mindy_core::db::MIGRATOR.run(&pool).await.unwrap();
    sqlx::query("INSERT INTO organization_names (domain, display_name, role) VALUES ('vendorx.example', 'VendorX Ltd', 'vendor_partner')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    (name, url.to_string())
}

#[tokio::test]
async fn roles_mapping_threads_and_text_on_small_mail() {
    logs();
    let stack = Stack::from_env();
    let lake = stack.lake_path("enrich-roles");
    let (db_name, db_url) = private_database(&stack).await;
    let at = |h| Utc.with_ymd_and_hms(2025, 10, 6, h, 0, 0).unwrap();
    let mut mine = record(
        "m1@mycorp.example",
        "me@mycorp.example",
        "Lunch?",
        "Are you free on Friday?",
        at(9),
    );
    mine.labels = vec!["SENT".into()];
    mine.to = vec![Mailbox {
        name: None,
        address: "friend@gmail.com".into(),
        canonical: Some("friend@gmail.com".into()),
    }];
    let mut friend = record(
        "f1@gmail.com",
        "friend@gmail.com",
        "Re: Lunch?",
        "Yes, Friday works!",
        at(10),
    );
    friend.thread_id = "m1@mycorp.example".into();
    friend.in_reply_to = Some("m1@mycorp.example".into());
    friend.references = vec!["m1@mycorp.example".into()];
    let mut vendor = record(
        "v1@vendorx.example",
        "ap@vendorx.example",
        "Invoice 77",
        "Hello,\n\nPlease pay invoice 77 by Oct 10.\n\nBest regards,\nAnna Berg\nAccounts Receivable, VendorX Ltd\n\nOn Mon, Oct 6, 2025 at 9:00 AM Me <me@mycorp.example> wrote:\n> Can you resend the invoice? It is urgent!",
        at(11),
    );
    vendor.from = Some(Mailbox {
        name: Some("Anna Berg".into()),
        address: "ap@vendorx.example".into(),
        canonical: Some("ap@vendorx.example".into()),
    });
    let bot = record(
        "n1@notify.example",
        "noreply@notify.example",
        "Your weekly report",
        "Your report is ready.",
        at(12),
    );
    let colleague = record(
        "c1@eu.mycorp.example",
        "pat@eu.mycorp.example",
        "Numbers",
        "Can you check the numbers by EOD?",
        at(13),
    );
    // The same conversation from two sources: a Gmail root and an mbox reply referencing it.
    let mut root = record(
        "gmail-1",
        "buyer@client.example",
        "Proposal",
        "Could you send the proposal?",
        at(14),
    );
    root.thread_id = "gmail-thread-7".into();
    root.rfc822_message_id = Some("root@client.example".into());
    root.source = Source::Gmail;
    let mut answer = record(
        "answer@client.example",
        "buyer@client.example",
        "Re: Proposal",
        "Any news?",
        at(16),
    );
    answer.thread_id = "root@client.example".into();
    answer.references = vec!["root@client.example".into()];
    answer.in_reply_to = Some("root@client.example".into());
    // The same message ingested twice under two ids counts once.
    let mut twin = answer.clone();
    twin.id = "gmail-2".into();
    twin.source = Source::Gmail;
    let records = vec![mine, friend, vendor, bot, colleague, root, answer, twin];

    let session = session(&stack).await;
    let mut config = config(&stack, &lake, Some(db_url.clone()));
    config.user_domains = vec!["mycorp.example".into()];
    let paths = Paths::new(&config.lake);
    seed::write_bronze(&session, &records, &paths.bronze, TZ, at(17))
        .await
        .unwrap();
    let enricher = Enricher::connect(&config).await.unwrap();
    enricher.pass().await.unwrap();

    let insights = read(&session, &paths.insights, "true").await;
    assert_eq!(insights.len(), 7, "the twin counts once");
    let insights = by(&insights, "id");
    let role = |id: &str| {
        insights[id]
            .get::<Option<String>>("sender_role")
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        insights["m1@mycorp.example"]
            .get::<Option<String>>("direction")
            .unwrap()
            .as_deref(),
        Some("outbound")
    );
    assert_eq!(role("f1@gmail.com"), "personal");
    assert_eq!(
        insights["f1@gmail.com"]
            .get::<Option<String>>("organization")
            .unwrap(),
        None
    );
    assert_eq!(role("v1@vendorx.example"), "vendor_partner");
    assert_eq!(
        insights["v1@vendorx.example"]
            .get::<Option<String>>("organization")
            .unwrap()
            .as_deref(),
        Some("VendorX Ltd")
    );
    assert_eq!(role("n1@notify.example"), "newsletter_automated");
    assert_eq!(role("c1@eu.mycorp.example"), "internal");
    assert_eq!(role("gmail-1"), "client");
    // A reply needs the Message-ID header, which Gmail's id is not: it is kept beside it.
    assert_eq!(
        insights["gmail-1"]
            .get::<Option<String>>("rfc822_message_id")
            .unwrap()
            .as_deref(),
        Some("root@client.example")
    );
    // The friend's reply joins the thread of my mail.
    assert_eq!(
        insights["f1@gmail.com"]
            .get::<Option<String>>("thread_id")
            .unwrap()
            .as_deref(),
        Some("m1@mycorp.example")
    );
    assert_eq!(
        insights["f1@gmail.com"]
            .get::<Option<i64>>("thread_position")
            .unwrap(),
        Some(2)
    );
    // The quoted "urgent" is not the vendor's: quoted history and signature are removed.
    let vendor = &insights["v1@vendorx.example"];
    assert_eq!(
        vendor.get::<Option<String>>("summary").unwrap().as_deref(),
        Some("Please pay invoice 77 by Oct 10.")
    );
    assert!(!vendor
        .get::<Option<String>>("urgency_reasons")
        .unwrap()
        .unwrap()
        .contains("urgent words"));
    assert_eq!(
        vendor
            .get::<Option<String>>("sender_title")
            .unwrap()
            .as_deref(),
        Some("Accounts Receivable")
    );
    assert_eq!(
        vendor
            .get::<Option<chrono::DateTime<chrono::Utc>>>("next_due_at")
            .unwrap(),
        Some(local(NaiveDate::from_ymd_opt(2025, 10, 10).unwrap(), 17, 0))
    );
    // One thread across sources, with Gmail's id.
    assert_eq!(
        insights["answer@client.example"]
            .get::<Option<String>>("thread_id")
            .unwrap()
            .as_deref(),
        Some("gmail-thread-7")
    );
    assert_eq!(
        insights["answer@client.example"]
            .get::<Option<i64>>("follow_ups")
            .unwrap(),
        Some(1)
    );
    let orgs = read(&session, &paths.organizations, "true").await;
    let orgs = by(&orgs, "domain");
    assert_eq!(
        orgs["vendorx.example"]
            .get::<Option<String>>("role_source")
            .unwrap()
            .as_deref(),
        Some("mapping")
    );
    assert_eq!(
        orgs["client.example"]
            .get::<Option<String>>("role_source")
            .unwrap()
            .as_deref(),
        Some("default")
    );
    assert!(
        !orgs.contains_key("gmail.com"),
        "free-mail domains are no organisation"
    );

    // The exporter carries every served table to PostgreSQL (serving::LAKE_EXPORTS): the
    // migrations' types and CHECKs accept what the plans produce, row for row.
    let exports: Vec<ExportSpec> = LAKE_EXPORTS
        .iter()
        .filter(|e| intel::TABLES.iter().any(|t| t.lake == e.source))
        .map(|e| ExportSpec::of(e, &config.lake))
        .collect();
    assert_eq!(exports.len(), 6);
    let export_config = ExportConfig {
        spark: config.spark.clone(),
        lake: config.lake.clone(),
        database: DatabaseArgs {
            url: db_url.clone(),
            max_connections: 1,
        },
        tables: vec![],
        continuous: false,
        interval: std::time::Duration::from_secs(1),
        metrics_addr: None,
        lake_interval: std::time::Duration::ZERO,
    };
    export::run_specs(&export_config, &exports, Shutdown::new())
        .await
        .unwrap();
    let pool = sqlx::PgPool::connect(&db_url).await.unwrap();
    for spec in &exports {
        let delta = read(&session, &spec.source, "true").await.len();
        let served: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {}", spec.target))
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(served as usize, delta, "{}", spec.target);
    }
    let vendor_org: Option<String> = sqlx::query_scalar(
        "SELECT organization FROM email_insights WHERE id = 'v1@vendorx.example'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(vendor_org.as_deref(), Some("VendorX Ltd"));
    let served_message_id: Option<String> =
        sqlx::query_scalar("SELECT rfc822_message_id FROM email_insights WHERE id = 'gmail-1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(served_message_id.as_deref(), Some("root@client.example"));

    // The organisation mapping edited, no new email: the next pass is not skipped, and the new
    // name is on the vendor's email.
    sqlx::query("UPDATE organization_names SET display_name = 'VendorX Group' WHERE domain = 'vendorx.example'")
        .execute(&pool)
        .await
        .unwrap();
    let pass = enricher.pass().await.unwrap();
    assert!(!pass.skipped, "{pass}");
    assert_eq!(pass.staged, 0);
    let vendor = read(&session, &paths.insights, "id = 'v1@vendorx.example'").await;
    assert_eq!(
        vendor
            .get(0)
            .unwrap()
            .get::<Option<String>>("organization")
            .unwrap()
            .as_deref(),
        Some("VendorX Group")
    );
    // Then nothing changed: skipped.
    assert!(enricher.pass().await.unwrap().skipped);
    pool.close().await;

    let _ = std::fs::remove_dir_all(&lake);
    drop_database(&stack, &db_name).await;
}

async fn drop_database(stack: &Stack, name: &str) {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&stack.database_url)
        .await
        .unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
}

/// Polls the Delta table at `path` every 5 s (each look is a few Spark jobs beside the job under
/// test) until `filter` finds `n` rows, for up to 10 minutes (the whole suite shares the cluster).
async fn wait_for_rows(session: &SparkSession, path: &str, filter: &str, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    loop {
        let found = if std::path::Path::new(path).join("_delta_log").exists() {
            read(session, path, filter).await.len()
        } else {
            0
        };
        if found == n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path}: {found} rows where {filter}, not {n}, after 10 minutes"
        );
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    }
}

#[tokio::test]
async fn running_continuously_new_mail_is_served_before_the_gold_tables_roll_it_up() {
    logs();
    let stack = Stack::from_env();
    let lake = stack.lake_path("enrich-continuous");
    let at = |h| Utc.with_ymd_and_hms(2025, 10, 6, h, 0, 0).unwrap();
    let session = session(&stack).await;
    let mut config = config(&stack, &lake, None);
    config.available_now = false;
    config.as_of = Some(NaiveDate::from_ymd_opt(2025, 10, 6).unwrap());
    config.user_domains = vec!["mycorp.example".into()];
    // Long enough that the second email's per-email pass cannot also refresh gold before its
    // report is taken; short enough for the test.
    config.gold_quiet = std::time::Duration::from_secs(5);
    config.gold_max_delay = std::time::Duration::from_secs(600);
    let paths = Paths::new(&config.lake);
    let first = record(
        "c1@client.example",
        "anna@client.example",
        "Contract",
        "Please review the contract by Friday.",
        at(9),
    );
    seed::write_bronze(&session, &[first], &paths.bronze, TZ, at(9))
        .await
        .unwrap();

    let shutdown = Shutdown::new();
    let job = tokio::spawn({
        let (config, shutdown) = (config.clone(), shutdown.clone());
        async move { mindy_pipeline::jobs::enrich::run(&config, shutdown).await }
    });
    // The first email reaches the per-email table, then (bronze quiet) the gold tables.
    wait_for_rows(&session, &paths.insights, "id = 'c1@client.example'", 1).await;
    wait_for_rows(
        &session,
        &paths.contacts,
        "address = 'anna@client.example'",
        1,
    )
    .await;

    // A second email from a new sender, while the job runs.
    let second = record(
        "c2@other.example",
        "ben@other.example",
        "Quote",
        "Could you send the quote today?",
        at(10),
    );
    seed::write_bronze(&session, &[second], &paths.bronze, TZ, at(10))
        .await
        .unwrap();
    wait_for_rows(&session, &paths.insights, "id = 'c2@other.example'", 1).await;
    // And the gold tables follow once bronze is quiet.
    wait_for_rows(
        &session,
        &paths.contacts,
        "address = 'ben@other.example'",
        1,
    )
    .await;

    shutdown.trigger();
    let report = job.await.unwrap().unwrap();
    let passes: Vec<String> = report.passes.iter().map(|p| p.to_string()).collect();
    // Every pass that found new mail wrote the per-email tables and left gold for later.
    let enriched: Vec<_> = report.passes.iter().filter(|p| p.staged > 0).collect();
    assert_eq!(enriched.len(), 2, "{passes:#?}");
    for pass in enriched {
        assert!(pass.gold_deferred, "{passes:#?}");
        assert_eq!(pass.insights.inserted, 1, "{passes:#?}");
    }
    let _ = std::fs::remove_dir_all(&lake);
}
