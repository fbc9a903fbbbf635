//! The rules a calendar record must meet, stated once and applied in two places: the validator
//! (over the record's JSON, [`validate`]) and the stream's quarantine (over the record parsed
//! from Kafka by Spark, through [`Rule::broken_by`], the same rule as a Spark condition). Each
//! failure names its rule, which goes to the DLQ's `mindy-rule` header and the quarantine's
//! reason. Email records have their own list ([`crate::email::rules`]); the validator picks the
//! list by the topic a record arrives on.
//!
//! | rule             | breaks when                                                              |
//! | ---------------- | ------------------------------------------------------------------------ |
//! | `json`           | the value is not a JSON object of the record's field types               |
//! | `schema_version` | `schema_version` is missing or not [`SCHEMA_VERSION`]                     |
//! | `kind`           | `kind` is missing or not `instance` / `snapshot`                         |
//! | `source`         | `source` is missing or not one of the known sources                      |
//! | `id`             | `id` is missing, blank, longer than 512 bytes or has control characters  |
//! | `calendar_id`    | `calendar_id` is missing or blank                                        |
//! | `event_id`       | an instance's `event_id` is missing or blank                             |
//! | `status`         | an instance's `status` is missing or unknown                             |
//! | `time`           | an instance is not exactly one of timed, all-day or floating             |
//! | `end`            | an instance ends before it starts (all-day: on or before its first day)  |
//! | `summary`        | an instance's `summary` is missing (`null`); an empty title is fine      |
//! | `snapshot`       | a snapshot has no `snapshot.started_at`, or its window ends before it starts |
//!
//! Normalisation by the validator: id, summary and location trimmed (a blank location dropped),
//! participants' addresses trimmed and lower-cased, participants without a well-formed address
//! dropped (an attendee listed twice is kept once), blank display names dropped, optional fields
//! defaulted.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value};
use spark_client::functions::{call_function, lit, trim};
use spark_client::Column;

use super::record::{CalendarRecord, CalendarSource, EventStatus, RecordKind, SCHEMA_VERSION};
use crate::email::rules::{well_formed, MAX_ID_BYTES};

/// One rule of the calendar record contract (see the module docs for what breaks each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The value is a JSON object of the record's field types.
    Json,
    /// `schema_version` is [`SCHEMA_VERSION`].
    SchemaVersion,
    /// `kind` is known.
    Kind,
    /// `source` is a known source.
    Source,
    /// `id` is present, not blank, short and free of control characters.
    Id,
    /// `calendar_id` is present and not blank.
    CalendarId,
    /// An instance names its event.
    EventId,
    /// An instance's status is known.
    Status,
    /// An instance is exactly one of timed, all-day or floating.
    Time,
    /// An instance does not end before it starts.
    End,
    /// An instance's summary is present (possibly empty).
    Summary,
    /// A snapshot says when its read started, and its window is not inverted.
    Snapshot,
}

impl Rule {
    /// Every rule, in the order the validator checks them.
    pub const ALL: [Rule; 12] = [
        Rule::Json,
        Rule::SchemaVersion,
        Rule::Kind,
        Rule::Source,
        Rule::Id,
        Rule::CalendarId,
        Rule::EventId,
        Rule::Status,
        Rule::Time,
        Rule::End,
        Rule::Summary,
        Rule::Snapshot,
    ];

    /// The rules a parsed record is checked against (all but `json`, which is about parsing).
    pub fn on_parsed_records() -> impl Iterator<Item = Rule> {
        Rule::ALL.into_iter().filter(|r| *r != Rule::Json)
    }

