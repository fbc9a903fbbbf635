#!/usr/bin/env python3
"""Validator throughput on the local broker: `mindy validate` with and without transactions, and
the same workload through a straightforward Python validator on confluent-kafka (the obvious
alternative), with the ratios. Run it through ./run.sh, which builds `mindy` in release mode and
prepares the virtualenv.

Each run gets fresh topics (input with 3 partitions like emails-topic) holding the same records:
~1 KB email records, 5% of them invalid (a null sender). Throughput is records over the time from
the first record read to the last commit, as each validator reports it, so consumer-group join
time is excluded for both sides.
"""

import argparse
import json
import os
import resource
import re
import subprocess
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

BODY = (
    "Hi Sarah,\n\nQuick update on the enterprise pipeline: two deals moved to negotiation and the "
    "Acme renewal needs your input on pricing before Thursday's committee. I attached the revised "
    "quote and the discount history for the last four quarters. Let me know if you want to go over "
    "it in our 1:1 or if email works.\n\nThanks,\nJohn Carter\nSales Director, Northwind Software\n"
)


def record(i):
    value = {
        "schema_version": 1, "id": f"bench-{i:08d}", "thread_id": f"t-{i // 4}",
        "rfc822_message_id": f"bench-{i:08d}@mail.northwind.example", "source": "demo",
        "subject": f"  Pipeline update {i}  ",
        "from": {"name": "John Carter", "address": "John.Carter@Northwind.example"},
        "to": [{"name": "Sarah Mitchell", "address": "Sarah.Mitchell@northwind.example"}], "cc": [],
        "date": "2025-10-07T13:05:00Z", "in_reply_to": None, "references": [], "labels": ["INBOX"],
        "body_text": BODY, "body_format": "plain", "body_truncated": False, "size_bytes": 1480,
        "attachments": [], "ingested_at": "2025-10-08T00:00:00Z",
    }
    if i % 20 == 0:
        value["from"] = None
    return value["id"], json.dumps(value).encode()


def create_topics(admin, names_partitions):
    futures = admin.create_topics([NewTopic(n, p, 1) for n, p in names_partitions])
    for f in futures.values():
        f.result()


def delete_topics(admin, names):
    for f in admin.delete_topics(names).values():
        try:
            f.result()
        except KafkaException:
            pass


def produce_input(bootstrap, topic, count):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                         "linger.ms": 20, "compression.type": "lz4", "queue.buffering.max.messages": 500000})
    for i in range(count):
        key, value = record(i)
        while True:
            try:
                producer.produce(topic, value, key)
                break
            except BufferError:
                producer.poll(0.05)
        if i % 10000 == 0:
            producer.poll(0)
    producer.flush(60)


# --- The straightforward Python validator -------------------------------------------------------

ADDRESS = re.compile(r"^[^\s@<>,;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def validate(raw):
    """Returns (record, None) or (None, rule): the same rules as mindy's validator."""
    try:
        r = json.loads(raw)
    except ValueError:
        return None, "json"
    if not isinstance(r, dict):
        return None, "json"
    if r.get("schema_version") != 1:
        return None, "schema_version"
    if r.get("source") is None:
        return None, "source"
    rid = (r.get("id") or "").strip()
    if not rid or len(rid) > 512:
        return None, "id"
    sender = r.get("from") or {}
    address = (sender.get("address") or "").strip().lower()
    if not ADDRESS.match(address):
        return None, "from.address"
    if not isinstance(r.get("date"), str):
        return None, "date"
    if r.get("subject") is None:
        return None, "subject"
    if r.get("body_text") is None:
        return None, "body"
    r["id"] = rid
    r["from"] = {"name": (sender.get("name") or "").strip() or None, "address": address}
    for field in ("to", "cc"):
        r[field] = [{"name": m.get("name"), "address": m["address"].strip().lower()}
                    for m in r.get(field) or [] if m.get("address")]
    r["subject"] = r["subject"].strip()
    return r, None


def python_validator(bootstrap, topics, transactional):
    """Consumes, validates and produces until caught up; returns (records, seconds, CPU seconds)."""
    cpu_before = time.process_time()
    group = f"bench-py-{uuid.uuid4().hex[:8]}"
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                         "enable.partition.eof": True})
    config = {"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5,
              "compression.type": "lz4", "queue.buffering.max.messages": 500000}
    if transactional:
        config["transactional.id"] = group
    producer = Producer(config)
    if transactional:
        producer.init_transactions(30)
    consumer.subscribe([topics["in"]])
    eof, count, first, last = set(), 0, None, None
    while True:
        batch = consumer.consume(num_messages=10000, timeout=0.2)
        if transactional and any(m.error() is None for m in batch):
            producer.begin_transaction()
        produced = False
        for msg in batch:
            err = msg.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    eof.add(msg.partition())
                continue
            eof.discard(msg.partition())
            first = first or time.monotonic()
            rec, rule = validate(msg.value())
            while True:
                try:
                    if rec is not None:
                        producer.produce(topics["out"], json.dumps(rec).encode(), rec["id"])
                    else:
                        producer.produce(topics["dlq"], msg.value(), msg.key(), headers=[("mindy-rule", rule)])
                    break
                except BufferError:
                    producer.poll(0.01)
            producer.poll(0)
            produced = True
            count += 1
        if produced:
            if transactional:
                producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                                     consumer.consumer_group_metadata(), 30)
                producer.commit_transaction(30)
            else:
                producer.flush(30)
                consumer.commit(asynchronous=False)
            last = time.monotonic()
        assignment = consumer.assignment()
        if assignment and all(tp.partition in eof for tp in assignment):
            break
    consumer.close()
    return count, (last - first) if first and last else 0.0, time.process_time() - cpu_before


