//! Checks `docker/docker-compose.yml` without a Docker engine (none runs in CI).
//!
//! The file is parsed as YAML (anchors and `<<` merge keys resolved, as Compose does), validated against
//! the Compose Specification's JSON schema (`docker/compose-spec.schema.json`, see docker/README.md for
//! where it comes from), and then held to the product's contract from issue 2: every service present,
//! only 3000/8000/8080 published, each service on the networks it needs and no others, CPU/memory limits,
//! healthchecks, the lake at one path everywhere, and no secret written into the file.
//!
//! Each check is a function that returns the problems it found, so the last test can feed it a broken
//! copy and prove that it fails. `MINDY_COMPOSE_FILE=path` points every test at another file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Services the product needs, each with the networks it must be on (exactly these). `None` marks a
/// service with `network_mode: none`.
const SERVICES: &[(&str, Option<&[&str]>)] = &[
    ("nginx", Some(&["frontend", "application"])),
    ("frontend", Some(&["frontend"])),
    (
        "backend",
        Some(&["frontend", "application", "processing", "data"]),
    ),
    ("airflow-init", Some(&["data"])),
    ("airflow-api-server", Some(&["application", "data"])),
    ("airflow-scheduler", Some(&["application", "data"])),
    ("airflow-dag-processor", Some(&["application", "data"])),
    (
        "airflow-worker",
        Some(&["application", "processing", "data"]),
    ),
    ("spark-master", Some(&["processing"])),
    ("spark-worker-1", Some(&["processing"])),
    ("spark-worker-2", Some(&["processing"])),
    ("spark-connect", Some(&["processing"])),
    ("lake-init", None),
    ("kafka", Some(&["processing"])),
    ("kafka-init", Some(&["processing"])),
    ("postgres", Some(&["data"])),
    ("redis", Some(&["data"])),
    ("prometheus", Some(&["application", "processing"])),
    ("grafana", Some(&["application"])),
];

/// One-shot services: they run to completion (`restart: "no"`) and need no healthcheck.
const ONE_SHOTS: &[&str] = &["airflow-init", "kafka-init", "lake-init"];

/// The only host ports, all three on nginx.
const PUBLISHED: &[u16] = &[3000, 8000, 8080];

/// Limits the issue fixes: (service, CPUs, memory in MiB).
const LIMITS: &[(&str, f64, u64)] = &[
    ("kafka", 2.0, 4096),
    ("spark-master", 1.0, 2048),
    ("spark-worker-1", 2.0, 2048),
    ("spark-worker-2", 2.0, 2048),
    ("postgres", 1.0, 2048),
    ("backend", 1.0, 1024),
    ("frontend", 0.5, 512),
];

/// Airflow's long-running components share 2 CPUs and 4 GiB.
const AIRFLOW: &[&str] = &[
    "airflow-api-server",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
];

/// Services that must see the lake, all at the same path.
const LAKE_USERS: &[&str] = &[
    "spark-connect",
    "spark-worker-1",
    "spark-worker-2",
    "airflow-worker",
    "backend",
];
const LAKE_VOLUME: &str = "datalake";
const LAKE_PATH: &str = "/datalake";

/// What the Spark Connect server must load and configure.
const SPARK_CONNECT_ARGS: &[&str] = &[
    "org.apache.spark.sql.connect.service.SparkConnectServer",
    "spark://spark-master:7077",
    "org.apache.spark:spark-connect_2.12:3.5.7",
    "io.delta:delta-spark_2.12:3.3.2",
    "org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.7",
    "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog",
    "spark.connect.grpc.binding.port=15002",
];

/// Parts of a variable name that mark it as a secret.
const SECRET_WORDS: &[&str] = &["PASSWORD", "SECRET", "TOKEN", "KEY"];

// ------------------------------------------------------------------------------------------------------
// Loading
// ------------------------------------------------------------------------------------------------------

fn docker_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docker")
}