    /// The rule's name, as in the DLQ's `mindy-rule` header and the quarantine's reason.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Json => "json",
            Rule::SchemaVersion => "schema_version",
            Rule::Kind => "kind",
            Rule::Source => "source",
            Rule::Id => "id",
            Rule::CalendarId => "calendar_id",
            Rule::EventId => "event_id",
            Rule::Status => "status",
            Rule::Time => "time",
            Rule::End => "end",
            Rule::Summary => "summary",
            Rule::Snapshot => "snapshot",
        }
    }

    /// What breaking the rule means, in words (the quarantine's reason).
    pub fn description(self) -> String {
        match self {
            Rule::Json => "the value is not a JSON object of the record's field types".into(),
            Rule::SchemaVersion => format!("schema_version is missing or not {SCHEMA_VERSION}"),
            Rule::Kind => "kind is missing or not instance/snapshot".into(),
            Rule::Source => "source is missing or unknown".into(),
            Rule::Id => format!(
                "id is missing, blank, longer than {MAX_ID_BYTES} bytes or has control characters"
            ),
            Rule::CalendarId => "calendar_id is missing or blank".into(),
            Rule::EventId => "an instance's event_id is missing or blank".into(),
            Rule::Status => "an instance's status is missing or unknown".into(),
            Rule::Time => {
                "an instance is not exactly one of timed (start, end), all-day (all_day, \
                 start_date, end_date) or floating (floating_start, floating_end)"
                    .into()
            }
            Rule::End => "an instance ends before it starts".into(),
            Rule::Summary => "an instance's summary is missing (null)".into(),
            Rule::Snapshot => {
                "a snapshot has no snapshot.started_at, or its window ends before it starts".into()
            }
        }
    }

    /// The rule as a Spark condition that is true for a row breaking it; `field` resolves a
    /// record field (`"id"`, `"snapshot.started_at"`, ...) to a column. `None` for `json`, which
    /// only the parser can judge (the stream checks for a null record).
    pub fn broken_by(self, field: &dyn Fn(&str) -> Column) -> Option<Column> {
        let null_or = |c: Column, broken: Column| c.clone().is_null().or(broken);
        let blank = |c: Column| null_or(c.clone(), trim(c).eq(lit("")));
        let instance = || field("kind").eq(lit(RecordKind::Instance.as_str()));
        let set = |name: &str| field(name).is_not_null();
        Some(match self {
            Rule::Json => return None,
            Rule::SchemaVersion => null_or(
                field("schema_version"),
                field("schema_version").neq(lit(SCHEMA_VERSION)),
            ),
            Rule::Kind => {
                let known: Vec<Column> = RecordKind::ALL.iter().map(|k| lit(k.as_str())).collect();
                null_or(field("kind"), !field("kind").is_in(known))
            }
            Rule::Source => {
                let known: Vec<Column> = CalendarSource::ALL
                    .iter()
                    .map(|s| lit(s.as_str()))
                    .collect();
                null_or(field("source"), !field("source").is_in(known))
            }
            Rule::Id => {
                let id = field("id");
                null_or(
                    id.clone(),
                    trim(id.clone())
                        .eq(lit(""))
                        .or(call_function("octet_length", [id.clone()])
                            .gt(lit(MAX_ID_BYTES as i32)))
                        .or(id.rlike(r"\p{Cc}")),
                )
            }
            Rule::CalendarId => blank(field("calendar_id")),
            Rule::EventId => instance().and(blank(field("event_id"))),
            Rule::Status => {
                let known: Vec<Column> = EventStatus::ALL.iter().map(|s| lit(s.as_str())).collect();
                instance().and(null_or(field("status"), !field("status").is_in(known)))
            }
            Rule::Time => {
                let timed = set("start").and(set("end"));
                let day = set("start_date").and(set("end_date"));
                let floating = set("floating_start").and(set("floating_end"));
                let any = |a: &str, b: &str| set(a).or(set(b));
                let all_day = call_function("coalesce", [field("all_day"), lit(false)]);
                let exactly_timed = timed
                    .and(!any("start_date", "end_date"))
                    .and(!any("floating_start", "floating_end"))
                    .and(!all_day.clone());
                let exactly_day = day
                    .and(!any("start", "end"))
                    .and(!any("floating_start", "floating_end"))
                    .and(all_day.clone());
                let exactly_floating = floating
                    .and(!any("start", "end"))
                    .and(!any("start_date", "end_date"))
                    .and(!all_day);
                instance().and(!(exactly_timed.or(exactly_day).or(exactly_floating)))
            }
            Rule::End => instance().and(
                field("end")
                    .lt(field("start"))
                    .or(field("end_date").le(field("start_date")))
                    .or(field("floating_end").lt(field("floating_start"))),
            ),
            Rule::Summary => instance().and(field("summary").is_null()),
            Rule::Snapshot => field("kind").eq(lit(RecordKind::Snapshot.as_str())).and(
                field("snapshot.started_at")
                    .is_null()
                    .or(field("snapshot.window_end").le(field("snapshot.window_start"))),
            ),
        })
    }

    /// The rule over a record's JSON object: `Err` with what exactly is wrong. `json` always
    /// passes here (it is judged when the bytes are parsed).
    fn check_json(self, record: &Map<String, Value>) -> Result<(), String> {
        let text = |name: &str| record.get(name).and_then(Value::as_str);
        let is_instance = text("kind") == Some(RecordKind::Instance.as_str());
        match self {
            Rule::Json => Ok(()),
            Rule::SchemaVersion => match record.get("schema_version") {
                None | Some(Value::Null) => Err("missing".into()),
                Some(v) if v.as_i64() == Some(i64::from(SCHEMA_VERSION)) => Ok(()),
                Some(v) => Err(format!(
                    "version {v} is not supported (expected {SCHEMA_VERSION})"
                )),
            },
            Rule::Kind => one_of(record.get("kind"), &RecordKind::ALL.map(RecordKind::as_str)),
            Rule::Source => one_of(
                record.get("source"),
                &CalendarSource::ALL.map(CalendarSource::as_str),
            ),
            Rule::Id => {
                let id = text("id").map(str::trim).unwrap_or_default();
                if id.is_empty() || id.len() > MAX_ID_BYTES || id.chars().any(char::is_control) {
                    Err(format!(
                        "missing, blank, too long or with control characters: {id:?}"
                    ))
                } else {
                    Ok(())
                }
            }
            Rule::CalendarId => not_blank(text("calendar_id")),
            Rule::EventId if is_instance => not_blank(text("event_id")),
            Rule::Status if is_instance => one_of(
                record.get("status"),
                &EventStatus::ALL.map(EventStatus::as_str),
            ),
            Rule::Time if is_instance => Times::read(record).map(|_| ()),
            Rule::End if is_instance => Times::read(record)?.ordered(),
            Rule::Summary if is_instance => match record.get("summary") {
                Some(Value::String(_)) => Ok(()),
                _ => Err("missing (null); an empty title must be \"\"".into()),
            },
            Rule::Snapshot if text("kind") == Some(RecordKind::Snapshot.as_str()) => {
                let snapshot = record
                    .get("snapshot")
                    .and_then(Value::as_object)
                    .ok_or("no snapshot object")?;
                let at = |name: &str| -> Result<Option<DateTime<Utc>>, String> {
                    match snapshot.get(name) {
                        None | Some(Value::Null) => Ok(None),
                        Some(v) => instant(v, name).map(Some),
                    }
                };
                at("started_at")?.ok_or("no started_at")?;
                match (at("window_start")?, at("window_end")?) {
                    (Some(s), Some(e)) if e <= s => Err(format!("window [{s}, {e}) is empty")),
                    _ => Ok(()),
                }
            }
            Rule::EventId | Rule::Status | Rule::Time | Rule::End | Rule::Summary => Ok(()),
            Rule::Snapshot => Ok(()),
        }
    }
}

