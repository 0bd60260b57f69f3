"""The knowledge base: resolved support requests published, with the requester's consent, as anonymised
question-and-answer articles; and the suggestions shown while an officer types a new request's subject."""

import re
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from ..models import (
    KnowledgeArticle,
    SupportCategory,
    SupportMessage,
    SupportRequest,
    SupportStatus,
    User,
)
from ..permissions import can_edit_article, can_publish_article, can_use_support_desk, require
from ..richtext import render_markdown

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Digit runs with separators; replaced only when they hold more digits than a date does.
NUMBER_RUN = re.compile(r"\+?\d[\d ()/.-]{7,}\d")

SUGGESTIONS = 5
# Words that would match nearly every question; a subject made only of them suggests nothing.
COMMON_WORDS = frozenset({
    "about", "after", "also", "and", "any", "are", "can", "could", "does", "for", "from", "has", "have", "how",
    "into", "its", "may", "more", "must", "need", "our", "should", "student", "students", "than", "that", "the",
    "their", "there", "this", "what", "when", "where", "which", "who", "why", "will", "with", "would", "your",
})  # fmt: skip


def anonymise(text: str, names: list[str]) -> str:
    """A first pass over a draft: e-mail addresses, phone numbers and the names of the people in the
    thread replaced by placeholders. The officer still reads and edits the draft before publishing."""
    text = EMAIL.sub(_("[e-mail]"), text)
    text = NUMBER_RUN.sub(lambda m: _("[phone]") if sum(c.isdigit() for c in m[0]) > 8 else m[0], text)
    parts = {part for name in names for part in [name, *name.split()] if len(part) > 2}
    # Whole names first, so that "Ana Ruiz" becomes one placeholder and not two.
    for part in sorted(parts, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(part)}\b", _("[name]"), text, flags=re.IGNORECASE)
    return text


def _answers(support_request: SupportRequest):
    """The thread's messages from the side that was asked (never internal notes or platform lines)."""
    return support_request.messages.filter(kind=SupportMessage.Kind.MESSAGE, author__isnull=False).exclude(
        author__institution_id=support_request.requesting_institution_id
    )


def article_draft(*, support_request: SupportRequest, by: User) -> KnowledgeArticle:
    """An unsaved article pre-filled from a resolved request, for its answering officer to edit."""
    require(can_publish_article(by, support_request))
    answers = list(_answers(support_request).select_related("author"))
    people = [support_request.requester, support_request.assignee, *(message.author for message in answers)]
    names = [person.full_name for person in people if person is not None and person.full_name]
    return KnowledgeArticle(
        source_request=support_request,
        author=by,
        country=support_request.target_country,
        category=support_request.category,
        title=anonymise(support_request.subject, names),
        question=anonymise(support_request.question, names),
        answer=anonymise("\n\n".join(message.body for message in answers), names),
    )


def _validate(article: KnowledgeArticle) -> None:
    errors = {}
    for name in ("title", "question", "answer"):
        value = (getattr(article, name) or "").strip()
        setattr(article, name, value)
        if not value:
            errors[name] = _("This field cannot be empty.")
        elif CONTROL_CHARACTERS.search(value):
            errors[name] = _("Remove the invisible control characters.")
    if len(article.title) > KnowledgeArticle._meta.get_field("title").max_length:
        errors["title"] = _("Keep the title to 200 characters.")
    if not article.country or article.country.code not in countries:
        errors["country"] = _("Choose a country from the list.")
    if article.category not in SupportCategory.values:
        errors["category"] = _("Choose a category from the list.")
    if errors:
        raise ValidationError(errors)
    article.answer_html = render_markdown(article.answer)


@transaction.atomic
def publish_article(
    *,
    support_request: SupportRequest,
    by: User,
    title: str,
    question: str,
    answer: str,
    country: str,
    category: str,
) -> KnowledgeArticle:
    """Publish a resolved request as an article, once: the request row is locked, and the database
    holds one article per request."""
    support_request = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    require(can_publish_article(by, support_request))
    already = ValidationError(_("This request has already been published as an article."))
    if KnowledgeArticle.objects.filter(source_request=support_request).exists():
        raise already
    article = KnowledgeArticle(
        source_request=support_request,
        author=by,
        title=title,
        question=question,
        answer=answer,
        country=country,
        category=category,
        is_published=True,
        published_at=timezone.now(),
    )
    _validate(article)
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        raise already from None
    return article


