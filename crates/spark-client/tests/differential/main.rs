//! spark-client's differential suite: the same plans through PySpark's Spark Connect client and
//! through this crate, against the same server, and their results compared.
//!
//! Each plan has one entry on each side with the same name: a function in `pyspark_plans.py` and
//! an entry of `plans!` in `plans.rs`. A plan's outcome is an Arrow result (compared by schema —
//! names, Arrow types, nullability — and by value, bit for bit, so NaN, -0.0, nulls and time zones
//! count), a text (show strings, dtypes, schema JSON; compared exactly), a query plan (compared
//! with expression ids `#123` normalised) or an error (compared by error class). A mismatch fails
//! the suite, except a *documented difference*: a plan entry may state which columns' types differ
//! and why, and then those columns must differ exactly so and hold equal values.
//!
//! The PySpark side runs as a child process (the PySpark venv, `MINDY_PYSPARK_PYTHON`, default
//! `~/.cache/mini-mindy/venvs/pyspark-3.5.7/bin/python`) while the Rust side runs here; every plan
//! gets a fresh session on each side. It needs the server of the local stack (`MINDY_SPARK_REMOTE`)
//! and writes Delta tables under `MINDY_LAKE_ROOT`.
//!
//! Run it with `cargo test -p spark-client --test differential`; name plans after `--` to run
//! only those (`-- join_full_outer decimal_literal`). It prints one line per plan and a summary.

mod compare;
mod plans;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use compare::Verdict;
use plans::{Ctx, Plan};

/// The PySpark side must finish within this (it runs ~100 plans, each a few hundred ms).
const PYSPARK_TIMEOUT: Duration = Duration::from_secs(600);

fn main() -> ExitCode {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(filter)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("differential suite could not run: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Setup {
    remote: String,
    python: PathBuf,
    out: PathBuf,
    lake: PathBuf,
}

fn setup() -> Result<Setup, String> {
    let remote =
        std::env::var("MINDY_SPARK_REMOTE").unwrap_or_else(|_| "sc://127.0.0.1:15002".into());
    let python = match std::env::var_os("MINDY_PYSPARK_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => {
            let cache = std::env::var_os("MINDY_CACHE_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                        .join(".cache/mini-mindy")
                });
            cache.join("venvs/pyspark-3.5.7/bin/python")
        }
    };
    if !python.exists() {
        return Err(format!(
            "no PySpark venv at {} (MINDY_PYSPARK_PYTHON); `./stack up` creates it",
            python.display()
        ));
    }
    let run = uuid::Uuid::new_v4().simple().to_string();
    let out = std::env::temp_dir().join(format!("spark-client-differential-{}", &run[..12]));
    let lake_root = std::env::var_os("MINDY_LAKE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let lake = lake_root.join("spark-client-differential").join(&run[..12]);
    for dir in [&out, &lake.join("pyspark"), &lake.join("rust")] {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    Ok(Setup {
        remote,
        python,
        out,
        lake,
    })
}

fn spawn_pyspark(setup: &Setup, names: &[&str]) -> Result<Child, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/pyspark_plans.py");
    let log = std::fs::File::create(setup.out.join("_pyspark.log")).map_err(|e| e.to_string())?;
    Command::new(&setup.python)
        .arg(&script)
        .arg("--remote")
        .arg(&setup.remote)
        .arg("--out")
        .arg(&setup.out)
        .arg("--lake")
        .arg(setup.lake.join("pyspark"))
        .args(names)
        .env("PYTHONUNBUFFERED", "1")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", setup.python.display()))
}

async fn wait_for(mut child: Child) -> Result<(), String> {
    tokio::task::spawn_blocking(move || {
        let start = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(format!("the PySpark side exited with {status}")),
                Ok(None) if start.elapsed() > PYSPARK_TIMEOUT => {
                    let _ = child.kill();
                    return Err(format!("the PySpark side took over {PYSPARK_TIMEOUT:?}"));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                Err(e) => return Err(e.to_string()),
            }
        }
    })
    .await
    .map_err(|e| e.to_string())?
}