# --- Runner --------------------------------------------------------------------------------------

REPORT = re.compile(r"validated ([\d,]+) records in ([\d.]+) s \((\d+) records/s")


def rust_validator(mindy, bootstrap, topics, transactional):
    run = uuid.uuid4().hex[:8]
    cmd = [mindy, "validate", "--until-idle", "--no-metrics", "--kafka-bootstrap", bootstrap,
           "--topic-emails", topics["in"], "--topic-processed", topics["out"], "--topic-dlq", topics["dlq"],
           "--topic-calendar", topics["cal_in"], "--topic-processed-calendar", topics["cal_out"],
           "--topic-calendar-dlq", topics["cal_dlq"],
           "--group", f"bench-rs-{run}", "--transactional-id", f"bench-rs-{run}"]
    if not transactional:
        cmd.append("--no-transactions")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env={**os.environ, "MINDY_LOG": "error"}).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    m = REPORT.search(out)
    if not m:
        sys.exit(f"unexpected mindy output: {out!r}")
    return int(m.group(1).replace(",", "")), float(m.group(2)), cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--bootstrap", default=os.environ.get("MINDY_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--mindy", required=True, help="path of a release build of mindy")
    args = parser.parse_args()

    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    prefix = f"bench-validator-{uuid.uuid4().hex[:8]}"
    source = f"{prefix}-in"
    create_topics(admin, [(source, 3)])
    print(f"producing {args.records:,} records (5% invalid) to {source} ...", flush=True)
    produce_input(args.bootstrap, source, args.records)

    runs = [("mindy validate (Rust), transactions", "rust", True),
            ("mindy validate (Rust), no transactions", "rust", False),
            ("Python confluent-kafka, transactions", "python", True),
            ("Python confluent-kafka, no transactions", "python", False)]
    results, cpu_rates = {}, {}
    created = [source]
    for label, kind, txn in runs:
        tag = f"{prefix}-{kind}-{'txn' if txn else 'plain'}"
        topics = {"in": source, "out": f"{tag}-out", "dlq": f"{tag}-dlq"}
        if kind == "rust":
            # mindy validate also reads the calendar topic: an empty one of its own, so the run
            # counts only this benchmark's mail (not the stack's calendar-topic).
            topics.update(cal_in=f"{tag}-cal-in", cal_out=f"{tag}-cal-out", cal_dlq=f"{tag}-cal-dlq")
        extra = [(topics[k], 1) for k in ("cal_in", "cal_out", "cal_dlq") if k in topics]
        create_topics(admin, [(topics["out"], 3), (topics["dlq"], 1)] + extra)
        created += [topics["out"], topics["dlq"]] + [name for name, _ in extra]
        if kind == "rust":
            count, secs, cpu = rust_validator(args.mindy, args.bootstrap, topics, txn)
        else:
            count, secs, cpu = python_validator(args.bootstrap, topics, txn)
        if count != args.records:
            sys.exit(f"{label}: processed {count} records, expected {args.records}")
        results[(kind, txn)] = count / secs
        cpu_rates[(kind, txn)] = count / cpu
        print(f"{label:<42} {count:>9,} records in {secs:6.2f} s  {count / secs:>10,.0f} records/s"
              f"   CPU {cpu:5.2f} s  {count / cpu:>10,.0f} records/CPU-s", flush=True)
    delete_topics(admin, created)

    rust_txn, rust_plain = results[("rust", True)], results[("rust", False)]
    py_txn, py_plain = results[("python", True)], results[("python", False)]
    print()
    print(f"Rust transactional vs Python transactional:       {rust_txn / py_txn:5.1f}x")
    print(f"Rust transactional vs Python without transactions: {rust_txn / py_plain:5.1f}x")
    print(f"Rust without vs Python without transactions:       {rust_plain / py_plain:5.1f}x")
    print(f"Per CPU-second (robust to a busy machine), Rust vs Python, transactional: "
          f"{cpu_rates[('rust', True)] / cpu_rates[('python', True)]:5.1f}x, without: "
          f"{cpu_rates[('rust', False)] / cpu_rates[('python', False)]:5.1f}x")
    print(f"Cost of transactions (Rust): {100 * (1 - rust_txn / rust_plain):.0f}% of plain throughput")
    target = "met" if rust_txn >= 50_000 and rust_txn >= 5 * py_plain else "NOT met"
    print(f"Load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"Target (>= 50,000 records/s transactional and >= 5x Python): {target}")


if __name__ == "__main__":
    main()
