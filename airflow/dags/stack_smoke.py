"""
### stack_smoke

Runs `mindy smoke` on demand: one round trip through every service of the stack (Spark Connect on
the cluster's executors, a Delta table, Kafka, PostgreSQL, Redis). Trigger it from the Airflow UI
or REST API to check, from Airflow's side, that the pipeline's dependencies answer.

The binary path comes from the `MINDY_BIN` environment variable (set by `./stack up`).
"""

from __future__ import annotations

import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(
    dag_id="stack_smoke",
    description="One round trip through every service of the Mini-Mindy stack",
    doc_md=__doc__,
    schedule=None,
    start_date=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
    catchup=False,
    dagrun_timeout=datetime.timedelta(minutes=10),
    default_args={"retries": 0},
    tags=["mini-mindy", "ops"],
) as dag:
    BashOperator(
        task_id="smoke",
        # A trailing space stops Airflow from treating the command as a Jinja template file.
        bash_command='"$MINDY_BIN" smoke ',
    )
