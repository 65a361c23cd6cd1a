"""Validate step: check a RawTable row by row and turn it into a canonical frame.

Two entry points, one per extract kind (docs/design.md §4.3 and §4.4):

- ``validate_values`` (``values_layout``) reads Fingertips-format values, in the classic
  download layout or the FingertipsNext layout of ``healthdata.csv``;
- ``validate_counts`` (``counts_layout``) reads granular numerators and denominators.

Row problems never raise: each becomes a row of ``Validated.errors`` naming the file row, the
column, the offending text and what is wrong, and the caller fails the extract if there are
any. Only whole-file problems (missing columns) raise ``ExtractRejected``.

Checks work on whole columns, and anything costly (parsing a period or a number, looking up
a code) is done once per *distinct* value: a million-row extract repeats the same few
hundred codes and labels. No Django here: the caller builds the ``Registry`` from the
database.

The modules, from the bottom up: ``errors`` (wording and collecting problems), ``coded``
(columns as codes into their distinct texts), ``columns`` (headers), ``rows`` (the table
under check, the rules across rows, the result), ``registry`` (indicator and area look-ups),
``fields`` (sex, age band, period, numbers), and the two layouts.
"""

from ingest.validation.counts_layout import validate_counts
from ingest.validation.registry import IndicatorInfo, Registry
from ingest.validation.rows import Validated
from ingest.validation.values_layout import categories_look_swapped, validate_values

__all__ = [
    "IndicatorInfo",
    "Registry",
    "Validated",
    "categories_look_swapped",
    "validate_counts",
    "validate_values",
]
