"""The guide workflow through its services: drafts, review, revisions, restore, editors, staleness."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consortium.models import Notification, Role
from consortium.services.privacy import export_personal_data
from guides import permissions
from guides.models import DraftStatus, GuideDraft, GuideEditor, GuideRevision, GuideSection, SectionKey
from guides.services import country_guides as guides
from guides.services.guide_diffs import diff_contents, diff_text
from guides.tasks import remind_stale_guide_sections
from tests.factories import UserFactory
from tests.guides.factories import guide_people, publish_edition, section_texts

pytestmark = pytest.mark.django_db

VISAS = "work-permits-and-visas"


@pytest.fixture
def people():
    return guide_people()


@pytest.fixture
def edition(people):
    return publish_edition("FR", "fr", content=section_texts(work_permits_and_visas="Visa: **talent** permit."))


def notified(person, kind):
    return list(Notification.objects.filter(recipient=person, kind=kind))


def submitted_draft(edition, author, text="Visa: the *passeport talent* permit, four years."):
    draft = guides.open_draft(edition=edition, by=author)
    draft = guides.save_draft_section(draft=draft, key=VISAS, markdown=text, by=author)
    return guides.submit_draft(draft=draft, note="Talent permit duration", by=author)


def test_a_submitted_draft_asks_the_other_maintainers_to_review(people, edition):
    draft = submitted_draft(edition, people["julien"])
    assert draft.status == DraftStatus.SUBMITTED and draft.note == "Talent permit duration"
    assert len(notified(people["marc"], "guides.draft_submitted")) == 1
    assert notified(people["julien"], "guides.draft_submitted") == []
    assert notified(people["elena"], "guides.draft_submitted") == []
    # Readers still see the published text.
    assert edition.sections.get(key=VISAS).body_markdown == "Visa: **talent** permit."


def test_approval_publishes_the_next_revision_and_tells_the_author(people, edition):
    draft = submitted_draft(edition, people["julien"])
    before = edition.sections.get(key="interviews").last_reviewed_at
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        revision = guides.approve_draft(draft=draft, by=people["marc"])
    edition.refresh_from_db()
    assert (revision.number, revision.author, revision.approved_by) == (2, people["julien"], people["marc"])
    assert edition.current_revision == revision
    visas = edition.sections.get(key=VISAS)
    assert visas.body_markdown == "Visa: the *passeport talent* permit, four years."
    assert visas.body_html == "<p>Visa: the <em>passeport talent</em> permit, four years.</p>"
    assert visas.last_reviewed_by == people["marc"] and visas.last_reviewed_at > before
    # An untouched section keeps its review date.
    assert edition.sections.get(key="interviews").last_reviewed_at == before
    draft.refresh_from_db()
    assert draft.status == DraftStatus.PUBLISHED and draft.reviewed_by == people["marc"]
    [message] = notified(people["julien"], "guides.draft_approved")
    assert "revision 2" in message.body and message.url == edition.get_absolute_url()


def test_approving_ones_own_draft_is_refused(people, edition):
    draft = submitted_draft(edition, people["julien"])
    with pytest.raises(ValidationError) as refused:
        guides.approve_draft(draft=draft, by=people["julien"])
    assert refused.value.messages == ["You wrote this draft: another maintainer of the guide must approve it."]
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SUBMITTED and GuideRevision.objects.count() == 1


@pytest.mark.parametrize("outsider", ["elena", "lucia"])
def test_people_who_do_not_maintain_the_guide_can_neither_write_nor_approve(people, edition, outsider):
    with pytest.raises(PermissionDenied):
        guides.open_draft(edition=edition, by=people[outsider])
    draft = submitted_draft(edition, people["julien"])
    with pytest.raises(PermissionDenied):
        guides.approve_draft(draft=draft, by=people[outsider])


def test_a_colleague_who_is_not_the_liaison_maintains_only_once_invited(people, edition):
    with pytest.raises(PermissionDenied):
        guides.open_draft(edition=edition, by=people["ines"])
    guides.invite_editor(guide=edition.guide, email="  " + people["ines"].email.upper(), by=people["julien"])
    assert len(notified(people["ines"], "guides.editor_added")) == 1
    draft = submitted_draft(edition, people["julien"])
    assert guides.approve_draft(draft=draft, by=people["ines"]).approved_by == people["ines"]


def test_only_liaison_officers_invite_editors_and_only_staff_can_be_invited(people, edition):
    guides.invite_editor(guide=edition.guide, email=people["ines"].email, by=people["julien"])
    with pytest.raises(PermissionDenied):
        guides.invite_editor(guide=edition.guide, email=people["elena"].email, by=people["ines"])
    with pytest.raises(ValidationError) as refused:
        guides.invite_editor(guide=edition.guide, email=people["lucia"].email, by=people["julien"])
    assert refused.value.message_dict == {
        "email": ["No member of staff of a member institution has this address on the platform."]
    }
    with pytest.raises(ValidationError, match="already maintains"):
        guides.invite_editor(guide=edition.guide, email=people["marc"].email, by=people["julien"])


def test_a_removed_editor_no_longer_maintains(people, edition):
    editor = guides.invite_editor(guide=edition.guide, email=people["ines"].email, by=people["julien"])
    guides.remove_editor(editor=editor, by=people["julien"])
    assert not GuideEditor.objects.exists()
    with pytest.raises(PermissionDenied):
        guides.open_draft(edition=edition, by=people["ines"])


def test_an_ended_nomination_ends_the_maintenance(people, edition):
    people["julien"].liaison_nominations.update(ends_at=timezone.now())
    with pytest.raises(PermissionDenied):
        guides.open_draft(edition=edition, by=people["julien"])


def test_sending_back_needs_a_comment_and_returns_the_draft_to_its_author(people, edition):
    draft = submitted_draft(edition, people["julien"])
    with pytest.raises(ValidationError) as refused:
        guides.send_back_draft(draft=draft, comment="  ", by=people["marc"])
    assert refused.value.message_dict == {"comment": ["Tell the author what to change."]}
    draft = guides.send_back_draft(draft=draft, comment="Add the fee.", by=people["marc"])
    assert draft.status == DraftStatus.EDITING and draft.review_comment == "Add the fee."
    [message] = notified(people["julien"], "guides.draft_sent_back")
    assert "Add the fee." in message.body
    guides.save_draft_section(draft=draft, key=VISAS, markdown="Visa: talent permit, fee €225.", by=people["julien"])
    guides.submit_draft(draft=draft, note="", by=people["julien"])
    assert guides.approve_draft(draft=draft, by=people["marc"]).number == 2


def test_one_open_draft_per_edition(people, edition):
    draft = guides.open_draft(edition=edition, by=people["julien"])
    assert guides.open_draft(edition=edition, by=people["julien"]) == draft
    with pytest.raises(ValidationError, match="Julien Bernard is already changing this edition"):
        guides.open_draft(edition=edition, by=people["marc"])
    with pytest.raises(PermissionDenied):
        guides.save_draft_section(draft=draft, key=VISAS, markdown="Mine now", by=people["marc"])
    guides.discard_draft(draft=draft, by=people["marc"])
    assert guides.open_draft(edition=edition, by=people["marc"]).author == people["marc"]


def test_a_draft_that_changes_nothing_cannot_be_submitted(people, edition):
    draft = guides.open_draft(edition=edition, by=people["julien"])
    with pytest.raises(ValidationError, match="changes nothing"):
        guides.submit_draft(draft=draft, note="", by=people["julien"])


def test_bad_section_input_is_refused(people, edition):
    draft = guides.open_draft(edition=edition, by=people["julien"])
    with pytest.raises(ValidationError) as refused:
        guides.save_draft_section(draft=draft, key="nonsense", markdown="x", by=people["julien"])
    assert refused.value.message_dict == {"key": ["There is no such section."]}
    with pytest.raises(ValidationError, match="control characters"):
        guides.save_draft_section(draft=draft, key=VISAS, markdown="bell\x07", by=people["julien"])
    with pytest.raises(ValidationError, match="20000 characters"):
        guides.save_draft_section(draft=draft, key=VISAS, markdown="x" * 20_001, by=people["julien"])
    draft.refresh_from_db()
    assert draft.content[VISAS] == "Visa: **talent** permit."


def test_an_old_revision_is_restored_through_review(people, edition):
    guides.approve_draft(draft=submitted_draft(edition, people["julien"]), by=people["marc"])
    first = edition.revisions.get(number=1)
    draft = guides.restore_revision(revision=first, by=people["marc"])
    assert draft.restored_from == first and draft.content == first.content and draft.author == people["marc"]
    edition.refresh_from_db()
    assert edition.current_revision.number == 2  # nothing published yet
    guides.submit_draft(draft=draft, note=draft.note, by=people["marc"])
    revision = guides.approve_draft(draft=draft, by=people["julien"])
    assert (revision.number, revision.restored_from_number, revision.note) == (3, 1, "Restores revision 1")
    assert edition.sections.get(key=VISAS).body_markdown == "Visa: **talent** permit."
    with pytest.raises(ValidationError, match="published one already"):
        guides.restore_revision(revision=revision, by=people["marc"])


def test_starting_an_edition_checks_the_language_and_the_country(people):
    with pytest.raises(ValidationError) as refused:
        guides.start_edition(country="FR", language="xx", by=people["julien"])
    assert refused.value.message_dict == {"language": ["“xx” is not an ISO 639-1 language code."]}
    with pytest.raises(ValidationError, match="ISO 639-1"):
        guides.start_edition(country="FR", language="fra", by=people["julien"])
    with pytest.raises(PermissionDenied):
        guides.start_edition(country="IT", language="it", by=people["julien"])
    edition = guides.start_edition(country="fr", language="DE", by=people["julien"])
    assert (edition.guide.country.code, edition.language, edition.is_published) == ("FR", "de", False)
    with pytest.raises(ValidationError, match="already has an edition"):
        guides.start_edition(country="FR", language="de", by=people["marc"])


def test_the_first_draft_of_a_new_edition_publishes_every_section(people):
    edition = guides.start_edition(country="FR", language="en", by=people["julien"])
    draft = guides.open_draft(edition=edition, by=people["julien"])
    guides.save_draft_section(draft=draft, key="labour-market", markdown="Paris has jobs.", by=people["julien"])
    guides.submit_draft(draft=draft, note="", by=people["julien"])
    guides.approve_draft(draft=draft, by=people["marc"])
    assert edition.sections.count() == len(SectionKey.values)
    assert list(edition.sections.written().values_list("key", flat=True)) == ["labour-market"]


def test_marking_a_section_reviewed_changes_only_its_date(people, edition):
    section = edition.sections.get(key=VISAS)
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        guides.mark_section_reviewed(section=section, by=people["marc"])
        section.refresh_from_db()
        assert section.last_reviewed_at.date() == timezone.now().date() and section.last_reviewed_by == people["marc"]
    assert section.body_markdown == "Visa: **talent** permit." and GuideRevision.objects.count() == 1
    with pytest.raises(PermissionDenied):
        guides.mark_section_reviewed(section=section, by=people["elena"])


def test_stale_sections_remind_maintainers_once_a_month_until_reviewed(people, edition):
    with time_machine.travel(timezone.now() + timedelta(days=370)):
        assert remind_stale_guide_sections.delay().get() == 2  # Julien and Marc
        assert remind_stale_guide_sections.delay().get() == 0  # the same month: nothing again
        [message] = notified(people["julien"], "guides.sections_stale")
        assert "Work permits and visas" in message.body and message.url == "/guides/fr/manage/"
        assert notified(people["elena"], "guides.sections_stale") == []
    with time_machine.travel(timezone.now() + timedelta(days=402)):
        assert guides.remind_stale_sections() == 2  # a month later, still not reviewed
        for section in edition.sections.all():
            guides.mark_section_reviewed(section=section, by=people["marc"])
    with time_machine.travel(timezone.now() + timedelta(days=440)):
        assert guides.remind_stale_sections() == 0


def test_the_diff_shows_the_changed_words():
    [line] = diff_text("Visa: talent permit, two years.", "Visa: talent permit, four years.")
    assert line.kind == "changed"
    assert ("removed", "two") in line.pieces and ("added", "four") in line.pieces
    lines = diff_text("a\nb", "a\nb\nc\nd")
    assert [(line.kind, line.pieces) for line in lines] == [
        ("same", [("same", "a\nb")]),
        ("added", [("added", "c\nd")]),
    ]


def test_personal_data_export_and_erasure_keep_the_text(people, edition):
    guides.approve_draft(draft=submitted_draft(edition, people["julien"]), by=people["marc"])
    data = export_personal_data(user=people["julien"])["guides"]
    assert data["revisions_written"][0]["number"] == 2
    assert data["drafts"][0]["content"][VISAS].startswith("Visa: the *passeport")
    assert export_personal_data(user=people["marc"])["guides"]["revisions_approved"][0]["number"] == 2
    from guides.services.guide_privacy import erase_guides_data

    erase_guides_data(people["marc"])
    revision = edition.revisions.get(number=2)
    assert revision.approved_by is None and revision.author == people["julien"]
    assert not GuideSection.objects.filter(last_reviewed_by=people["marc"]).exists()
    assert edition.sections.get(key=VISAS).body_markdown.startswith("Visa: the *passeport")


def test_the_demo_seeds_published_guides_in_two_languages(settings):
    from django.core.management import call_command

    from guides.models import GuideEdition

    settings.DEBUG = True
    call_command("seed_demo", "--quiet")
    call_command("seed_demo", "--quiet")
    editions = GuideEdition.objects.published().select_related("guide")
    assert sorted((e.guide.country.code, e.language) for e in editions) == [
        ("DE", "de"), ("DE", "en"), ("ES", "en"), ("ES", "es"), ("FR", "en"), ("FR", "fr"), ("GB", "en"),
        ("IT", "en"), ("IT", "it"),
    ]  # fmt: skip
    for edition in editions:
        assert edition.sections.written().count() == 10, edition
        assert len(guides.guide_maintainers(edition.guide)) == 2
    assert [str(s) for s in GuideSection.objects.stale()] == ["Germany (en) — Work permits and visas"]
    assert GuideRevision.objects.count() == 9
    liaison = UserFactory(roles=[Role.CAREER_OFFICER])
    assert liaison not in guides.guide_maintainers(editions[0].guide)


def test_staff_of_a_former_member_cannot_be_invited(people, edition):
    people["paris"].is_active = False
    people["paris"].save()
    with pytest.raises(ValidationError) as refused:
        guides.invite_editor(guide=edition.guide, email=people["ines"].email, by=people["marc"])
    assert refused.value.message_dict == {
        "email": ["No member of staff of a member institution has this address on the platform."]
    }
    assert not GuideEditor.objects.exists()


def test_an_editor_whose_institution_leaves_no_longer_maintains(people, edition):
    guides.invite_editor(guide=edition.guide, email=people["ines"].email, by=people["julien"])
    assert permissions.can_maintain_guide(people["ines"], edition.guide)
    people["paris"].is_active = False
    people["paris"].save()
    ines = type(people["ines"]).objects.get(pk=people["ines"].pk)
    assert not permissions.can_maintain_guide(ines, edition.guide)
    assert permissions.maintained_guide_ids(ines) == set()
    assert ines not in guides.guide_maintainers(edition.guide)
    assert guides.guide_maintainers(edition.guide) == [people["marc"]]  # Julien's Paris left too
    with pytest.raises(PermissionDenied):
        guides.open_draft(edition=edition, by=ines)


def test_removing_an_editor_discards_their_open_draft(people, edition):
    editor = guides.invite_editor(guide=edition.guide, email=people["ines"].email, by=people["julien"])
    draft = submitted_draft(edition, people["ines"])
    other = publish_edition("ES", "es")
    guides.invite_editor(guide=other.guide, email=people["julien"].email, by=people["elena"])
    elsewhere = submitted_draft(other, people["julien"])  # another guide's draft is not touched
    guides.remove_editor(editor=editor, by=people["julien"])
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DISCARDED
    with pytest.raises(ValidationError, match="not waiting for review"):
        guides.approve_draft(draft=draft, by=people["marc"])
    elsewhere.refresh_from_db()
    assert elsewhere.status == DraftStatus.SUBMITTED
    assert guides.open_draft(edition=edition, by=people["marc"]).author == people["marc"]  # the edition is free


def test_a_draft_whose_author_no_longer_maintains_the_guide_is_not_published(people, edition):
    draft = submitted_draft(edition, people["julien"])
    people["julien"].liaison_nominations.update(ends_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        guides.approve_draft(draft=draft, by=people["marc"])
    assert refused.value.messages == [
        "Its author no longer maintains this guide, so it cannot be published: discard it."
    ]
    assert GuideRevision.objects.count() == 1
    guides.discard_draft(draft=draft, by=people["marc"], version=GuideDraft.objects.get(pk=draft.pk).version)
    assert not GuideDraft.objects.open().exists()


def test_a_draft_changed_since_it_was_read_is_neither_approved_sent_back_nor_discarded(people, edition):
    draft = submitted_draft(edition, people["julien"], "First try.")
    read = draft.version
    guides.send_back_draft(draft=draft, comment="Say more.", by=people["marc"], version=read)
    guides.submit_draft(draft=GuideDraft.objects.get(pk=draft.pk), note="Same text, new note", by=people["julien"])
    changed = "The draft changed after you opened it. Read it again before you approve, send back or discard it."
    with pytest.raises(ValidationError) as refused:
        guides.approve_draft(draft=draft, by=people["marc"], version=read)
    assert refused.value.messages == [changed]
    with pytest.raises(ValidationError, match="changed after you opened it"):
        guides.send_back_draft(draft=draft, comment="Again.", by=people["marc"], version=read)
    with pytest.raises(ValidationError, match="changed after you opened it"):
        guides.discard_draft(draft=draft, by=people["marc"], version=read)
    current = GuideDraft.objects.get(pk=draft.pk)
    assert current.status == DraftStatus.SUBMITTED
    assert guides.approve_draft(draft=current, by=people["marc"], version=current.version).number == 2


def test_a_small_change_in_a_long_paragraph_shows_as_that_change():
    paragraph = " ".join(f"word{i % 50} the visa" for i in range(1_500))  # 4,500 words, 18k characters
    [line] = diff_text(paragraph, paragraph.replace("word7 the", "word7 a", 1))
    assert line.kind == "changed"
    assert [piece for piece in line.pieces if piece[0] != "same"] == [("removed", "the"), ("added", "a")]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # 20,000 characters of prose on one line, rewritten: the reviewer's measure (26 s before).
        (
            " ".join(f"visa{i % 97} permit" for i in range(1_450)),
            " ".join(f"permit{i % 89} visa" for i in range(1_450)),
        ),
        ("a " * 10_000, "b a " * 5_000),  # the most repetitive text, on one line
        ("a\n" * 10_000, "b\na\n" * 5_000),  # and on many lines
        ("\n".join(["a " * 70] * 140), "\n".join(f"{'b a ' * 35}{i}" for i in range(140))),  # many long lines
    ],
    ids=["prose", "repeated-words", "repeated-lines", "long-repeated-lines"],
)
def test_a_huge_change_is_compared_fast(old, new):
    old, new = old[:20_000], new[:20_000]
    started = time.perf_counter()
    diffs = diff_contents(dict.fromkeys(SectionKey.values, old), dict.fromkeys(SectionKey.values, new))
    assert time.perf_counter() - started < 1
    assert all(diff.changed for diff in diffs)
    removed = "".join(text for line in diffs[0].lines for kind, text in line.pieces if kind != "added")
    added = "".join(text for line in diffs[0].lines for kind, text in line.pieces if kind != "removed")
    assert removed.replace("\n", "") == old.replace("\n", "") and added.replace("\n", "") == new.replace("\n", "")
