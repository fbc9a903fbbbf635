#!/usr/bin/env python3
"""spark-client benchmark (issue 3): one result, several clients, one Connect server, one run.

The result: ROWS rows of mixed types derived from spark.range in PARTITIONS partitions (EXPRS
below). Timed, iterations interleaved so that the load of a shared machine falls on every variant
alike:

  ours collect        spark-client's DataFrame::collect (Rust; batches held at the end)
  ours stream         spark-client's DataFrame::to_stream (each batch dropped once counted)
  spark-connect-rs    spark-connect-rs 0.0.2's DataFrame::collect (one concatenated RecordBatch)
  pyspark arrow       PySpark 3.5.7's Arrow-table path (client.to_table, what collect() runs before
                      making Rows; 3.5 has no public DataFrame.toArrow/_to_table)
  pyspark toPandas    PySpark 3.5.7's DataFrame.toPandas()
  raw gRPC drain      PySpark's raw gRPC stub reading the responses without decoding them: the
                      server's collect path (Arrow conversion on the executors, the driver relaying
                      the batches) with the least client work: a reference for the server's send rate
  ours drain          spark-client's transport reading the same responses without decoding the
                      Arrow IPC (raw::execute): the Rust reference, where Python's per-message cost
                      (Sail sends 1024-row messages) would distort the raw drain
  server floor        the same plan written to Spark's `noop` sink: the work without the transfer

Then, for each client, the round trip of a trivial query, spark.sql("SELECT 1") then collect (two
ExecutePlan calls in each: the SQL command, then the query it returns), and of spark.version (one
AnalyzePlan call, no execution: what the client itself adds to a call).

The Rust clients run as child processes (release binaries that run.sh builds) that time each
command themselves and answer one JSON line; see src/main.rs and connect-rs/src/main.rs. The CPU
time each client spends per call is read from /proc (utime + stime of the Rust processes, of this
Python process for PySpark's paths) and reported per GB of Arrow IPC received.

Servers: the stack's Spark Connect server (--remote, default MINDY_SPARK_REMOTE), or, with --sail
BIN, a Sail server (pysail's `sail spark server`) this script starts on a free port and stops at the
end. Spark 3.5.7 on the stack's 2 cores is the ceiling for every client; Sail (a single-process
Rust engine) is fast enough for the clients to show.
"""

import argparse
import datetime
import gc
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

from pyspark.sql import SparkSession

# The benchmark result: every column computed on the executors from spark.range's id.
EXPRS = [
    "id",
    "CAST(id AS DOUBLE) * 1.5 AS d",
    "CAST(id AS STRING) AS s",
    "id % 2 = 0 AS b",
    "timestamp_seconds(id) AS ts",
    "date_add(DATE'2020-01-01', CAST(id % 3650 AS INT)) AS day",
]


class RustClient:
    """A Rust bench binary speaking the line protocol of src/main.rs."""

    def __init__(self, name, argv):
        self.name = name
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} exited (code {self.proc.wait()})")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"{self.name} {command}: {answer['error']}")
        return answer

    def cpu_secs(self):
        """CPU seconds (user + system) the process has used so far."""
        return proc_cpu_secs(self.proc.pid)

    def peak_rss_mb(self):
        """The process's peak resident memory so far (VmHWM), in MB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_secs(pid="self"):
    """utime + stime of a process (all its threads) from /proc/PID/stat, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        # The command name (field 2) may hold spaces; count fields after its closing parenthesis.
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SailServer:
    """A Sail Spark Connect server (`sail spark server`) on a free port, for the length of a run."""

    def __init__(self, sail_bin, workdir):
        self.port = free_port()
        self.log = open(os.path.join(workdir, "sail.log"), "w")
        self.proc = subprocess.Popen(
            [sail_bin, "spark", "server", "--ip", "127.0.0.1", "--port", str(self.port),
             "--directory", workdir],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sail exited with {self.proc.returncode}; see {self.log.name}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"sail did not listen on {self.port} within 60 s")
                time.sleep(0.2)
        self.remote = f"sc://127.0.0.1:{self.port}"

    def cpu_secs(self):
        return proc_cpu_secs(self.proc.pid)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def raw_drain(spark, df):
    """The server's collect path with the least client work: PySpark's raw gRPC stub, no decoding.

    Answers the Arrow IPC bytes (ArrowBatch.data summed), messages and rows received, and when the
    first Arrow message arrived. The server decides the batches, not the client, so every client
    receives the same bytes.
    """
    client = spark.client
    gc.collect()
    start = time.perf_counter()
    req = client._execute_plan_request_with_metadata()
    req.plan.CopyFrom(df._plan.to_proto(client))
    nbytes = messages = rows = 0
    first = None
    for resp in client._stub.ExecutePlan(req, metadata=client._builder.metadata()):
        if resp.HasField("arrow_batch"):
            if first is None:
                first = time.perf_counter() - start
            nbytes += len(resp.arrow_batch.data)
            messages += 1
            rows += resp.arrow_batch.row_count
    return {"secs": time.perf_counter() - start, "rows": rows, "bytes": nbytes, "messages": messages,
            "first_batch_secs": first}


