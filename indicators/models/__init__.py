"""The data model: the registry (domains, indicators, partners, programmes), geography, the
system's configuration, periods and observations, extracts, targets, derived analytics,
narrative and the audit log, one module each; every model is imported here so Django finds it
and callers import from ``indicators.models``.

Rules that are structural live in the database as constraints, so no code path (admin, import,
ingest, shell) can store a value the pages would misread; ``clean()`` repeats the ones a person
can break in a form, with messages an analyst understands.
"""

from indicators.models.analytics import (
    AnalyticsBasis,
    ChangePoint,
    InequalitySummary,
    SeriesAnalytics,
    SeriesKey,
)
from indicators.models.audit import (
    AuditAction,
    AuditEvent,
)
from indicators.models.configuration import (
    SYSTEM_PK,
    ComparatorGroup,
    ComparatorGroupMember,
    ComparatorKind,
    System,
    comparator_members_mixed,
)
from indicators.models.extracts import (
    Extract,
    ExtractKind,
    ExtractStatus,
    IndicatorDataVersion,
)
from indicators.models.geography import (
    Area,
    AreaAlias,
    AreaDeprivation,
    AreaLink,
    AreaType,
    DeprivationEdition,
    england_area_pk,
)
from indicators.models.narrative import (
    Commentary,
    CommentaryRevision,
    CommentaryStatus,
)
from indicators.models.observations import (
    Observation,
    ObservationChange,
    ObservationHistory,
    ObservationValues,
    Period,
    PeriodKind,
)
from indicators.models.registry import (
    BREAKDOWN_CHOICES,
    CIMethod,
    DataQuality,
    DisclosureRule,
    Domain,
    Frequency,
    Indicator,
    Partner,
    PartnerMembership,
    Polarity,
    Programme,
    Sex,
    Status,
    ValueType,
    validate_breakdowns,
)
from indicators.models.targets import (
    Baseline,
    Target,
    TargetSource,
)

__all__ = [
    "Partner",
    "PartnerMembership",
    "Domain",
    "ValueType",
    "Polarity",
    "CIMethod",
    "Frequency",
    "Status",
    "DisclosureRule",
    "DataQuality",
    "Sex",
    "BREAKDOWN_CHOICES",
    "validate_breakdowns",
    "Indicator",
    "Programme",
    "AreaType",
    "Area",
    "AreaAlias",
    "DeprivationEdition",
    "AreaDeprivation",
    "england_area_pk",
    "AreaLink",
    "SYSTEM_PK",
    "System",
    "ComparatorKind",
    "ComparatorGroup",
    "comparator_members_mixed",
    "ComparatorGroupMember",
    "ExtractKind",
    "ExtractStatus",
    "Extract",
    "IndicatorDataVersion",
    "PeriodKind",
    "Period",
    "ObservationValues",
    "Observation",
    "ObservationChange",
    "ObservationHistory",
    "Baseline",
    "TargetSource",
    "Target",
    "ChangePoint",
    "SeriesKey",
    "AnalyticsBasis",
    "SeriesAnalytics",
    "InequalitySummary",
    "CommentaryStatus",
    "Commentary",
    "CommentaryRevision",
    "AuditAction",
    "AuditEvent",
]
