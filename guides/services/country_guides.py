"""Writing country guides: editions, drafts, review, publication as revisions, restore, staleness."""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from consortium.models import ISO_LANGUAGES, STAFF_ROLES, LiaisonNomination, User
from consortium.permissions import require
from consortium.richtext import render_markdown
from consortium.services.notifications import notify

from .. import permissions
from ..models import (
    CountryGuide,
    DraftStatus,
    GuideDraft,
    GuideEdition,
    GuideEditor,
    GuideRevision,
    GuideSection,
    SectionKey,
)

MAX_SECTION_LENGTH = 20_000
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def guide_maintainers(guide: CountryGuide) -> list[User]:
    """The active liaison officers of active members in the guide's country, and its invited editors
    while they work for an active member (mirrors permissions.can_maintain_guide)."""
    liaisons = LiaisonNomination.objects.active().filter(
        institution__country=guide.country, institution__is_active=True
    )
    people = User.objects.filter(
        Q(pk__in=liaisons.values("officer"))
        | Q(
            pk__in=GuideEditor.objects.filter(guide=guide).values("user"),
            role_assignments__role__in=STAFF_ROLES,
            institution__is_active=True,
        ),
        is_active=True,
    )
    return list(people.distinct().select_related("institution").order_by("full_name", "pk"))


# Editions


@transaction.atomic
def start_edition(*, country: str, language: str, by: User) -> GuideEdition:
    """Open a guide edition in a language (and the country's guide, the first time). It stays
    unpublished, with no text, until a first draft is approved."""
    country = (country or "").strip().upper()
    language = (language or "").strip().lower()
    if country not in countries:
        raise ValidationError({"country": _("“%(value)s” is not an ISO 3166-1 country code.") % {"value": country}})
    if language not in dict(ISO_LANGUAGES):
        raise ValidationError({"language": _("“%(value)s” is not an ISO 639-1 language code.") % {"value": language}})
    require(permissions.can_start_edition(by, country))
    guide, _created = CountryGuide.objects.get_or_create(country=country)
    if GuideEdition.objects.filter(guide=guide, language=language).exists():
        raise ValidationError({"language": _("This guide already has an edition in that language.")})
    edition = GuideEdition.objects.create(guide=guide, language=language)
    return edition


# Drafts


def published_content(edition: GuideEdition) -> dict[str, str]:
    """The published text of every section, {key: Markdown}; empty strings before the first publication."""
    content = dict(edition.current_revision.content) if edition.current_revision_id else {}
    return {key: content.get(key, "") for key in SectionKey.values}


def _lock_edition(edition: GuideEdition) -> GuideEdition:
    return (
        GuideEdition.objects.select_for_update(of=("self",))
        .select_related("guide", "current_revision")
        .get(pk=edition.pk)
    )


@transaction.atomic
def open_draft(*, edition: GuideEdition, by: User) -> GuideDraft:
    """The author's open draft of the edition, or a new one starting from the published text.

    The edition row is locked, so two maintainers starting at once get one draft between them; while
    someone else's draft is open, a maintainer reviews it instead of starting a rival one.
    """
    require(permissions.can_maintain_guide(by, edition.guide))
    edition = _lock_edition(edition)
    current = edition.drafts.open().select_related("author").first()
    if current is not None:
        if current.author_id == by.pk:
            return current
        raise ValidationError(
            _("%(name)s is already changing this edition. Review or discuss their draft before starting another.")
            % {"name": current.author.full_name if current.author else _("Someone")}
        )
    return GuideDraft.objects.create(
        edition=edition, author=by, content=published_content(edition), base_revision=edition.current_revision
    )


