//! The product brief's five demo scenes on the demo persona's data, end to end (issue 18): the
//! persona's mailbox and calendar for a pinned Monday → bronze (the stream's own plans, without
//! Kafka) → one `mindy enrich` pass and one calendar round on the Spark cluster → `mindy export`
//! into a private PostgreSQL database → the API's chat, asked each scene in the brief's words.
//! Every fact checked in an answer is computed here, from the persona's generator (the mail and
//! the calendar it wrote) or by SQL of this file over the exported rows; none is copied from an
//! answer.
//!
//! Why here, among the API's tests, with `mindy-pipeline` as a dev-dependency: the test is a
//! conversation with the API, and this binary already has what that needs (a private migrated
//! database dropped even when the test fails, the app wired to it with a fixed clock). The
//! pipeline's jobs are used as the library they are; a workspace build compiles them anyway, and
//! the `mindy-api` binary still does not link them. Starting the built `mindy` and `mindy-api`
//! binaries instead would need a fixed-clock option in the product and one package's test
//! depending on another's binary being built.
//!
//! One pipeline run serves all five scenes (one test): the Spark work (about 4,000 emails and
//! 150 events) takes most of its time.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use mindy_api::state::Clock;
use mindy_core::config::{DatabaseArgs, LakeArgs, SparkArgs};
use mindy_core::email::EmailRecord;
use mindy_core::lake;
use mindy_pipeline::jobs::enrich::{seed, EnrichConfig, Enricher, Paths};
use mindy_pipeline::jobs::export::{self, ExportConfig};
use mindy_pipeline::jobs::stream::calendar::{self, silver::parse_working_hours};
use mindy_pipeline::persona::calendar::Event;
use mindy_pipeline::persona::{self, cast, PersonaOptions};
use mindy_pipeline::shutdown::Shutdown;
use mindy_test::Stack;
use sqlx::PgPool;

use crate::util::{answer, cell, column, section, Options, TestApp, TestDb};

/// The persona's zone (the API's too).
const TZ: Tz = chrono_tz::America::New_York;

/// The persona's "today": a Monday, as in the brief (its busy Wednesday is this week's).
fn until() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 6).unwrap()
}

/// "Now": 09:00 on `until` in [`TZ`], what the API's fixed clock says.
fn now() -> DateTime<Utc> {
    local(until(), 9, 0)
}