def on_alarm(_signum, _frame):
    raise TimeoutError("a benchmark call took longer than --timeout")


def timed(fn):
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def pyspark_arrow(spark, df):
    secs, (table, _schema) = timed(lambda: spark.client.to_table(df._plan.to_proto(spark.client)))
    return {"secs": secs, "rows": table.num_rows, "columns": table.num_columns}


def pyspark_pandas(df):
    secs, pdf = timed(df.toPandas)
    return {"secs": secs, "rows": len(pdf), "columns": len(pdf.columns)}


def pyspark_latency(spark, kind, n):
    out = []
    for _ in range(n):
        start = time.perf_counter()
        if kind == "latency":
            assert len(spark.sql("SELECT 1").collect()) == 1
        else:
            assert spark.version
        out.append(time.perf_counter() - start)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--remote", default=os.environ.get("MINDY_SPARK_REMOTE", "sc://127.0.0.1:15002"))
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--partitions", type=int, default=10,
                    help="spark.range partitions; each one is one task result the driver fetches whole "
                         "(with Spark's default of one per core, 2 here, each was ~95 MB and the local "
                         "stack's 1 GiB driver ran out of heap fetching one)")
    ap.add_argument("--iterations", type=int, default=5, help="timed runs of each variant (median reported)")
    ap.add_argument("--latency", type=int, default=50, help="SELECT 1 round trips per client")
    ap.add_argument("--ours", required=True, help="path of the spark-client-bench binary")
    ap.add_argument("--connect-rs", help="path of the spark-connect-rs-bench binary (omit to skip)")
    ap.add_argument("--json", help="also write every measurement here")
    ap.add_argument("--timeout", type=int, default=300, help="seconds any one call may take")
    ap.add_argument("--sail", metavar="BIN",
                    help="start this Sail binary (`sail spark server`) and benchmark against it instead of --remote")
    ap.add_argument("--workdir", default="/tmp/spark-client-bench", help="Sail's working directory and log")
    args = ap.parse_args()
    signal.signal(signal.SIGALRM, on_alarm)

    sail = None
    if args.sail:
        os.makedirs(args.workdir, exist_ok=True)
        sail = SailServer(args.sail, args.workdir)
        args.remote = sail.remote
    spark = SparkSession.builder.remote(args.remote).getOrCreate()
    try:
        run(args, spark, sail)
    except BaseException:
        # Leave nothing of ours running on the shared server (the Rust drivers' operations end
        # with their processes).
        if sail is None:
            spark.interruptAll()
        raise
    finally:
        spark.stop()
        if sail is not None:
            sail.stop()


