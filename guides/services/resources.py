"""Sharing, changing and counting the resources of the library; the person's data in it."""

from pathlib import PurePath

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries as all_countries

from consortium.models import ISO_LANGUAGES, User
from consortium.permissions import require
from consortium.richtext import render_markdown
from consortium.uploads import MB, FileKind, check_upload

from ..models import Resource, ResourceDownload
from ..permissions import can_edit_resource, can_share_resource
from .search import regconfig_for

FILE_KINDS = frozenset({FileKind.PDF, FileKind.DOCX, FileKind.PPTX, FileKind.ODT, FileKind.ODP})
FILE_MAX_BYTES = 20 * MB
MAX_TAGS = 10
TAG_MAX_LENGTH = 40
LINK_SCHEMES = ("http", "https")
_LANGUAGES = {code for code, _name in ISO_LANGUAGES}


def clean_tags(tags) -> list[str]:
    """Lower-case, trimmed, each once, in the order given; a comma-separated string is split."""
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = []
    for tag in tags or []:
        tag = " ".join(str(tag).split()).lower()
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def _check(resource: Resource, file, errors: dict) -> FileKind | None:
    """Check the fields the database cannot: the language, countries, tags, the link's scheme and the
    file's content. Returns the kind of a new file."""
    if resource.language not in _LANGUAGES:
        errors["language"] = _("“%(value)s” is not an ISO 639-1 language code.") % {"value": resource.language}
    unknown = [code for code in resource.countries if code not in all_countries]
    if unknown:
        errors["countries"] = _("Not ISO 3166-1 alpha-2 country codes: %(codes)s.") % {"codes": ", ".join(unknown)}
    if len(resource.tags) > MAX_TAGS:
        errors["tags"] = _("At most %(limit)d tags.") % {"limit": MAX_TAGS}
    elif any(len(tag) > TAG_MAX_LENGTH for tag in resource.tags):
        errors["tags"] = _("A tag has at most %(limit)d characters.") % {"limit": TAG_MAX_LENGTH}
    if not resource.title.strip():
        errors["title"] = _("Give the resource a title.")
    if resource.url:
        try:
            URLValidator(schemes=LINK_SCHEMES)(resource.url)
        except ValidationError:
            errors["url"] = _("The link must be a web address starting with http:// or https://.")
    if file is not None and resource.url:
        errors["file"] = _("Share a file or a link, not both.")
    elif file is None and not resource.url and not resource.file:
        errors["file"] = _("Share a file or a link.")
    if file is None:
        return None
    name = PurePath(file.name or "").name
    try:
        kind = check_upload(file, kinds=FILE_KINDS, max_bytes=FILE_MAX_BYTES)
    except ValidationError as error:
        errors["file"] = error.messages
        return None
    if PurePath(name).suffix.lower() != f".{kind}":
        errors["file"] = _("The content is %(kind)s, but the name does not end in .%(extension)s.") % {
            "kind": kind.label,
            "extension": kind.value,
        }
        return None
    return kind


def refresh_search_vector(resource: Resource) -> None:
    """Store the title (weight A), tags (B) and description (C) in the text-search configuration of the
    resource's language. PostgreSQL only; SQLite searches with a plain match."""
    if connection.vendor != "postgresql":
        return
    config = regconfig_for(resource.language)
    Resource.objects.filter(pk=resource.pk).update(
        search_vector=SearchVector("title", weight="A", config=config)
        + SearchVector(Value(" ".join(resource.tags)), weight="B", config=config)
        + SearchVector("description", weight="C", config=config)
    )


@transaction.atomic
def save_resource(*, resource: Resource, by: User, file=None) -> Resource:
    """Share a new resource for its owner institution, or save changes to one (the owner's staff only).

    Exactly one of `file` (an uploaded file, checked by content) and `resource.url` is kept: a new
    link or a new file replaces a stored file, which is deleted once the transaction commits; a file
    and a link given together are refused. Raises ValidationError naming the fields, or PermissionDenied."""
    if resource.pk:
        require(can_edit_resource(by, Resource.objects.select_related("owner").get(pk=resource.pk)))
    else:
        require(can_share_resource(by, resource.owner))
        resource.created_by = by
    resource.title = (resource.title or "").strip()
    resource.url = (resource.url or "").strip()
    resource.countries = sorted({str(code).upper() for code in resource.countries or []})
    resource.tags = clean_tags(resource.tags)
    # A link given now replaces a stored file.
    replaced = resource.file.name if resource.file and (file is not None or resource.url) else None
    errors = {}
    kind = _check(resource, file, errors)
    if errors:
        raise ValidationError(errors)
    resource.description_html = render_markdown(resource.description)
    if replaced:
        resource.file, resource.file_name, resource.file_kind, resource.file_size = "", "", "", None
    stored = None
    try:
        if kind is not None:
            resource.url = ""
            resource.file_kind, resource.file_size = kind.value, file.size
            resource.file_name = PurePath(file.name).name[:200]
            resource.file.save(resource.file_name, file, save=False)
            stored = resource.file.name
        resource.save()
        refresh_search_vector(resource)
    except BaseException:
        # The row rolls back; the file written for it must not stay behind.
        if stored:
            resource.file.storage.delete(stored)
        raise
    if replaced:
        _delete_on_commit(replaced)
    return resource


def _delete_on_commit(name: str) -> None:
    # Files are not transactional: remove them only once the change is sure to stay.
    storage = Resource._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def delete_resource(*, resource: Resource, by: User) -> None:
    require(can_edit_resource(by, resource))
    name = resource.file.name if resource.file else None
    resource.delete()
    if name:
        _delete_on_commit(name)


def record_download(*, resource: Resource, user) -> None:
    """Count one download or click for the institution of the person who made it: an UPDATE … SET
    count = count + 1 of its row, created on first use. Safe under concurrency: two first downloads
    at once meet the unique constraint, and the loser increments the winner's row."""
    institution_id = getattr(user, "institution_id", None)
    rows = ResourceDownload.objects.filter(resource=resource, institution_id=institution_id)
    now = timezone.now()
    if rows.update(count=F("count") + 1, last_at=now):
        return
    try:
        with transaction.atomic():
            ResourceDownload.objects.create(resource=resource, institution_id=institution_id, count=1, last_at=now)
    except IntegrityError:
        rows.update(count=F("count") + 1, last_at=now)


def download_counts(resource: Resource) -> list[tuple[str, int]]:
    """(institution, count) per downloading institution, most first; people of no institution last."""
    rows = ResourceDownload.objects.filter(resource=resource).order_by("-count", "institution__name")
    return [(name or _("No institution"), count) for name, count in rows.values_list("institution__name", "count")]


# Personal data


def export_resource_data(user) -> dict:
    return {
        "shared_resources": list(
            Resource.objects.filter(created_by=user)
            .order_by("created_at", "pk")
            .values("title", "kind", "owner__name", "language", "audience", "url", "file_name", "created_at")
        )
    }


def erase_resource_data(user) -> None:
    """The resources stay with the institution that shared them; only the person's name goes."""
    Resource.objects.filter(created_by=user).update(created_by=None)