/// The plan names PySpark defines, to catch a plan added on one side only.
fn pyspark_names(setup: &Setup) -> Result<Vec<String>, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/pyspark_plans.py");
    let out = Command::new(&setup.python)
        .arg(script)
        .args(["--remote", "-", "--out", "-", "--lake", "-", "--list"])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}

async fn run(filter: Vec<String>) -> Result<bool, String> {
    let setup = setup()?;
    let all = plans::all();
    let ours: Vec<&str> = all.iter().map(|p| p.name).collect();
    let theirs = pyspark_names(&setup)?;
    let one_sided: Vec<String> = ours
        .iter()
        .filter(|n| !theirs.iter().any(|t| t == *n))
        .map(|n| format!("{n} (Rust only)"))
        .chain(
            theirs
                .iter()
                .filter(|t| !ours.contains(&t.as_str()))
                .map(|t| format!("{t} (PySpark only)")),
        )
        .collect();
    let selected: Vec<&Plan> = all
        .iter()
        .filter(|p| filter.is_empty() || filter.iter().any(|f| f == p.name))
        .collect();
    let names: Vec<&str> = selected.iter().map(|p| p.name).collect();
    println!(
        "differential suite: {} plans against {} (PySpark: {}; results in {})",
        names.len(),
        setup.remote,
        setup.python.display(),
        setup.out.display()
    );
    let started = Instant::now();
    let child = spawn_pyspark(&setup, &names)?;
    let ctx = Ctx::new(setup.lake.join("rust"));
    let mut ours = BTreeMap::new();
    for plan in &selected {
        let t = Instant::now();
        let outcome = plan.run(&setup.remote, &ctx).await;
        ours.insert(plan.name, (outcome, t.elapsed()));
    }
    let rust_secs = started.elapsed().as_secs_f64();
    let pyspark = wait_for(child).await;
    let total_secs = started.elapsed().as_secs_f64();
    if let Err(e) = &pyspark {
        let log = std::fs::read_to_string(setup.out.join("_pyspark.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        eprintln!(
            "{e}; the end of its log:\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let mut counts = BTreeMap::<&str, usize>::new();
    let mut failed = Vec::new();
    for plan in &selected {
        let (outcome, took) = &ours[plan.name];
        let theirs = compare::read_pyspark(&setup.out, plan.name);
        let verdict = compare::compare(plan, outcome, &theirs);
        let label = verdict.label();
        *counts.entry(label).or_default() += 1;
        println!(
            "{label:<10} {:<38} {:>6} ms  {}",
            plan.name,
            took.as_millis(),
            verdict.detail()
        );
        if !matches!(verdict, Verdict::Match | Verdict::Documented(_)) {
            failed.push(plan.name);
        }
    }
    let documented: Vec<&str> = selected
        .iter()
        .filter(|p| p.expect.is_difference())
        .map(|p| p.name)
        .collect();
    println!(
        "differential suite: {} plans, {} matched, {} documented differences ({}), {} mismatched; \
         Rust side {rust_secs:.1} s, both sides {total_secs:.1} s",
        selected.len(),
        counts.get("match").copied().unwrap_or(0),
        counts.get("documented").copied().unwrap_or(0),
        documented.join(", "),
        failed.len(),
    );
    if !one_sided.is_empty() {
        println!("plans defined on one side only: {}", one_sided.join(", "));
    }
    if !failed.is_empty() {
        println!("mismatched: {}", failed.join(", "));
    }
    let passed = failed.is_empty() && one_sided.is_empty() && pyspark.is_ok();
    if passed {
        // Both sides' results and tables are only worth keeping to look into a failure.
        for dir in [&setup.out, &setup.lake] {
            if let Err(e) = std::fs::remove_dir_all(dir) {
                eprintln!("removing {}: {e}", dir.display());
            }
        }
    } else {
        println!(
            "results kept in {} and {}",
            setup.out.display(),
            setup.lake.display()
        );
    }
    Ok(passed)
}
