"""DAG integrity: every DAG in airflow/dags imports cleanly and has the shape we rely on."""

from __future__ import annotations

from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

DAGS = Path(__file__).resolve().parents[1] / "dags"


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return DagBag(dag_folder=str(DAGS))


def test_every_dag_imports(dagbag: DagBag) -> None:
    assert dagbag.import_errors == {}
    assert {"daily_batch_dag", "lake_maintenance_dag", "stack_smoke"} <= set(dagbag.dag_ids)


def test_dag_ids_match_file_names(dagbag: DagBag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert Path(dag.fileloc).stem == dag_id


def test_daily_batch_schedule_and_order(dagbag: DagBag) -> None:
    dag = dagbag.dags["daily_batch_dag"]
    assert dag.timetable.expression == "0 2 * * *"
    assert dag.catchup is False
    order = ["quality_check", "daily_aggregation", "export_to_postgres", "send_email_report"]
    for upstream, downstream in zip(order, order[1:]):
        assert dag.get_task(upstream).downstream_task_ids == {downstream}
    assert dag.get_task("send_email_report").trigger_rule == "all_done"
    assert dag.get_task("quality_check").retries == 0


def test_commands_call_the_cli_with_the_runs_date(dagbag: DagBag) -> None:
    dag = dagbag.dags["daily_batch_dag"]
    for task in dag.tasks:
        assert task.bash_command.startswith('"$MINDY_BIN" batch ')
        assert "--date {{ dag_run.conf.get('date')" in task.bash_command
        assert "data_interval_start" in task.bash_command


def test_settings_come_from_the_run_variables_or_the_workers_environment(dagbag: DagBag) -> None:
    dag = dagbag.dags["daily_batch_dag"]
    report = dag.get_task("send_email_report")
    # Nothing read from the DAG processor's environment at parse time: the report's SMTP settings are
    # flags from the run's conf or a Variable, else the worker's MINDY_SMTP_* at run time.
    assert not report.env
    for option, conf_key, variable in [
        ("--smtp-host", "smtp_host", "mindy_smtp_host"),
        ("--smtp-port", "smtp_port", "mindy_smtp_port"),
        ("--report-to", "report_to", "mindy_report_to"),
    ]:
        assert option in report.bash_command
        assert f"dag_run.conf.get('{conf_key}')" in report.bash_command
        assert f"var.value.get('{variable}'" in report.bash_command
    assert dag.user_defined_filters["sh"]("a b'c") == "'a b'\"'\"'c'"


def test_a_rerun_can_read_bronze_as_of_a_version(dagbag: DagBag) -> None:
    dag = dagbag.dags["daily_batch_dag"]
    # The two jobs that read bronze; export reads gold, the report PostgreSQL.
    for task_id in ["quality_check", "daily_aggregation"]:
        bash = dag.get_task(task_id).bash_command
        assert "'--as-of ' ~ (dag_run.conf['as_of'] | string | sh)" in bash, bash
    for task_id in ["export_to_postgres", "send_email_report"]:
        assert "as_of" not in dag.get_task(task_id).bash_command


def test_lake_maintenance_runs_weekly_after_the_daily_batch(dagbag: DagBag) -> None:
    dag = dagbag.dags["lake_maintenance_dag"]
    assert dag.timetable.expression == "0 3 * * 0"
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    order = ["retain_raw_data", "optimize_tables", "vacuum_tables"]
    for upstream, downstream in zip(order, order[1:]):
        assert dag.get_task(upstream).downstream_task_ids == {downstream}
    for task, command in zip(order, ["retain", "optimize", "vacuum"]):
        bash = dag.get_task(task).bash_command
        assert bash.startswith(f'"$MINDY_BIN" lake {command} ')
        # Settings come from the worker's environment, or the run's conf for the lake root.
        assert "dag_run.conf.get('lake_root')" in bash
        assert not dag.get_task(task).env
