"""An area's other codes (ODS codes, newer ONS codes) are data: import_areas writes them and
refuses clashes; system files may name an area by one."""

import io

import pytest
from django.core.management import CommandError, call_command

from indicators.areas_import import areas_import
from indicators.models import AreaAlias, System
from indicators.services import ImportFailed

AREAS = """code,name,area_type,parent_code,imd_decile,population,also_in,aliases
E92000001,England,england,,,,,
E40000010,North West,region,E92000001,,,,E40000014
E54000048,NHS Lancashire and South Cumbria ICB,icb,E40000010,,,,QE1
E54000057,NHS Greater Manchester ICB,icb,E40000010,,,,QOP
"""


def test_aliases_are_written_and_a_second_run_changes_nothing(db):
    report = areas_import(areas_file=io.StringIO(AREAS))
    assert len(report.created) == 4
    assert dict(AreaAlias.objects.values_list("code", "area__code")) == {
        "E40000014": "E40000010", "QE1": "E54000048", "QOP": "E54000057",
    }  # fmt: skip
    again = areas_import(areas_file=io.StringIO(AREAS))
    assert (again.created, again.changed) == ([], [])


@pytest.mark.parametrize(
    "row, message",
    [
        ("E54000061,NHS Cheshire and Merseyside ICB,icb,E40000010,,,,QE1\n",
         "Line 6: alias 'QE1' of area E54000061 already names area E54000048."),
        ("E54000061,NHS Cheshire and Merseyside ICB,icb,E40000010,,,,E54000057\n",
         "Line 6: alias 'E54000057' of area E54000061 is an area's own code."),
        ("QOP,A clash,icb,E40000010,,,,\n", "Line 6: area code QOP is already an alias of E54000057."),
    ],
    ids=["alias-of-another", "alias-is-a-code", "code-is-an-alias"],
)  # fmt: skip
def test_clashing_aliases_are_refused_and_change_nothing(db, row, message):
    areas_import(areas_file=io.StringIO(AREAS))
    with pytest.raises(ImportFailed) as refused:
        areas_import(areas_file=io.StringIO(AREAS + row))
    assert message in refused.value.errors
    assert AreaAlias.objects.count() == 3


def test_a_system_file_may_name_areas_by_their_ods_codes(db, tmp_path):
    areas_import(areas_file=io.StringIO(AREAS))
    path = tmp_path / "system.toml"
    path.write_text(
        '[system]\nname = "Lancashire and South Cumbria"\nshort_name = "L&SC"\n'
        'headline_area = "QE1"\n\n[[comparator_groups]]\ncode = "NW"\nname = "North West"\n'
        'kind = "nhs_region"\nmembers = ["QE1", "E54000057"]\n'
    )
    call_command("import_system", str(path), stdout=io.StringIO())
    assert System.objects.get().headline_area.code == "E54000048"
    path.write_text(path.read_text().replace('"E54000057"', '"E54000048"'))
    with pytest.raises(CommandError):  # QE1 and E54000048 are one area
        call_command("import_system", str(path), stdout=io.StringIO(), stderr=io.StringIO())
