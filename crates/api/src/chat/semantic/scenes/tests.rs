//! Recognition of the scenes and their paraphrases (at least 10 wordings each), refusals, and
//! that every scene's SQL passes the validator.

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::chat::catalog::Catalog;
use crate::chat::safety::Validator;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn now() -> DateTime<Utc> {
    "2026-11-26T09:00:00Z".parse().unwrap()
}

fn plan(q: &str) -> Plan {
    match understand(q, None, today(), now()) {
        Some(Understood::Plan(p)) => p,
        other => panic!("{q}: {other:?}"),
    }
}

fn refused(q: &str) -> String {
    match understand(q, None, today(), now()) {
        Some(Understood::Refusal(r)) => r,
        other => panic!("{q}: {other:?}"),
    }
}

#[test]
fn briefing_paraphrases() {
    for q in [
        "Good morning! What do I need to know today?",
        "good morning, what do I need to know?",
        "Give me my morning briefing",
        "Brief me",
        "What should I know today?",
        "Catch me up",
        "What did I miss?",
        "Get me up to speed",
        "What's new today?",
        "Daily briefing please",
        "What's on my plate today?",
        "Give me a quick rundown of today",
    ] {
        let p = plan(q);
        assert_eq!(p.intent, Intent::Briefing { now: now() }, "{q}");
        assert_eq!(p.range, DateRange::day(today(), "today"), "{q}");
    }
}

#[test]
fn the_briefing_is_about_today() {
    assert!(refused("Give me the briefing for yesterday").contains("about today"));
}

#[test]
fn busiest_day_paraphrases() {
    let week = this_week(today());
    assert_eq!(week.start.to_string(), "2026-11-23");
    assert_eq!(week.end.to_string(), "2026-11-29");
    for q in [
        "What's my busiest day this week?",
        "What is my busiest day this week",
        "Which day this week is the busiest?",
        "Busiest day this week?",
        "which day is my busiest this week",
        "What's my heaviest day this week?",
        "Which day this week has the most meetings?",
        "What's the most packed day on my calendar this week?",
        "busiest day of the week",
        "When is my busiest day this week?",
    ] {
        let p = plan(q);
        assert_eq!(
            p.intent,
            Intent::CalendarDay {
                order: Some(Order::Most)
            },
            "{q}"
        );
        assert_eq!((p.range.start, p.range.end), (week.start, week.end), "{q}");
    }
    let p = plan("What's my lightest day next week?");
    assert_eq!(
        p.intent,
        Intent::CalendarDay {
            order: Some(Order::Least)
        }
    );
    assert_eq!(p.range.start.to_string(), "2026-11-30");
}

#[test]
fn one_day_of_the_calendar() {
    for (q, day) in [
        ("What does my day look like tomorrow?", "2026-11-27"),
        ("What's on my calendar today?", "2026-11-26"),
        ("Show my schedule for tomorrow", "2026-11-27"),
        ("What meetings do I have tomorrow?", "2026-11-27"),
        ("How does Friday look?", "2026-11-27"),
        ("What's on my calendar on Monday?", "2026-11-23"),
        ("What meetings do I have last Friday?", "2026-11-20"),
    ] {
        let p = plan(q);
        assert_eq!(p.intent, Intent::CalendarDay { order: None }, "{q}");
        assert_eq!(p.range.start.to_string(), day, "{q}");
    }
    assert!(refused("What meetings do I have this week?").contains("one day at a time"));
}

#[test]
fn mail_questions_about_days_stay_with_the_statistics() {
    for q in [
        "Which day last week did I get the most emails?",
        "busiest day for email last week",
        "How many emails did I receive yesterday?",
        "Show the urgent emails from Acme Corp",
    ] {
        assert!(understand(q, None, today(), now()).is_none(), "{q}");
    }
}