fn compose_path() -> PathBuf {
    std::env::var_os("MINDY_COMPOSE_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| docker_dir().join("docker-compose.yml"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Parses Compose YAML into JSON, resolving anchors and `<<` merge keys the way Compose does.
fn parse_compose(text: &str) -> Value {
    let mut yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).expect("compose file is YAML");
    yaml.apply_merge()
        .expect("compose file's merge keys resolve");
    serde_json::to_value(yaml).expect("compose file converts to JSON (string keys only)")
}

fn compose() -> Value {
    parse_compose(&read(&compose_path()))
}

fn services(compose: &Value) -> &serde_json::Map<String, Value> {
    compose["services"]
        .as_object()
        .expect("`services` is a mapping")
}

fn service<'a>(compose: &'a Value, name: &str) -> &'a Value {
    compose["services"].get(name).unwrap_or(&Value::Null)
}

/// A report of problems for `assert!`: one per line.
fn report(problems: &[String]) -> String {
    format!("\n  - {}\n", problems.join("\n  - "))
}

// ------------------------------------------------------------------------------------------------------
// Checks: each returns what is wrong, empty when all is well.
// ------------------------------------------------------------------------------------------------------

/// Validates against the Compose Specification's JSON schema.
fn schema_problems(compose: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(&read(&docker_dir().join("compose-spec.schema.json")))
        .expect("compose-spec.schema.json is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the Compose schema compiles");
    validator
        .iter_errors(compose)
        .map(|e| format!("schema: at {}: {e}", e.instance_path()))
        .collect()
}

fn missing_services(compose: &Value) -> Vec<String> {
    SERVICES
        .iter()
        .filter(|(name, _)| service(compose, name).is_null())
        .map(|(name, _)| format!("service {name} is missing"))
        .collect()
}

/// Host ports: only 3000, 8000 and 8080, each once; no host networking, which would publish everything.
fn port_problems(compose: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut published = Vec::new();
    for (name, svc) in services(compose) {
        if svc["network_mode"].as_str() == Some("host") {
            problems.push(format!("{name} uses network_mode: host"));
        }
        for port in svc["ports"].as_array().into_iter().flatten() {
            match host_port(port) {
                Some(p) => published.push(p),
                None => problems.push(format!("{name}: cannot read host port of {port}")),
            }
        }
    }
    published.sort_unstable();
    if published != PUBLISHED {
        problems.push(format!(
            "published host ports are {published:?}, want {PUBLISHED:?}"
        ));
    }
    problems
}