@transaction.atomic
def update_article(
    *, article: KnowledgeArticle, by: User, title: str, question: str, answer: str, country: str, category: str
) -> KnowledgeArticle:
    require(can_edit_article(by, article))
    article.title, article.question, article.answer = title, question, answer
    article.country, article.category = country, category
    _validate(article)
    article.save(update_fields=["title", "question", "answer", "answer_html", "country", "category", "updated_at"])
    return article


@transaction.atomic
def unpublish_article(*, article: KnowledgeArticle, by: User) -> KnowledgeArticle:
    """Take an article out of the knowledge base; its author and consortium admins still see it.
    Unpublishing an unpublished article changes nothing."""
    require(can_edit_article(by, article))
    KnowledgeArticle.objects.filter(pk=article.pk, is_published=True).update(
        is_published=False, updated_at=timezone.now()
    )
    article.refresh_from_db()
    return article


@transaction.atomic
def republish_article(*, article: KnowledgeArticle, by: User) -> KnowledgeArticle:
    require(can_edit_article(by, article))
    KnowledgeArticle.objects.filter(pk=article.pk, is_published=False).update(
        is_published=True, published_at=timezone.now(), updated_at=timezone.now()
    )
    article.refresh_from_db()
    return article


# Suggestions while a request is written


def suggestion_words(subject: str) -> list[str]:
    """The words of a subject worth matching: at least three letters, not among the commonest."""
    words = []
    for word in re.findall(r"\w+", subject[:200].lower()):
        if len(word) > 2 and not word.isdigit() and word not in COMMON_WORDS and word not in words:
            words.append(word)
    return words[:8]


def _matching_any(queryset, words: list[str], title: str, text: str):
    """Rows whose title or text contains any of the words; on PostgreSQL ranked by how well they match
    (`rank`), a word in the title counting more."""
    if connection.vendor != "postgresql":
        return queryset.filter(
            reduce(or_, (Q(**{f"{title}__icontains": word}) | Q(**{f"{text}__icontains": word}) for word in words))
        )
    vector = SearchVector(title, weight="A", config="simple") + SearchVector(text, weight="B", config="simple")
    # Each word its own plain query: the subject's punctuation never reaches tsquery syntax.
    query = reduce(or_, (SearchQuery(word, config="simple") for word in words))
    return queryset.annotate(document=vector).filter(document=query).annotate(rank=SearchRank(vector, query))


def _same_country_first(queryset, country_field: str, country: str | None, newest: str):
    order = [f"-{newest}", "-pk"]
    if connection.vendor == "postgresql":
        order.insert(0, "-rank")
    if country:
        queryset = queryset.annotate(
            elsewhere=Case(
                When(**{country_field: country}, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        order.insert(0, "elsewhere")
    return queryset.order_by(*order)


def support_suggestions(*, user: User, subject: str, country: str = "") -> dict:
    """Published articles and open requests the user may see that share words with a subject being
    typed, those about the same country first. Any input is safe: odd text only finds nothing."""
    words = suggestion_words(subject or "")
    if not words or not can_use_support_desk(user):
        return {"articles": [], "requests": []}
    country = (country or "").strip().upper()
    country = country if country in countries else None
    articles = _matching_any(KnowledgeArticle.objects.visible_to(user).published(), words, "title", "question").only(
        "pk", "title", "country", "category", "published_at"
    )
    requests = _matching_any(
        SupportRequest.objects.visible_to(user).exclude(status__in=[SupportStatus.RESOLVED, SupportStatus.CLOSED]),
        words,
        "subject",
        "question",
    ).only("pk", "subject", "target_country", "status", "created_at")
    return {
        "articles": list(_same_country_first(articles, "country", country, "published_at")[:SUGGESTIONS]),
        "requests": list(_same_country_first(requests, "target_country", country, "created_at")[:SUGGESTIONS]),
    }