#[test]
fn patterns_paraphrases() {
    for q in [
        "Any patterns I should know about?",
        "What patterns do you see?",
        "Are there any patterns in my email and calendar?",
        "Show me my patterns",
        "What are my habits?",
        "Any trends I should know about?",
        "What insights do you have for me?",
        "Any patterns in the last 30 days?",
        "Patterns in my meetings?",
        "Any interesting patterns lately?",
    ] {
        assert_eq!(plan(q).intent, Intent::Patterns, "{q}");
    }
    assert!(refused("Any patterns last week?").contains("last 30 days"));
}

#[test]
fn clients_met_and_mailed_paraphrases() {
    for q in [
        "Who are the clients I'm meeting this week that also emailed me in the last 3 days?",
        "Which clients am I meeting this week that emailed me in the last 3 days?",
        "Clients I meet this week who also emailed me in the last 3 days",
        "Which customers emailed me in the last 3 days and have a meeting with me this week?",
        "who emailed me in the last 3 days that I'm meeting this week",
        "Which clients that I'm seeing this week have emailed me in the past 3 days?",
        "Clients with meetings this week that also sent me emails in the last 3 days",
        "Which companies I'm meeting this week have emailed me in the last 3 days?",
        "which clients did email me in the last 3 days and are on my calendar this week",
        "List the clients I meet this week that also wrote to me in the last 3 days",
    ] {
        let p = plan(q);
        let Intent::ClientsMetAndMailed { mailed } = &p.intent else {
            panic!("{q}: {p:?}")
        };
        assert_eq!(
            (p.range.start.to_string(), p.range.end.to_string()),
            ("2026-11-23".into(), "2026-11-29".into()),
            "{q}"
        );
        assert_eq!(
            (mailed.start.to_string(), mailed.end.to_string()),
            ("2026-11-24".into(), "2026-11-26".into()),
            "{q}"
        );
    }
}

#[test]
fn words_left_over_refuse_the_scene() {
    assert!(refused("What's my busiest day this week in Paris?").contains("paris"));
    assert!(refused("Any patterns about pizza?").contains("pizza"));
}

#[test]
fn follow_ups_change_the_period() {
    let first = plan("What's my busiest day this week?");
    match understand("And next week?", Some(&first), today(), now()) {
        Some(Understood::Plan(p)) => {
            assert_eq!(
                p.intent,
                Intent::CalendarDay {
                    order: Some(Order::Most)
                }
            );
            assert_eq!(p.range.start.to_string(), "2026-11-30");
        }
        other => panic!("{other:?}"),
    }
    match understand("and tomorrow?", Some(&first), today(), now()) {
        Some(Understood::Plan(p)) => {
            assert_eq!(p.intent, Intent::CalendarDay { order: None });
            assert_eq!(p.range.start.to_string(), "2026-11-27");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_scene_query_passes_the_validator() {
    let validator = Validator::new(&Catalog::serving(), 1000);
    for q in [
        "Good morning! What do I need to know today?",
        "What's my busiest day this week?",
        "What does my day look like tomorrow?",
        "Any patterns I should know about?",
        "Who are the clients I'm meeting this week that also emailed me in the last 3 days?",
    ] {
        let scene = build(&plan(q), "Europe/London").unwrap();
        validator
            .check(&scene.sql)
            .unwrap_or_else(|e| panic!("{q}: {e}\n{}", scene.sql));
        for s in &scene.sections {
            validator
                .check(&s.sql)
                .unwrap_or_else(|e| panic!("{q} / {}: {e}\n{}", s.id, s.sql));
        }
    }
}

#[test]
fn whats_on_a_day_is_its_calendar() {
    for (q, day) in [
        ("What's on today?", today()),
        ("what is on tomorrow", today() + chrono::Duration::days(1)),
        ("What's on my calendar today?", today()),
    ] {
        let p = plan(q);
        assert_eq!(p.intent, Intent::CalendarDay { order: None }, "{q}");
        assert_eq!(p.range.start, day, "{q}");
    }
}