fn one_of(value: Option<&Value>, known: &[&str]) -> Result<(), String> {
    match value {
        None | Some(Value::Null) => Err("missing".into()),
        Some(Value::String(s)) if known.contains(&s.as_str()) => Ok(()),
        Some(v) => Err(format!("{v} is not one of {}", known.join(", "))),
    }
}

fn not_blank(value: Option<&str>) -> Result<(), String> {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(()),
        _ => Err("missing or blank".into()),
    }
}

fn instant(value: &Value, name: &str) -> Result<DateTime<Utc>, String> {
    let text = value
        .as_str()
        .ok_or_else(|| format!("{name}: {value} is not a timestamp"))?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{name}: {text:?} is not RFC 3339: {e}"))
}

/// An instance's time, read from its JSON: exactly one of the three shapes.
enum Times {
    /// At an instant.
    Timed(DateTime<Utc>, DateTime<Utc>),
    /// All day; end exclusive.
    AllDay(NaiveDate, NaiveDate),
    /// A wall-clock time without a zone.
    Floating(NaiveDateTime, NaiveDateTime),
}

impl Times {
    fn read(record: &Map<String, Value>) -> Result<Times, String> {
        let present = |name: &str| record.get(name).is_some_and(|v| !v.is_null());
        let shapes = [
            ("start", "end"),
            ("start_date", "end_date"),
            ("floating_start", "floating_end"),
        ];
        let given: Vec<&str> = shapes
            .iter()
            .flat_map(|(a, b)| [*a, *b])
            .filter(|n| present(n))
            .collect();
        let all_day = record.get("all_day").and_then(Value::as_bool) == Some(true);
        let text = |name: &str| {
            record[name]
                .as_str()
                .ok_or_else(|| format!("{name} is not a string"))
        };
        let times = match given.as_slice() {
            ["start", "end"] => Times::Timed(instant(&record["start"], "start")?, {
                instant(&record["end"], "end")?
            }),
            ["start_date", "end_date"] => {
                let day = |name: &str| {
                    NaiveDate::parse_from_str(text(name)?, "%Y-%m-%d")
                        .map_err(|e| format!("{name} is not a date: {e}"))
                };
                Times::AllDay(day("start_date")?, day("end_date")?)
            }
            ["floating_start", "floating_end"] => {
                let wall = |name: &str| {
                    text(name)?
                        .parse::<NaiveDateTime>()
                        .map_err(|e| format!("{name} is not a date-time without zone: {e}"))
                };
                Times::Floating(wall("floating_start")?, wall("floating_end")?)
            }
            other => {
                return Err(format!(
                    "has {other:?}; expected start+end, start_date+end_date or floating_start+floating_end"
                ))
            }
        };
        if all_day != matches!(times, Times::AllDay(..)) {
            return Err(format!(
                "all_day is {all_day} but the times are {}",
                if all_day { "not dates" } else { "dates" }
            ));
        }
        Ok(times)
    }

