"""make demo's data: generated extracts loaded through the real pipeline, for the shipped
system or any other ICB's."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest

from indicators.models import (
    Area,
    Baseline,
    Commentary,
    ComparatorGroup,
    Domain,
    Extract,
    Indicator,
    InequalitySummary,
    Observation,
    Programme,
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


ESSEX = "E54000026"  # NHS Mid and South Essex ICB (ODS QH8): 5 sub-ICB locations
DEMO_TRACES = ["BNSSG", "Bristol", "North Somerset", "South Gloucestershire", "E54000039",
               "AWP", "UHBW", "NBT", "Sirona", "SWAG", "One Care", "South West"]  # fmt: skip


def test_load_demo_for_another_icb_speaks_of_that_system(db, settings, tmp_path, client):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("load_demo", system="QH8", indicators="OVR02,CYP05,INT03", years=3, stdout=out)
    assert "Demo logins for Mid and South Essex (MSE)" in out.getvalue()
    system = System.objects.select_related("headline_area").get()
    assert (system.name, system.short_name, system.headline_area.code) == (
        "Mid and South Essex", "MSE", ESSEX,
    )  # fmt: skip
    default = ComparatorGroup.objects.get(is_default=True)
    assert default.name == "East of England ICBs"
    assert ESSEX in set(default.areas.values_list("code", flat=True))
    # Data for the ICB, its sub-ICB locations and the councils wholly within it.
    areas = [ESSEX, "E06000033", "E06000034"] + list(
        Area.objects.filter(parent__code=ESSEX).values_list("code", flat=True)
    )
    assert len(areas) == 8
    for code in areas:
        shown = Observation.objects.filter(area__code=code, value__isnull=False)
        assert set(shown.values_list("indicator__code", flat=True)) == {
            "OVR02", "CYP05", "INT03",
        }, code  # fmt: skip
    assert not Observation.objects.filter(area__code="E10000012").exists()  # Essex crosses ICBs
    client.login(request=HttpRequest(), username="lead", password="outcomes-demo")
    home = client.get("/").text
    assert "MSE system outcomes framework" in home
    urls = ["/", "/programmes/"]
    urls += [f"/domains/{code}/" for code in Domain.objects.values_list("code", flat=True)]
    urls += [f"/indicators/{code}/" for code in ("OVR02", "CYP05", "INT03")]
    urls += [f"/programmes/{code}/" for code in Programme.objects.values_list("code", flat=True)]
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        for trace in DEMO_TRACES:
            assert trace not in page.text, (url, trace)
    # The loaded demo stays one system's: another's is refused and changes nothing.
    with pytest.raises(CommandError, match="The demo for Mid and South Essex is already loaded"):
        call_command("load_demo", stdout=io.StringIO())
    assert System.objects.get().headline_area.code == ESSEX


def test_an_unknown_system_code_loads_nothing(db, settings, tmp_path):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="'XYZ' is not an ICB's code"):
        call_command("load_demo", system="XYZ", stdout=io.StringIO())
    assert not Indicator.objects.exists() and not System.objects.exists()
    assert not Area.objects.filter(area_type__code="lsoa").exists()
