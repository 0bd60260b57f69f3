"""The support desk tried in two browsers: an officer in Madrid asks about Italian internship norms,
the liaison officer in Milan claims and answers, Madrid resolves and rates, the answer is published,
and a third officer sees it suggested while typing a similar question."""

import pytest

from consortium.models import KnowledgeArticle, Notification, Role, SupportRequest, SupportStatus
from tests.conftest import ARTIFACTS
from tests.consortium.test_browser import sign_in
from tests.factories import InstitutionFactory, LiaisonNominationFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_question_answered_by_a_partner_becomes_shared_knowledge(page, another_browser, screenshot, home, other):
    madrid = UserFactory(roles=[Role.CAREER_OFFICER], institution=home, full_name="Elena Navarro")
    milan = UserFactory(roles=[Role.CAREER_OFFICER], institution=other, full_name="Marco Rossi")
    LiaisonNominationFactory(institution=other, officer=milan)
    paris = InstitutionFactory(name="École de Paris", short_name="EP", slug="ep", country="FR", domains=["ep.example"])
    third = UserFactory(roles=[Role.CAREER_OFFICER], institution=paris, full_name="Claire Martin")

    # Madrid asks.
    sign_in(page, madrid.email)
    page.wait_for_url("**/")
    page.get_by_role("link", name="Support desk").click()
    page.get_by_role("link", name="Ask a partner").click()
    page.get_by_label("Country").select_option("IT")
    page.get_by_label("Category").select_option("internships")
    page.get_by_label("Subject").fill("Internship norms in Italy for business students")
    page.get_by_label("Question").fill("Are curricular internships in Italy usually paid, and who signs the agreement?")
    page.get_by_label("Degree level").select_option("master")
    screenshot("ask")
    page.get_by_role("button", name="Send the request").click()
    support = SupportRequest.objects.get()
    assert support.target_institution == other and support.assignee == milan
    assert Notification.objects.filter(recipient=milan).exists()

    # Milan claims and answers, in another browser.
    liaison = another_browser()
    sign_in(liaison, milan.email)
    liaison.wait_for_url("**/")
    liaison.goto(support.get_absolute_url())
    liaison.get_by_role("button", name="Claim this request").click()
    liaison.get_by_label("Message").fill(
        "Curricular internships need a tripartite agreement; pay is customary but not required."
    )
    liaison.get_by_role("button", name="Send the answer").click()
    support.refresh_from_db()
    assert support.status == SupportStatus.ANSWERED and support.first_response_at
    liaison.screenshot(path=str(ARTIFACTS / "support-walkthrough-answered.png"), full_page=True)

    # Madrid resolves, rates and agrees to publication.
    page.goto(support.get_absolute_url())
    page.get_by_label("5", exact=True).check()
    page.get_by_label("The answer may be published").check()
    page.get_by_role("button", name="Mark as resolved").click()
    support.refresh_from_db()
    assert (support.status, support.rating, support.publication_consent) == (SupportStatus.RESOLVED, 5, True)

    # Milan publishes the answer in the knowledge base.
    liaison.goto(support.get_absolute_url())
    liaison.get_by_role("link", name="Publish it in the knowledge base").click()
    liaison.get_by_role("button", name="Publish").click()
    article = KnowledgeArticle.objects.get()
    assert article.is_published and "tripartite agreement" in article.answer

    # A third officer starts a similar question and is shown the answer.
    paris_page = another_browser()
    sign_in(paris_page, third.email)
    paris_page.wait_for_url("**/")
    paris_page.goto("/support/new/")
    paris_page.get_by_label("Country").select_option("IT")
    paris_page.get_by_label("Subject").press_sequentially("internship norms", delay=20)
    suggestion = paris_page.locator("#support-suggestions").get_by_role("link", name=article.title)
    suggestion.wait_for()
    paris_page.screenshot(path=str(ARTIFACTS / "support-walkthrough-suggestion.png"), full_page=True)
