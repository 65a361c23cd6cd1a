"""comparator_groups: region groups from the area tree and nearest-neighbour groups from the
shipped deprivation profiles (docs/nearest-neighbours.md), on the shipped geography."""

import io
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.areas_import import areas_import
from indicators.comparator_groups import area_profiles_read, neighbours_group_build
from indicators.models import Area, AreaType, ComparatorGroup

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
BNSSG = "E54000039"
SOUTH_WEST_ICBS = [  # fixtures/areas.csv, in name order
    "NHS Bristol, North Somerset and South Gloucestershire Integrated Care Board",
    "NHS Cornwall and the Isles of Scilly Integrated Care Board",
    "NHS Devon Integrated Care Board",
    "NHS Dorset Integrated Care Board",
    "NHS Gloucestershire Integrated Care Board",
    "NHS Somerset Integrated Care Board",
    "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board",
]


@pytest.fixture
def geography(db):
    areas_import(areas_file=str(FIXTURES / "areas.csv"))


def run(*args) -> str:
    out = io.StringIO()
    call_command("comparator_groups", *args, stdout=out)
    return out.getvalue()


def members(code: str) -> list[str]:
    group = ComparatorGroup.objects.get(code=code)
    return list(group.members.order_by("position").values_list("area__code", flat=True))


def test_regions_make_one_group_of_icbs_per_nhs_region(geography):
    output = run("--regions")

    groups = ComparatorGroup.objects.filter(kind="nhs_region")
    assert groups.count() == 7
    south_west = groups.get(code="NHSREG-E40000006")
    assert south_west.name == "South West ICBs"
    names = list(south_west.members.order_by("position").values_list("area__name", flat=True))
    assert names == sorted(SOUTH_WEST_ICBS)
    assert "Created NHSREG-E40000006 (South West ICBs): 7 members." in output
    assert sum(group.members.count() for group in groups) == 42


def test_regions_again_updates_the_same_groups(geography):
    run("--regions")
    output = run("--regions")

    assert ComparatorGroup.objects.count() == 7 + 9  # NHS regions' ICBs, ONS regions' LAs
    assert "Updated NHSREG-E40000006" in output
    assert len(members("NHSREG-E40000006")) == 7
    assert len(members("ONSREG-E12000009")) == 15


def test_ons_regions_group_their_local_authorities(db):
    types = {t.code: t for t in AreaType.objects.all()}
    england = Area.objects.create(code="E92000001", name="England", area_type=types["england"])
    region = Area.objects.create(
        code="E12000009", name="South West", area_type=types["ons_region"], parent=england
    )
    for code, name in [("E06000024", "North Somerset"), ("E06000023", "Bristol, City of")]:
        Area.objects.create(code=code, name=name, area_type=types["local_authority"], parent=region)

    run("--regions")

    group = ComparatorGroup.objects.get(code="ONSREG-E12000009")
    assert (group.kind, group.name) == ("ons_region", "South West local authorities")
    assert members("ONSREG-E12000009") == ["E06000023", "E06000024"]


def test_regions_without_geography_is_a_clear_error(db):
    with pytest.raises(CommandError, match="import the areas first"):
        run("--regions")


def test_neighbours_list_the_area_then_its_ten_nearest_icbs(geography):
    output = run("--neighbours", BNSSG)

    group = ComparatorGroup.objects.get(code=f"NN-{BNSSG}")
    codes = members(group.code)
    assert group.kind == "nearest_neighbours"
    assert len(codes) == 11 and codes[0] == BNSSG
    # By the method on the shipped profiles: Kent and Medway, then Northamptonshire.
    assert codes[1:3] == ["E54000032", "E54000059"]
    assert "the 10 areas, of the 42 of this type" in group.method_note
    assert "mean crime decile" in group.method_note and "Euclidean" in group.method_note
    assert "11 members" in output


def test_neighbours_are_reproducible_and_k_is_configurable(geography):
    run("--neighbours", BNSSG)
    first = members(f"NN-{BNSSG}")
    run("--neighbours", BNSSG)
    assert members(f"NN-{BNSSG}") == first

    run("--neighbours", BNSSG, "--k", "3", "--code", "PEERS3")

    assert members("PEERS3") == first[:4]
    assert "the 3 areas" in ComparatorGroup.objects.get(code="PEERS3").method_note


def test_neighbours_follow_the_profiles_given(geography):
    # Move Devon's profile onto BNSSG's: Devon becomes its nearest neighbour, at distance 0.
    profiles = area_profiles_read()
    features = [c for c in profiles.columns if c.startswith(("share_", "mean_"))]
    devon = profiles.loc[profiles["area_code"] == "E54000037", features].to_numpy()
    profiles.loc[profiles["area_code"] == BNSSG, features] = devon

    written = neighbours_group_build(area_code=BNSSG, k=1, profiles=profiles)

    assert [area.code for area in written.members] == [BNSSG, "E54000037"]


def test_neighbours_outside_the_registry_are_left_out_with_a_note(geography):
    # An instance that has not loaded two of Bristol's nearest councils.
    Area.objects.filter(code__in=["E06000035", "E06000045"]).delete()
    output = run("--neighbours", "E06000023", "--k", "5")

    assert members("NN-E06000023")[0] == "E06000023" and len(members("NN-E06000023")) == 4
    assert "Not in the area registry, so left out: E06000035, E06000045" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--neighbours", "E54999999"], "E54999999 is not in the area registry"),
        (["--neighbours", "E01014486"], "E01014486 .LSOA. has no deprivation profile"),
        (["--neighbours", BNSSG, "--k", "0"], "k must be a whole number of 1 or more"),
    ],
)
def test_bad_neighbour_requests_say_why_and_write_nothing(geography, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ComparatorGroup.objects.exists()


def test_a_code_already_used_by_another_kind_is_refused(geography):
    run("--regions")
    before = members("NHSREG-E40000006")

    with pytest.raises(
        CommandError,
        match=r"NHSREG-E40000006 is already a comparator group of another kind \(NHS region\)",
    ):
        run("--neighbours", BNSSG, "--code", "NHSREG-E40000006")

    assert members("NHSREG-E40000006") == before


def test_profiles_cover_every_icb_in_the_shipped_geography(geography):
    profiles = pd.read_csv(FIXTURES / "area_profiles.csv")
    icbs = set(Area.objects.filter(area_type__code="icb").values_list("code", flat=True))

    assert icbs == set(profiles.loc[profiles["area_type"] == "icb", "area_code"])
    assert (profiles["area_type"] == "local_authority").sum() == 153
