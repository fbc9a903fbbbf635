//! Comparing one plan's outcomes: Arrow results bit for bit, texts exactly, query plans with
//! expression ids normalised, errors by class.

use std::path::Path;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::SchemaRef;

use crate::plans::{Expect, Outcome, Plan};

/// How one plan compared.
pub enum Verdict {
    /// Identical outcomes.
    Match,
    /// Different exactly as the plan documents (the reason).
    Documented(&'static str),
    /// Different otherwise (what differs).
    Mismatch(String),
    /// The PySpark side has no outcome (it crashed or skipped the plan).
    Missing(String),
}

impl Verdict {
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Match => "match",
            Verdict::Documented(_) => "documented",
            Verdict::Mismatch(_) => "MISMATCH",
            Verdict::Missing(_) => "MISSING",
        }
    }

    pub fn detail(&self) -> String {
        match self {
            Verdict::Match => String::new(),
            Verdict::Documented(why) => (*why).to_string(),
            Verdict::Mismatch(d) | Verdict::Missing(d) => d.clone(),
        }
    }
}

/// What the PySpark side wrote for `name`.
pub fn read_pyspark(dir: &Path, name: &str) -> Result<Outcome, String> {
    let file = |ext: &str| dir.join(format!("{name}.{ext}"));
    if let Ok(f) = std::fs::File::open(file("arrow")) {
        let reader =
            arrow_ipc::reader::StreamReader::try_new(f, None).map_err(|e| e.to_string())?;
        let schema = reader.schema();
        let batches = reader
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        return Ok(Outcome::Table(schema, batches));
    }
    if let Ok(t) = std::fs::read_to_string(file("txt")) {
        return Ok(Outcome::Text(t));
    }
    if let Ok(t) = std::fs::read_to_string(file("plan")) {
        return Ok(Outcome::Plan(t));
    }
    if let Ok(t) = std::fs::read_to_string(file("error")) {
        let v: serde_json::Value = serde_json::from_str(&t).map_err(|e| e.to_string())?;
        return Ok(Outcome::Error {
            class: v["class"].as_str().map(str::to_string),
            message: v["message"].as_str().unwrap_or("").to_string(),
        });
    }
    Err("no outcome from PySpark".into())
}

pub fn compare(plan: &Plan, ours: &Outcome, theirs: &Result<Outcome, String>) -> Verdict {
    let theirs = match theirs {
        Ok(t) => t,
        Err(e) => return Verdict::Missing(e.clone()),
    };
    let result = match (ours, theirs) {
        (Outcome::Table(s1, b1), Outcome::Table(s2, b2)) => compare_tables(plan, s1, b1, s2, b2),
        (Outcome::Text(a), Outcome::Text(b)) => {
            same_text(a, b).map_err(|d| format!("text differs: {d}"))
        }
        (Outcome::Plan(a), Outcome::Plan(b)) => same_text(&normalise_plan(a), &normalise_plan(b))
            .map_err(|d| format!("plan differs: {d}")),
        (
            Outcome::Error {
                class: c1,
                message: m1,
            },
            Outcome::Error {
                class: c2,
                message: m2,
            },
        ) => {
            if c1 == c2 && (c1.is_some() || first_line(m1) == first_line(m2)) {
                Ok(())
            } else {
                Err(format!(
                    "error class ours {c1:?} vs PySpark {c2:?} ({} / {})",
                    first_line(m1),
                    first_line(m2)
                ))
            }
        }
        (a, b) => Err(format!("ours {} vs PySpark {}", a.describe(), b.describe())),
    };
    match (result, &plan.expect) {
        (Ok(()), Expect::Same) => Verdict::Match,
        (Ok(()), Expect::Differs { .. }) => Verdict::Mismatch(
            "the documented difference no longer occurs: update the plan's entry".into(),
        ),
        (Err(e), Expect::Differs { why, .. }) if e.starts_with(DOCUMENTED) => {
            Verdict::Documented(why)
        }
        (Err(e), _) => Verdict::Mismatch(e),
    }
}

/// Prefix of a comparison "error" that is exactly the documented difference.
const DOCUMENTED: &str = "documented:";

fn first_line(s: &str) -> String {
    let line = s.trim_start().lines().next().unwrap_or("");
    normalise_plan(line).chars().take(160).collect()
}

fn same_text(a: &str, b: &str) -> Result<(), String> {
    if a == b {
        return Ok(());
    }
    let at = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let around = |s: &str| -> String { s.chars().skip(at.saturating_sub(30)).take(80).collect() };
    Err(format!(
        "at char {at}: ours {:?} vs PySpark {:?} (lengths {} / {})",
        around(a),
        around(b),
        a.chars().count(),
        b.chars().count()
    ))
}

