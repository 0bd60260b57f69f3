"""The guides in the browser: public reading without an account, and the maintainers' pages."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from consortium.models import Role
from guides.models import DraftStatus, GuideDraft, GuideEditor, SectionKey
from guides.services import country_guides as guides
from tests.factories import UserFactory
from tests.guides.factories import guide_people, publish_edition, section_texts

pytestmark = pytest.mark.django_db

VISAS = "work-permits-and-visas"


@pytest.fixture
def people():
    return guide_people()


@pytest.fixture
def edition(people):
    publish_edition("FR", "en")
    return publish_edition("FR", "fr", content=section_texts(work_permits_and_visas="Le **passeport talent**."))


def messages_of(response):
    """The message the action just added (earlier ones were never shown, as no page was fetched)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1:]


def read_draft(client, url="/guides/fr/fr/draft/"):
    """What the review forms of the draft page carry: which draft, in which version, the reader saw."""
    page = client.get(url).content.decode()
    [draft] = set(re.findall(r'name="draft" value="(\d+)"', page))
    [version] = set(re.findall(r'name="version" value="([0-9a-f]+)"', page))
    return {"draft": draft, "version": version}


def submitted(edition, author, text="Changed"):
    draft = guides.open_draft(edition=edition, by=author)
    guides.save_draft_section(draft=draft, key=VISAS, markdown=text, by=author)
    return guides.submit_draft(draft=draft, note="", by=author)


def test_anyone_reads_a_published_edition_without_an_account(client, edition):
    response = client.get("/guides/fr/fr/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<article class="col-lg-8 guide-edition order-lg-1" lang="fr">' in page
    # The contents and headings are in the edition's language, the notes around them in the reader's.
    assert '<ol class="small ps-3" lang="fr">' in page and '<li><a href="#work-permits-and-visas">' in page
    assert '<section class="guide-section mb-4" id="work-permits-and-visas"' in page
    assert "<p>Le <strong>passeport talent</strong>.</p>" in page
    assert 'href="/guides/fr/en/" hreflang="en" lang="en"' in page  # the language switcher
    assert 'href="/jobs/?country=FR"' in page
    assert 'href="/jobs/?country=FR&amp;kind=erasmus_traineeship"' in page
    assert 'href="/static/css/guides.css" media="print"' in page
    assert "Revision 1, published on" in page and "last reviewed on" in page
    assert "Nobody has reviewed this section" not in page
    assert "Maintain this guide" not in page


def test_a_section_not_reviewed_for_a_year_shows_a_notice(client, people):
    publish_edition("FR", "fr", when=timezone.now() - timedelta(days=366))
    page = client.get("/guides/fr/fr/").content.decode()
    assert page.count("Nobody has reviewed this section for more than a year") == 10


def test_the_index_lists_published_editions_only(client, people, edition):
    guides.start_edition(country="FR", language="de", by=people["julien"])
    page = client.get("/guides/").content.decode()
    assert 'href="/guides/fr/fr/"' in page and 'href="/guides/fr/en/"' in page
    assert 'href="/guides/fr/de/"' not in page


def test_an_unpublished_edition_is_not_found_by_readers(client, people):
    guides.start_edition(country="FR", language="de", by=people["julien"])
    assert client.get("/guides/fr/de/").status_code == 404
    assert client.get("/guides/fr/").status_code == 404
    assert client.get("/guides/xx/en/").status_code == 404
    client.force_login(people["julien"])
    assert client.get("/guides/fr/").url == "/guides/fr/manage/"


def test_a_guide_address_leads_to_the_readers_language(client, edition):
    assert client.get("/guides/fr/").url == "/guides/fr/en/"
    assert client.get("/guides/fr/", HTTP_ACCEPT_LANGUAGE="fr").url == "/guides/fr/fr/"


def test_reading_pages_take_a_fixed_number_of_queries(client, edition, django_assert_max_num_queries):
    for country in ("DE", "IT", "ES"):
        publish_edition(country, "en")
    with django_assert_max_num_queries(3):
        assert client.get("/guides/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/guides/fr/fr/").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("julien", 200),  # the liaison officer in Paris
        ("marc", 200),  # the liaison officer of another French member
        ("ines", 404),  # a colleague of Julien's, not invited
        ("paris_admin", 404),  # Paris's partner admin: not a maintainer
        ("elena", 404),  # the liaison officer of another country
        ("lucia", 404),  # a student
        ("consortium_admin", 200),
    ],
)
def test_the_workspace_is_for_maintainers_and_consortium_admins(client, people, edition, who, status):
    people["consortium_admin"] = UserFactory(roles=[Role.CONSORTIUM_ADMIN], institution=people["madrid"])
    people["paris_admin"] = UserFactory(roles=[Role.PARTNER_ADMIN], institution=people["paris"])
    client.force_login(people[who])
    for url in ("/guides/fr/manage/", "/guides/fr/fr/draft/", "/guides/fr/fr/revisions/"):
        assert client.get(url).status_code == status, url