fn local(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    TZ.from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn persona_options() -> PersonaOptions {
    PersonaOptions {
        until: until(),
        days: 30,
        tz: TZ,
        seed: 42,
        not_after: Some(now()),
    }
}

/// A lake directory of the test's own, removed when dropped (also when the test fails).
struct Lake(PathBuf);

impl Drop for Lake {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What the persona generated, and the app over its exported data.
struct Demo {
    app: TestApp,
    /// The mail, as validated records.
    mail: Vec<EmailRecord>,
    /// The calendar's events.
    events: Vec<Event>,
    _lake: Lake,
}

/// The jobs' progress lines in the test output (shown for a failing test).
fn logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("info,sqlx=warn")
        .with_test_writer()
        .try_init();
}

/// The persona through the pipeline into a fresh database, and the app on it.
async fn demo() -> Demo {
    crate::util::init();
    logs();
    let stack = Stack::from_env();
    let db = TestDb::empty().await;
    let lake = Lake(stack.lake_path("chat-demo"));
    let lake_args = LakeArgs {
        root: lake.0.to_string_lossy().into_owned(),
    };
    let opts = persona_options();
    let mail = seed::demo_records(&persona::mailbox(&opts), now()).unwrap();
    let events = persona::calendar::events(&opts);
    let started = std::time::Instant::now();
    let (enriched, rounded) = tokio::join!(
        enrich(&stack, &lake_args, &db, &mail),
        calendar_round(&stack, &lake_args, &opts)
    );
    println!("{}", enriched);
    println!("calendar: {rounded:?}");
    let config = ExportConfig {
        spark: SparkArgs {
            remote: stack.spark_remote.clone(),
        },
        lake: lake_args.clone(),
        database: DatabaseArgs {
            url: db.owner_url(),
            max_connections: 2,
        },
        tables: vec![],
        continuous: false,
        interval: std::time::Duration::from_secs(1),
        metrics_addr: None,
        lake_interval: std::time::Duration::from_secs(30),
    };
    let exported = export::run(&config, Shutdown::new()).await.unwrap();
    assert_eq!(exported.failures, 0, "{exported}");
    println!(
        "{exported}\npipeline: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut options = Options {
        timezone: TZ,
        clock: Clock::Fixed(until()),
        ..Options::semantic()
    };
    options.dashboard.lake = lake_args;
    let app = TestApp::on(db, options).await;
    Demo {
        app,
        mail,
        events,
        _lake: lake,
    }
}

/// The mail into bronze as the stream writes it, then one enrich pass as of `until`.
async fn enrich(stack: &Stack, lake: &LakeArgs, db: &TestDb, mail: &[EmailRecord]) -> String {
    let config = EnrichConfig {
        spark: SparkArgs {
            remote: stack.spark_remote.clone(),
        },
        lake: lake.clone(),
        database_url: Some(db.owner_url()),
        available_now: true,
        poll_interval: std::time::Duration::from_secs(1),
        gold_quiet: std::time::Duration::ZERO,
        gold_max_delay: std::time::Duration::ZERO,
        timezone: TZ.name().into(),
        user_addresses: Vec::new(),
        user_domains: Vec::new(),
        urgent_threshold: 60,
        as_of: Some(until()),
        recompute: false,
    };
    let session = spark_client::SparkSession::builder()
        .remote(&stack.spark_remote)
        .build()
        .await
        .unwrap();
    let paths = Paths::new(&config.lake);
    seed::write_bronze(&session, mail, &paths.bronze, TZ.name(), now())
        .await
        .unwrap();
    let pass = Enricher::connect(&config)
        .await
        .unwrap()
        .pass()
        .await
        .unwrap();
    assert_eq!(pass.insights.inserted, mail.len() as i64, "{pass}");
    pass.to_string()
}

/// The calendar as `mindy ingest ics` reads it into the changes table, then one round as of
/// `until` (working hours 09:00–17:00, the persona's direct reports).
async fn calendar_round(
    stack: &Stack,
    lake: &LakeArgs,
    opts: &PersonaOptions,
) -> Vec<(&'static str, i64)> {
    let session = calendar::session(&stack.spark_remote).await.unwrap();
    let records =
        calendar::seed::ics_records(&persona::calendar_ics(opts), "ics:demo", now()).unwrap();
    calendar::seed::write_changes(
        &session,
        &records,
        &lake.location(&lake::BRONZE_CALENDAR_CHANGES),
        now(),
    )
    .await
    .unwrap();
    let reports: Vec<String> = cast::DIRECT_REPORTS
        .iter()
        .map(|p| p.address.to_string())
        .collect();
    calendar::seed::round(
        &session,
        lake,
        TZ.name(),
        parse_working_hours("09:00-17:00").unwrap(),
        until(),
        &reports,
    )
    .await
    .unwrap()
}

fn clock(t: DateTime<Utc>) -> String {
    t.with_timezone(&TZ).format("%H:%M").to_string()
}

fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&TZ).date_naive()
}

/// Hours as the answers word them ("6.5 hours", "1 hour").
fn hours(minutes: i64) -> String {
    match minutes {
        60 => "1 hour".into(),
        m if m % 60 == 0 => format!("{} hours", m / 60),
        m => format!("{:.1} hours", m as f64 / 60.0),
    }
}

/// The address a record's sender has, lower case.
fn sender(record: &EmailRecord) -> String {
    record
        .from
        .as_ref()
        .map(|f| f.address.to_lowercase())
        .unwrap_or_default()
}

fn domain(address: &str) -> &str {
    address.rsplit('@').next().unwrap_or_default()
}

/// Received mail of the persona: everything not sent by Sarah.
fn received(mail: &[EmailRecord]) -> impl Iterator<Item = &EmailRecord> {
    mail.iter().filter(|r| sender(r) != cast::SARAH.address)
}

/// The persona's events on `day` (local), in order.
fn events_on(events: &[Event], day: NaiveDate) -> Vec<&Event> {
    events
        .iter()
        .filter(|e| local_date(e.start) == day)
        .collect()
}

fn minutes(events: &[&Event]) -> i64 {
    events.iter().map(|e| (e.end - e.start).num_minutes()).sum()
}

