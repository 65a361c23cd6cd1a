"""The system this instance reports for and the comparator groups its areas are ranked in."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from indicators.models.geography import Area, DeprivationEdition, england_area_pk

SYSTEM_PK = 1  # the configured system's fixed primary key (see System)


class System(models.Model):
    """The health and care system this instance reports for: its name, headline area and
    benchmark. Pages, captions and the board pack read it (``indicators.system``), so no
    customer is written into code.

    One row only: the primary key is fixed at 1 and a check constraint refuses any other, so
    a second system cannot be stored by any path (admin, import, shell). Several systems in
    one instance would drop the constraint and hang the registry off a System.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=SYSTEM_PK, editable=False)
    name = models.CharField(max_length=200, help_text="In full, as on the cover of the board pack.")
    short_name = models.CharField(
        max_length=60, help_text="Used in page text, chart captions and the board pack."
    )
    headline_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+",
        help_text="The area the framework reports on, usually the ICB.",
    )  # fmt: skip
    benchmark_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", default=england_area_pk,
        help_text="The area values are compared with in prose; England unless you choose.",
    )  # fmt: skip
    framework_title = models.CharField(
        max_length=200, blank=True,
        help_text="Blank: '<short name> system outcomes framework'.",
    )  # fmt: skip
    introduction = models.TextField(
        blank=True,
        help_text="The lede on the framework summary. Blank: a sentence naming the system.",
    )
    deprivation_edition = models.ForeignKey(
        DeprivationEdition, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="The deprivation index new extracts are broken down by. Blank: the first loaded.",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=SYSTEM_PK), name="system_is_singleton"),
        ]

    # False only on the stand-in ``indicators.system`` uses before a system is configured.
    is_configured = True

    def __str__(self):
        return self.name

    @property
    def title(self) -> str:
        """The framework's title: the one configured, or one built from the short name."""
        return self.framework_title or f"{self.short_name} system outcomes framework"


class ComparatorKind(models.TextChoices):
    ENGLAND = "england", "England"
    NHS_REGION = "nhs_region", "NHS region"
    ONS_REGION = "ons_region", "Region (ONS)"
    PEER_ICB = "peer_icb", "Peer ICBs"
    NEAREST_NEIGHBOURS = "nearest_neighbours", "Nearest neighbours"
    CUSTOM = "custom", "Custom"


class ComparatorGroup(models.Model):
    """An ordered set of areas of one type that people compare with (DOMAIN §6): the ICBs of
    a region, a peer list, nearest neighbours. The default group is the one the headline area
    is ranked in."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=ComparatorKind.choices)
    method_note = models.TextField(
        blank=True,
        help_text="How the group was made (e.g. the nearest-neighbour method and its k); "
        "shown wherever the group is shown.",
    )
    is_default = models.BooleanField(
        "Default group", default=False,
        help_text="The group the headline area is ranked in. At most one.",
    )  # fmt: skip
    areas = models.ManyToManyField(
        Area, through="ComparatorGroupMember", related_name="comparator_groups", blank=True
    )

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="comparatorgroup_one_default",
                violation_error_message="Another comparator group is already the default.",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(kind__in=ComparatorKind.values), name="comparatorgroup_valid_kind"
            ),
        ]

    def __str__(self):
        return self.name


def comparator_members_mixed(areas) -> str:
    """Why ``areas`` cannot be one comparator group ('' when they can): a group compares like
    with like, so its members are all of one area type. The admin and import_system both ask."""
    first = next(iter(areas), None)
    for area in areas:
        if area.area_type_id != first.area_type_id:
            return (
                f"{area.code} ({area.area_type.name}) and {first.code} "
                f"({first.area_type.name}) are of different area types; a group's members "
                "must all be of one"
            )
    return ""


class ComparatorGroupMember(models.Model):
    group = models.ForeignKey(ComparatorGroup, on_delete=models.CASCADE, related_name="members")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(help_text="Order in the group, from 1.")

    class Meta:
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "area"], name="comparator_member_once"),
            models.UniqueConstraint(
                fields=["group", "position"], name="comparator_member_position_once"
            ),
        ]

    def __str__(self):
        return f"{self.group.code} {self.position}: {self.area.code}"
