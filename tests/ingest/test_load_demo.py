"""make demo's data: generated extracts loaded through the real pipeline."""

import io

from django.core.management import call_command
from django.http import HttpRequest

from indicators.models import (
    Baseline,
    Commentary,
    ComparatorGroup,
    Extract,
    Indicator,
    InequalitySummary,
    Observation,
    SeriesAnalytics,
    System,
    Target,
)


def test_load_demo_fills_every_indicator_through_the_pipeline(db, settings, tmp_path, client):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Demo data loaded through the pipeline" in out.getvalue()
    extracts = Extract.objects.all()
    assert extracts.count() >= 30
    assert set(extracts.values_list("status", flat=True)) == {"succeeded"}
    assert all(extracts.values_list("is_synthetic", flat=True))
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert len(codes) == 44
    with_icb_values = set(
        Observation.objects.filter(area__code="E54000039", value__isnull=False).values_list(
            "indicator__code", flat=True
        )
    )
    assert with_icb_values == codes
    with_england = set(
        Observation.objects.filter(area__code="E92000001").values_list("indicator__code", flat=True)
    )
    assert with_england == codes
    assert set(Target.objects.values_list("indicator__code", flat=True)) == codes
    assert Baseline.objects.count() == 44
    assert Commentary.objects.filter(status="published").exists()
    # The engineered series show what the pages need: improvement, concern, hit and miss.
    labels = set(
        SeriesAnalytics.objects.filter(
            area__code="E54000039", category="", sex="Persons"
        ).values_list("spc_variation_label", "spc_assurance_label")
    )
    assert any("improvement" in variation for variation, _ in labels)
    assert any("concern" in variation for variation, _ in labels)
    assert any(assurance == "Hit and miss target" for _, assurance in labels)
    assert InequalitySummary.objects.filter(sii__isnull=False).count() > 100
    # Every page says the data is synthetic.
    client.login(request=HttpRequest(), username="lead", password="outcomes-demo")
    home = client.get("/").text
    assert "Demonstration data" in home
    # The demo's system comes from fixtures/demo_system.toml, not from code.
    assert "BNSSG system outcomes framework" in home
    system = System.objects.select_related("headline_area").get()
    assert system.headline_area.code == "E54000039"
    groups = list(ComparatorGroup.objects.values_list("code", "is_default"))
    # Running it again changes nothing.
    call_command("load_demo", stdout=io.StringIO())
    assert Extract.objects.count() == extracts.count()
    assert System.objects.count() == 1
    assert list(ComparatorGroup.objects.values_list("code", "is_default")) == groups
