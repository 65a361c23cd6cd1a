"""The pipeline on the real stack: a Celery worker against Redis writing to PostgreSQL.

A worker killed with SIGKILL in the middle of writing leaves the database as it was, and the
extract runs again to completion; two extracts racing for the same indicator and period end
in one consistent state with complete history."""

import os
import signal
import threading
import uuid

import psycopg
import pytest
from django.db import connection

from indicators.models import Extract, Observation, ObservationHistory, SeriesAnalytics
from ingest.queue import process_extract
from ingest.services import extract_create, extract_process
from tests.extracts import SMOKING_2023, counts_file
from tests.workers import require_postgresql_and_redis, start_pipeline_worker, wait_for
from tests.workers import stop_worker as stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def state():
    observations = sorted(Observation.objects.values_list(
        "indicator__code", "area__code", "period__label", "sex", "category", "value", "extract_id"))  # fmt: skip
    history = sorted(
        ObservationHistory.objects.values_list(
            "replaced_by_id", "change", "value", "observation_key"
        )
    )
    return observations, history


def test_worker_killed_mid_write_leaves_the_database_as_it_was(framework, geography, media_root):
    require_postgresql_and_redis()
    first = extract_create(
        data=counts_file(SMOKING_2023), original_name="first.csv", kind="counts", enqueue=False
    )
    assert extract_process(extract_id=first.pk).status == "succeeded"
    before = state()
    indicator_id = framework["smoking"].pk
    assert SeriesAnalytics.objects.filter(indicator_id=indicator_id).exists()

    changed = [row.replace("2023/24", "2022/23") for row in SMOKING_2023]
    second = extract_create(
        data=counts_file(changed), original_name="second.csv", kind="counts", enqueue=False
    )
    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    settings = connection.settings_dict
    # Hold a lock the derive step needs: the worker writes its observations and history,
    # then waits here, inside its transaction, until we kill it.
    params = {"dbname": settings["NAME"], "user": settings["USER"],
              "host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432}  # fmt: skip
    blocker = psycopg.connect(**params)
    # A second connection watches; statistics views are frozen inside a transaction.
    watcher = psycopg.connect(**params, autocommit=True)
    worker = start_pipeline_worker(queue, media_root)
    try:
        blocker.execute(
            "SELECT id FROM indicators_seriesanalytics WHERE indicator_id = %s FOR UPDATE",
            [indicator_id],
        )
        process_extract.apply_async(args=[second.pk], queue=queue)

        def worker_is_waiting_mid_transaction():
            rows = watcher.execute(
                """SELECT pid FROM pg_stat_activity WHERE datname = current_database()
                   AND wait_event_type = 'Lock'"""
            ).fetchall()
            return bool(rows)

        wait_for(
            worker_is_waiting_mid_transaction,
            what="the worker to block inside its write transaction",
        )
        # The rows it wrote exist only inside its open transaction:
        assert Extract.objects.get(pk=second.pk).status == "processing"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=20)
    finally:
        blocker.rollback()
        blocker.close()
        watcher.close()
        output = stop(worker)
    assert "Traceback" not in output, output

    def worker_connection_gone():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'"
            )
            return cursor.fetchone()[0] == 0

    wait_for(worker_connection_gone, what="PostgreSQL to roll back the killed worker's transaction")
    assert state() == before
    interrupted = Extract.objects.get(pk=second.pk)
    assert interrupted.status == "processing"  # shown as interrupted; analysts can re-run it

    # Re-run on a fresh worker: it succeeds from a clean database.
    worker = start_pipeline_worker(queue, media_root)
    try:
        result = process_extract.apply_async(args=[second.pk], queue=queue)
        assert result.get(timeout=120) == "succeeded"
    finally:
        output = stop(worker)
    assert "Traceback" not in output, output
    assert Observation.objects.filter(period__label="2022/23").exists()
    assert (
        ObservationHistory.objects.filter(replaced_by=second).count()
        == Observation.objects.filter(extract=second).count()
    )


def test_two_concurrent_extracts_for_the_same_indicator_and_period(framework, geography):
    require_postgresql_and_redis()
    doubled = [
        row.replace(",30,200", ",31,200").replace(",25,210", ",26,210") for row in SMOKING_2023
    ]
    extracts = [
        extract_create(data=counts_file(rows), original_name=name, kind="counts", enqueue=False)
        for rows, name in [(SMOKING_2023, "a.csv"), (doubled, "b.csv")]
    ]
    barrier = threading.Barrier(2)
    outcomes = {}

    def run(extract):
        try:
            barrier.wait(timeout=10)
            outcomes[extract.pk] = extract_process(extract_id=extract.pk).status
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(extract,)) for extract in extracts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes.values()) == ["succeeded", "succeeded"]

    # One consistent state: every observation was set by the same (last) extract...
    setters = set(Observation.objects.values_list("extract_id", flat=True))
    assert len(setters) == 1
    last = setters.pop()
    first = next(extract.pk for extract in extracts if extract.pk != last)
    # ...and complete history: the first created every row, the last replaced every one of them.
    count = Observation.objects.count()
    assert (
        ObservationHistory.objects.filter(replaced_by_id=first, change="created").count() == count
    )
    assert (
        ObservationHistory.objects.filter(replaced_by_id=last, change="replaced").count() == count
    )
    replaced_from = set(
        ObservationHistory.objects.filter(replaced_by_id=last).values_list(
            "previous_extract_id", flat=True
        )
    )
    assert replaced_from == {first}
