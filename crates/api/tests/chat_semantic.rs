//! The embedded generator end to end: the three example questions, paraphrases and variants
//! with their numbers checked against the seed, follow-ups, refusals and the answer cache.

use chrono::NaiveDate;
use serde_json::Value;

use crate::util::{as_f64, cell, date, seed_days, Day, TestApp};

fn days_between(start: &str, end: &str) -> Vec<Day> {
    let (start, end) = (date(start), date(end));
    seed_days()
        .into_iter()
        .filter(|d| d.date >= start && d.date <= end)
        .collect()
}

fn total(start: &str, end: &str) -> i64 {
    days_between(start, end).iter().map(Day::total).sum()
}

/// The top sender domain over the range (ties: alphabetical), with its count.
fn top_sender(start: &str, end: &str) -> (String, i64) {
    let mut sums: std::collections::BTreeMap<&str, i64> = Default::default();
    for day in days_between(start, end) {
        for (domain, count) in &day.domains {
            *sums.entry(domain).or_default() += count;
        }
    }
    let (domain, count) = sums
        .iter()
        .max_by_key(|(d, c)| (**c, std::cmp::Reverse(**d)))
        .unwrap();
    (domain.to_string(), *count)
}

/// The busiest (or quietest) hour over the range (ties: earliest hour), with its count.
fn ranked_hour(start: &str, end: &str, most: bool) -> (i64, i64) {
    let mut sums = [0i64; 24];
    for day in days_between(start, end) {
        for (h, c) in day.hours.iter().enumerate() {
            sums[h] += c;
        }
    }
    let key = |h: &usize| {
        if most {
            (sums[*h], -(*h as i64))
        } else {
            (-sums[*h], -(*h as i64))
        }
    };
    let h = (0..24).max_by_key(key).unwrap();
    (h as i64, sums[h])
}

fn assert_number_in_answer(reply: &Value, n: impl ToString) {
    let answer = reply["answer"].as_str().unwrap();
    assert!(
        answer.contains(&n.to_string()),
        "answer {answer:?} lacks {}",
        n.to_string()
    );
}

async fn expect_total(app: &TestApp, question: &str, start: &str, end: &str) {
    let reply = app.ask(question, None).await;
    assert_eq!(reply["refused"], false, "{question}: {reply}");
    let sql = reply["sql"].as_str().unwrap();
    assert!(
        sql.contains("FROM daily_insights") && sql.contains(start),
        "{question}: {sql}"
    );
    let expected = total(start, end);
    assert_eq!(
        as_f64(cell(&reply, 0, "total_emails")) as i64,
        expected,
        "{question}: {reply}"
    );
    assert_number_in_answer(&reply, expected);
}

async fn expect_top_sender(app: &TestApp, question: &str, start: &str, end: &str) {
    let reply = app.ask(question, None).await;
    assert_eq!(reply["refused"], false, "{question}: {reply}");
    assert!(
        reply["sql"]
            .as_str()
            .unwrap()
            .contains("FROM daily_sender_domains"),
        "{question}"
    );
    let (domain, count) = top_sender(start, end);
    assert_eq!(
        cell(&reply, 0, "sender_domain"),
        &Value::String(domain.clone()),
        "{question}: {reply}"
    );
    assert_eq!(
        as_f64(cell(&reply, 0, "emails")) as i64,
        count,
        "{question}"
    );
    assert_number_in_answer(&reply, &domain);
}

async fn expect_hour(app: &TestApp, question: &str, start: &str, end: &str, most: bool) {
    let reply = app.ask(question, None).await;
    assert_eq!(reply["refused"], false, "{question}: {reply}");
    assert!(
        reply["sql"]
            .as_str()
            .unwrap()
            .contains("FROM daily_hourly_counts"),
        "{question}"
    );
    let (hour, count) = ranked_hour(start, end, most);
    assert_eq!(
        as_f64(cell(&reply, 0, "hour")) as i64,
        hour,
        "{question}: {reply}"
    );
    assert_eq!(
        as_f64(cell(&reply, 0, "emails")) as i64,
        count,
        "{question}"
    );
    assert_number_in_answer(&reply, format!("{hour:02}:00"));
}

// Today is Thursday 26 November 2026: yesterday is the 25th, this week 23-26, last week 16-22.

