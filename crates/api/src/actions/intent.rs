//! Recognising requests that would change something: "Draft a response to Tom apologising and
//! offering a call at 11 AM (and loop in Mike)", "Yes, optimize it" / "optimise my day
//! tomorrow", "undo that", then "send and schedule" / "yes" to confirm the proposal waiting in
//! the conversation, or "cancel". Read from the normalised question (the chat parser's
//! [`normalise`]); anything else is a question for the chat.

use chrono::Weekday;

use crate::chat::semantic::dates;
use crate::chat::semantic::parser::normalise;

/// What the user asked to be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Draft a reply to someone's latest email.
    DraftReply(ReplyRequest),
    /// Execute the proposal waiting in this conversation.
    Confirm,
    /// Drop the proposal waiting in this conversation.
    Cancel,
    /// Optimise a day's calendar.
    OptimiseDay(DayRequest),
    /// Undo the calendar changes last made in this conversation.
    Undo,
}

/// Which day to optimise, as said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRequest {
    /// The question's words, for its date expression ("tomorrow", "on thursday", "this
    /// week"); none said means the day the conversation is about.
    pub words: Vec<String>,
    /// "my busiest day": the busiest day of the range said (this week when none is).
    pub busiest: bool,
}

/// A reply to draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRequest {
    /// Who to reply to, as said ("tom", "tom anderson", "tom@acme.example").
    pub to: Vec<String>,
    /// Open with an apology for the delay.
    pub apologise: bool,
    /// Offer a call at this time.
    pub call: Option<CallTime>,
    /// People to loop in (copied and invited), each as said.
    pub loop_in: Vec<Vec<String>>,
}

/// A time of day said in a request, with its day when one was said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTime {
    /// 0–23, in the user's timezone.
    pub hour: u32,
    /// 0–59.
    pub minute: u32,
    /// Which day.
    pub day: CallDay,
}

/// The day of a [`CallTime`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallDay {
    /// None said: today if the time is still ahead, else tomorrow.
    Next,
    /// Today, even if the time has passed (refused then).
    Today,
    /// Tomorrow.
    Tomorrow,
    /// The next such weekday (today excluded).
    Weekday(Weekday),
}

const DRAFT: &[&str] = &["draft", "write", "compose", "prepare"];
const REPLY: &[&str] = &["reply", "respond", "answer"];
/// Words that end a name.
const STOP: &[&str] = &[
    "and",
    "apologising",
    "apologizing",
    "apologise",
    "apologize",
    "offering",
    "offer",
    "proposing",
    "propose",
    "suggesting",
    "suggest",
    "saying",
    "with",
    "about",
    "that",
    "to",
    "at",
    "for",
    "on",
    "asking",
    "please",
    "looping",
    "loop",
    "cc",
    "ccing",
    "invite",
    "inviting",
    "including",
    "include",
    "tomorrow",
    "today",
    "in",
];
/// Words before a name that are not part of it.
const SKIP: &[&str] = &[
    "our", "my", "the", "a", "an", "email", "mail", "message", "from",
];
const LOOP_IN: &[&str] = &[
    "loop",
    "looping",
    "cc",
    "ccing",
    "copy",
    "copying",
    "invite",
    "inviting",
    "include",
    "including",
];
const CONFIRM_VERBS: &[&str] = &[
    "yes",
    "send",
    "confirm",
    "confirmed",
    "go",
    "do",
    "ok",
    "okay",
    "sure",
    "approve",
    "approved",
    "execute",
    "apply",
];
/// Words a confirmation may hold besides its verbs ("yes, send and schedule it please").
const CONFIRM_OTHER: &[&str] = &[
    "please", "and", "schedule", "it", "ahead", "that", "all", "them", "now", "the", "actions",
    "email", "draft", "changes", "plan",
];
const CANCEL: &[&str] = &[
    "cancel",
    "discard",
    "no",
    "dont",
    "nevermind",
    "never",
    "mind",
    "drop",
];
/// Words a cancellation may hold besides its verbs ("don't send the draft, thanks").
const CANCEL_OTHER: &[&str] = &[
    "send", "it", "that", "the", "draft", "thanks", "please", "proposal", "do", "not",
];

