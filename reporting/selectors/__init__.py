"""Reads for the board-facing pages: the framework's headline series as it stood at a period.

Reporting shows one series per indicator: the configured system's headline area (Persons, no
category, the indicator's default age), compared with its benchmark (England unless the
system says otherwise; ``indicators.system``). Pages only read what the
ingest pipeline stored (values, comparisons, SPC points and icons, trends, inequality
summaries); nothing statistical is computed here. Each read is a fixed number of
queries whatever the number of indicators and periods.

The modules: ``periods`` (the periods to report at), ``status`` (one indicator's status),
``headline`` (reading the statuses), ``pages`` (the framework, domain, indicator and programme
pages) and ``narrative`` (who writes narrative, and what they edit). The views, the board pack
and the tables read them from here.
"""

from reporting.selectors.headline import indicator_statuses, variation_icon_for_point
from reporting.selectors.narrative import narrative_editable_by, narratives_for_editing
from reporting.selectors.pages import (
    DomainReport,
    ProgrammeReport,
    framework_report,
    framework_report_for,
    indicator_report,
    programme_report,
    programmes_list,
)
from reporting.selectors.periods import ReportingPeriod, indicator_periods, reporting_periods
from reporting.selectors.status import IndicatorStatus, SeriesPoint, Signal

__all__ = [
    "DomainReport",
    "IndicatorStatus",
    "ProgrammeReport",
    "ReportingPeriod",
    "SeriesPoint",
    "Signal",
    "framework_report",
    "framework_report_for",
    "indicator_periods",
    "indicator_report",
    "indicator_statuses",
    "narrative_editable_by",
    "narratives_for_editing",
    "programme_report",
    "programmes_list",
    "reporting_periods",
    "variation_icon_for_point",
]