def _clean_markdown(text: str, field: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if CONTROL_CHARACTERS.search(text):
        raise ValidationError({field: _("Remove the invisible control characters.")})
    if len(text) > MAX_SECTION_LENGTH:
        raise ValidationError(
            {field: _("Keep a section to %(limit)s characters; split it or link out.") % {"limit": MAX_SECTION_LENGTH}}
        )
    return text


def _lock_draft(draft: GuideDraft, version: str | None = None) -> GuideDraft:
    """The draft, locked; with `version` (GuideDraft.version as the actor read it), only if unchanged since."""
    draft = (
        GuideDraft.objects.select_for_update(of=("self",)).select_related("edition__guide", "author").get(pk=draft.pk)
    )
    if version is not None and draft.version != version:
        raise ValidationError(
            _("The draft changed after you opened it. Read it again before you approve, send back or discard it.")
        )
    return draft


@transaction.atomic
def save_draft_section(*, draft: GuideDraft, key: str, markdown: str, by: User) -> GuideDraft:
    """Change one section of the author's draft."""
    if key not in SectionKey.values:
        raise ValidationError({"key": _("There is no such section.")})
    draft = _lock_draft(draft)
    require(permissions.can_edit_draft(by, draft))
    draft.content = {**draft.content, key: _clean_markdown(markdown, "body_markdown")}
    draft.save(update_fields=["content", "updated_at"])
    return draft


def draft_changes(draft: GuideDraft) -> list[str]:
    """Keys of the sections the draft changes against the published text."""
    published = published_content(draft.edition)
    return [key for key in SectionKey.values if draft.content.get(key, "") != published[key]]


@transaction.atomic
def submit_draft(*, draft: GuideDraft, note: str, by: User) -> GuideDraft:
    """Hand the draft to the other maintainers for review, and tell them."""
    draft = _lock_draft(draft)
    require(permissions.can_edit_draft(by, draft))
    if not draft_changes(draft):
        raise ValidationError(_("The draft changes nothing yet: edit a section first."))
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("Keep the note to 300 characters.")})
    draft.status, draft.note, draft.submitted_at = DraftStatus.SUBMITTED, note, timezone.now()
    draft.save(update_fields=["status", "note", "submitted_at", "updated_at"])
    reviewers = [person for person in guide_maintainers(draft.edition.guide) if person.pk != by.pk]
    notify(
        reviewers,
        "guides.draft_submitted",
        context={"draft": draft, "edition": draft.edition, "by": by},
        dedupe_key=f"submitted:{draft.pk}:{draft.submitted_at.isoformat()}",
        target=draft,
    )
    return draft


def _lock_submitted(draft: GuideDraft, by: User, version: str | None) -> GuideDraft:
    draft = _lock_draft(draft, version)
    if draft.status != DraftStatus.SUBMITTED:
        raise ValidationError(_("This draft is not waiting for review."))
    if draft.author_id == by.pk:
        raise ValidationError(_("You wrote this draft: another maintainer of the guide must approve it."))
    require(permissions.can_review_draft(by, draft))
    return draft


@transaction.atomic
def approve_draft(*, draft: GuideDraft, by: User, version: str | None = None) -> GuideRevision:
    """Publish the draft as the edition's next revision and tell its author.

    Locks the edition (numbering) and the draft. With `version`, only the draft as the reviewer read
    it is published. Sections the draft changes count as reviewed now, by the approver; the others
    keep their review date.
    """
    draft = _lock_submitted(draft, by, version)
    if draft.author is None or not permissions.can_maintain_guide(draft.author, draft.edition.guide):
        raise ValidationError(_("Its author no longer maintains this guide, so it cannot be published: discard it."))
    edition = _lock_edition(draft.edition)
    if draft.base_revision_id != edition.current_revision_id:
        raise ValidationError(
            _("The guide was published again since this draft was started: send it back so that its author redoes it.")
        )
    now = timezone.now()
    changed = set(draft_changes(draft))
    number = (edition.revisions.aggregate(last=Max("number"))["last"] or 0) + 1
    revision = GuideRevision.objects.create(
        edition=edition,
        number=number,
        content={key: draft.content.get(key, "") for key in SectionKey.values},
        note=draft.note,
        author=draft.author,
        approved_by=by,
        restored_from_number=draft.restored_from.number if draft.restored_from_id else None,
        published_at=now,
    )
    sections = {section.key: section for section in edition.sections.all()}
    for key in SectionKey.values:
        section = sections.get(key) or GuideSection(edition=edition, key=key)
        section.body_markdown = revision.content[key]
        section.body_html = render_markdown(section.body_markdown)
        if key in changed or section.pk is None:
            section.last_reviewed_at, section.last_reviewed_by = now, by
        section.save()
    edition.current_revision, edition.published_at = revision, now
    edition.save(update_fields=["current_revision", "published_at", "updated_at"])
    draft.status, draft.reviewed_by, draft.reviewed_at = DraftStatus.PUBLISHED, by, now
    draft.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    notify(
        [draft.author],
        "guides.draft_approved",
        context={"draft": draft, "edition": edition, "revision": revision, "by": by},
        dedupe_key=f"approved:{draft.pk}",
        target=edition,
    )
    return revision


