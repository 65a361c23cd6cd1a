"""The geography: area types, areas, their further parents and aliases, and the deprivation
editions and deciles of areas (docs/geography.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from indicators import vocabulary
from indicators.vocabulary import ENGLAND_CODE


class AreaType(models.Model):
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    # 0 = England; larger numbers are smaller areas. Used to order pickers and roll-ups.
    level = models.PositiveSmallIntegerField()
    note = models.CharField(
        max_length=300, blank=True, help_text="Shown with the area type, e.g. 'illustrative'."
    )

    class Meta:
        ordering = ["level", "code"]

    def __str__(self):
        return self.name


class Area(models.Model):
    code = models.CharField(max_length=20, unique=True, help_text="ONS or ODS code.")
    name = models.CharField(max_length=200)
    area_type = models.ForeignKey(AreaType, on_delete=models.PROTECT, related_name="areas")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    population = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["area_type__level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")), name="area_not_own_parent"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        ancestor, seen = self.parent, {self.pk}
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError(
                    {"parent": "This parent would make the area its own ancestor."}
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class AreaAlias(models.Model):
    """Another code for an area: its ODS code (three characters for an ICB or a sub-ICB
    location), or a newer ONS code that a boundary file or extract uses for the same area
    (the code-vintage trap of docs/geography.md: four ICBs and regions changed code in the
    2023 and 2024 boundary files). Extracts, system files and the map read an alias as its
    area."""

    code = models.CharField(max_length=20, unique=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "area aliases"

    def __str__(self):
        return f"{self.code} → {self.area_id}"


class DeprivationEdition(models.Model):
    """An edition of the national deprivation index on the small-area vintage it ranks: IMD
    2019 on LSOA 2011 (shipped), IMD 2025 on LSOA 2021 (loaded by an analyst who has it).

    Deciles are data (``AreaDeprivation``), so an edition is loaded with ``import_areas``
    and the system chooses which one it uses (``System.deprivation_edition``). Breakdowns
    computed with an edition are stored under its category types, e.g. "IMD 2019 quintile
    (national)", so stored values keep the edition they came from (docs/geography.md).
    """

    name = models.CharField(max_length=40, unique=True, help_text='e.g. "IMD 2025".')
    small_areas = models.CharField(
        max_length=40, help_text='The small-area vintage it ranks, e.g. "LSOA 2021".'
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} on {self.small_areas}"

    @property
    def quintile_type(self) -> str:
        return vocabulary.quintile_type(self.name)

    @property
    def decile_type(self) -> str:
        return vocabulary.decile_type(self.name)


class AreaDeprivation(models.Model):
    """A small area of an edition's vintage, with its national decile (1 = most deprived)
    where the edition ranks it. The edition's rows are its vintage: extracts' small-area
    codes are checked against them."""

    edition = models.ForeignKey(DeprivationEdition, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="deprivation")
    decile = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "area"], name="area_deprivation_once"),
            models.CheckConstraint(
                condition=Q(decile__isnull=True) | Q(decile__gte=1, decile__lte=10),
                name="area_deprivation_decile_1_to_10",
            ),
        ]

    def __str__(self):
        return f"{self.area_id} in {self.edition_id}: decile {self.decile or 'none'}"

    @property
    def quintile(self) -> int | None:
        return vocabulary.quintile_of(self.decile)


def england_area_pk() -> int | None:
    """Default benchmark for a new System: England, when the geography has it."""
    return Area.objects.filter(code=ENGLAND_CODE).values_list("pk", flat=True).first()


class AreaLink(models.Model):
    """A further parent of an area, in another hierarchy than ``Area.parent``: an LSOA lies
    in its sub-ICB location (its parent) and also in its local authority district, and in a
    system's locality. Roll-ups count every small area once in each of its ancestors, along
    every hierarchy, and secondary suppression covers each of these groups (docs/geography.md)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="links")
    parent = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="linked_children")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "parent"], name="area_link_unique"),
            models.CheckConstraint(condition=~Q(area=F("parent")), name="area_link_not_self"),
        ]

    def __str__(self):
        return f"{self.area_id} also in {self.parent_id}"