/// The host port of a `ports` entry: long syntax `{published: ..}` or short `[ip:]host:container[/proto]`.
/// An entry without a host port (`"8000"`) lets Docker pick one, which counts as publishing: `None`.
fn host_port(entry: &Value) -> Option<u16> {
    if let Some(published) = entry.get("published") {
        return match published {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
    }
    let text = match entry {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let without_proto = text.split('/').next()?;
    let parts: Vec<&str> = without_proto.rsplitn(3, ':').collect();
    // rsplitn yields container, host, ip (reversed); a lone container port has no host port.
    parts.get(1)?.parse().ok()
}

/// Four networks, `data` internal, and each service on exactly the networks the table gives it.
fn network_problems(compose: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let declared: BTreeSet<&str> = compose["networks"]
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let want: BTreeSet<&str> = ["frontend", "application", "processing", "data"].into();
    if declared != want {
        problems.push(format!("networks are {declared:?}, want {want:?}"));
    }
    if compose["networks"]["data"]["internal"] != Value::Bool(true) {
        problems.push("network data must be internal".into());
    }
    for (name, expected) in SERVICES {
        let svc = service(compose, name);
        let actual = service_networks(svc);
        match expected {
            None if svc["network_mode"].as_str() != Some("none") => {
                problems.push(format!("{name} must have network_mode: none"));
            }
            Some(expected) if actual != expected.iter().copied().collect() => {
                problems.push(format!("{name} is on {actual:?}, want {expected:?}"));
            }
            _ => {}
        }
    }
    for (name, svc) in services(compose) {
        if svc.get("networks").is_none() && svc.get("network_mode").is_none() {
            problems.push(format!(
                "{name} would join the default network; name its networks"
            ));
        }
    }
    problems
}

/// A service's networks, from the list or the mapping form.
fn service_networks(svc: &Value) -> BTreeSet<&str> {
    match &svc["networks"] {
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        Value::Object(map) => map.keys().map(String::as_str).collect(),
        _ => BTreeSet::new(),
    }
}

/// Every service has CPU and memory limits; the values hold, and Airflow stays within 2/4 GiB.
fn limit_problems(compose: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut limits = BTreeMap::new();
    for (name, svc) in services(compose) {
        let limit = &svc["deploy"]["resources"]["limits"];
        match (cpus(&limit["cpus"]), mebibytes(&limit["memory"])) {
            (Some(c), Some(m)) => {
                limits.insert(name.as_str(), (c, m));
            }
            _ => problems.push(format!(
                "{name} needs deploy.resources.limits cpus and memory"
            )),
        }
    }
    for (name, want_cpus, want_mib) in LIMITS {
        if let Some(&(c, m)) = limits.get(name) {
            if (c - want_cpus).abs() > 1e-9 || m != *want_mib {
                problems.push(format!(
                    "{name} is limited to {c} CPUs / {m} MiB, want {want_cpus} / {want_mib}"
                ));
            }
        }
    }
    let (cpu_sum, mib_sum) = AIRFLOW
        .iter()
        .filter_map(|name| limits.get(name))
        .fold((0.0, 0), |(c, m), &(sc, sm)| (c + sc, m + sm));
    if (cpu_sum - 2.0_f64).abs() > 1e-9 || mib_sum != 4096 {
        problems.push(format!(
            "Airflow's components add up to {cpu_sum} CPUs / {mib_sum} MiB, want 2 / 4096"
        ));
    }
    problems
}

fn cpus(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Compose's byte sizes (`512m`, `4g`, `1536mb`, plain bytes) in MiB.
fn mebibytes(value: &Value) -> Option<u64> {
    let text = match value {
        Value::Number(n) => return n.as_u64().map(|b| b >> 20),
        Value::String(s) => s.to_ascii_lowercase(),
        _ => return None,
    };
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let amount: u64 = digits.parse().ok()?;
    let factor = match text[digits.len()..].trim_end_matches('b') {
        "" => return Some(amount >> 20),
        "k" => return Some(amount >> 10),
        "m" => 1,
        "g" => 1024,
        _ => return None,
    };
    Some(amount * factor)
}

/// Long-running services restart and have a real healthcheck; one-shots run once; every
/// `depends_on` condition can be met.
fn health_problems(compose: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, svc) in services(compose) {
        let one_shot = ONE_SHOTS.contains(&name.as_str());
        let restart = svc["restart"].as_str().unwrap_or("no");
        if one_shot && restart != "no" {
            problems.push(format!("one-shot {name} must have restart: \"no\""));
        }
        if !one_shot && !matches!(restart, "unless-stopped" | "always") {
            problems.push(format!("{name} must restart (unless-stopped or always)"));
        }
        if !one_shot && !has_healthcheck(svc) {
            problems.push(format!("{name} has no healthcheck"));
        }
        for (dep, condition) in svc["depends_on"].as_object().into_iter().flatten() {
            problems.extend(dependency_problem(
                compose,
                name,
                dep,
                &condition["condition"],
            ));
        }
    }
    problems
}

fn has_healthcheck(svc: &Value) -> bool {
    let check = &svc["healthcheck"];
    let test_ok = match &check["test"] {
        Value::Array(test) => !test.is_empty() && test[0] != "NONE",
        Value::String(test) => !test.trim().is_empty(),
        _ => false,
    };
    test_ok && check["disable"] != Value::Bool(true)
}

fn dependency_problem(compose: &Value, name: &str, dep: &str, condition: &Value) -> Option<String> {
    let target = service(compose, dep);
    if target.is_null() {
        return Some(format!("{name} depends on {dep}, which is not a service"));
    }
    match condition.as_str() {
        Some("service_healthy") if !has_healthcheck(target) => Some(format!(
            "{name} waits for {dep} to be healthy, but it has no healthcheck"
        )),
        Some("service_completed_successfully") if !ONE_SHOTS.contains(&dep) => Some(format!(
            "{name} waits for {dep} to complete, but it is not a one-shot"
        )),
        _ => None,
    }
}

/// The lake is one named volume, mounted at one path in the driver, the executors and its readers.
fn lake_problems(compose: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if compose["volumes"].get(LAKE_VOLUME).is_none() {
        problems.push(format!("named volume {LAKE_VOLUME} is not declared"));
    }
    for name in LAKE_USERS {
        let mounted = service(compose, name)["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|v| mount(v) == Some((LAKE_VOLUME.into(), LAKE_PATH.into())));
        if !mounted {
            problems.push(format!(
                "{name} must mount volume {LAKE_VOLUME} at {LAKE_PATH}"
            ));
        }
    }
    problems
}

/// (source, target) of a volume entry, short (`src:dst[:mode]`) or long syntax.
fn mount(entry: &Value) -> Option<(String, String)> {
    if let Some(text) = entry.as_str() {
        let mut parts = text.split(':');
        return Some((parts.next()?.into(), parts.next()?.into()));
    }
    Some((
        entry["source"].as_str()?.into(),
        entry["target"].as_str()?.into(),
    ))
}

/// The Connect server runs against the master with the packages and confs the pipeline relies on.
fn spark_connect_problems(compose: &Value) -> Vec<String> {
    let command: Vec<&str> = service(compose, "spark-connect")["command"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let text = command.join(" ");
    SPARK_CONNECT_ARGS
        .iter()
        .filter(|arg| !text.contains(*arg))
        .map(|arg| format!("spark-connect's command lacks {arg}"))
        .collect()
}

/// What the local stack (`./stack`, `ops/`) runs, read from its own files: the versions and the
/// topics that `docker/` must run too.
struct StackFacts {
    /// `ops/kafka/pom.xml`'s `kafka.version`.
    kafka: String,
    /// `ops/stack/spark.sh`'s `SPARK_VERSION`.
    spark: String,
    /// `ops/stack/spark.sh`'s default `DELTA_VERSION`.
    delta: String,
    /// `ops/stack/kafka.sh`'s topics as `name:partitions:retention.ms`, with the default names
    /// `./stack` gives them.
    topics: BTreeSet<String>,
    /// `ops/stack/prometheus.sh`'s `PROMETHEUS_VERSION` (Debian 12's package).
    prometheus: String,
}

fn ops_file(path: &str) -> String {
    read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path),
    )
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

fn stack_facts() -> StackFacts {
    let pom = ops_file("ops/kafka/pom.xml");
    let spark = ops_file("ops/stack/spark.sh");
    let kafka_sh = ops_file("ops/stack/kafka.sh");
    let prometheus_sh = ops_file("ops/stack/prometheus.sh");
    let stack = ops_file("stack");
    // `TOPIC_EMAILS=${MINDY_TOPIC_EMAILS:-emails-topic}` → TOPIC_EMAILS = emails-topic.
    let default_name = |var: &str| {
        between(&stack, &format!("\n{var}=${{MINDY_{var}:-"), "}")
            .unwrap_or_else(|| panic!("./stack gives {var} no default"))
            .to_string()
    };
    let loop_specs = between(&kafka_sh, "for spec in ", "; do").expect("kafka.sh's topic loop");
    let topics = loop_specs
        .split_whitespace()
        .filter(|w| *w != "\\")
        .map(|spec| {
            let spec = spec.trim_matches('"');
            let (var, rest) = spec
                .trim_start_matches('$')
                .split_once(':')
                .expect("a topic spec is $NAME:partitions:retention");
            format!("{}:{rest}", default_name(var))
        })
        .collect();
    StackFacts {
        kafka: between(&pom, "<kafka.version>", "</kafka.version>")
            .expect("pom.xml sets kafka.version")
            .to_string(),
        spark: between(&spark, "\nSPARK_VERSION=", "\n")
            .expect("spark.sh sets SPARK_VERSION")
            .to_string(),
        delta: between(&spark, "${DELTA_VERSION:-", "}")
            .expect("spark.sh defaults DELTA_VERSION")
            .to_string(),
        topics,
        prometheus: between(&prometheus_sh, "\nPROMETHEUS_VERSION=", "\n")
            .expect("prometheus.sh sets PROMETHEUS_VERSION")
            .to_string(),
    }
}

/// `docker/` runs what the local stack runs: the same Kafka, Spark and Delta versions, and the same
/// topics with the same partitions and retention (issue 20: the two had drifted apart).
fn stack_agreement_problems(compose: &Value, stack: &StackFacts) -> Vec<String> {
    let mut problems = Vec::new();
    let image = |name: &str| {
        service(compose, name)["image"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    for name in ["kafka", "kafka-init"] {
        let want = format!("apache/kafka:{}", stack.kafka);
        if image(name) != want {
            problems.push(format!(
                "{name} runs {}, the stack Kafka {}",
                image(name),
                stack.kafka
            ));
        }
    }
    for name in [
        "spark-master",
        "spark-worker-1",
        "spark-worker-2",
        "spark-connect",
    ] {
        if !image(name).starts_with(&format!("apache/spark:{}-", stack.spark)) {
            problems.push(format!(
                "{name} runs {}, the stack Spark {}",
                image(name),
                stack.spark
            ));
        }
    }
    let connect = service(compose, "spark-connect")["command"].to_string();
    for package in [
        format!("org.apache.spark:spark-connect_2.12:{}", stack.spark),
        format!("io.delta:delta-spark_2.12:{}", stack.delta),
        format!("org.apache.spark:spark-sql-kafka-0-10_2.12:{}", stack.spark),
    ] {
        if !connect.contains(&package) {
            problems.push(format!(
                "spark-connect does not load {package}, as the stack does"
            ));
        }
    }
    let init: Vec<&str> = service(compose, "kafka-init")["command"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let init = init.join(" ");
    let topics: BTreeSet<String> = between(&init, "for spec in ", "; do")
        .unwrap_or("")
        .split_whitespace()
        .filter(|w| w.matches(':').count() == 2)
        .map(str::to_string)
        .collect();
    if topics != stack.topics {
        problems.push(format!(
            "kafka-init creates {topics:?}, the stack {:?}",
            stack.topics
        ));
    }
    let want = format!("prom/prometheus:v{}", stack.prometheus);
    if image("prometheus") != want {
        problems.push(format!(
            "prometheus runs {}, the stack Prometheus {}",
            image("prometheus"),
            stack.prometheus
        ));
    }
    // One file each, for both: the alert rules, and Spark's metrics sinks.
    let mounts = |name: &str| {
        service(compose, name)["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(mount)
            .map(|(source, _)| source)
            .collect::<Vec<_>>()
    };
    let shared = [
        ("prometheus", "../ops/prometheus/rules.yml"),
        ("spark-master", "../ops/spark/metrics.properties"),
        ("spark-worker-1", "../ops/spark/metrics.properties"),
        ("spark-worker-2", "../ops/spark/metrics.properties"),
        ("spark-connect", "../ops/spark/metrics.properties"),
    ];
    for (name, file) in shared {
        if !mounts(name).iter().any(|m| m == file) {
            problems.push(format!(
                "{name} does not mount {file}, as the stack uses it"
            ));
        }
    }
    problems
}

/// No secret in the file: secret-looking variables take their value from `${VAR:?..}` (or `${VAR}`,
/// `${VAR:-}`) or a `/run/secrets` file; no URL carries a literal password; no secret-looking variable
/// has a default; top-level secrets come from the environment or a file; and every variable the file
/// reads is documented in docker/.env.example.
fn secret_problems(compose: &Value, env_example: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut strings = Vec::new();
    collect_strings(compose, "", &mut strings);
    for (path, key, text) in &strings {
        if let Some(key) = key.as_deref().filter(|k| is_secret_name(k)) {
            if !is_reference(text) {
                problems.push(format!("{path}: {key} has a literal value"));
            }
        }
        if has_literal_url_password(text) {
            problems.push(format!("{path}: URL with a literal password"));
        }
        for var in interpolations(text) {
            if is_secret_name(var.name) && !var.default.is_empty() {
                problems.push(format!("{path}: {} has a default value", var.name));
            }
            if !documented(env_example, var.name) {
                problems.push(format!(
                    "{path}: {} is not in docker/.env.example",
                    var.name
                ));
            }
        }
    }
    for (name, secret) in compose["secrets"].as_object().into_iter().flatten() {
        if secret.get("environment").is_none() && secret.get("file").is_none() {
            problems.push(format!(
                "secret {name} must come from environment or a file"
            ));
        }
    }
    problems
}

/// Every string in the document with its path and, for environment entries, the variable name
/// (mapping `KEY: value` or list `KEY=value`).
fn collect_strings(value: &Value, path: &str, out: &mut Vec<(String, Option<String>, String)>) {
    match value {
        Value::String(s) => {
            let in_env = path.contains("/environment");
            let (key, text) = match s.split_once('=') {
                Some((k, v)) if in_env && path.ends_with(']') => {
                    (Some(k.to_string()), v.to_string())
                }
                _ => {
                    let key = path
                        .rsplit('/')
                        .next()
                        .filter(|_| in_env)
                        .map(str::to_string);
                    (key, s.clone())
                }
            };
            out.push((path.to_string(), key, text));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_strings(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                collect_strings(v, &format!("{path}/{k}"), out);
            }
        }
        _ => {}
    }
}

fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    // `*_FILE` variables name a file; is_reference accepts only /run/secrets paths for them.
    SECRET_WORDS.iter().any(|w| upper.contains(w))
}

/// A value that holds no secret itself: a single `${VAR...}` without a default, or a Docker secret file.
fn is_reference(text: &str) -> bool {
    if text.starts_with("/run/secrets/") {
        return true;
    }
    let vars = interpolations(text);
    vars.len() == 1 && vars[0].default.is_empty() && vars[0].raw == text
}

/// Whether a `scheme://user:password@host` URL in the string has a password that is not `${VAR}`.
fn has_literal_url_password(text: &str) -> bool {
    // Interpolations may hold ':', '/' or '@' in their messages; mask them before reading the URL.
    let mut masked = text.to_string();
    for var in interpolations(text) {
        masked = masked.replacen(var.raw, "\u{0}", 1);
    }
    let Some(scheme_end) = masked.find("://") else {
        return false;
    };
    let rest = &masked[scheme_end + 3..];
    let authority = rest.split(['/', ' ']).next().unwrap_or_default();
    let Some((userinfo, _host)) = authority.rsplit_once('@') else {
        return false;
    };
    userinfo
        .split_once(':')
        .is_some_and(|(_, password)| !password.is_empty() && password != "\u{0}")
}

/// One `${NAME[:-default|-default|:?message|?message]}` in a string.
struct Interpolation<'a> {
    /// The whole `${...}`.
    raw: &'a str,
    /// The variable's name.
    name: &'a str,
    /// The default after `:-` or `-`; empty when there is none.
    default: &'a str,
}

/// The `${...}` interpolations in a string (`$${` is an escaped `$`, not one).
fn interpolations(text: &str) -> Vec<Interpolation<'_>> {
    let mut found = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("${") {
        let escaped = start > 0 && rest.as_bytes()[start - 1] == b'$';
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let raw = &text[offset + start..offset + start + len + 1];
        if !escaped {
            found.push(parse_interpolation(raw));
        }
        offset += start + len + 1;
        rest = &text[offset..];
    }
    found
}

fn parse_interpolation(raw: &str) -> Interpolation<'_> {
    let body = &raw[2..raw.len() - 1];
    let name_end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    let (name, op) = body.split_at(name_end);
    let default = op
        .strip_prefix(":-")
        .or_else(|| op.strip_prefix('-'))
        .unwrap_or("");
    Interpolation { raw, name, default }
}

/// Whether .env.example names the variable, set (`NAME=`) or commented out (`#NAME=`).
fn documented(env_example: &str, name: &str) -> bool {
    env_example.lines().any(|line| {
        let line = line.trim_start_matches('#').trim();
        line.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('='))
    })
}

fn env_example() -> String {
    read(&docker_dir().join(".env.example"))
}

// ------------------------------------------------------------------------------------------------------
// Tests on the real file
// ------------------------------------------------------------------------------------------------------

#[test]
fn compose_file_is_valid_against_the_compose_spec_schema() {
    let problems = schema_problems(&compose());
    assert!(problems.is_empty(), "{}", report(&problems));
}

#[test]
fn every_service_the_product_needs_is_present() {
    let problems = missing_services(&compose());
    assert!(problems.is_empty(), "{}", report(&problems));
}

#[test]
fn only_3000_8000_and_8080_are_published() {
    let problems = port_problems(&compose());
    assert!(problems.is_empty(), "{}", report(&problems));
}

#[test]
fn each_service_is_on_the_networks_it_needs_and_no_others() {
    let problems = network_problems(&compose());
    assert!(problems.is_empty(), "{}", report(&problems));
}

#[test]
fn every_service_has_cpu_and_memory_limits() {
    let problems = limit_problems(&compose());
    assert!(problems.is_empty(), "{}", report(&problems));
}

#[test]
fn long_running_services_have_healthchecks() {
    let problems = health_problems(&compose());
    assert!(problems.is_empty(), "{}", report(&problems));
}

#[test]
fn the_lake_is_mounted_at_one_path_everywhere() {
    let problems = lake_problems(&compose());
    assert!(problems.is_empty(), "{}", report(&problems));
}

#[test]
fn spark_connect_loads_delta_and_kafka() {
    let problems = spark_connect_problems(&compose());
    assert!(problems.is_empty(), "{}", report(&problems));
}

#[test]
fn no_secret_is_written_in_the_file() {
    let problems = secret_problems(&compose(), &env_example());
    assert!(problems.is_empty(), "{}", report(&problems));
}

#[test]
fn docker_runs_the_versions_and_topics_the_local_stack_runs() {
    let problems = stack_agreement_problems(&compose(), &stack_facts());
    assert!(problems.is_empty(), "{}", report(&problems));
}

// ------------------------------------------------------------------------------------------------------
// The checks fail on broken files
// ------------------------------------------------------------------------------------------------------

/// Applies `edit` to a copy of the file and returns what `check` says about it.
fn broken(edit: impl FnOnce(&mut Value), check: impl Fn(&Value) -> Vec<String>) -> Vec<String> {
    let mut copy = compose();
    edit(&mut copy);
    check(&copy)
}

fn svc_mut<'a>(compose: &'a mut Value, name: &str) -> &'a mut Value {
    &mut compose["services"][name]
}

