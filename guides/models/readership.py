from django.db import models

from .country_guides import GuideEdition

__all__ = ["GuideReadDay"]


class GuideReadDay(models.Model):
    """How often a guide edition was read on a day (UTC), for the impact figures; bumped by
    consortium.daycounters rather than saved through the ORM."""

    # The unique (edition, day) index serves lookups by edition.
    edition = models.ForeignKey(GuideEdition, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["edition", "day"], name="guide_read_day_once")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.edition_id} {self.day}: {self.count}"
