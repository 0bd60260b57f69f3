"""Guides' section of the weekly digest: country guides updated this week for the person's countries."""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from consortium.services.digests import DigestBatch, DigestItem, country_name

from .models import GuideEdition


def updated_guides(batch: DigestBatch) -> dict[int, list[DigestItem]]:
    """One item per guide of a country the person follows that changed in the week, in their language
    when that edition exists; one query."""
    countries = {user.pk: batch.countries(user) for user in batch.users}
    wanted = set().union(*countries.values()) if countries else set()
    if not wanted:
        return {}
    editions = defaultdict(dict)
    rows = (
        GuideEdition.objects.published()
        .filter(guide__country__in=wanted, updated_at__gte=batch.start, updated_at__lt=batch.end)
        .select_related("guide")
        .order_by("guide__country", "language")
    )
    for edition in rows:
        editions[edition.guide.country.code][edition.language] = edition
    found = {}
    for user in batch.users:
        items = []
        for code in sorted(countries[user.pk] & editions.keys()):
            by_language = editions[code]
            edition = (
                by_language.get(user.preferred_language) or by_language.get("en") or next(iter(by_language.values()))
            )
            items.append(
                DigestItem(
                    title=country_name(code),
                    url=edition.get_absolute_url(),
                    detail=_("guide updated"),
                    when=edition.updated_at,
                )
            )
        if items:
            found[user.pk] = items
    return found