#[tokio::test]
async fn example_emails_yesterday_and_paraphrases() {
    let app = TestApp::new().await;
    for q in [
        "How many emails did I receive yesterday?",
        "how many emails did i get yesterday",
        "Number of emails yesterday?",
        "Yesterday's email count",
        "How much mail came in yesterday?",
        "Total messages received yesterday",
        "How many e-mails arrived yesterday??",
        "yesterday: how many emails?",
    ] {
        expect_total(&app, q, "2026-11-25", "2026-11-25").await;
    }
}

#[tokio::test]
async fn example_top_sender_this_week_and_paraphrases() {
    let app = TestApp::new().await;
    for q in [
        "Which sender sent me the most emails this week?",
        "Who emailed me the most this week?",
        "Top sender this week",
        "which domain sends me the most mail this week",
        "Who was my most frequent sender this week?",
        "Who did I get the most emails from this week?",
    ] {
        expect_top_sender(&app, q, "2026-11-23", "2026-11-26").await;
    }
    expect_top_sender(
        &app,
        "Which sender sent me the most emails last week?",
        "2026-11-16",
        "2026-11-22",
    )
    .await;
}

#[tokio::test]
async fn example_busiest_hour_yesterday_and_paraphrases() {
    let app = TestApp::new().await;
    for q in [
        "What was the busiest hour yesterday?",
        "At what time did I get the most emails yesterday?",
        "peak hour yesterday",
        "Which hour had the most emails yesterday?",
        "When did I receive the most emails yesterday?",
    ] {
        expect_hour(&app, q, "2026-11-25", "2026-11-25", true).await;
    }
    expect_hour(
        &app,
        "What was the quietest hour last week?",
        "2026-11-16",
        "2026-11-22",
        false,
    )
    .await;
    expect_hour(
        &app,
        "busiest hour on Monday",
        "2026-11-23",
        "2026-11-23",
        true,
    )
    .await;
}

#[tokio::test]
async fn relative_and_named_dates() {
    let app = TestApp::new().await;
    expect_total(
        &app,
        "How many emails did I receive on Monday?",
        "2026-11-23",
        "2026-11-23",
    )
    .await;
    expect_total(
        &app,
        "How many emails last week?",
        "2026-11-16",
        "2026-11-22",
    )
    .await;
    expect_total(
        &app,
        "How many emails did I get on November 20?",
        "2026-11-20",
        "2026-11-20",
    )
    .await;
    expect_total(
        &app,
        "How many emails did I receive on 2026-11-18?",
        "2026-11-18",
        "2026-11-18",
    )
    .await;
    expect_total(
        &app,
        "How many emails the day before yesterday?",
        "2026-11-24",
        "2026-11-24",
    )
    .await;
    expect_total(
        &app,
        "how many emails on the 12th of november",
        "2026-11-12",
        "2026-11-12",
    )
    .await;
    expect_total(
        &app,
        "emails received 3 days ago",
        "2026-11-23",
        "2026-11-23",
    )
    .await;
    expect_total(
        &app,
        "how many mails last thursday",
        "2026-11-19",
        "2026-11-19",
    )
    .await;
    // The 26th has no data yet: the count covers the days there are, and the answer says so.
    let reply = app.ask("How many emails in the last 3 days?", None).await;
    assert_eq!(
        as_f64(cell(&reply, 0, "total_emails")) as i64,
        total("2026-11-24", "2026-11-25")
    );
    assert!(
        reply["answer"]
            .as_str()
            .unwrap()
            .contains("2 of its 3 days"),
        "{reply}"
    );
    let reply = app.ask("How many emails did I receive today?", None).await;
    assert!(
        reply["answer"].as_str().unwrap().contains("no data"),
        "{reply}"
    );
    assert_eq!(cell(&reply, 0, "days_with_data"), 0);
}