/// Verbs asking for a day to be optimised.
const OPTIMISE: &[&str] = &[
    "optimize",
    "optimise",
    "optimized",
    "optimised",
    "reorganize",
    "reorganise",
    "rearrange",
    "declutter",
];
/// Words an optimisation request may hold besides its verb and its date expression.
const OPTIMISE_OTHER: &[&str] = &[
    "yes", "please", "it", "that", "this", "my", "the", "day", "calendar", "schedule", "ok",
    "okay", "sure", "go", "ahead", "and", "for", "me", "can", "you", "could", "would", "busiest",
    "then", "on", "do", "let", "lets", "s", "us",
];
const UNDO: &[&str] = &["undo", "revert", "restore"];
/// Words an undo may hold besides its verb ("undo the changes please", "put it back").
const UNDO_OTHER: &[&str] = &[
    "it",
    "that",
    "this",
    "the",
    "changes",
    "change",
    "please",
    "my",
    "calendar",
    "day",
    "plan",
    "optimization",
    "optimisation",
    "all",
    "last",
];

/// The intent of `question`, when it asks for an action.
pub fn recognise(question: &str) -> Option<Intent> {
    let text = normalise(question);
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let all_in = |lists: &[&[&str]]| {
        words
            .iter()
            .all(|w| lists.iter().any(|list| list.contains(w)))
    };
    let any_of = |vocabulary: &[&str]| words.iter().any(|w| vocabulary.contains(w));
    if all_in(&[CANCEL, CANCEL_OTHER]) && any_of(CANCEL) {
        return Some(Intent::Cancel);
    }
    if (all_in(&[UNDO, UNDO_OTHER]) && any_of(UNDO)) || text == "put it back" {
        return Some(Intent::Undo);
    }
    if any_of(OPTIMISE) {
        // Every word is the verb, a filler or part of a date expression.
        let mut covered = vec![false; words.len()];
        for m in dates::find(&words, chrono::Utc::now().date_naive()) {
            covered[m.at..m.at + m.len]
                .iter_mut()
                .for_each(|c| *c = true);
        }
        let understood = words
            .iter()
            .zip(&covered)
            .all(|(w, c)| *c || OPTIMISE.contains(w) || OPTIMISE_OTHER.contains(w));
        if understood {
            return Some(Intent::OptimiseDay(DayRequest {
                words: words.iter().map(|w| w.to_string()).collect(),
                busiest: words.contains(&"busiest"),
            }));
        }
    }
    if all_in(&[CONFIRM_VERBS, CONFIRM_OTHER]) && any_of(CONFIRM_VERBS) {
        return Some(Intent::Confirm);
    }
    reply(&words).map(Intent::DraftReply)
}

fn reply(words: &[&str]) -> Option<ReplyRequest> {
    let reply_at = words
        .iter()
        .position(|w| REPLY.contains(w) || *w == "response");
    let drafting = words.iter().any(|w| DRAFT.contains(w));
    let starts_with_reply = reply_at == Some(0);
    let reply_at = reply_at?;
    if !drafting && !starts_with_reply {
        return None;
    }
    // "... reply to Tom", "respond to the email from Tom"
    let after = &words[reply_at + 1..];
    let to_at = after.iter().position(|w| *w == "to" || *w == "from")?;
    let to = name(&after[to_at + 1..]);
    if to.is_empty() {
        return None;
    }
    Some(ReplyRequest {
        to,
        apologise: words
            .iter()
            .any(|w| w.starts_with("apologi") || *w == "sorry"),
        call: call_time(words),
        loop_in: loop_in(words),
    })
}