/// This week, Monday to Sunday.
fn week() -> (NaiveDate, NaiveDate) {
    let monday = until() - Duration::days(until().weekday().num_days_from_monday() as i64);
    (monday, monday + Duration::days(6))
}

/// [`now`] as a SQL literal.
fn sql_now() -> String {
    format!("TIMESTAMPTZ '{}'", now().to_rfc3339())
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test]
async fn the_five_scenes_on_the_demo_data() {
    let demo = demo().await;
    let started = std::time::Instant::now();
    morning_briefing(&demo).await;
    urgent_acme_emails(&demo).await;
    busiest_day_this_week(&demo).await;
    patterns(&demo).await;
    clients_met_and_mailed(&demo).await;
    lake_view(&demo).await;
    println!(
        "five scenes asked and checked in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Scene 1: the last 24 hours' mail, today's calendar, what needs Sarah.
async fn morning_briefing(demo: &Demo) {
    let app = &demo.app;
    let db = &app.db.owner;
    let reply = app
        .ask("Good morning! What do I need to know today?", None)
        .await;
    assert_eq!(reply["kind"], "briefing", "{reply}");
    let text = answer(&reply);
    assert!(
        text.starts_with("Good morning! Here's your briefing for Monday 6 October (as of 09:00):"),
        "{text}"
    );
    // Mail: the generator's count of the window, which the exported rows hold too.
    let since = now() - Duration::hours(24);
    let window = format!(
        "direction = 'inbound' AND sent_at > {n} - interval '24 hours' AND sent_at <= {n}",
        n = sql_now()
    );
    let generated = received(&demo.mail)
        .filter(|r| r.date.is_some_and(|d| d > since && d <= now()))
        .count() as i64;
    let served = scalar(
        db,
        &format!("SELECT count(*) FROM email_insights WHERE {window}"),
    )
    .await;
    assert_eq!(served, generated);
    assert!(
        text.contains(&format!("\n• {generated} new emails received")),
        "{text}"
    );
    let urgent = scalar(
        db,
        &format!("SELECT count(*) FROM email_insights WHERE {window} AND urgent"),
    )
    .await;
    let waiting = scalar(
        db,
        &format!("SELECT count(*) FROM email_insights WHERE {window} AND urgent AND needs_reply"),
    )
    .await;
    assert!(urgent >= 3, "the night's three Acme emails are urgent");
    assert!(
        text.contains(&format!(
            "\n• {urgent} urgent ({waiting} still waiting for your reply)"
        )),
        "{text}"
    );
    let mut sentiment = Vec::new();
    for s in ["positive", "neutral", "negative"] {
        let n = scalar(
            db,
            &format!("SELECT count(*) FROM email_insights WHERE {window} AND sentiment = '{s}'"),
        )
        .await;
        sentiment.push(format!("{n} {s}"));
    }
    assert!(
        text.contains(&format!("\n• Sentiment: {}", sentiment.join(", "))),
        "{text}"
    );
    // Top senders: people by name, client organisations as one, newsletters left out.
    let top: Vec<(String, Option<String>, i64)> = sqlx::query_as(&format!(
        "SELECT who, grp, n FROM (\n\
           SELECT CASE WHEN sender_role = 'client' THEN coalesce(organization, sender_domain) \
             ELSE coalesce(from_name, from_address) END AS who,\n\
           CASE WHEN sender_role = 'client' THEN 'Client' ELSE sender_group END AS grp, count(*) AS n\n\
           FROM email_insights WHERE {window} AND sender_role <> 'newsletter_automated' GROUP BY 1, 2) s\n\
         ORDER BY n DESC, who LIMIT 3"
    ))
    .fetch_all(db)
    .await
    .unwrap();
    let said: Vec<String> = top
        .iter()
        .map(|(who, group, n)| match group.as_deref() {
            Some("Client") => format!("Client: {who} ({n})"),
            group => format!("{who} ({}, {n})", group.unwrap_or_default()),
        })
        .collect();
    assert!(
        text.contains(&format!("\n• Top senders: {}", said.join(", "))),
        "{text}"
    );

    // Calendar: the generator's day.
    let today = events_on(&demo.events, until());
    assert!(
        text.contains(&format!(
            "\n• {} meetings today ({} in total)",
            today.len(),
            hours(minutes(&today))
        )),
        "{text}"
    );
    let next = today
        .iter()
        .find(|e| e.start > now())
        .expect("a meeting after 09:00");
    assert!(
        text.contains(&format!(
            "\n• Next: {}–{} {} ({})",
            clock(next.start),
            clock(next.end),
            next.summary,
            next.location
        )),
        "{text}"
    );
    let mut overlaps = Vec::new();
    for (i, a) in today.iter().enumerate() {
        for b in &today[i + 1..] {
            if a.start < b.end && b.start < a.end {
                overlaps.push((a, b));
            }
        }
    }
    assert_eq!(overlaps.len(), 1, "the 2 PM double booking");
    assert_eq!(text.matches("Conflict detected").count(), overlaps.len());
    for (a, b) in overlaps {
        let span = format!(
            "overlap {}–{}",
            clock(a.start.max(b.start)),
            clock(a.end.min(b.end))
        );
        let one = format!("\"{}\" and \"{}\" {span}", a.summary, b.summary);
        let other = format!("\"{}\" and \"{}\" {span}", b.summary, a.summary);
        assert!(
            text.contains(&one) || text.contains(&other),
            "{one}: {text}"
        );
    }

    // What needs Sarah: the escalating threads of the last 3 days and today's requests.
    let escalating: Vec<String> = sqlx::query_scalar(
        "SELECT subject FROM email_threads WHERE escalating AND last_at > $1 - interval '3 days' \
         ORDER BY max_urgency_score DESC, last_at DESC LIMIT 5",
    )
    .bind(now())
    .fetch_all(db)
    .await
    .unwrap();
    assert!(
        escalating
            .iter()
            .any(|s| s == "Production Issue - Need Immediate Support"),
        "{escalating:?}"
    );
    assert!(text.contains("\nACTION REQUIRED:"), "{text}");
    assert_eq!(text.matches("\" is escalating (").count(), escalating.len());
    for subject in &escalating {
        assert!(
            text.contains(&format!("\"{subject}\" is escalating")),
            "{subject}: {text}"
        );
    }
    let day = until();
    let due = scalar(
        db,
        &format!("SELECT count(*) FROM email_action_items WHERE open AND due_date = DATE '{day}'"),
    )
    .await;
    let overdue = scalar(
        db,
        &format!(
            "SELECT count(*) FROM email_action_items WHERE open AND due_date BETWEEN DATE '{day}' - 7 AND DATE '{day}' - 1"
        ),
    )
    .await;
    assert!(due > 0, "the persona's contract review is due today");
    assert!(
        text.contains(&format!(
            "\n• Open requests: {due} due today, {overdue} overdue"
        )),
        "{text}"
    );
}

/// Scene 2: exactly the night's three Acme emails, in time order, with their senders.
async fn urgent_acme_emails(demo: &Demo) {
    let app = &demo.app;
    let reply = app
        .ask("Show me the urgent emails from Acme Corp", None)
        .await;
    assert_eq!(reply["refused"], false, "{reply}");
    // The generator's: what Acme sent in the 12 hours before now, oldest first.
    let mut night: Vec<&EmailRecord> = received(&demo.mail)
        .filter(|r| domain(&sender(r)) == "acmecorp.example")
        .filter(|r| r.date.is_some_and(|d| d > now() - Duration::hours(12)))
        .collect();
    night.sort_by_key(|r| r.date);
    let generated: Vec<(String, String)> = night
        .iter()
        .map(|r| {
            let from = r.from.as_ref().and_then(|f| f.name.clone()).unwrap();
            (from, r.subject.clone())
        })
        .collect();
    assert_eq!(generated.len(), 3, "{generated:?}");
    // The exported rows': Acme's urgent mail of the last 7 days, oldest first.
    let served: Vec<(String, String)> = sqlx::query_as(
        "SELECT from_name, subject FROM email_insights WHERE organization = 'Acme Corp' AND urgent \
         AND direction = 'inbound' AND sent_at > $1 - interval '7 days' ORDER BY sent_at",
    )
    .bind(now())
    .fetch_all(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(served, generated);
    let listed: Vec<(String, String)> = column(&reply, "from_name")
        .into_iter()
        .zip(column(&reply, "subject"))
        .map(|(f, s)| (f.as_str().unwrap().into(), s.as_str().unwrap().into()))
        .collect();
    assert_eq!(listed, generated, "{reply}");
    let text = answer(&reply);
    assert!(
        text.starts_with("I found 3 urgent emails from Acme Corp"),
        "{text}"
    );
    for (n, (r, (from, subject))) in night.iter().zip(&generated).enumerate() {
        let when = r.date.unwrap().with_timezone(&TZ).format("%a %-d %b %H:%M");
        assert!(
            text.contains(&format!("\n{}. {when} - {from} (", n + 1)),
            "{when} {from}: {text}"
        );
        assert!(text.contains(&format!("\"{subject}\"")), "{text}");
    }
    // Tom's thread escalates: a recommendation follows from it.
    assert!(
        text.contains(&format!(
            "Recommendation: the thread \"{}\" is escalating",
            generated[0].1
        )),
        "{text}"
    );
}

/// Scene 3: the day of this week with the most meeting time, from the calendar itself.
async fn busiest_day_this_week(demo: &Demo) {
    let app = &demo.app;
    let reply = app.ask("What's my busiest day this week?", None).await;
    assert_eq!(reply["kind"], "day", "{reply}");
    let (monday, sunday) = week();
    let busiest = monday
        .iter_days()
        .take_while(|d| *d <= sunday)
        .map(|d| (d, events_on(&demo.events, d)))
        .max_by_key(|(d, e)| (minutes(e), e.len(), std::cmp::Reverse(*d)))
        .unwrap();
    let (day, events) = busiest;
    // The exported calendar days say the same.
    let (served, count, served_minutes): (NaiveDate, i64, i64) = sqlx::query_as(
        "SELECT date, meeting_count, meeting_minutes FROM calendar_days WHERE date BETWEEN $1 AND $2 \
         ORDER BY meeting_minutes DESC, meeting_count DESC, date LIMIT 1",
    )
    .bind(monday)
    .bind(sunday)
    .fetch_one(&app.db.owner)
    .await
    .unwrap();
    assert_eq!(
        (served, count as usize, served_minutes),
        (day, events.len(), minutes(&events))
    );
    assert_eq!(day.weekday(), Weekday::Wed, "the brief's busy Wednesday");
    let text = answer(&reply);
    assert!(
        text.starts_with(&format!(
            "{} is your busiest day this week",
            day.format("%a %-d %b")
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\n• {} meetings ({} of meetings)",
            events.len(),
            hours(minutes(&events))
        )),
        "{text}"
    );
    let listed: Vec<&str> = column(section(&reply, "meetings"), "summary")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let generated: Vec<&str> = events.iter().map(|e| e.summary.as_str()).collect();
    assert_eq!(listed, generated);
    // No lunch: no 30 free minutes between 12:00 and 14:00 among the generator's events.
    let lunch = |h| local(day, h, 0);
    let mut free = lunch(12);
    let mut longest = Duration::zero();
    for e in &events {
        if e.start > free {
            longest = longest.max(e.start.min(lunch(14)) - free);
        }
        free = free.max(e.end);
    }
    longest = longest.max(lunch(14) - free.min(lunch(14)));
    let no_lunch = longest < Duration::minutes(30);
    assert!(no_lunch, "the busy Wednesday has no lunch break");
    assert_eq!(text.contains("\n• No lunch break"), no_lunch, "{text}");
}

/// Scene 4: the 30-day patterns, recomputed from the exported emails and the calendar.
async fn patterns(demo: &Demo) {
    let app = &demo.app;
    let db = &app.db.owner;
    let reply = app.ask("Any patterns I should know about?", None).await;
    assert_eq!(reply["kind"], "patterns", "{reply}");
    let text = answer(&reply);
    let first = until() - Duration::days(29);
    let in_window = format!(
        "direction = 'inbound' AND (sent_at AT TIME ZONE '{}')::date BETWEEN DATE '{first}' AND DATE '{}'",
        TZ.name(),
        until()
    );
    // The heaviest weekday: emails per occurrence of the weekday in the 30 days.
    let by_weekday: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT to_char(sent_at AT TIME ZONE '{}', 'FMDay'), count(*) FROM email_insights \
         WHERE {in_window} GROUP BY 1",
        TZ.name()
    ))
    .fetch_all(db)
    .await
    .unwrap();
    let per_day: BTreeMap<String, f64> = by_weekday
        .into_iter()
        .filter(|(d, _)| !matches!(d.as_str(), "Saturday" | "Sunday"))
        .map(|(d, n)| {
            let occurrences = first
                .iter_days()
                .take(30)
                .filter(|x| x.format("%A").to_string() == d)
                .count();
            (d, n as f64 / occurrences as f64)
        })
        .collect();
    let (peak, most) = per_day
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(d, n)| (d.clone(), *n))
        .unwrap();
    let others: Vec<f64> = per_day
        .iter()
        .filter(|(d, _)| **d != peak)
        .map(|(_, n)| *n)
        .collect();
    let mean = others.iter().sum::<f64>() / others.len() as f64;
    assert!(
        text.contains(&format!(
            "\n• {peak}s are your heaviest mail day: {most:.0} emails on average vs {mean:.0} on other weekdays"
        )),
        "{text}"
    );
    // The two consecutive hours (local time) with the most mail.
    let by_hour: Vec<(i32, i64)> = sqlx::query_as(&format!(
        "SELECT extract(hour FROM sent_at AT TIME ZONE '{}')::int, count(*) FROM email_insights \
         WHERE {in_window} GROUP BY 1",
        TZ.name()
    ))
    .fetch_all(db)
    .await
    .unwrap();
    let total: i64 = by_hour.iter().map(|(_, n)| n).sum();
    let count_at = |h: i32| by_hour.iter().find(|(x, _)| *x == h).map_or(0, |(_, n)| *n);
    let start = (0..23)
        .max_by_key(|h| count_at(*h) + count_at(h + 1))
        .unwrap();
    let share = 100.0 * (count_at(start) + count_at(start + 1)) as f64 / total as f64;
    let said = format!("\n• Peak email time: {start:02}:00–{:02}:00 (", start + 2);
    let at = text.find(&said).unwrap_or_else(|| panic!("{said}: {text}"));
    let pct: f64 = text[at + said.len()..]
        .split('%')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (pct - share).abs() <= 1.0,
        "{pct}% said, {share:.1}% computed"
    );
    // The user's response time, from the replies the mail holds.
    let mean_response: f64 = sqlx::query_scalar(&format!(
        "SELECT avg(response_minutes) FROM email_insights WHERE {in_window} AND response_minutes IS NOT NULL"
    ))
    .fetch_one(db)
    .await
    .unwrap();
    let response = if mean_response >= 90.0 {
        format!("{:.1} hours", mean_response / 60.0)
    } else {
        format!("{mean_response:.0} minutes")
    };
    assert!(
        text.contains(&format!("\n• Your response time: {response} on average")),
        "{text}"
    );
    // Meetings: the share of weekday working hours (09:00–17:00) in the generator's events.
    let weekdays: Vec<NaiveDate> = first
        .iter_days()
        .take(30)
        .filter(|d| d.weekday().num_days_from_monday() < 5)
        .collect();
    let meeting_minutes: i64 = weekdays
        .iter()
        .map(|d| minutes(&events_on(&demo.events, *d)))
        .sum();
    let share = 100.0 * meeting_minutes as f64 / (weekdays.len() as f64 * 480.0);
    assert!(
        text.contains(&format!(
            "\n• You spend {share:.0}% of your working hours in meetings"
        )),
        "{text}"
    );
    // Direct reports without a 1-on-1 (an event with them alone) in the 30 days.
    let mut missing: Vec<&str> = cast::DIRECT_REPORTS
        .iter()
        .filter(|p| {
            !demo.events.iter().any(|e| {
                let d = local_date(e.start);
                d >= first && d <= until() && e.attendees.len() == 1 && e.attendees[0] == **p
            })
        })
        .map(|p| p.name)
        .collect();
    missing.sort();
    assert!(!missing.is_empty() && missing.len() < cast::DIRECT_REPORTS.len());
    assert!(
        text.contains(&format!(
            "\n• No 1-on-1s with {} of your {} direct reports this month: {}",
            missing.len(),
            cast::DIRECT_REPORTS.len(),
            missing.join(", ")
        )),
        "{text}"
    );
}