#[tokio::test]
async fn other_measures_and_shapes() {
    let app = TestApp::new().await;
    let last_week = days_between("2026-11-16", "2026-11-22");

    let reply = app
        .ask("How many important emails did I get last week?", None)
        .await;
    let important: i64 = last_week.iter().map(Day::important).sum();
    assert_eq!(
        as_f64(cell(&reply, 0, "important_emails")) as i64,
        important
    );
    assert_number_in_answer(&reply, important);

    let reply = app
        .ask("How many unique senders wrote to me yesterday?", None)
        .await;
    let yesterday = &days_between("2026-11-25", "2026-11-25")[0];
    assert_eq!(
        as_f64(cell(&reply, 0, "unique_senders")) as i64,
        yesterday.unique_senders()
    );

    let reply = app
        .ask(
            "On average how many emails per day did I get last week?",
            None,
        )
        .await;
    let avg = total("2026-11-16", "2026-11-22") as f64 / 7.0;
    assert!(
        (as_f64(cell(&reply, 0, "avg_total_emails_per_day")) - avg).abs() < 0.06,
        "{reply}"
    );

    let reply = app
        .ask("Show my emails per day over the last 7 days", None)
        .await;
    assert_eq!(
        reply["rows"].as_array().unwrap().len(),
        6,
        "the 20th to the 25th: {reply}"
    );
    assert_eq!(reply["chart"]["kind"], "line");
    assert_eq!(cell(&reply, 0, "date"), "2026-11-20");

    let reply = app
        .ask("Which day last week had the most emails?", None)
        .await;
    let best = last_week
        .iter()
        .max_by_key(|d| (d.total(), std::cmp::Reverse(d.date)))
        .unwrap();
    assert_eq!(
        cell(&reply, 0, "date"),
        &Value::String(best.date.to_string()),
        "{reply}"
    );

    let reply = app.ask("Top 3 senders last week", None).await;
    assert_eq!(reply["rows"].as_array().unwrap().len(), 3);
    assert_eq!(reply["chart"]["kind"], "bar");
    assert_eq!(
        cell(&reply, 0, "sender_domain"),
        &Value::String(top_sender("2026-11-16", "2026-11-22").0)
    );

    // "How many emails from acme.com" counts the per-email rows: chat_intel.rs.

    let reply = app.ask("emails per hour yesterday", None).await;
    assert_eq!(reply["rows"].as_array().unwrap().len(), 24);
    assert_eq!(as_f64(cell(&reply, 9, "emails")) as i64, yesterday.hours[9]);

    let reply = app
        .ask("how long were my emails on average yesterday", None)
        .await;
    assert!(
        (as_f64(cell(&reply, 0, "avg_email_length")) - yesterday.avg_length()).abs() < 0.06,
        "{reply}"
    );

    let reply = app
        .ask("What was the data quality score on November 23?", None)
        .await;
    let day = &days_between("2026-11-23", "2026-11-23")[0];
    assert_eq!(
        as_f64(cell(&reply, 0, "score_pct")),
        day.quality.unwrap().0,
        "{reply}"
    );
    let reply = app
        .ask("What was the data quality score on November 24?", None)
        .await;
    assert!(days_between("2026-11-24", "2026-11-24")[0]
        .quality
        .is_none());
    assert!(
        reply["answer"]
            .as_str()
            .unwrap()
            .starts_with("No data-quality check"),
        "{reply}"
    );

    let reply = app.ask("How many emails this month?", None).await;
    assert_eq!(
        as_f64(cell(&reply, 0, "total_emails")) as i64,
        total("2026-11-01", "2026-11-26")
    );
}

#[tokio::test]
async fn comparisons() {
    let app = TestApp::new().await;
    let reply = app.ask("Compare this week with last week", None).await;
    assert_eq!(
        as_f64(cell(&reply, 0, "value")) as i64,
        total("2026-11-23", "2026-11-26")
    );
    assert_eq!(
        as_f64(cell(&reply, 1, "value")) as i64,
        total("2026-11-16", "2026-11-22")
    );
    assert_eq!(reply["chart"]["kind"], "bar");

    let reply = app
        .ask("Did I get more emails yesterday than the day before?", None)
        .await;
    let (a, b) = (
        total("2026-11-25", "2026-11-25"),
        total("2026-11-24", "2026-11-24"),
    );
    assert_eq!(as_f64(cell(&reply, 0, "value")) as i64, a, "{reply}");
    assert_eq!(as_f64(cell(&reply, 1, "value")) as i64, b);
    assert_number_in_answer(
        &reply,
        format!("{}{}", if a >= b { "+" } else { "" }, a - b),
    );
}