    fn ordered(&self) -> Result<(), String> {
        let ok = match self {
            Times::Timed(s, e) => e >= s,
            Times::AllDay(s, e) => e > s,
            Times::Floating(s, e) => e >= s,
        };
        ok.then_some(())
            .ok_or_else(|| "ends before it starts".into())
    }
}

/// Why a record was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The rule broken.
    pub rule: Rule,
    /// What exactly was wrong.
    pub detail: String,
    /// The record's id, when it could be read (for the log line).
    pub id: Option<String>,
}

/// Checks one raw value against every rule and returns the normalised record, or the first rule
/// it broke.
pub fn validate(value: &[u8]) -> Result<CalendarRecord, Rejection> {
    validate_at(value, Utc::now())
}

/// [`validate`] with the current time given (for `ingested_at`'s default), so tests are exact.
pub fn validate_at(value: &[u8], now: DateTime<Utc>) -> Result<CalendarRecord, Rejection> {
    let reject = |rule, detail: String, id: Option<String>| Rejection { rule, detail, id };
    let mut record = match serde_json::from_slice::<Value>(value) {
        Ok(Value::Object(record)) => record,
        Ok(_) => return Err(reject(Rule::Json, "not a JSON object".into(), None)),
        Err(e) => return Err(reject(Rule::Json, e.to_string(), None)),
    };
    let id = record.get("id").and_then(Value::as_str).map(str::to_string);
    for rule in Rule::ALL {
        rule.check_json(&record)
            .map_err(|detail| reject(rule, detail, id.clone()))?;
    }
    normalise(&mut record, now);
    serde_json::from_value(Value::Object(record)).map_err(|e| reject(Rule::Json, e.to_string(), id))
}

/// The validator's normalisation (module docs), on a record that passed every rule.
fn normalise(record: &mut Map<String, Value>, now: DateTime<Utc>) {
    let trimmed = |v: Option<&Value>| v.and_then(Value::as_str).map(|s| s.trim().to_string());
    for name in ["id", "summary", "calendar_id", "event_id"] {
        if let Some(text) = trimmed(record.get(name)) {
            record.insert(name.into(), Value::String(text));
        }
    }
    match trimmed(record.get("location")).filter(|l| !l.is_empty()) {
        Some(location) => record.insert("location".into(), Value::String(location)),
        None => record.remove("location"),
    };
    let organizer = record.get("organizer").and_then(normalise_participant);
    match organizer {
        Some(o) => record.insert("organizer".into(), o),
        None => record.remove("organizer"),
    };
    let mut seen = std::collections::HashSet::new();
    let attendees: Vec<Value> = match record.get("attendees") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(normalise_participant)
            .filter(|p| seen.insert(p["address"].as_str().unwrap_or_default().to_string()))
            .collect(),
        _ => Vec::new(),
    };
    record.insert("attendees".into(), Value::Array(attendees));
    if record.get("ingested_at").is_none_or(Value::is_null) {
        record.insert("ingested_at".into(), Value::String(now.to_rfc3339()));
    }
    record.retain(|_, v| !v.is_null());
}