def run(args, spark, sail):
    df = spark.range(0, args.rows, 1, args.partitions).selectExpr(*EXPRS)
    rust_args = [args.remote, str(args.rows), str(args.partitions), *EXPRS]
    # `ours stream` gets a process of its own so that its peak memory is its own.
    clients = {"ours": RustClient("spark-client", [args.ours, *rust_args]),
               "ours-stream": RustClient("spark-client (stream)", [args.ours, *rust_args])}
    if args.connect_rs:
        clients["connect-rs"] = RustClient("spark-connect-rs", [args.connect_rs, *rust_args])

    variants = {
        "ours collect": lambda: clients["ours"].ask("collect"),
        "ours stream": lambda: clients["ours-stream"].ask("stream"),
        "pyspark arrow": lambda: pyspark_arrow(spark, df),
        "pyspark toPandas": lambda: pyspark_pandas(df),
        "raw gRPC drain (no decode)": lambda: raw_drain(spark, df),
        "ours drain (no decode)": lambda: clients["ours"].ask("drain"),
        "server floor (noop)": lambda: clients["ours"].ask("noop"),
    }
    # Whose CPU each variant spends (the process that decodes the result).
    cpu_of = {"ours collect": clients["ours"].cpu_secs, "ours stream": clients["ours-stream"].cpu_secs,
              "pyspark arrow": proc_cpu_secs, "pyspark toPandas": proc_cpu_secs,
              "raw gRPC drain (no decode)": proc_cpu_secs, "ours drain (no decode)": clients["ours"].cpu_secs,
              "server floor (noop)": clients["ours"].cpu_secs}
    if "connect-rs" in clients:
        variants["spark-connect-rs collect"] = lambda: clients["connect-rs"].ask("collect")
        cpu_of["spark-connect-rs collect"] = clients["connect-rs"].cpu_secs

    load_before = os.getloadavg()
    version = spark.version
    drained = raw_drain(spark, df)  # also the first warm-up of the plan
    nbytes, messages = drained["bytes"], drained["messages"]
    assert drained["rows"] == args.rows, f"server sent {drained['rows']} rows, expected {args.rows}"
    print(f"{'Sail' if sail else 'Spark ' + version} at {args.remote}; {args.rows:,} rows x {len(EXPRS)} columns; "
          f"{nbytes / 1e6:.1f} MB of Arrow IPC in {messages} messages", file=sys.stderr)

    def guarded(name, fn):
        def call():
            signal.alarm(args.timeout)
            cpu0 = cpu_of[name]()
            server0 = sail.cpu_secs() if sail else 0.0
            try:
                answer = fn()
            finally:
                signal.alarm(0)
            answer["cpu"] = cpu_of[name]() - cpu0
            if sail:
                answer["server_cpu"] = sail.cpu_secs() - server0
            return answer
        return call

    variants = {name: guarded(name, fn) for name, fn in variants.items()}
    samples = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    server_cpu = {name: [] for name in variants}
    first_batch = {"ours stream": [], "raw gRPC drain (no decode)": []}
    for name, run in variants.items():  # warm-up: JIT, connections, caches
        check(name, run(), args.rows)
    names = list(variants)
    for i in range(args.iterations):
        order = names[i % len(names):] + names[:i % len(names)]  # rotate who goes first
        for name in order:
            answer = variants[name]()
            check(name, answer, args.rows)
            samples[name].append(answer["secs"])
            cpu[name].append(answer["cpu"])
            if "server_cpu" in answer:
                server_cpu[name].append(answer["server_cpu"])
            if name in first_batch:
                first_batch[name].append(answer["first_batch_secs"])
        print(f"iteration {i + 1}/{args.iterations} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr)

    # Round trips: "latency" is sql("SELECT 1") then collect (two ExecutePlan calls, the query runs
    # on the driver); "version" is spark.version (one AnalyzePlan call, no execution), which shows
    # what the client itself adds to a call.
    latency = {kind: {c: [] for c in ["ours", "pyspark", *(["connect-rs"] if "connect-rs" in clients else [])]}
               for kind in ("latency", "version")}
    block = 10
    for kind, per_client in latency.items():
        for client in per_client:  # warm-up
            latency_block(kind, client, clients, spark, 5)
        for start in range(0, args.latency, block):  # interleaved blocks of 10
            for client in per_client:
                n = min(block, args.latency - start)
                per_client[client] += latency_block(kind, client, clients, spark, n)
    load_after = os.getloadavg()
    peak_rss = {name: c.peak_rss_mb() for name, c in clients.items()}

    server = "Sail (pysail)" if sail else f"Spark {version}"
    report(args, server, nbytes, messages, samples, cpu, server_cpu, first_batch, latency, peak_rss,
           load_before, load_after, sail is not None)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": args.rows, "exprs": EXPRS, "arrow_ipc_bytes": nbytes, "messages": messages,
                       "server": server, "samples": samples, "cpu_secs": cpu, "server_cpu_secs": server_cpu,
                       "first_batch": first_batch, "latency": latency, "peak_rss_mb": peak_rss,
                       "load": [load_before, load_after]}, f, indent=1)
    for c in clients.values():
        c.close()


def latency_block(kind, client, clients, spark, n):
    if client == "pyspark":
        return pyspark_latency(spark, kind, n)
    return clients[client].ask(f"{kind} {n}")["secs"]


def check(name, answer, rows):
    if answer.get("rows", rows) != rows or answer.get("columns", len(EXPRS)) != len(EXPRS):
        raise RuntimeError(f"{name}: got {answer}, expected {rows} rows x {len(EXPRS)} columns")