@transaction.atomic
def send_back_draft(*, draft: GuideDraft, comment: str, by: User, version: str | None = None) -> GuideDraft:
    """Return the draft to its author for changes, saying what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Tell the author what to change.")})
    draft = _lock_submitted(draft, by, version)
    draft.status, draft.review_comment = DraftStatus.EDITING, comment
    draft.reviewed_by, draft.reviewed_at = by, timezone.now()
    draft.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at", "updated_at"])
    notify(
        [draft.author],
        "guides.draft_sent_back",
        context={"draft": draft, "edition": draft.edition, "by": by, "comment": comment},
        dedupe_key=f"sent-back:{draft.pk}:{draft.reviewed_at.isoformat()}",
        target=draft,
    )
    return draft


@transaction.atomic
def discard_draft(*, draft: GuideDraft, by: User, version: str | None = None) -> GuideDraft:
    """Drop an open draft: its author at any time, another maintainer too, so an abandoned draft blocks nobody."""
    require(permissions.can_maintain_guide(by, draft.edition.guide))
    draft = _lock_draft(draft, version)
    if not draft.is_open:
        raise ValidationError(_("This draft is no longer open."))
    draft.status = DraftStatus.DISCARDED
    draft.save(update_fields=["status", "updated_at"])
    return draft


@transaction.atomic
def restore_revision(*, revision: GuideRevision, by: User) -> GuideDraft:
    """Open a draft holding an old revision's text. It is published like any draft: another maintainer
    approves it, so a restore cannot bypass review."""
    require(permissions.can_review_sections(by, revision.edition))
    edition = _lock_edition(revision.edition)
    if revision.pk == edition.current_revision_id:
        raise ValidationError(_("This revision is the published one already."))
    if edition.drafts.open().exists():
        raise ValidationError(_("Finish or discard the open draft of this edition first."))
    try:
        with transaction.atomic():
            return GuideDraft.objects.create(
                edition=edition,
                author=by,
                content={key: revision.content.get(key, "") for key in SectionKey.values},
                base_revision=edition.current_revision,
                restored_from=revision,
                note=_("Restores revision %(number)s") % {"number": revision.number},
            )
    except IntegrityError:
        raise ValidationError(_("Finish or discard the open draft of this edition first.")) from None


# Reviews of unchanged text


@transaction.atomic
def mark_section_reviewed(*, section: GuideSection, by: User) -> GuideSection:
    """Record that a maintainer checked a published section and found it still right."""
    require(permissions.can_review_sections(by, section.edition))
    if not section.body_markdown:
        raise ValidationError(_("This section has no text to review yet."))
    section.last_reviewed_at, section.last_reviewed_by = timezone.now(), by
    section.save(update_fields=["last_reviewed_at", "last_reviewed_by", "updated_at"])
    GuideEdition.objects.filter(pk=section.edition_id).update(updated_at=section.last_reviewed_at)
    return section


def remind_stale_sections(*, now=None) -> int:
    """Tell each guide's maintainers which of its published sections nobody reviewed for a year.

    Once per guide and calendar month (the notification's dedupe key), so it is safe to run again;
    the reminders continue each month until the sections are reviewed. Returns the notifications sent.
    """
    now = now or timezone.now()
    stale = (
        GuideSection.objects.stale(now)
        .filter(edition__current_revision__isnull=False)
        .select_related("edition__guide")
        .order_by("edition__guide__country", "edition__language", "pk")
    )
    by_guide: dict[int, list[GuideSection]] = {}
    for section in stale:
        by_guide.setdefault(section.edition.guide_id, []).append(section)
    sent = 0
    for sections in by_guide.values():
        guide = sections[0].edition.guide
        sent += len(
            notify(
                guide_maintainers(guide),
                "guides.sections_stale",
                context={
                    "guide": guide,
                    "sections": sorted(sections, key=lambda s: (s.edition.language, s.order)),
                    "url": reverse("guides:manage", args=[guide.country.code.lower()]),
                },
                dedupe_key=f"stale:{guide.pk}:{now:%Y-%m}",
                target=guide,
            )
        )
    return sent


# Editors


@transaction.atomic
def invite_editor(*, guide: CountryGuide, email: str, by: User) -> GuideEditor:
    """Add a member of staff of a member institution as an editor of the guide, and tell them."""
    require(permissions.can_manage_guide_editors(by, guide))
    person = (
        User.objects.filter(email__iexact=(email or "").strip(), is_active=True, institution__is_active=True)
        .select_related("institution")
        .first()
    )
    if person is None or not (person.roles & STAFF_ROLES):
        raise ValidationError(
            {"email": _("No member of staff of a member institution has this address on the platform.")}
        )
    if person.pk in {maintainer.pk for maintainer in guide_maintainers(guide)}:
        raise ValidationError({"email": _("%(name)s already maintains this guide.") % {"name": person.full_name}})
    editor = GuideEditor.objects.create(guide=guide, user=person, invited_by=by)
    notify(
        [person],
        "guides.editor_added",
        context={"guide": guide, "by": by, "url": reverse("guides:manage", args=[guide.country.code.lower()])},
        dedupe_key=f"editor:{editor.pk}",
        target=guide,
    )
    return editor


@transaction.atomic
def remove_editor(*, editor: GuideEditor, by: User) -> None:
    """End an invitation. The editor's open drafts of the guide are discarded (unless they still
    maintain it as liaison officer), as nobody else may finish them."""
    require(permissions.can_manage_guide_editors(by, editor.guide))
    editor.delete()
    if not permissions.can_maintain_guide(editor.user, editor.guide):
        GuideDraft.objects.open().filter(author=editor.user, edition__guide=editor.guide).update(
            status=DraftStatus.DISCARDED, updated_at=timezone.now()
        )
