"""Template files analysts can download for each extract kind: the header and example rows.

The examples use England and an LSOA of the City of London, not any one system's areas, so
the templates suit every system (docs/design.md §4.3, §4.4)."""

from indicators.exports import EXPORT_HEADER

COUNTS_TEMPLATE = """indicator_code,period,area_code,sex,age_band,numerator,denominator,ethnic_group
LTC03,2023/24,E01000001,Male,All ages,312,420,
LTC03,2023/24,E01000001,Female,All ages,335,431,
OVR04,2023,E01000001,Male,0-4,0,61,
OVR04,2023,E01000001,Male,90+,1,4,
"""

VALUES_TEMPLATE = (
    ",".join(EXPORT_HEADER)
    + "\n"
    + "OVR02,Life expectancy at birth,,,E92000001,England,england,Male,All ages,,,2021 - 23,"
    + "79.1,79.0,79.2,78.9,79.3,,,,,,,,,\n"
)

TEMPLATES = {"counts": COUNTS_TEMPLATE, "values": VALUES_TEMPLATE}
