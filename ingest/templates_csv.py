"""Template files analysts can download for each extract kind: the header and example rows."""

from indicators.exports import EXPORT_HEADER

COUNTS_TEMPLATE = """indicator_code,period,area_code,sex,age_band,numerator,denominator,ethnic_group
LTC03,2023/24,E01014485,Male,All ages,312,420,
LTC03,2023/24,E01014485,Female,All ages,335,431,
OVR04,2023,E01014485,Male,0-4,0,61,
OVR04,2023,E01014485,Male,90+,1,4,
"""

VALUES_TEMPLATE = (
    ",".join(EXPORT_HEADER)
    + "\n"
    + "OVR02,Life expectancy at birth,E54000039,NHS Bristol North Somerset and South Gloucestershire ICB,"
    + 'E06000023,"Bristol, City of",local_authority,Male,All ages,,,2021 - 23,78.1,77.7,78.5,'
    + "77.5,78.7,,,,,,,,,\n"
)

TEMPLATES = {"counts": COUNTS_TEMPLATE, "values": VALUES_TEMPLATE}
