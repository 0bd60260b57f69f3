"""The knowledge base: publishing a resolved request as an anonymised article, reading and searching
articles, and the suggestions shown while an officer types a new request's subject."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from consortium.models import KnowledgeArticle, LiaisonNomination, Role, SupportCategory
from consortium.permissions import can_read_article
from consortium.services import knowledge
from consortium.services import support as desk
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

ANSWER = (
    "Hi Ana, interns in Italy need a **tirocinio** agreement signed by the school.\n\n"
    "Write to marco.bianchi@ua.example or call +39 02 1234 5678 before 15.09.2025. Marco Bianchi"
)


@pytest.fixture
def third(db):
    return InstitutionFactory(name="Université Tierce", short_name="UT", slug="ut", country="FR", city="Lyon")


@pytest.fixture
def desk_people(make_user, home, other, third):
    liaison = make_user(Role.CAREER_OFFICER, institution=other, full_name="Marco Bianchi")
    LiaisonNomination.objects.create(institution=other, officer=liaison)
    return {
        "requester": make_user(Role.CAREER_OFFICER, full_name="Ana Ruiz"),
        "liaison": liaison,
        "liaison_colleague": make_user(Role.CAREER_OFFICER, institution=other),
        "third_officer": make_user(Role.CAREER_OFFICER, institution=third),
        "student": make_user(Role.STUDENT),
        "other_student": make_user(Role.STUDENT, institution=other),
    }


def ask(requester, other, subject="Internship norms in Milan", **kwargs):
    return desk.open_support_request(
        requester=requester,
        target_country="IT",
        target_institution=other,
        category=SupportCategory.INTERNSHIPS,
        subject=subject,
        question=kwargs.pop("question", "Ana Ruiz asks what an internship agreement in Italy needs."),
        **kwargs,
    )


@pytest.fixture
def resolved(desk_people, other):
    """A request from Madrid answered in Milan and resolved with consent to publish."""
    support_request = ask(desk_people["requester"], other)
    desk.post_support_message(request=support_request, author=desk_people["liaison"], body=ANSWER)
    desk.post_support_message(
        request=support_request, author=desk_people["liaison"], body="Only for colleagues.", internal=True
    )
    desk.post_support_message(request=support_request, author=desk_people["requester"], body="Thanks, Marco!")
    desk.post_support_message(request=support_request, author=desk_people["liaison"], body="You are welcome.")
    return desk.resolve_support_request(
        request=support_request, by=desk_people["requester"], rating=5, publication_consent=True
    )


FORM = {
    "title": "Internship agreements in Italy",
    "country": "IT",
    "category": SupportCategory.INTERNSHIPS,
    "question": "What does an internship agreement in Italy need?",
    "answer": "A **tirocinio** agreement signed by the school.<script>alert(1)</script>",
}


def publish(support_request, by, **fields):
    return knowledge.publish_article(support_request=support_request, by=by, **{**FORM, **fields})


# Publishing


def test_the_answering_officer_gets_an_anonymised_draft(client, desk_people, resolved):
    client.force_login(desk_people["liaison"])
    response = client.get(reverse("consortium:article-create", args=[resolved.pk]))
    assert response.status_code == 200
    draft = response.context["form"].initial
    assert draft["title"] == "Internship norms in Milan"
    assert draft["question"] == "[name] asks what an internship agreement in Italy needs."
    assert draft["answer"] == (
        "Hi [name], interns in Italy need a **tirocinio** agreement signed by the school.\n\n"
        "Write to [e-mail] or call [phone] before 15.09.2025. [name]\n\nYou are welcome."
    )
    assert draft["country"] == "IT" and draft["category"] == SupportCategory.INTERNSHIPS
    page = response.content.decode()
    assert "Only for colleagues." not in page and "Thanks, Marco" not in page


def test_publishing_renders_the_markdown_and_links_back_to_nothing_private(client, desk_people, resolved):
    client.force_login(desk_people["liaison"])
    response = client.post(reverse("consortium:article-create", args=[resolved.pk]), FORM)
    article = KnowledgeArticle.objects.get()
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert (article.title, article.country.code, article.author, article.source_request) == (
        "Internship agreements in Italy",
        "IT",
        desk_people["liaison"],
        resolved,
    )
    assert article.is_published and article.published_at is not None
    assert article.answer_html == "<p>A <strong>tirocinio</strong> agreement signed by the school.</p>"
    client.force_login(desk_people["third_officer"])
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<strong>tirocinio</strong>" in page and "<script>" not in page
    assert resolved.get_absolute_url() not in page
    for name in ("Marco Bianchi", "Ana Ruiz", "Università Altra", "Universidad de Prueba"):
        assert name not in page


@pytest.mark.parametrize(("field", "value"), [("answer", "   "), ("title", ""), ("country", "ZZ")])
def test_bad_input_is_refused_with_the_field_named_and_nothing_written(client, desk_people, resolved, field, value):
    client.force_login(desk_people["liaison"])
    response = client.post(reverse("consortium:article-create", args=[resolved.pk]), {**FORM, field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not KnowledgeArticle.objects.exists()


def test_control_characters_are_refused_by_the_service(desk_people, resolved):
    with pytest.raises(ValidationError) as error:
        publish(resolved, desk_people["liaison"], question="What\x00 now?")
    assert error.value.message_dict == {"question": ["Remove the invisible control characters."]}


def test_a_request_is_published_once(client, desk_people, resolved):
    article = publish(resolved, desk_people["liaison"])
    with pytest.raises(ValidationError, match="already been published"):
        publish(resolved, desk_people["liaison"], title="Again")
    client.force_login(desk_people["liaison"])
    response = client.get(reverse("consortium:article-create", args=[resolved.pk]))
    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()
    assert KnowledgeArticle.objects.count() == 1


@pytest.mark.parametrize("who", ["requester", "liaison_colleague", "third_officer", "student", "other_student"])
def test_only_the_answering_officer_may_publish(client, desk_people, resolved, who):
    client.force_login(desk_people[who])
    assert client.get(reverse("consortium:article-create", args=[resolved.pk])).status_code == 404
    assert client.post(reverse("consortium:article-create", args=[resolved.pk]), FORM).status_code == 404
    with pytest.raises(PermissionDenied):
        publish(resolved, desk_people[who])
    assert not KnowledgeArticle.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, resolved):
    response = client.get(reverse("consortium:article-create", args=[resolved.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_without_consent_or_before_resolution_nothing_is_published(client, desk_people, other):
    pending = ask(desk_people["requester"], other)
    desk.post_support_message(request=pending, author=desk_people["liaison"], body="An answer.")
    no_consent = ask(desk_people["requester"], other, subject="Visas")
    desk.post_support_message(request=no_consent, author=desk_people["liaison"], body="An answer.")
    desk.resolve_support_request(request=no_consent, by=desk_people["requester"], rating=4)
    client.force_login(desk_people["liaison"])
    for support_request in (pending, no_consent):
        assert client.get(reverse("consortium:article-create", args=[support_request.pk])).status_code == 404
        with pytest.raises(PermissionDenied):
            publish(support_request, desk_people["liaison"])


# Reading and searching


@pytest.fixture
def article(desk_people, resolved):
    return publish(resolved, desk_people["liaison"])


@pytest.mark.parametrize(
    ("who", "status"),
    [("requester", 200), ("liaison_colleague", 200), ("third_officer", 200), ("student", 404), ("other_student", 404)],
)
def test_every_career_officer_reads_articles_and_students_never(client, desk_people, article, who, status):
    client.force_login(desk_people[who])
    assert client.get(reverse("consortium:article-list")).status_code == status
    assert client.get(article.get_absolute_url()).status_code == status


def test_partner_and_consortium_admins_read_articles(client, people, article):
    for who in ("other_admin", "consortium_admin"):
        client.force_login(people[who])
        assert client.get(article.get_absolute_url()).status_code == 200


def test_anonymous_visitors_cannot_read_articles(client, article):
    assert client.get(reverse("consortium:article-list")).status_code == 302
    assert client.get(article.get_absolute_url()).status_code == 302


def make_article(author, **fields):
    defaults = {
        "country": "IT",
        "category": SupportCategory.OTHER,
        "title": "An article",
        "question": "A question",
        "answer": "An answer",
        "answer_html": "<p>An answer</p>",
        "is_published": True,
    }
    return KnowledgeArticle.objects.create(author=author, published_at=timezone.now(), **{**defaults, **fields})


def listed_titles(client, **query):
    response = client.get(reverse("consortium:article-list"), query)
    assert response.status_code == 200
    return [article.title for article in response.context["page"].object_list]


def test_articles_are_searched_by_text_and_filtered_by_country_and_category(client, desk_people):
    author = desk_people["liaison"]
    make_article(author, title="Visa for interns", category=SupportCategory.PERMITS)
    make_article(author, title="CV style in France", country="FR", answer="Keep the CV to one page.")
    make_article(author, title="Erasmus+ grants", category=SupportCategory.INTERNSHIPS, question="Which grant?")
    make_article(author, title="Withdrawn", is_published=False, answer="visa")
    client.force_login(desk_people["third_officer"])
    assert listed_titles(client, q="visa") == ["Visa for interns"]
    assert listed_titles(client, q="one page") == ["CV style in France"]
    assert listed_titles(client, q="grant") == ["Erasmus+ grants"]
    assert listed_titles(client, country="FR") == ["CV style in France"]
    assert listed_titles(client, category=SupportCategory.INTERNSHIPS) == ["Erasmus+ grants"]
    assert listed_titles(client, country="IT", q="cv") == []


def test_a_bad_filter_is_named_and_lists_nothing(client, desk_people):
    make_article(desk_people["liaison"])
    client.force_login(desk_people["third_officer"])
    response = client.get(reverse("consortium:article-list"), {"country": "ZZ", "category": "nonsense"})
    assert response.status_code == 200
    assert set(response.context["search"].errors) == {"country", "category"}
    assert list(response.context["page"].object_list) == []


@pytest.mark.postgres
def test_full_text_search_ranks_title_matches_first_and_takes_any_input(client, desk_people):
    author = desk_people["liaison"]
    make_article(author, title="Housing", answer="Interns find housing through the internship office.")
    make_article(author, title="Internship contracts")
    client.force_login(desk_people["third_officer"])
    assert listed_titles(client, q="internship") == ["Internship contracts", "Housing"]
    assert listed_titles(client, q='"internship contracts"') == ["Internship contracts"]
    for odd in ["'&|!:*", '"unbalanced', "-", "a <-> b", "x" * 200]:
        assert listed_titles(client, q=odd) == []


def test_the_list_is_paginated_with_a_fixed_number_of_queries(client, desk_people, django_assert_max_num_queries):
    for number in range(25):
        make_article(desk_people["liaison"], title=f"Article {number:02}")
    client.force_login(desk_people["third_officer"])
    with django_assert_max_num_queries(10):
        first = listed_titles(client)
    assert len(first) == 20
    assert listed_titles(client, page=2) == [f"Article {number:02}" for number in range(4, -1, -1)]


# Editing and unpublishing


def test_the_author_edits_the_article(client, desk_people, article):
    client.force_login(desk_people["liaison"])
    response = client.post(
        reverse("consortium:article-edit", args=[article.pk]), {**FORM, "answer": "Now a *different* answer."}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.answer_html == "<p>Now a <em>different</em> answer.</p>"


def test_an_edit_with_an_empty_question_is_refused_and_changes_nothing(client, desk_people, article):
    client.force_login(desk_people["liaison"])
    response = client.post(reverse("consortium:article-edit", args=[article.pk]), {**FORM, "question": ""})
    assert response.status_code == 200 and response.context["form"].errors["question"]
    article.refresh_from_db()
    assert article.question == FORM["question"]


@pytest.mark.parametrize("who", ["requester", "liaison_colleague", "third_officer", "student"])
def test_only_the_author_edits_or_unpublishes(client, desk_people, article, who):
    client.force_login(desk_people[who])
    assert client.get(reverse("consortium:article-edit", args=[article.pk])).status_code == 404
    assert client.post(reverse("consortium:article-unpublish", args=[article.pk])).status_code == 404
    article.refresh_from_db()
    assert article.is_published


def test_an_unpublished_article_is_gone_for_others_and_kept_for_its_author(client, desk_people, article):
    client.force_login(desk_people["liaison"])
    response = client.post(reverse("consortium:article-unpublish", args=[article.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert not article.is_published
    # Twice changes nothing.
    assert knowledge.unpublish_article(article=article, by=desk_people["liaison"]).is_published is False
    assert client.get(article.get_absolute_url()).status_code == 200
    client.force_login(desk_people["third_officer"])
    assert client.get(article.get_absolute_url()).status_code == 404
    assert listed_titles(client) == []
    client.force_login(desk_people["liaison"])
    client.post(reverse("consortium:article-republish", args=[article.pk]))
    client.force_login(desk_people["third_officer"])
    assert listed_titles(client) == [FORM["title"]]


def test_consortium_admins_may_take_an_article_down(client, people, article):
    client.force_login(people["consortium_admin"])
    assert client.post(reverse("consortium:article-unpublish", args=[article.pk])).status_code == 302
    article.refresh_from_db()
    assert not article.is_published


# Suggestions


def suggest(client, subject, country="IT"):
    response = client.get(reverse("consortium:support-suggestions"), {"subject": subject, "target_country": country})
    assert response.status_code == 200
    return list(response.context["articles"]), list(response.context["requests"])


def test_a_published_answer_is_suggested_to_a_third_officer_typing_a_similar_question(client, desk_people, article):
    client.force_login(desk_people["third_officer"])
    response = client.get(
        reverse("consortium:support-suggestions"),
        {"subject": "Agreement for an internship in Italy?", "target_country": "IT"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert list(response.context["articles"]) == [article]
    assert article.get_absolute_url() in response.content.decode()


def test_suggestions_put_the_same_country_first_and_stop_at_five(client, desk_people):
    author = desk_people["liaison"]
    french = make_article(author, title="Visa for a French internship", country="FR")
    italians = [make_article(author, title=f"Visa question {n}") for n in range(6)]
    client.force_login(desk_people["third_officer"])
    articles, _requests = suggest(client, "visa", country="FR")
    assert articles[0] == french and len(articles) == 5
    articles, _requests = suggest(client, "visa", country="IT")
    assert articles == italians[::-1][:5]


def test_similar_open_requests_are_suggested_only_to_those_who_see_them(client, desk_people, other, resolved):
    open_request = ask(desk_people["requester"], other, subject="Unpaid internships in Lombardy")
    client.force_login(desk_people["requester"])
    _articles, requests = suggest(client, "paid internships")
    assert requests == [open_request]  # the resolved one is not open any more
    client.force_login(desk_people["liaison_colleague"])
    assert suggest(client, "internships Lombardy")[1] == [open_request]
    client.force_login(desk_people["third_officer"])
    assert suggest(client, "internships Lombardy")[1] == []


@pytest.mark.parametrize(
    "subject", ["", "   ", "the and for", "\x00", "'&|!:*()", '"unbalanced', "ü" * 5000, "a <-> b & c"]
)
def test_odd_or_empty_subjects_give_a_fragment_never_an_error(client, desk_people, article, subject):
    client.force_login(desk_people["third_officer"])
    response = client.get(reverse("consortium:support-suggestions"), {"subject": subject, "target_country": "??"})
    assert response.status_code == 200
    assert article.get_absolute_url() not in response.content.decode()


def test_empty_subject_gives_an_empty_fragment(client, desk_people, article):
    client.force_login(desk_people["third_officer"])
    response = client.get(reverse("consortium:support-suggestions"))
    assert response.status_code == 200 and response.content.decode().strip() == ""


@pytest.mark.parametrize("who", ["student", "other_student"])
def test_students_get_no_suggestions(client, desk_people, article, who):
    client.force_login(desk_people[who])
    assert client.get(reverse("consortium:support-suggestions"), {"subject": "internship"}).status_code == 404


def test_anonymous_visitors_get_no_suggestions(client, article):
    assert client.get(reverse("consortium:support-suggestions"), {"subject": "internship"}).status_code == 302


def test_anonymise_keeps_dates_and_short_numbers():
    text = "Call +34 91 123 45 67 or 0039-02-12345678, not on 15.09.2025 or room 101. Ana Ruiz; ana@x.es"
    assert knowledge.anonymise(text, ["Ana Ruiz"]) == (
        "Call [phone] or [phone], not on 15.09.2025 or room 101. [name]; [e-mail]"
    )


def test_the_article_list_and_each_article_follow_one_reading_rule(client, people, desk_people, make_user, other):
    """An unpublished article is read by its author while a career officer (who may still edit it)
    and by consortium admins; a partner admin, even its author, reads published articles only."""
    officer_author = desk_people["liaison"]
    admin_author = make_user(Role.PARTNER_ADMIN, institution=other)
    articles = [
        make_article(officer_author, title="Published"),
        make_article(officer_author, title="Officer's draft", is_published=False),
        make_article(admin_author, title="Admin's draft", is_published=False),
    ]
    readers = [officer_author, admin_author, desk_people["third_officer"], people["other_admin"]]
    readers += [people["consortium_admin"], desk_people["student"]]
    for reader in readers:
        visible = set(KnowledgeArticle.objects.visible_to(reader))
        for article in articles:
            assert (article in visible) is can_read_article(reader, article), (reader, article)
    assert set(KnowledgeArticle.objects.visible_to(admin_author)) == {articles[0]}
    client.force_login(admin_author)
    assert client.get(articles[2].get_absolute_url()).status_code == 404
    client.force_login(officer_author)
    assert client.get(articles[1].get_absolute_url()).status_code == 200