def report(args, server, nbytes, messages, samples, cpu, server_cpu, first_batch, latency, peak_rss,
           load_before, load_after, on_sail):
    med = {k: statistics.median(v) for k, v in samples.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    gb = nbytes / 1e9
    base = med["pyspark arrow"]
    floor = med["server floor (noop)"]
    drain = med["raw gRPC drain (no decode)"]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n{args.rows:,} rows in {args.partitions} partitions ({', '.join(EXPRS)}); "
          f"{nbytes / 1e6:.1f} MB Arrow IPC in {messages} "
          f"messages; {server}; median of {args.iterations}; {now}; "
          f"load avg {load_before[0]:.1f} -> {load_after[0]:.1f} on {os.cpu_count()} cores\n")
    print("| variant | median s | min s | rows/s | MB/s | speed vs PySpark Arrow | time vs drain | time vs floor "
          "| client CPU s | client CPU s/GB |" + (" server CPU s |" if on_sail else ""))
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (" ---: |" if on_sail else ""))
    for name, secs in med.items():
        transfer = name != "server floor (noop)"
        mbs = f"{nbytes / 1e6 / secs:,.0f}" if transfer else "—"
        speedup = f"{base / secs:.2f}x" if transfer else "—"
        per_gb = f"{med_cpu[name] / gb:.2f}" if transfer else "—"
        server_col = f" {statistics.median(server_cpu[name]):.2f} |" if on_sail else ""
        print(f"| {name} | {secs:.3f} | {min(samples[name]):.3f} | {args.rows / secs / 1e6:,.2f} M | {mbs} "
              f"| {speedup} | {secs / drain:.2f}x | {secs / floor:.2f}x | {med_cpu[name]:.3f} | {per_gb} |{server_col}")
    firsts = ", ".join(f"{k} {statistics.median(v):.3f} s" for k, v in first_batch.items())
    print(f"\nFirst Arrow batch received after (median): {firsts}")
    rss = ", ".join(f"{k} {v:,.0f} MB" for k, v in peak_rss.items())
    print(f"Peak RSS of the Rust processes: {rss} (ours: collect, noop and round trips; ours-stream: stream only)")
    lat = {k: statistics.median(v) * 1e3 for k, v in latency["latency"].items()}
    ver = {k: statistics.median(v) * 1e3 for k, v in latency["version"].items()}
    print(f"\nRound trips, median of {args.latency} each: `SELECT 1` = spark.sql(\"SELECT 1\") then collect "
          f"(2 ExecutePlan calls); `version` = spark.version (1 AnalyzePlan call)\n")
    print("| client | SELECT 1 median ms | p90 ms | vs PySpark | version median ms | p90 ms | vs PySpark |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in lat:
        p90 = statistics.quantiles(latency["latency"][name], n=10)[-1] * 1e3
        vp90 = statistics.quantiles(latency["version"][name], n=10)[-1] * 1e3
        print(f"| {name} | {lat[name]:.2f} | {p90:.2f} | {lat[name] / lat['pyspark']:.2f}x "
              f"| {ver[name]:.2f} | {vp90:.2f} | {ver[name] / ver['pyspark']:.2f}x |")

    best = med["ours collect"]  # the like-for-like of PySpark's to_table: the whole result held
    ours_cpu, py_cpu = med_cpu["ours collect"], med_cpu["pyspark arrow"]
    print("\nTargets (issue 15; ours = collect):")
    if on_sail:
        targets = [
            ("within 1.3x of the server's noop floor", best <= 1.3 * floor, f"{best / floor:.2f}x"),
            (">= 6x PySpark's Arrow path", base / best >= 6, f"{base / best:.2f}x"),
        ]
    else:
        targets = [
            ("client CPU per GB <= 1/3 of PySpark's Arrow path", ours_cpu <= py_cpu / 3,
             f"{ours_cpu / gb:.2f} vs {py_cpu / gb:.2f} CPU s/GB, {ours_cpu / py_cpu:.2f}x"),
            ("SELECT 1 round trip <= 1/2 PySpark's", lat["ours"] <= lat["pyspark"] / 2,
             f"{lat['ours'] / lat['pyspark']:.2f}x"),
        ]
    if "spark-connect-rs collect" in med:
        other = med["spark-connect-rs collect"]
        targets.append(("fastest of the three clients on collect", best <= other and best <= base,
                        f"{best:.3f} s vs spark-connect-rs {other:.3f} s, PySpark {base:.3f} s"))
        targets.append(("fastest of the three clients on the round trip",
                        lat["ours"] <= lat["connect-rs"] and lat["ours"] <= lat["pyspark"],
                        f"{lat['ours']:.2f} ms vs spark-connect-rs {lat['connect-rs']:.2f} ms, "
                        f"PySpark {lat['pyspark']:.2f} ms"))
    for what, ok, figure in targets:
        print(f"- {what}: {'met' if ok else 'NOT met'} ({figure})")


if __name__ == "__main__":
    main()
