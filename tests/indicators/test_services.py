"""The registry and areas imports: idempotent upserts, line-numbered errors, all or nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.areas_import import areas_import
from indicators.models import (
    Area,
    AreaAlias,
    AreaDeprivation,
    DeprivationEdition,
    Domain,
    Indicator,
    Partner,
)
from indicators.services import ImportFailed, registry_import
from tests.environment import FIXTURES

DOMAINS = "code,name,reporting_question,lead_forum,order\nOVR,Longer lives,Are people living longer?,ICP,1\n"
HEADER = (
    "code,domain_code,name,definition,numerator_definition,denominator_definition,value_type,"
    "multiplier,unit_label,polarity,frequency,ci_method,breakdowns,source,owner,fingertips_id,notes\n"
)
GOOD_ROW = (
    "OVR04,OVR,Preventable mortality,Deaths under 75.,Deaths,Population,dsr,100000,"
    '"per 100,000",lower_better,annual,dobson,sex;imd_decile,ONS,LA Public Health,,A caveat.\n'
)


def csv(text: str) -> io.StringIO:
    return io.StringIO(text)


def test_demo_framework_imports_all_domains_and_indicators(db):
    reports = registry_import(
        indicators_file=str(FIXTURES / "demo_framework.csv"),
        domains_file=str(FIXTURES / "demo_domains.csv"),
        publish=True,
    )
    assert len(reports["domains"].created) == 8
    assert len(reports["indicators"].created) == 44
    assert Indicator.objects.filter(status="published").count() == 44
    ovr04 = Indicator.objects.get(code="OVR04")
    assert (ovr04.value_type, ovr04.multiplier, ovr04.polarity, ovr04.ci_method) == (
        "dsr", 100000, "lower_better", "dobson",
    )  # fmt: skip
    assert ovr04.breakdowns == ["sex", "imd_decile"]
    assert Indicator.objects.get(code="OVR01").fingertips_id == 90362


def test_registry_import_is_idempotent_and_reports_changes(db):
    registry_import(indicators_file=csv(HEADER + GOOD_ROW), domains_file=csv(DOMAINS))
    again = registry_import(indicators_file=csv(HEADER + GOOD_ROW), domains_file=csv(DOMAINS))
    assert again["indicators"].unchanged == ["OVR04"] and again["domains"].unchanged == ["OVR"]
    renamed = GOOD_ROW.replace("Preventable mortality", "Preventable deaths")
    changed = registry_import(indicators_file=csv(HEADER + renamed))
    assert changed["indicators"].changed == ["OVR04"]
    assert Indicator.objects.get().name == "Preventable deaths"
    assert Partner.objects.filter(name="LA Public Health").count() == 1


def test_new_indicators_are_drafts_unless_published(db):
    registry_import(indicators_file=csv(HEADER + GOOD_ROW), domains_file=csv(DOMAINS))
    assert Indicator.objects.get().status == "draft"


@pytest.mark.parametrize(
    "row, message",
    [
        (GOOD_ROW.replace(",dsr,", ",ratio,"), "Line 3: value_type 'ratio' is not one of"),
        (GOOD_ROW.replace("lower_better", "down"), "Line 3: polarity 'down' is not one of"),
        (
            GOOD_ROW.replace("OVR04,OVR,", "OVR04,XXX,"),
            "Line 3: indicator OVR04 names domain 'XXX'",
        ),
        (GOOD_ROW.replace(",100000,", ",lots,"), "Line 3: multiplier 'lots'"),
        (
            GOOD_ROW.replace("sex;imd_decile", "sex;postcode"),
            "Line 3: breakdowns postcode not known",
        ),
        (GOOD_ROW.replace(",dobson,", ",wilson,"), "Line 3: indicator OVR04: ci_method"),
    ],
    ids=["value-type", "polarity", "domain", "multiplier", "breakdowns", "dsr-method"],
)
def test_a_bad_row_is_reported_by_line_and_nothing_is_written(db, row, message):
    good_first = GOOD_ROW.replace("OVR04", "OVR05")
    with pytest.raises(ImportFailed) as failure:
        registry_import(indicators_file=csv(HEADER + good_first + row), domains_file=csv(DOMAINS))
    assert any(error.startswith(message) for error in failure.value.errors), failure.value.errors
    assert (
        not Indicator.objects.exists()
        and not Domain.objects.exists()
        and not Partner.objects.exists()
    )


def test_missing_columns_and_duplicates_are_refused(db):
    with pytest.raises(ImportFailed, match="nothing was imported") as failure:
        registry_import(indicators_file=csv("code,name\nX,Y\n"))
    assert "missing the column(s) domain_code" in failure.value.errors[0]
    with pytest.raises(ImportFailed) as failure:
        registry_import(
            indicators_file=csv(HEADER + GOOD_ROW + GOOD_ROW), domains_file=csv(DOMAINS)
        )
    assert failure.value.errors == ["Line 3: indicator OVR04 appears twice in the file."]


def test_empty_and_non_utf8_files_are_refused(db, tmp_path):
    with pytest.raises(ImportFailed) as failure:
        registry_import(indicators_file=csv(""))
    assert "empty" in failure.value.errors[0]
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + GOOD_ROW.replace("Deaths under 75.", "Décès")).encode("cp1252"))
    with pytest.raises(ImportFailed) as failure:
        registry_import(indicators_file=str(latin))
    assert "not UTF-8" in failure.value.errors[0]


def test_byte_order_mark_is_accepted(db, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff".encode() + (HEADER + GOOD_ROW).encode())
    registry_import(indicators_file=str(path), domains_file=csv(DOMAINS))
    assert Indicator.objects.filter(code="OVR04").exists()


# --- Areas ---------------------------------------------------------------------------------

AREAS_HEADER = "code,name,area_type,parent_code,imd_decile,population\n"


def test_demo_geography_imports_all_of_england_in_two_hierarchies(db):
    report = areas_import(areas_file=str(FIXTURES / "areas.csv"))
    assert len(report.created) == 33_332
    counts = {
        code: Area.objects.filter(area_type__code=code).count()
        for code in ["england", "region", "icb", "sub_icb", "ons_region", "local_authority",
                     "district", "locality", "lsoa"]
    }  # fmt: skip
    assert counts == {"england": 1, "region": 7, "icb": 42, "sub_icb": 106, "ons_region": 9,
                      "local_authority": 153, "district": 164, "locality": 6, "lsoa": 32_844}  # fmt: skip
    lsoa = Area.objects.get(code="E01014486")  # Bristol 023B, decile 2
    chain = []
    area = lsoa
    while area:
        chain.append(area.area_type.code)
        area = area.parent
    assert chain == ["lsoa", "sub_icb", "icb", "region", "england"]
    assert set(lsoa.links.values_list("parent__code", flat=True)) == {"E06000023", "ICE"}
    bristol = Area.objects.get(code="E06000023")
    assert (bristol.parent.code, bristol.parent.area_type.code) == ("E12000009", "ons_region")
    assert set(bristol.links.values_list("parent__code", flat=True)) == {"E38000222", "E54000039"}
    ranked = AreaDeprivation.objects.filter(edition__name="IMD 2019")
    assert ranked.get(area=lsoa).decile == 2
    assert ranked.filter(area__area_type__code="lsoa", decile__isnull=False).count() == 32_844
    assert DeprivationEdition.objects.get().small_areas == "LSOA 2011"
    aliases = dict(AreaAlias.objects.values_list("code", "area__code"))
    assert aliases["QUY"] == "E54000039" and aliases["15C"] == "E38000222"  # ODS codes
    assert aliases["E54000063"] == "E54000052"  # Surrey Heartlands in the 2023 boundaries
    assert aliases["E40000014"] == "E40000010"  # North West in the 2024 region boundaries
    assert Area.objects.get(code="SGL").linked_children.count() == 165
    # A two-tier county: its districts, and their LSOAs in each district.
    county = Area.objects.filter(area_type__code="local_authority", children__isnull=False)
    assert county.exists()
    again = areas_import(areas_file=str(FIXTURES / "areas.csv"))
    assert (len(again.created), len(again.changed), len(again.unchanged)) == (0, 0, 33_332)


def test_a_further_parent_replaces_the_one_of_the_same_type(db):
    areas_import(areas_file=csv(
        AREAS_HEADER.strip() + ",also_in\n"
        "E92000001,England,england,,,,\n"
        "D1,District one,district,E92000001,,,\n"
        "D2,District two,district,E92000001,,,\n"
        "L1,Locality,locality,E92000001,,,\n"
        "S1,Small area,lsoa,E92000001,3,,D1|L1\n"
    ))  # fmt: skip
    report = areas_import(areas_file=csv(
        AREAS_HEADER.strip() + ",also_in\nS1,Small area,lsoa,E92000001,3,,D2\n"
    ))  # fmt: skip
    assert report.changed == ["S1"]
    links = Area.objects.get(code="S1").links.values_list("parent__code", flat=True)
    assert set(links) == {"D2", "L1"}


def test_an_unknown_further_parent_or_a_cycle_through_one_is_refused(db):
    text = (
        AREAS_HEADER.strip() + ",also_in\n"
        "E92000001,England,england,,,,\n"
        "A1,Area,district,E92000001,,,NOPE\n"
        "B1,Other,district,E92000001,,,C1\n"
        "C1,Third,lsoa,B1,,,\n"
    )
    with pytest.raises(ImportFailed) as refused:
        areas_import(areas_file=csv(text))
    assert any("also_in area 'NOPE'" in error for error in refused.value.errors)
    assert any("cycle" in error and "B1" in error for error in refused.value.errors)
    assert not Area.objects.exists()


def test_parents_may_follow_children(db):
    text = (
        AREAS_HEADER
        + "E06000023,Bristol,local_authority,E92000001,,472400\nE92000001,England,england,,,\n"
    )
    areas_import(areas_file=csv(text))
    assert Area.objects.get(code="E06000023").parent.code == "E92000001"


def test_changes_to_an_area_are_reported(db):
    areas_import(areas_file=csv(AREAS_HEADER + "E92000001,England,england,,,\n"))
    report = areas_import(areas_file=csv(AREAS_HEADER + "E92000001,England,england,,,56500000\n"))
    assert report.changed == ["E92000001"]


@pytest.mark.parametrize(
    "rows, message",
    [
        ("E1,Somewhere,lsoa,E404,3,\n", "Line 3: parent 'E404' of area E1 is neither in the file nor in the registry."),
        ("E1,Somewhere,hamlet,E92000001,,\n", "Line 3: area type 'hamlet' is not known"),
        ("E1,Somewhere,lsoa,E92000001,11,\n", "Line 3: imd_decile '11' must be a whole number 1–10."),
        ("E1,Somewhere,lsoa,E92000001,,many\n", "Line 3: population 'many' is not a whole number."),
        ("E1,Somewhere,lsoa,E1,,\n", "Line 3: area E1 names itself as its parent."),
        ("E1,A,locality,E2,,\nE2,B,locality,E1,,\n", "Line 3: areas form a cycle: E1 → E2 → E1."),
        ("E1,A,lsoa,E92000001,,\nE1,A again,lsoa,E92000001,,\n", "Line 4: area E1 appears twice (first on line 3)."),
    ],
    ids=["unknown-parent", "unknown-type", "decile", "population", "own-parent", "cycle", "duplicate"],
)  # fmt: skip
def test_bad_area_files_are_refused_with_line_numbers_and_change_nothing(db, rows, message):
    text = AREAS_HEADER + "E92000001,England,england,,,\n" + rows
    with pytest.raises(ImportFailed) as failure:
        areas_import(areas_file=csv(text))
    assert any(error.startswith(message) for error in failure.value.errors), failure.value.errors
    assert not Area.objects.exists()


def test_a_cycle_through_the_registry_is_refused(db):
    areas_import(areas_file=csv(AREAS_HEADER + "E1,A,locality,,,\nE2,B,locality,E1,,\n"))
    with pytest.raises(ImportFailed, match="nothing was imported") as failure:
        areas_import(areas_file=csv(AREAS_HEADER + "E1,A,locality,E2,,\n"))
    assert "cycle" in failure.value.errors[0]
    assert Area.objects.get(code="E1").parent is None


def test_commands_report_and_fail_cleanly(db, tmp_path):
    out = io.StringIO()
    call_command("import_areas", str(FIXTURES / "areas.csv"), stdout=out)
    assert "Areas: 33332 created" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(AREAS_HEADER + "E9,X,lsoa,NOPE,,\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_areas", str(bad), stderr=err)
    assert "Line 2: parent 'NOPE'" in err.getvalue()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_areas", str(tmp_path / "missing.csv"))
    out = io.StringIO()
    call_command(
        "import_registry", str(FIXTURES / "demo_framework.csv"),
        domains=str(FIXTURES / "demo_domains.csv"), stdout=out,
    )  # fmt: skip
    assert "Indicators: 44 created" in out.getvalue()
