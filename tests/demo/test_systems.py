"""Which system the demo is for: the shipped default, or any ICB by its ONS or ODS code."""

import tomllib

import pytest

from demo.systems import (
    UnknownSystem,
    demo_system_resolve,
    demo_system_toml,
    short_name,
    system_name,
)
from tests.environment import FIXTURES

DEFAULT = tomllib.loads((FIXTURES / "demo_system.toml").read_text())["system"]
ESSEX = "E54000026"  # NHS Mid and South Essex ICB, ODS code QH8
EAST_OF_ENGLAND_ICBS = {"E54000022", "E54000023", "E54000024", "E54000025", ESSEX, "E54000056"}


@pytest.mark.parametrize("code", [None, "", "  ", DEFAULT["headline_area"]])
def test_no_code_or_the_default_icb_gives_the_shipped_system_file(code):
    system = demo_system_resolve(code)
    assert system.is_default and system.system_file == FIXTURES / "demo_system.toml"
    assert (system.icb, system.name, system.short_name) == (
        DEFAULT["headline_area"], DEFAULT["name"], DEFAULT["short_name"],
    )  # fmt: skip


@pytest.mark.parametrize("code", [ESSEX, "QH8", "qh8", " e54000026 "])
def test_an_icb_by_ons_or_ods_code_gets_its_own_name(code):
    system = demo_system_resolve(code)
    assert not system.is_default
    assert (system.icb, system.name, system.short_name) == (ESSEX, "Mid and South Essex", "MSE")


@pytest.mark.parametrize("code", ["XYZ", "E38000222", "E99999999", "Q"])
def test_a_code_that_names_no_icb_is_refused_with_where_to_look(code):
    with pytest.raises(UnknownSystem, match=r"ONS code \(E54…\) or ODS code.*fixtures/areas\.csv"):
        demo_system_resolve(code)


@pytest.mark.parametrize(
    ("icb_name", "name", "short"),
    [
        ("NHS Devon Integrated Care Board", "Devon", "Devon"),
        ("NHS Lancashire and South Cumbria Integrated Care Board", "Lancashire and South Cumbria", "LSC"),
        ("NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board", "Bedfordshire, Luton and Milton Keynes", "BLMK"),
        # Two initials say too little: the name stays.
        ("NHS Cheshire and Merseyside Integrated Care Board", "Cheshire and Merseyside", "Cheshire and Merseyside"),
        ("NHS Staffordshire and Stoke-on-Trent Integrated Care Board", "Staffordshire and Stoke-on-Trent", "Staffordshire and Stoke-on-Trent"),
    ],
)  # fmt: skip
def test_names_come_from_the_icb_name(icb_name, name, short):
    assert system_name(icb_name) == name
    assert short_name(name) == short


def test_the_system_file_compares_with_the_region_and_all_of_england():
    config = tomllib.loads(demo_system_toml(demo_system_resolve(ESSEX)))
    assert config["system"] == {
        "name": "Mid and South Essex",
        "short_name": "MSE",
        "headline_area": ESSEX,
        "benchmark_area": "E92000001",
        "framework_title": "MSE system outcomes framework",
        "introduction": config["system"]["introduction"],
    }
    assert "every MSE partner" in config["system"]["introduction"]
    region, england = config["comparator_groups"]
    assert (region["kind"], region["default"], region["name"]) == (
        "nhs_region", True, "East of England ICBs",
    )  # fmt: skip
    assert region["members"][0] == ESSEX and set(region["members"]) == EAST_OF_ENGLAND_ICBS
    assert england["kind"] == "england" and "default" not in england
    assert len(england["members"]) == len(set(england["members"])) == 42
