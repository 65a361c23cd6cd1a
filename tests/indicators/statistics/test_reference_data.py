"""The reference files agree with themselves: checks on the data, not on the code.

The statistics tests compare the code with these files, so a file that contradicts itself
would show up there as a puzzling failure, or pass one test while another checks something
else. These catch such an edit in the file where it was made."""

import pytest

from tests import reference_data
from tests.reference_data import RELATIVE, SPC_ASSURANCE_ICON


def test_mean_inputs_add_up_to_the_summaries_the_mean_tests_start_from(subtests):
    # test_intervals checks the mean of the observations and the mean from (n, sum, SD)
    # against the same expected values: both must start from the same numbers.
    observations = reference_data.rows_by_case("mean_inputs.csv")
    for row in reference_data.rows("mean_t.csv"):
        with subtests.test(reference_data.case_id(row)):
            values = [float(observation["value"]) for observation in observations[row["case_id"]]]
            assert len(values) == int(row["n"])
            assert sum(values) == pytest.approx(float(row["value_sum"]), rel=RELATIVE)


def test_each_spc_case_gives_the_same_assurance_as_type_and_as_icon(subtests):
    # test_spc checks the icon only; the type is the package's own word for it.
    for case in reference_data.spc_cases()["cases"]:
        with subtests.test(case["id"]):
            expected = case["expected_computed_by_package_code"]
            assert SPC_ASSURANCE_ICON.get(expected["assurance_type"]) == expected["assurance_icon"]