/// Expression ids (`id#12L`) and exchange plan ids (`[plan_id=241]`) count up on the server;
/// nothing else may differ.
fn normalise_plan(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let marker = ["#", "plan_id="].into_iter().find(|m| rest.starts_with(m));
        match marker {
            Some(m) => {
                out.push_str(m);
                rest = rest[m.len()..].trim_start_matches(|d: char| d.is_ascii_digit());
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

fn compare_tables(
    plan: &Plan,
    s1: &SchemaRef,
    b1: &[RecordBatch],
    s2: &SchemaRef,
    b2: &[RecordBatch],
) -> Result<(), String> {
    let ours = concat(s1, b1)?;
    let mut theirs = concat(s2, b2)?;
    let mut documented = false;
    if let Expect::Differs { columns, .. } = &plan.expect {
        theirs = apply_documented(&ours, theirs, columns)?;
        documented = true;
    }
    if ours.schema().fields().len() != theirs.schema().fields().len() {
        return Err(format!(
            "columns: ours {:?} vs PySpark {:?}",
            names(&ours),
            names(&theirs)
        ));
    }
    for (a, b) in ours.schema().fields().iter().zip(theirs.schema().fields()) {
        if a != b {
            return Err(format!(
                "column {:?}: ours {} (nullable {}, metadata {:?}) vs PySpark {:?} {} (nullable {}, \
                 metadata {:?})",
                a.name(),
                a.data_type(),
                a.is_nullable(),
                a.metadata(),
                b.name(),
                b.data_type(),
                b.is_nullable(),
                b.metadata()
            ));
        }
    }
    if ours.num_rows() != theirs.num_rows() {
        return Err(format!(
            "rows: ours {} vs PySpark {}",
            ours.num_rows(),
            theirs.num_rows()
        ));
    }
    for (i, field) in ours.schema().fields().iter().enumerate() {
        let (a, b) = (ours.column(i), theirs.column(i));
        if a.to_data() != b.to_data() {
            return Err(format!(
                "column {:?} {}",
                field.name(),
                first_difference(a, b)
            ));
        }
    }
    if documented {
        return Err(format!("{DOCUMENTED} as stated"));
    }
    Ok(())
}

/// Checks that PySpark's result differs from ours in exactly the documented column types, and
/// casts those columns to our types so the values can be compared.
fn apply_documented(
    ours: &RecordBatch,
    theirs: RecordBatch,
    columns: &[(&str, &str, &str)],
) -> Result<RecordBatch, String> {
    let mut cols: Vec<ArrayRef> = theirs.columns().to_vec();
    let mut fields: Vec<arrow_schema::FieldRef> =
        theirs.schema().fields().iter().cloned().collect();
    for (name, our_type, their_type) in columns {
        let i = theirs
            .schema()
            .index_of(name)
            .map_err(|_| format!("documented column {name:?} missing"))?;
        let ours_field = ours
            .schema()
            .field_with_name(name)
            .map_err(|_| format!("documented column {name:?} missing on our side"))?
            .clone();
        let (got_ours, got_theirs) = (
            ours_field.data_type().to_string(),
            fields[i].data_type().to_string(),
        );
        if got_ours != *our_type || got_theirs != *their_type {
            return Err(format!(
                "column {name:?}: documented ours {our_type} / PySpark {their_type}, got {got_ours} / {got_theirs}"
            ));
        }
        cols[i] = arrow_cast::cast(&cols[i], ours_field.data_type()).map_err(|e| e.to_string())?;
        fields[i] = std::sync::Arc::new(
            fields[i]
                .as_ref()
                .clone()
                .with_data_type(ours_field.data_type().clone())
                .with_nullable(ours_field.is_nullable()),
        );
    }
    let schema = std::sync::Arc::new(arrow_schema::Schema::new(fields));
    RecordBatch::try_new(schema, cols).map_err(|e| e.to_string())
}

fn concat(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<RecordBatch, String> {
    arrow_select::concat::concat_batches(schema, batches).map_err(|e| e.to_string())
}

fn names(b: &RecordBatch) -> Vec<String> {
    b.schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

/// The first row where two equally long columns differ, with both values shown.
fn first_difference(a: &ArrayRef, b: &ArrayRef) -> String {
    let opts = FormatOptions::default().with_null("null");
    let (fa, fb) = match (
        ArrayFormatter::try_new(a.as_ref(), &opts),
        ArrayFormatter::try_new(b.as_ref(), &opts),
    ) {
        (Ok(fa), Ok(fb)) => (fa, fb),
        _ => return "differs (values not displayable)".into(),
    };
    for r in 0..a.len() {
        if a.slice(r, 1).to_data() != b.slice(r, 1).to_data() {
            return format!(
                "row {r}: ours {} vs PySpark {}",
                shorten(&fa.value(r).to_string()),
                shorten(&fb.value(r).to_string())
            );
        }
    }
    "differs in its buffers but no row differs (offsets?)".into()
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 120 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(120).collect::<String>())
    }
}