def test_the_workspace_needs_signing_in(client, edition):
    response = client.get("/guides/fr/manage/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_draft_is_written_submitted_and_approved_in_the_browser(client, people, edition):
    client.force_login(people["julien"])
    assert client.post("/guides/fr/fr/draft/").url == "/guides/fr/fr/draft/"
    form = client.get(f"/guides/fr/fr/draft/{VISAS}/")
    assert "Le **passeport talent**." in form.content.decode()
    response = client.post(f"/guides/fr/fr/draft/{VISAS}/", {"body_markdown": "Le passeport talent, 4 ans."})
    assert response.url == "/guides/fr/fr/draft/"
    page = client.get("/guides/fr/fr/draft/").content.decode()
    assert "<del>**passeport</del>" in page and "<ins>passeport</ins>" in page
    response = client.post("/guides/fr/fr/draft/submit/", {"note": "Durée du titre"})
    assert messages_of(response) == ["Draft submitted: the other maintainers were asked to review it."]
    response = client.post("/guides/fr/fr/draft/approve/", read_draft(client))
    assert messages_of(response) == ["You wrote this draft: another maintainer of the guide must approve it."]
    client.force_login(people["marc"])
    assert "Approve and publish" in client.get("/guides/fr/fr/draft/").content.decode()
    response = client.post("/guides/fr/fr/draft/approve/", read_draft(client))
    assert response.url == "/guides/fr/fr/" and messages_of(response) == ["Published as revision 2."]
    assert "<p>Le passeport talent, 4 ans.</p>" in client.get("/guides/fr/fr/").content.decode()


def test_a_reviewer_sends_a_draft_back_with_a_comment(client, people, edition):
    draft = guides.open_draft(edition=edition, by=people["julien"])
    guides.save_draft_section(draft=draft, key=VISAS, markdown="Changed", by=people["julien"])
    guides.submit_draft(draft=draft, note="", by=people["julien"])
    client.force_login(people["marc"])
    seen = read_draft(client)
    response = client.post("/guides/fr/fr/draft/send-back/", {**seen, "comment": ""})
    assert messages_of(response) == ["Tell the author what to change."]
    client.post("/guides/fr/fr/draft/send-back/", {**seen, "comment": "Cite the decree."})
    draft.refresh_from_db()
    assert draft.status == DraftStatus.EDITING
    client.force_login(people["julien"])
    assert "Cite the decree." in client.get("/guides/fr/fr/draft/").content.decode()


def test_only_the_author_edits_a_draft(client, people, edition):
    draft = guides.open_draft(edition=edition, by=people["julien"])
    admin = UserFactory(roles=[Role.CONSORTIUM_ADMIN], institution=people["madrid"])
    client.force_login(people["julien"])
    assert client.get(f"/guides/fr/fr/draft/{VISAS}/").status_code == 200
    # A fellow maintainer and a consortium admin see the draft, but may not edit it.
    for who in (people["marc"], admin):
        client.force_login(who)
        assert client.get(f"/guides/fr/fr/draft/{VISAS}/").status_code == 403
        assert client.post(f"/guides/fr/fr/draft/{VISAS}/", {"body_markdown": "Mine"}).status_code == 403
    # Someone who does not see the guide's drafts is not told there is one.
    client.force_login(people["elena"])
    assert client.get(f"/guides/fr/fr/draft/{VISAS}/").status_code == 404
    seen = {"draft": draft.pk, "version": draft.version}
    assert client.post("/guides/fr/fr/draft/discard/", seen).status_code == 404
    draft.refresh_from_db()
    assert draft.status == DraftStatus.EDITING and draft.content[VISAS] == "Le **passeport talent**."


def test_revisions_are_compared_and_restored(client, people, edition):
    draft = guides.open_draft(edition=edition, by=people["julien"])
    guides.save_draft_section(draft=draft, key=VISAS, markdown="Le passeport talent.", by=people["julien"])
    guides.submit_draft(draft=draft, note="Sans gras", by=people["julien"])
    guides.approve_draft(draft=draft, by=people["marc"])
    client.force_login(people["marc"])
    page = client.get("/guides/fr/fr/revisions/").content.decode()
    assert "Sans gras" in page and "Julien Bernard" in page
    page = client.get("/guides/fr/fr/revisions/compare/?old=1&new=2").content.decode()
    assert "Le <del>**passeport</del><ins>passeport</ins> <del>talent**.</del><ins>talent.</ins>" in page
    assert client.get("/guides/fr/fr/revisions/compare/?old=1&new=9").status_code == 404
    assert client.get("/guides/fr/fr/revisions/compare/?old=x").status_code == 302
    response = client.post("/guides/fr/fr/revisions/1/restore/")
    assert response.url == "/guides/fr/fr/draft/"
    assert GuideDraft.objects.get(status=DraftStatus.EDITING).restored_from.number == 1


def test_maintainers_mark_sections_reviewed_and_invite_editors(client, people, edition):
    client.force_login(people["marc"])
    response = client.post(f"/guides/fr/fr/sections/{VISAS}/reviewed/")
    assert messages_of(response) == ["“Work permits and visas” marked as reviewed today."]
    response = client.post("/guides/fr/editors/", {"email": "nobody@example.org"})
    assert messages_of(response) == [
        "E-mail address: No member of staff of a member institution has this address on the platform."
    ]
    client.post("/guides/fr/editors/", {"email": people["ines"].email})
    editor = GuideEditor.objects.get(user=people["ines"])
    client.force_login(people["ines"])
    assert client.get("/guides/fr/manage/").status_code == 200
    assert client.post(f"/guides/fr/editors/{editor.pk}/remove/").status_code == 403  # editors do not manage editors
    client.force_login(people["julien"])
    client.post(f"/guides/fr/editors/{editor.pk}/remove/")
    assert not GuideEditor.objects.exists()


def test_opening_an_edition_from_the_browser(client, people):
    client.force_login(people["lucia"])
    assert client.get("/guides/new/").status_code == 404
    client.force_login(people["julien"])
    response = client.post("/guides/new/", {"country": "FR", "language": "zz"})
    assert "Select a valid choice" in response.content.decode()
    response = client.post("/guides/new/", {"country": "IT", "language": "it"})
    assert "You can open editions only of the guide to your own country." in response.content.decode()
    response = client.post("/guides/new/", {"country": "FR", "language": "fr"})
    assert response.url == "/guides/fr/manage/"
    assert "Start a draft" in client.get("/guides/fr/manage/").content.decode()


def test_consortium_admins_oversee_but_do_not_approve(client, people, edition):
    admin = UserFactory(roles=[Role.CONSORTIUM_ADMIN], institution=people["madrid"])
    draft = guides.open_draft(edition=edition, by=people["julien"])
    guides.save_draft_section(draft=draft, key=VISAS, markdown="Changed", by=people["julien"])
    guides.submit_draft(draft=draft, note="", by=people["julien"])
    client.force_login(admin)
    assert "Approve and publish" not in client.get("/guides/fr/fr/draft/").content.decode()
    seen = {"draft": draft.pk, "version": draft.version}
    assert client.post("/guides/fr/fr/draft/approve/", seen).status_code == 403  # they see it: forbidden
    assert client.post("/guides/fr/fr/draft/discard/", seen).status_code == 403
    assert client.post("/guides/fr/fr/revisions/1/restore/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SUBMITTED


def test_workspace_pages_take_a_fixed_number_of_queries(client, people, edition, django_assert_max_num_queries):
    for number in range(3):
        draft = guides.open_draft(edition=edition, by=people["julien"])
        guides.save_draft_section(draft=draft, key=VISAS, markdown=f"Version {number}", by=people["julien"])
        guides.submit_draft(draft=draft, note=f"Version {number}", by=people["julien"])
        guides.approve_draft(draft=draft, by=people["marc"])
    guides.invite_editor(guide=edition.guide, email=people["ines"].email, by=people["julien"])
    publish_edition("FR", "de", approved_by=people["ines"])
    client.force_login(people["marc"])
    with django_assert_max_num_queries(17):
        assert client.get("/guides/fr/manage/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/guides/fr/fr/revisions/").status_code == 200


def test_a_reviewer_publishes_only_the_text_they_read(client, people, edition):
    submitted(edition, people["julien"], "What Marc reads.")
    client.force_login(people["marc"])
    seen = read_draft(client)
    # Meanwhile Julien discards his draft and submits another text.
    old = GuideDraft.objects.get()
    guides.discard_draft(draft=old, by=people["julien"])
    submitted(edition, people["julien"], "What Marc never read.")
    for action in ("approve", "send-back", "discard"):
        response = client.post(f"/guides/fr/fr/draft/{action}/", {**seen, "comment": "Fine."})
        assert messages_of(response) == [
            "The draft changed after you opened it. Read it again before you approve, send back or discard it."
        ], action
    assert edition.sections.get(key=VISAS).body_markdown == "Le **passeport talent**."
    assert GuideDraft.objects.get(status=DraftStatus.SUBMITTED).reviewed_by is None
    # Read again, it is published.
    response = client.post("/guides/fr/fr/draft/approve/", read_draft(client))
    assert messages_of(response) == ["Published as revision 2."]
    assert edition.sections.get(key=VISAS).body_markdown == "What Marc never read."


def test_a_draft_sent_back_and_resubmitted_must_be_read_again(client, people, edition):
    draft = submitted(edition, people["julien"], "First try.")
    guides.invite_editor(guide=edition.guide, email=people["ines"].email, by=people["julien"])
    client.force_login(people["ines"])
    seen = read_draft(client)
    guides.send_back_draft(draft=draft, comment="Say more.", by=people["marc"])
    guides.save_draft_section(draft=draft, key=VISAS, markdown="Second try.", by=people["julien"])
    guides.submit_draft(draft=draft, note="", by=people["julien"])
    response = client.post("/guides/fr/fr/draft/approve/", seen)
    assert messages_of(response)[0].startswith("The draft changed after you opened it.")
    response = client.post("/guides/fr/fr/draft/approve/", {})  # a form that does not say what was read
    assert messages_of(response) == ["Reload the draft and try again: the form did not say which version you read."]
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SUBMITTED
    assert edition.revisions.count() == 1


def test_a_note_too_long_is_shown_and_the_draft_stays_with_its_author(client, people, edition):
    draft = guides.open_draft(edition=edition, by=people["julien"])
    guides.save_draft_section(draft=draft, key=VISAS, markdown="Changed", by=people["julien"])
    client.force_login(people["julien"])
    response = client.post("/guides/fr/fr/draft/submit/", {"note": "x" * 301})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value has at most 300 characters (it has 301)." in page
    assert 'value="' + "x" * 301 + '"' in page  # the note is kept to shorten
    draft.refresh_from_db()
    assert draft.status == DraftStatus.EDITING and draft.note == ""


def test_a_draft_rewriting_every_section_renders_fast(client, people):
    """Twenty thousand characters per section, all rewritten: the reviewer's page still comes at once."""
    old = " ".join(f"visa{i % 97} permit" for i in range(1_450))[:20_000]
    new = "\n".join(["a " * 70] * 140)[:20_000]  # repetitive text, the slowest to compare
    edition = publish_edition("FR", "fr", content=dict.fromkeys(SectionKey.values, old))
    draft = guides.open_draft(edition=edition, by=people["julien"])
    for key in SectionKey.values:
        guides.save_draft_section(draft=draft, key=key, markdown=new, by=people["julien"])
    client.force_login(people["marc"])
    started = time.perf_counter()
    response = client.get("/guides/fr/fr/draft/")
    assert time.perf_counter() - started < 1
    page = response.content.decode()
    assert page.count('<div class="diff-line diff-removed">') == 10 and page.count(old) == 10
