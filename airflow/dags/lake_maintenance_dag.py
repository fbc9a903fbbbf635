"""
### lake_maintenance_dag

Mini-Mindy's weekly lake maintenance, Sundays at 03:00 in the user's timezone (after the 02:00
daily batch):

    retain_raw_data >> optimize_tables >> vacuum_tables

- `retain_raw_data`: `mindy lake retain` deletes bronze emails and quarantined values older than
  the retention (`MINDY_LAKE_RETENTION_DAYS`, default 365).
- `optimize_tables`: `mindy lake optimize` compacts every table's small files (Delta's OPTIMIZE;
  the stream writes a few files per micro-batch).
- `vacuum_tables`: `mindy lake vacuum` removes the files older than each layer's retention that no
  kept version needs (`MINDY_LAKE_VACUUM_HOURS_{BRONZE,SILVER,GOLD}`, default 336/168/168 hours).

Each task runs the Rust CLI at `$MINDY_BIN` with the worker's environment (`MINDY_LAKE_ROOT`,
`MINDY_SPARK_REMOTE`, `USER_TIMEZONE`, ...; `.env.example` lists them); a run's `conf` may name
`lake_root`. Every step is safe beside the running pipeline and idempotent, so retries are too.
"""

from __future__ import annotations

import datetime
import os
import shlex

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, CronDataIntervalTimetable

TIMEZONE = pendulum.timezone(os.environ.get("USER_TIMEZONE", "UTC"))

LAKE = "{{ ('--lake-root ' ~ (dag_run.conf['lake_root'] | sh)) if dag_run.conf.get('lake_root') else '' }}"


def mindy_lake(command: str) -> str:
    """The command line of one `mindy lake` command over the whole lake."""
    # A trailing space stops Airflow from reading the command as a template file name.
    return f'"$MINDY_BIN" lake {command} {LAKE} '


with DAG(
    dag_id="lake_maintenance_dag",
    description="Weekly: raw-data retention, compaction (OPTIMIZE) and VACUUM of the Delta lake",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("0 3 * * 0", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=datetime.timedelta(hours=4),
    default_args={
        "retries": 2,
        "retry_delay": datetime.timedelta(minutes=10),
    },
    tags=["mini-mindy", "maintenance"],
    user_defined_filters={"sh": shlex.quote},
) as dag:
    retain_raw_data = BashOperator(task_id="retain_raw_data", bash_command=mindy_lake("retain"))
    optimize_tables = BashOperator(task_id="optimize_tables", bash_command=mindy_lake("optimize"))
    vacuum_tables = BashOperator(task_id="vacuum_tables", bash_command=mindy_lake("vacuum"))

    retain_raw_data >> optimize_tables >> vacuum_tables

if __name__ == "__main__":
    dag.test()
