"""Write, history and revert: every replaced value is kept and a revert restores it exactly."""

import pandas as pd
import pytest
from django.db import transaction

from indicators.models import Observation, ObservationHistory
from ingest.writing import (
    RevertRefused,
    observations_incoming,
    observations_revert,
    observations_write,
)
from tests.extracts import extract, values_frame


def snapshot():
    return sorted(
        Observation.objects.values_list(
            "indicator__code", "area__code", "period__label", "sex", "category", "value",
            "lower_95", "upper_95", "extract_id",
        )
    )  # fmt: skip


@pytest.fixture
def scenario(framework, geography):
    return {"framework": framework, "geography": geography}


def write(frame, source):
    with transaction.atomic():
        return observations_write(observations_incoming(frame), extract=source)


def revert(source):
    with transaction.atomic():
        return observations_revert(source)


def test_write_creates_observations_and_history(scenario):
    first = extract()
    summary = write(values_frame([("PRV01", "E06000023", "2023/24", 15.0, 14.0, 16.0),
                                  ("PRV01", "E92000001", "2023/24", 12.0, 11.9, 12.1)]), first)  # fmt: skip
    assert (summary.created, summary.replaced) == (2, 0)
    assert Observation.objects.filter(extract=first).count() == 2
    history = ObservationHistory.objects.filter(replaced_by=first)
    assert set(history.values_list("change", flat=True)) == {"created"}
    assert Observation.objects.get(area__code="E06000023").period.kind == "financial_year"


def test_replacing_keeps_the_old_values_and_revert_restores_them_exactly(scenario):
    first, second = extract("first.csv"), extract("second.csv")
    write(values_frame([("PRV01", "E06000023", "2023/24", 15.0, 14.0, 16.0),
                        ("PRV01", "E92000001", "2023/24", 12.0, 11.9, 12.1)]), first)  # fmt: skip
    before = snapshot()
    summary = write(values_frame([("PRV01", "E06000023", "2023/24", 15.5, 14.4, 16.6),
                                  ("PRV01", "E06000023", "2022/23", 17.0, 16.0, 18.0)]), second)  # fmt: skip
    assert (summary.created, summary.replaced) == (1, 1)
    replaced = ObservationHistory.objects.get(replaced_by=second, change="replaced")
    assert (replaced.value, replaced.lower_95, replaced.previous_extract_id) == (
        15.0,
        14.0,
        first.pk,
    )
    assert Observation.objects.get(area__code="E06000023", period__label="2023/24").value == 15.5
    revert(second)
    assert snapshot() == before


def test_reverting_out_of_order_is_refused(scenario):
    first, second = extract("first.csv"), extract("second.csv")
    write(values_frame([("PRV01", "E06000023", "2023/24", 15.0, 14.0, 16.0)]), first)
    write(values_frame([("PRV01", "E06000023", "2023/24", 15.5, 14.4, 16.6)]), second)
    with pytest.raises(RevertRefused, match=f"#{second.pk} later changed"):
        revert(first)
    revert(second)
    revert(first)
    assert not Observation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_write_needs_a_transaction(scenario):
    with pytest.raises(AssertionError, match="inside a transaction"):
        observations_write(
            pd.DataFrame({"indicator_id": [1], "area_id": [1], "period_id": [1]}),
            extract=extract(),
        )


def test_a_failure_inside_the_transaction_writes_nothing(scenario):
    source = extract()
    with pytest.raises(RuntimeError), transaction.atomic():
        write(values_frame([("PRV01", "E06000023", "2023/24", 1.0, 0.5, 1.5)]), source)
        raise RuntimeError("the worker died")
    assert not Observation.objects.exists() and not ObservationHistory.objects.exists()