#[tokio::test]
async fn follow_ups_use_the_conversation() {
    let app = TestApp::new().await;
    let first = app
        .ask("How many emails did I receive yesterday?", None)
        .await;
    let id = first["conversation_id"].as_str().unwrap().to_string();

    let reply = app.ask("and the day before?", Some(&id)).await;
    assert_eq!(reply["conversation_id"], id.as_str());
    assert!(
        reply["sql"].as_str().unwrap().contains("2026-11-24"),
        "{reply}"
    );
    assert_eq!(
        as_f64(cell(&reply, 0, "total_emails")) as i64,
        total("2026-11-24", "2026-11-24")
    );

    let reply = app.ask("And the busiest hour?", Some(&id)).await;
    assert_eq!(
        as_f64(cell(&reply, 0, "hour")) as i64,
        ranked_hour("2026-11-24", "2026-11-24", true).0,
        "{reply}"
    );

    let reply = app.ask("what about last week?", Some(&id)).await;
    assert_eq!(
        as_f64(cell(&reply, 0, "hour")) as i64,
        ranked_hour("2026-11-16", "2026-11-22", true).0,
        "{reply}"
    );

    // A new conversation does not see this one's context.
    let (status, other) = app
        .post(
            "/api/chat",
            &serde_json::json!({ "message": "and the day before?" }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(other["refused"], true, "{other}");

    let first = app
        .ask("Which sender sent me the most emails this week?", None)
        .await;
    let id = first["conversation_id"].as_str().unwrap();
    let reply = app.ask("and last week?", Some(id)).await;
    assert_eq!(
        cell(&reply, 0, "sender_domain"),
        &Value::String(top_sender("2026-11-16", "2026-11-22").0)
    );
    let reply = app.ask("and important ones?", Some(id)).await;
    assert!(
        reply["refused"] == false && reply["sql"].as_str().unwrap().contains("important_emails"),
        "{reply}"
    );
}

#[tokio::test]
async fn questions_outside_the_data_are_refused_with_suggestions() {
    let app = TestApp::new().await;
    for q in [
        "Book me a flight to Paris",
        "Forward the Acme thread to Lisa",
        "What is the sentiment of my emails?",
        "hello",
        "Who is Tom's manager?",
        "How many emails did I send yesterday?",
        "What's the weather like?",
        "Archive the newsletters",
        "How many unread emails do I have?",
    ] {
        let reply = app.ask(q, None).await;
        assert_eq!(reply["refused"], true, "{q}: {reply}");
        assert_eq!(reply["sql"], Value::Null, "{q}");
        assert!(
            reply["answer"]
                .as_str()
                .unwrap()
                .starts_with("I can't answer that"),
            "{q}: {reply}"
        );
        assert!(reply["answer"]
            .as_str()
            .unwrap()
            .contains("How many emails did I receive yesterday?"));
        assert!(!reply["suggestions"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn answers_are_cached_until_the_data_changes() {
    let app = TestApp::new().await;
    let q = "How many emails did I receive yesterday?";
    let first = app.ask(q, None).await;
    assert_eq!(first["cached"], false);
    let second = app
        .ask("how many emails did I receive yesterday", None)
        .await;
    assert_eq!(
        second["cached"], true,
        "normalised question hits the cache: {second}"
    );
    assert_eq!(second["answer"], first["answer"]);
    assert_ne!(second["conversation_id"], first["conversation_id"]);

    // The batch writes a new day: the data version changes, the cache is bypassed.
    let mut day = seed_days()[0].clone();
    day.date = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    app.db.seed(&[day]).await;
    let third = app.ask(q, None).await;
    assert_eq!(third["cached"], false);
    assert_eq!(
        third["answer"], first["answer"],
        "same numbers: yesterday did not change"
    );

    // An update that changes no row count (the old version key missed these) invalidates too.
    assert_eq!(app.ask(q, None).await["cached"], true);
    sqlx::query(
        "UPDATE daily_insights SET total_emails = total_emails + 1 WHERE date = '2026-11-25'",
    )
    .execute(&app.db.owner)
    .await
    .unwrap();
    let fourth = app.ask(q, None).await;
    assert_eq!(fourth["cached"], false, "{fourth}");
    assert_ne!(
        fourth["answer"], first["answer"],
        "the new number, not the cached one"
    );

    // Without the version the cache is bypassed, and the question still answered.
    sqlx::query("ALTER TABLE serving_version RENAME TO serving_version_gone")
        .execute(&app.db.owner)
        .await
        .unwrap();
    for _ in 0..2 {
        let reply = app.ask(q, None).await;
        assert_eq!(reply["cached"], false, "{reply}");
        assert_eq!(reply["answer"], fourth["answer"]);
    }
}