#[test]
fn the_checks_fail_on_broken_files() {
    let secrets = |c: &Value| secret_problems(c, &env_example());
    let cases: Vec<(&str, Vec<String>)> = vec![
        (
            "unknown service key",
            broken(
                |c| svc_mut(c, "redis")["imgae"] = "redis".into(),
                schema_problems,
            ),
        ),
        (
            "kafka image drifted",
            broken(
                |c| svc_mut(c, "kafka")["image"] = "apache/kafka:0.0.1".into(),
                |c| stack_agreement_problems(c, &stack_facts()),
            ),
        ),
        (
            "prometheus image drifted",
            broken(
                |c| svc_mut(c, "prometheus")["image"] = "prom/prometheus:v3.0.0".into(),
                |c| stack_agreement_problems(c, &stack_facts()),
            ),
        ),
        (
            "the alert rules not mounted",
            broken(
                |c| svc_mut(c, "prometheus")["volumes"] = Value::Array(vec![]),
                |c| stack_agreement_problems(c, &stack_facts()),
            ),
        ),
        (
            "a topic's retention drifted",
            broken(
                |c| {
                    let command = svc_mut(c, "kafka-init")["command"][2]
                        .as_str()
                        .unwrap()
                        .replace("emails-dlq:1:2592000000", "emails-dlq:1:1");
                    svc_mut(c, "kafka-init")["command"][2] = command.into();
                },
                |c| stack_agreement_problems(c, &stack_facts()),
            ),
        ),
        (
            "redis removed",
            broken(
                |c| {
                    c["services"].as_object_mut().unwrap().remove("redis");
                },
                missing_services,
            ),
        ),
        (
            "postgres published",
            broken(
                |c| svc_mut(c, "postgres")["ports"] = serde_json::json!(["5432:5432"]),
                port_problems,
            ),
        ),
        (
            "postgres on processing",
            broken(
                |c| svc_mut(c, "postgres")["networks"] = serde_json::json!(["data", "processing"]),
                network_problems,
            ),
        ),
        (
            "kafka without limits",
            broken(
                |c| {
                    svc_mut(c, "kafka")
                        .as_object_mut()
                        .unwrap()
                        .remove("deploy");
                },
                limit_problems,
            ),
        ),
        (
            "airflow worker over budget",
            broken(
                |c| {
                    svc_mut(c, "airflow-worker")["deploy"]["resources"]["limits"]["memory"] =
                        "4g".into()
                },
                limit_problems,
            ),
        ),
        (
            "redis without healthcheck",
            broken(
                |c| {
                    svc_mut(c, "redis")
                        .as_object_mut()
                        .unwrap()
                        .remove("healthcheck");
                },
                health_problems,
            ),
        ),
        (
            "worker-2 without the lake",
            broken(
                |c| svc_mut(c, "spark-worker-2")["volumes"] = serde_json::json!([]),
                lake_problems,
            ),
        ),
        (
            "literal password",
            broken(
                |c| svc_mut(c, "postgres")["environment"]["POSTGRES_PASSWORD"] = "hunter2".into(),
                secrets,
            ),
        ),
        (
            "password with a default",
            broken(
                |c| {
                    svc_mut(c, "backend")["environment"]["OPENAI_API_KEY"] =
                        "${OPENAI_API_KEY:-sk-123}".into()
                },
                secrets,
            ),
        ),
        (
            "literal password in a URL",
            broken(
                |c| {
                    svc_mut(c, "backend")["environment"]["DATABASE_URL"] =
                        "postgres://mindy:pw@postgres/mindy".into()
                },
                secrets,
            ),
        ),
    ];
    let silent: Vec<&str> = cases
        .iter()
        .filter(|(_, problems)| problems.is_empty())
        .map(|(name, _)| *name)
        .collect();
    assert!(silent.is_empty(), "checks passed a broken file: {silent:?}");
}

