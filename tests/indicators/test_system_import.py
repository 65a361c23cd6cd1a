"""manage.py import_system: a good file configures the system and its groups, idempotently;
a bad file says every problem, naming the field, and changes nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Area, AreaType, AuditEvent, ComparatorGroup, System

GOOD = """
[system]
name = "One Devon"
short_name = "Devon"
headline_area = "E54000037"
introduction = "Devon's shared outcomes."

[[comparator_groups]]
code = "SW"
name = "South West ICBs"
kind = "nhs_region"
default = true
method_note = "The ICBs of the NHS South West region."
members = ["E54000037", "E54000036", "E54000038"]

[[comparator_groups]]
code = "PEERS"
name = "Peer ICBs (illustrative)"
kind = "custom"
members = ["E54000038", "E54000037"]
"""


@pytest.fixture
def south_west(db):
    """England → South West → three ICBs, and one council (a different area type)."""
    types = {area_type.code: area_type for area_type in AreaType.objects.all()}
    england = Area.objects.create(code="E92000001", name="England", area_type=types["england"])
    region = Area.objects.create(
        code="E40000006", name="South West", area_type=types["region"], parent=england
    )
    for code, name in [("E54000036", "NHS Cornwall ICB"), ("E54000037", "NHS Devon ICB"),
                       ("E54000038", "NHS Somerset ICB")]:  # fmt: skip
        Area.objects.create(code=code, name=name, area_type=types["icb"], parent=region)
    Area.objects.create(
        code="E06000026", name="Plymouth", area_type=types["local_authority"], parent=region
    )
    return england


def import_text(tmp_path, text: str, *args) -> str:
    path = tmp_path / "system.toml"
    path.write_text(text)
    out = StringIO()
    call_command("import_system", str(path), *args, stdout=out)
    return out.getvalue()


def refusal(tmp_path, text: str) -> str:
    with pytest.raises(CommandError) as raised:
        import_text(tmp_path, text)
    return str(raised.value)


def test_a_good_file_configures_the_system_and_its_ordered_groups(tmp_path, south_west):
    output = import_text(tmp_path, GOOD)
    system = System.objects.get()
    assert (system.name, system.short_name, system.headline_area.code) == (
        "One Devon", "Devon", "E54000037",
    )  # fmt: skip
    assert system.benchmark_area == south_west  # England unless the file says otherwise
    assert system.title == "Devon system outcomes framework"
    assert system.introduction == "Devon's shared outcomes."
    sw = ComparatorGroup.objects.get(code="SW")
    assert sw.is_default and sw.kind == "nhs_region" and "South West" in sw.method_note
    assert [m.area.code for m in sw.members.order_by("position")] == [
        "E54000037", "E54000036", "E54000038",
    ]  # fmt: skip
    peers = ComparatorGroup.objects.get(code="PEERS")
    assert [m.area.code for m in peers.members.order_by("position")] == ["E54000038", "E54000037"]
    assert not peers.is_default
    assert "System Devon: created" in output and "Comparator group SW: created" in output


def test_importing_the_same_file_again_changes_nothing_and_audits_nothing(tmp_path, south_west):
    import_text(tmp_path, GOOD)
    events = AuditEvent.objects.count()
    output = import_text(tmp_path, GOOD)
    assert "System Devon: unchanged" in output and "Comparator group PEERS: unchanged" in output
    assert AuditEvent.objects.count() == events
    assert System.objects.count() == 1 and ComparatorGroup.objects.count() == 2


def test_a_changed_file_updates_the_system_and_replaces_a_groups_members(tmp_path, south_west):
    import_text(tmp_path, GOOD)
    changed = GOOD.replace('short_name = "Devon"', 'short_name = "One Devon"').replace(
        'members = ["E54000038", "E54000037"]', 'members = ["E54000036"]'
    )
    import_text(tmp_path, changed)
    assert System.objects.get().short_name == "One Devon"
    peers = ComparatorGroup.objects.get(code="PEERS")
    assert [m.area.code for m in peers.members.all()] == ["E54000036"]


def test_groups_missing_from_the_file_stay_unless_replace_groups(tmp_path, south_west):
    import_text(tmp_path, GOOD)
    only_system = GOOD.split("[[comparator_groups]]")[0]
    import_text(tmp_path, only_system)
    assert ComparatorGroup.objects.count() == 2
    output = import_text(tmp_path, only_system, "--replace-groups")
    assert ComparatorGroup.objects.count() == 0
    assert "Comparator group SW: deleted (not in the file)" in output


def test_the_files_default_group_takes_over_from_an_earlier_default(tmp_path, south_west):
    import_text(tmp_path, GOOD)
    swapped = GOOD.replace("default = true\n", "").replace(
        'kind = "custom"\n', 'kind = "custom"\ndefault = true\n'
    )
    import_text(tmp_path, swapped)
    assert list(ComparatorGroup.objects.filter(is_default=True).values_list("code", flat=True)) == [
        "PEERS"
    ]


CUSTOM_KIND_LINE = GOOD.splitlines().index('kind = "custom"') + 1
BAD_FILES = {
    "unknown area": (
        GOOD.replace('"E54000037", "E54000036", "E54000038"', '"E54000037", "E99999999"'),
        ["comparator_groups[1].members[2]: no area has the code E99999999"],
    ),
    "unknown headline": (
        GOOD.replace('headline_area = "E54000037"', 'headline_area = "E54000099"'),
        ["system.headline_area: no area has the code E54000099"],
    ),
    "missing required field": (
        GOOD.replace('name = "One Devon"\n', ""),
        ["system.name: missing (required)"],
    ),
    "missing system table": (
        "[[comparator_groups]]" + GOOD.split("[[comparator_groups]]", 1)[1],
        ["system: missing"],
    ),
    "unknown key": (
        GOOD.replace('short_name = "Devon"', 'short_name = "Devon"\ncolour = "blue"'),
        ["system.colour: unknown key"],
    ),
    "unknown top-level key": ("colour = 1\n" + GOOD, ["colour: unknown key"]),
    "wrong type": (
        GOOD.replace('short_name = "Devon"', "short_name = 7").replace(
            "default = true", 'default = "yes"'
        ),
        [
            "system.short_name: must be a string",
            "comparator_groups[1].default: must be true or false",
        ],
    ),
    "members not a list": (
        GOOD.replace('members = ["E54000038", "E54000037"]', 'members = "E54000038"'),
        ["comparator_groups[2].members: must be a list"],
    ),
    "duplicate group code": (
        GOOD.replace('code = "PEERS"', 'code = "SW"'),
        ["comparator_groups[2].code: SW is already used by an earlier group"],
    ),
    "unknown kind": (
        GOOD.replace('kind = "custom"', 'kind = "friends"'),
        ["comparator_groups[2].kind: unknown kind 'friends'"],
    ),
    "members of different area types": (
        GOOD.replace('["E54000038", "E54000037"]', '["E54000038", "E06000026"]'),
        [
            "comparator_groups[2].members: E06000026 (Local authority (county or unitary)) and "
            "E54000038 (Integrated care board) are of different area types"
        ],
    ),  # fmt: skip
    "more than one default": (
        GOOD.replace('kind = "custom"', 'kind = "custom"\ndefault = true'),
        ["comparator_groups: more than one group is the default (SW, PEERS)"],
    ),
    "a member twice": (
        GOOD.replace('["E54000038", "E54000037"]', '["E54000038", "E54000038"]'),
        ["comparator_groups[2].members[2]: E54000038 is already a member of this group"],
    ),
    "empty required text": (
        GOOD.replace('name = "One Devon"', 'name = "  "'),
        ["system.name: must not be empty"],
    ),
    "TOML syntax error": (
        GOOD.replace('kind = "custom"', 'kind = "custom'),
        ["TOML syntax error", f"line {CUSTOM_KIND_LINE}"],
    ),
}


@pytest.mark.parametrize("text, expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_refused_with_the_field_named_and_changes_nothing(
    tmp_path, south_west, text, expected
):
    message = refusal(tmp_path, text)
    for part in expected:
        assert part in message
    assert "nothing was imported" in message
    assert not System.objects.exists() and not ComparatorGroup.objects.exists()


def test_a_bad_file_leaves_an_earlier_configuration_exactly_as_it_was(tmp_path, south_west):
    import_text(tmp_path, GOOD)
    events = AuditEvent.objects.count()
    bad = GOOD.replace('short_name = "Devon"', 'short_name = "Changed"').replace(
        '["E54000038", "E54000037"]', '["E54000038", "E99999999"]'
    )
    refusal(tmp_path, bad)
    assert System.objects.get().short_name == "Devon"
    assert AuditEvent.objects.count() == events


def test_every_problem_in_a_file_is_reported_at_once(tmp_path, south_west):
    bad = (
        GOOD.replace('headline_area = "E54000037"', 'headline_area = "E54000099"')
        .replace('kind = "custom"', 'kind = "friends"')
        .replace('"E54000036", "E54000038"]', '"E99999999"]')
    )
    message = refusal(tmp_path, bad)
    assert "system.headline_area: no area has the code E54000099" in message
    assert "comparator_groups[2].kind: unknown kind" in message
    assert "comparator_groups[1].members[2]: no area has the code E99999999" in message


def test_a_missing_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("import_system", str(tmp_path / "absent.toml"))


def test_the_demo_system_file_configures_bnssg_and_the_south_west_icbs(db):
    call_command("import_areas", "fixtures/areas.csv", stdout=None)
    call_command("import_system", "fixtures/demo_system.toml")
    system = System.objects.get()
    assert (system.short_name, system.headline_area.code) == ("BNSSG", "E54000039")
    default = ComparatorGroup.objects.get(is_default=True)
    assert default.kind == "nhs_region"
    members = set(default.members.values_list("area__code", flat=True))
    south_west_icbs = set(
        Area.objects.filter(area_type__code="icb", parent__code="E40000006").values_list(
            "code", flat=True
        )
    )
    assert members == south_west_icbs