/// Scene 5: the organisations met this week that mailed as clients in the last 3 days — the
/// set intersection, done here.
async fn clients_met_and_mailed(demo: &Demo) {
    let app = &demo.app;
    let db = &app.db.owner;
    let reply = app
        .ask(
            "Who are the clients I'm meeting this week that also emailed me in the last 3 days?",
            None,
        )
        .await;
    assert_eq!(reply["kind"], "clients", "{reply}");
    let (monday, sunday) = week();
    let three_days = until() - Duration::days(2);
    // From the generator: external attendees' domains this week; clients' domains that mailed.
    let met: BTreeSet<&str> = demo
        .events
        .iter()
        .filter(|e| (monday..=sunday).contains(&local_date(e.start)))
        .flat_map(|e| e.attendees.iter().map(|p| domain(p.address)))
        .filter(|d| *d != cast::COMPANY_DOMAIN)
        .collect();
    let clients: BTreeSet<&str> = cast::CLIENTS.iter().map(|p| domain(p.address)).collect();
    let mailed: BTreeSet<String> = received(&demo.mail)
        .filter(|r| r.date.is_some_and(|d| local_date(d) >= three_days))
        .map(|r| domain(&sender(r)).to_string())
        .filter(|d| clients.contains(d.as_str()))
        .collect();
    let both: BTreeSet<String> = met
        .iter()
        .filter(|d| mailed.contains(**d))
        .map(|d| d.to_string())
        .collect();
    // From the exported rows: the same sets.
    let met_served: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT org_domain FROM calendar_attendees WHERE is_external AND NOT is_self \
         AND date BETWEEN $1 AND $2",
    )
    .bind(monday)
    .bind(sunday)
    .fetch_all(db)
    .await
    .unwrap();
    let mailed_served: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT sender_domain FROM email_insights WHERE direction = 'inbound' \
         AND sender_role = 'client' AND sent_date BETWEEN $1 AND $2",
    )
    .bind(three_days)
    .bind(until())
    .fetch_all(db)
    .await
    .unwrap();
    let both_served: BTreeSet<String> = met_served
        .iter()
        .filter(|d| mailed_served.contains(d))
        .cloned()
        .collect();
    assert_eq!(both_served, both);
    assert!(both.contains("acmecorp.example"), "{both:?}");
    let listed: BTreeSet<String> = column(&reply, "domain")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, both, "{reply}");
    let text = answer(&reply);
    assert!(
        text.starts_with(&format!("Found {} clients you meet this week", both.len())),
        "{text}"
    );
    // Each client's emails of the 3 days, counted here.
    for (i, d) in column(&reply, "domain").iter().enumerate() {
        let d = d.as_str().unwrap();
        let emails = received(&demo.mail)
            .filter(|r| r.date.is_some_and(|t| local_date(t) >= three_days))
            .filter(|r| domain(&sender(r)) == d)
            .count();
        assert_eq!(
            cell(&reply, i, "emails").as_i64(),
            Some(emails as i64),
            "{d}"
        );
        assert!(text.contains(&format!("Emails: {emails}")), "{d}: {text}");
    }
}