/// A participant with a trimmed, lower-cased, well-formed address and a non-blank name, or
/// `None`.
fn normalise_participant(participant: &Value) -> Option<Value> {
    let mut out = participant.as_object()?.clone();
    let address = out.get("address")?.as_str()?.trim().to_lowercase();
    if !well_formed(&address) {
        return None;
    }
    out.insert("address".into(), Value::String(address));
    match out
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(name) => out.insert("name".into(), Value::String(name.to_string())),
        None => out.remove("name"),
    };
    out.retain(|_, v| !v.is_null());
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn valid() -> Value {
        json!({
            "schema_version": 1, "kind": "instance", "id": " work/uid-1 ", "source": "ics",
            "calendar_id": "work", "event_id": "uid-1", "status": "confirmed",
            "summary": "  Q4 Planning  ", "location": "  ", "start": "2025-10-08T13:30:00Z",
            "end": "2025-10-08T15:00:00Z",
            "organizer": {"name": " Sarah ", "address": " Sarah.Mitchell@Northwind.example "},
            "attendees": [
                {"name": "", "address": "JOHN.carter@northwind.example", "response": "accepted"},
                {"name": "John again", "address": "john.carter@northwind.example"},
                {"name": "Nobody", "address": "not an address"}
            ],
            "ingested_at": "2025-10-08T00:00:00Z"
        })
    }

    fn rule_of(value: Value) -> Rule {
        validate(&serde_json::to_vec(&value).unwrap())
            .unwrap_err()
            .rule
    }

    #[test]
    fn valid_records_are_normalised() {
        let record = validate(&serde_json::to_vec(&valid()).unwrap()).unwrap();
        assert_eq!(record.id, "work/uid-1");
        assert_eq!(record.summary, "Q4 Planning");
        assert_eq!(record.location, None);
        let organizer = record.organizer.unwrap();
        assert_eq!(organizer.address, "sarah.mitchell@northwind.example");
        assert_eq!(organizer.name.as_deref(), Some("Sarah"));
        assert_eq!(record.attendees.len(), 1);
        assert_eq!(record.attendees[0].name, None);
        assert_eq!(
            record.attendees[0].response,
            Some(super::super::record::Response::Accepted)
        );
    }

    #[test]
    fn each_rule_rejects_its_field() {
        assert_eq!(validate(b"nope").unwrap_err().rule, Rule::Json);
        let cases: Vec<(&str, Value, Rule)> = vec![
            ("schema_version", json!(2), Rule::SchemaVersion),
            ("kind", json!("series"), Rule::Kind),
            ("source", json!("outlook"), Rule::Source),
            ("id", json!(""), Rule::Id),
            ("calendar_id", json!(" "), Rule::CalendarId),
            ("event_id", Value::Null, Rule::EventId),
            ("status", json!("maybe"), Rule::Status),
            ("start", Value::Null, Rule::Time),
            ("start", json!("8 Oct 2025"), Rule::Time),
            ("all_day", json!(true), Rule::Time),
            ("end", json!("2025-10-08T13:00:00Z"), Rule::End),
            ("summary", Value::Null, Rule::Summary),
        ];
        for (field, value, rule) in cases {
            let mut v = valid();
            v[field] = value;
            assert_eq!(rule_of(v), rule, "{field}");
        }
        let mut day = valid();
        let obj = day.as_object_mut().unwrap();
        obj.remove("start");
        obj.remove("end");
        obj.insert("all_day".into(), json!(true));
        obj.insert("start_date".into(), json!("2025-10-08"));
        obj.insert("end_date".into(), json!("2025-10-09"));
        assert!(validate(&serde_json::to_vec(&day).unwrap()).is_ok());
        day["end_date"] = json!("2025-10-08");
        assert_eq!(rule_of(day), Rule::End);
    }

    #[test]
    fn snapshots_need_their_start_and_skip_instance_rules() {
        let snapshot = json!({
            "schema_version": 1, "kind": "snapshot", "id": "work#snapshot", "source": "ics",
            "calendar_id": "work", "status": "confirmed", "summary": "",
            "snapshot": {"window_start": "2025-01-01T00:00:00Z", "window_end": "2026-01-01T00:00:00Z",
                          "started_at": "2025-10-08T00:00:00Z", "instances": 3},
            "ingested_at": "2025-10-08T00:00:00Z"
        });
        assert!(validate(&serde_json::to_vec(&snapshot).unwrap()).is_ok());
        let mut broken = snapshot.clone();
        broken["snapshot"]["started_at"] = Value::Null;
        assert_eq!(rule_of(broken), Rule::Snapshot);
        let mut inverted = snapshot;
        inverted["snapshot"]["window_end"] = json!("2024-01-01T00:00:00Z");
        assert_eq!(rule_of(inverted), Rule::Snapshot);
    }

    #[test]
    fn every_rule_but_json_has_a_spark_condition() {
        let field = |name: &str| spark_client::functions::col(name);
        for rule in Rule::ALL {
            assert_eq!(
                rule.broken_by(&field).is_some(),
                rule != Rule::Json,
                "{rule:?}"
            );
        }
    }

    #[test]
    fn the_record_document_lists_every_rule() {
        let doc = include_str!("../../../../docs/calendar-record.md");
        let section = doc
            .split("## Validation")
            .nth(1)
            .unwrap()
            .split("\n## ")
            .next();
        let documented: Vec<&str> = section
            .unwrap()
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(documented, names, "docs/calendar-record.md's rule table");
    }
}