#[test]
fn host_ports_are_read_from_every_syntax() {
    let cases = [
        (serde_json::json!("3000:3000"), Some(3000)),
        (serde_json::json!("127.0.0.1:8000:8000/tcp"), Some(8000)),
        (
            serde_json::json!("${MINDY_BIND_ADDR:-127.0.0.1}:8080:8080"),
            Some(8080),
        ),
        (
            serde_json::json!({"target": 80, "published": "8081"}),
            Some(8081),
        ),
        (serde_json::json!("9000"), None),
    ];
    for (entry, want) in cases {
        assert_eq!(host_port(&entry), want, "{entry}");
    }
}

#[test]
fn sizes_and_interpolations_parse() {
    assert_eq!(mebibytes(&"512m".into()), Some(512));
    assert_eq!(mebibytes(&"4G".into()), Some(4096));
    assert_eq!(mebibytes(&"1536mb".into()), Some(1536));
    assert_eq!(mebibytes(&serde_json::json!(1_073_741_824u64)), Some(1024));
    let vars = interpolations("a ${X:?set X} $${NOT} ${Y:-d}");
    let names: Vec<_> = vars.iter().map(|v| (v.name, v.default)).collect();
    assert_eq!(names, [("X", ""), ("Y", "d")]);
    assert!(is_reference("${X:?set X}"));
    assert!(!is_reference("x${X}"));
}