/// The dashboard's lake view after the demo's export: every table the jobs wrote, with the rows
/// Spark counts (the exporter's `lake_state` step, read back through the API).
async fn lake_view(demo: &Demo) {
    let (status, body) = demo.app.get("/api/pipeline/lake").await;
    assert_eq!(status, 200, "{body}");
    let tables: BTreeMap<String, &serde_json::Value> = body["layers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|layer| {
            let name = layer["name"].as_str().unwrap().to_string();
            layer["tables"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |t| (format!("{name}/{}", t["name"].as_str().unwrap()), t))
        })
        .collect();
    let bronze = tables[&lake::BRONZE_EMAILS.relative_path()];
    assert_eq!(bronze["records"], demo.mail.len(), "{bronze}");
    for table in [
        lake::SILVER_EMAIL_INSIGHTS,
        lake::GOLD_CONTACTS,
        lake::SILVER_CALENDAR_DAYS,
        lake::GOLD_CALENDAR_WEEKS,
    ] {
        let row = tables
            .get(&table.relative_path())
            .unwrap_or_else(|| panic!("{} not in the lake view: {body}", table.relative_path()));
        assert!(row["records"].as_u64().unwrap() > 0, "{row}");
        assert!(row.get("error").is_none(), "{row}");
    }
}