/// The name at the start of `words`: up to two words (first and last name) after skipped
/// determiners, stopping at a [`STOP`] word. An address is a name of one word.
fn name(words: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for word in words.iter().skip_while(|w| SKIP.contains(w)) {
        if STOP.contains(word) || out.len() == 2 {
            break;
        }
        out.push(word.to_string());
        if word.contains('@') {
            break;
        }
    }
    out
}

fn loop_in(words: &[&str]) -> Vec<Vec<String>> {
    let mut people = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if LOOP_IN.contains(&words[i]) {
            let mut j = i + 1;
            if words.get(j) == Some(&"in") {
                j += 1;
            }
            loop {
                // Titles said before a name ("our CTO Mike") are kept: the resolver matches
                // them against job titles.
                let rest: Vec<&str> = words[j..]
                    .iter()
                    .copied()
                    .skip_while(|w| SKIP.contains(w))
                    .collect();
                let skipped = words.len() - j - rest.len();
                let person: Vec<String> = rest
                    .iter()
                    .take_while(|w| !STOP.contains(w))
                    .take(3)
                    .map(|w| w.to_string())
                    .collect();
                if person.is_empty() {
                    break;
                }
                j += skipped + person.len();
                people.push(person);
                if words.get(j) == Some(&"and")
                    && !words
                        .get(j + 1)
                        .is_some_and(|w| STOP.contains(w) && *w != "and")
                {
                    j += 1;
                } else {
                    break;
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    people
}

/// "a call at 11 am", "a meeting at 14 30 tomorrow", "call at 3pm on friday".
fn call_time(words: &[&str]) -> Option<CallTime> {
    let meeting = words.iter().position(|w| {
        matches!(
            *w,
            "call" | "meeting" | "meet" | "chat" | "catch-up" | "catchup"
        )
    })?;
    let at = words[meeting..].iter().position(|w| *w == "at")? + meeting;
    let (hour, minute) = clock(&words[at + 1..])?;
    let day = words
        .iter()
        .find_map(|w| match *w {
            "tomorrow" => Some(CallDay::Tomorrow),
            "today" => Some(CallDay::Today),
            other => dates::parse_weekday(other).map(CallDay::Weekday),
        })
        .unwrap_or(CallDay::Next);
    Some(CallTime { hour, minute, day })
}

/// A time of day at the start of `words` ("11 am", "11am", "14 30", "3.30 pm", "noon"). Without am/pm, 1–7 are afternoon hours (a meeting is rarely at 3 at
/// night).
fn clock(words: &[&str]) -> Option<(u32, u32)> {
    let first = *words.first()?;
    if first == "noon" || first == "midday" {
        return Some((12, 0));
    }
    let (digits, suffix) = first.split_at(
        first
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(first.len()),
    );
    let (hour, mut minute, mut used) = match digits.split_once('.') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?, 1),
        None => (digits.parse::<u32>().ok()?, 0, 1),
    };
    let mut suffix = suffix;
    if suffix.is_empty() {
        // "14 30" or "2 30pm" (a colon is a space once normalised).
        if let Some(next) = words.get(1) {
            let (m, rest) = next.split_at(next.len().min(2));
            if m.len() == 2
                && m.chars().all(|c| c.is_ascii_digit())
                && matches!(rest, "" | "am" | "pm")
            {
                minute = m.parse().ok()?;
                suffix = rest;
                used = 2;
            }
        }
    }
    let meridiem = match suffix {
        "am" | "pm" => Some(suffix),
        "" => words
            .get(used)
            .copied()
            .filter(|w| matches!(*w, "am" | "pm"))
            .inspect(|_| used += 1),
        _ => return None,
    };
    let hour = match (meridiem, hour) {
        (_, h) if h > 23 || minute > 59 => return None,
        (Some("am"), 12) => 0,
        (Some("am"), h) if h <= 12 => h,
        (Some("pm"), h) if h < 12 => h + 12,
        (Some("pm"), 12) => 12,
        (Some(_), _) => return None,
        (None, h @ 1..=7) => h + 12,
        (None, h) => h,
    };
    Some((hour, minute))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(question: &str) -> ReplyRequest {
        match recognise(question) {
            Some(Intent::DraftReply(r)) => r,
            other => panic!("{question}: {other:?}"),
        }
    }

    #[test]
    fn the_demo_request_is_a_reply_with_a_call() {
        let r = draft("Draft a response to Tom apologizing and offering a call at 11 AM");
        assert_eq!(r.to, ["tom"]);
        assert!(r.apologise);
        assert_eq!(
            r.call,
            Some(CallTime {
                hour: 11,
                minute: 0,
                day: CallDay::Next
            })
        );
        assert!(r.loop_in.is_empty());
    }

    #[test]
    fn people_to_loop_in_and_full_names() {
        let r = draft("Reply to Tom Anderson offering a call at 2:30pm tomorrow and loop in our CTO Mike Stevens and Priya");
        assert_eq!(r.to, ["tom", "anderson"]);
        assert!(!r.apologise);
        assert_eq!(
            r.call,
            Some(CallTime {
                hour: 14,
                minute: 30,
                day: CallDay::Tomorrow
            })
        );
        assert_eq!(
            r.loop_in,
            vec![
                vec!["cto".to_string(), "mike".into(), "stevens".into()],
                vec!["priya".to_string()]
            ]
        );
    }

    #[test]
    fn times_are_read_in_every_usual_form() {
        for (said, hour, minute) in [
            ("11 am", 11, 0),
            ("11am", 11, 0),
            ("14:30", 14, 30),
            ("3.15 pm", 15, 15),
            ("3", 15, 0),
            ("9", 9, 0),
            ("12 pm", 12, 0),
            ("noon", 12, 0),
        ] {
            let r = draft(&format!("write a reply to tom offering a call at {said}"));
            let call = r.call.unwrap_or_else(|| panic!("{said}"));
            assert_eq!((call.hour, call.minute), (hour, minute), "{said}");
        }
        assert_eq!(
            draft("draft a reply to tom offering a call at 25").call,
            None
        );
        assert_eq!(
            draft("draft a reply to tom, call at 10 on friday")
                .call
                .map(|c| c.day),
            Some(CallDay::Weekday(Weekday::Fri))
        );
    }

    #[test]
    fn confirmations_and_cancellations() {
        for yes in [
            "Send and schedule",
            "yes",
            "Yes, please",
            "send it",
            "go ahead",
            "confirm",
            "OK, do it",
        ] {
            assert_eq!(recognise(yes), Some(Intent::Confirm), "{yes}");
        }
        for no in [
            "cancel",
            "no",
            "don't send it",
            "discard the draft",
            "never mind",
            "nevermind",
        ] {
            assert_eq!(recognise(no), Some(Intent::Cancel), "{no}");
        }
    }

    #[test]
    fn optimising_a_day_and_undoing_it() {
        for (q, busiest) in [
            ("Yes, optimize it", false),
            ("optimise my day tomorrow", false),
            ("Could you optimize Thursday?", false),
            ("optimize my busiest day this week", true),
            ("please reorganize my calendar for today", false),
        ] {
            match recognise(q) {
                Some(Intent::OptimiseDay(day)) => assert_eq!(day.busiest, busiest, "{q}"),
                other => panic!("{q}: {other:?}"),
            }
        }
        for q in [
            "undo",
            "Undo that",
            "revert the changes please",
            "put it back",
        ] {
            assert_eq!(recognise(q), Some(Intent::Undo), "{q}");
        }
    }

    #[test]
    fn questions_are_not_actions() {
        for q in [
            "Show me the urgent emails from Acme Corp",
            "How do I optimize my inbox?",
            "How many emails did I reply to yesterday?",
            "What's my response time?",
            "who did I send the most emails to",
            "Any patterns I should know about?",
        ] {
            assert_eq!(recognise(q), None, "{q}");
        }
    }
}
