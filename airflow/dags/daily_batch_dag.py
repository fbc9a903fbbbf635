"""
### daily_batch_dag

Mini-Mindy's daily batch: yesterday's email (a calendar day in the user's timezone) from the
Delta bronze layer to the gold layer and PostgreSQL, then a summary email.

    quality_check >> daily_aggregation >> export_to_postgres >> send_email_report

Each task runs one `mindy batch` subcommand (the Rust CLI at `$MINDY_BIN`); the logic lives
there, not here. The day is the run's `data_interval_start` in the DAG's timezone (the 02:00 run
processes the day before), or `conf["date"]` for a run triggered by hand. The report runs even
when a task failed, says which one, and then fails itself so the run is marked failed.

Settings, most specific first: the run's `conf` (`date`, `lake_root`, `as_of` — bronze's Delta
version or a time, for a reproducible rerun — `smtp_host`, `smtp_port`, `report_to`), Airflow Variables (`mindy_smtp_host`, `mindy_smtp_port`, `mindy_report_to`), then
the environment of the worker that runs the task (`MINDY_BIN`, `MINDY_LAKE_ROOT`, `MINDY_SMTP_*`,
... — `.env.example` lists it), read when the task runs, on that worker: nothing comes from the
scheduler's or the DAG processor's environment except the schedule's timezone.

Two runs of the same day (the schedule, a manual trigger, a backfill) do not collide: each job
holds the day's lock while it works and redoes the day idempotently (see `mindy batch --help`).
"""

from __future__ import annotations

import datetime
import os
import shlex

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, CronDataIntervalTimetable, TriggerRule

# The user's timezone decides both when 02:00 is and which calendar day a run covers.
TIMEZONE = pendulum.timezone(os.environ.get("USER_TIMEZONE", "UTC"))

DATE = (
    "{{ dag_run.conf.get('date') "
    "or data_interval_start.in_timezone(dag.timezone).strftime('%Y-%m-%d') }}"
)
LAKE = "{{ ('--lake-root ' ~ (dag_run.conf['lake_root'] | sh)) if dag_run.conf.get('lake_root') else '' }}"
# A reproducible rerun: the jobs that read bronze read it as of this Delta version or time.
AS_OF = "{{ ('--as-of ' ~ (dag_run.conf['as_of'] | string | sh)) if dag_run.conf.get('as_of') else '' }}"


def mindy_batch(job: str, *extra: str) -> str:
    """The command line of one `mindy batch` job for the run's day."""
    args = " ".join(("--date", DATE) + extra)
    # A trailing space stops Airflow from reading the command as a template file name.
    return f'"$MINDY_BIN" batch {job} {args} '


def flag(option: str, conf_key: str, variable: str) -> str:
    """`OPTION VALUE` from the run's conf, else from an Airflow Variable; nothing when neither is
    set, so that the job reads the setting from the worker's environment."""
    value = f"(dag_run.conf.get('{conf_key}') or var.value.get('{variable}', ''))"
    return f"{{{{ ('{option} ' ~ ({value} | string | sh)) if {value} else '' }}}}"


with DAG(
    dag_id="daily_batch_dag",
    description="Bronze → gold → PostgreSQL for yesterday, then an email report",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("0 2 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    # Runs of different days touch disjoint partitions and rows, so a few may overlap.
    max_active_runs=3,
    dagrun_timeout=datetime.timedelta(hours=2),
    default_args={
        "retries": 2,
        "retry_delay": datetime.timedelta(minutes=5),
        "retry_exponential_backoff": True,
    },
    tags=["mini-mindy", "batch"],
    # Shell-quotes a value that goes into a command line.
    user_defined_filters={"sh": shlex.quote},
) as dag:
    quality_check = BashOperator(
        task_id="quality_check",
        bash_command=mindy_batch("quality", LAKE, AS_OF),
        # A failed check is a verdict on the data, not a glitch: retrying cannot fix it.
        retries=0,
    )
    daily_aggregation = BashOperator(
        task_id="daily_aggregation",
        bash_command=mindy_batch("aggregate", LAKE, AS_OF),
    )
    export_to_postgres = BashOperator(
        task_id="export_to_postgres",
        bash_command=mindy_batch("export", LAKE),
    )
    send_email_report = BashOperator(
        task_id="send_email_report",
        bash_command=mindy_batch(
            "report",
            "--dag-id {{ dag.dag_id }}",
            "--run-id {{ run_id | sh }}",
            flag("--smtp-host", "smtp_host", "mindy_smtp_host"),
            flag("--smtp-port", "smtp_port", "mindy_smtp_port"),
            flag("--report-to", "report_to", "mindy_report_to"),
        ),
        trigger_rule=TriggerRule.ALL_DONE,
        retries=0,
    )

    quality_check >> daily_aggregation >> export_to_postgres >> send_email_report

if __name__ == "__main__":
    dag.test()
