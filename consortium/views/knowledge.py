"""The knowledge base in the browser, and the suggestions shown while a support request is written."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import permissions
from ..forms import ArticleForm, ArticleSearchForm, form_errors
from ..models import KnowledgeArticle, SupportRequest
from ..services import knowledge

PAGE_SIZE = 20


def _article_for(request, pk, allowed=None) -> KnowledgeArticle:
    """An article the user may read (404 otherwise); with `allowed`, one they may also change."""
    article = get_object_or_404(KnowledgeArticle.objects.visible_to(request.user), pk=pk)
    if allowed is not None and not allowed(request.user, article):
        raise Http404
    return article


@login_required
def article_list(request):
    if not permissions.can_read_knowledge_base(request.user):
        raise Http404
    search = ArticleSearchForm(request.GET)
    articles = KnowledgeArticle.objects.visible_to(request.user).published()
    if search.is_valid():
        data = search.cleaned_data
        articles = articles.search(data["q"])
        articles = articles.filter(country=data["country"]) if data["country"] else articles
        articles = articles.filter(category=data["category"]) if data["category"] else articles
        if data["q"].split() and connection.vendor == "postgresql":
            articles = articles.order_by("-rank", "-published_at", "-pk")
    else:
        articles = articles.none()
    page = Paginator(articles.defer("answer", "answer_html"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consortium/article_list.html", {"search": search, "page": page})


@login_required
def article_detail(request, pk):
    article = _article_for(request, pk)
    context = {"article": article, "can_edit": permissions.can_edit_article(request.user, article)}
    return render(request, "consortium/article_detail.html", context)


@login_required
def article_create(request, pk):
    """Publish a resolved request (pk) as an article, from a pre-filled anonymised draft."""
    support_request = get_object_or_404(SupportRequest.objects.visible_to(request.user), pk=pk)
    existing = KnowledgeArticle.objects.visible_to(request.user).filter(source_request=support_request).first()
    if existing is not None:
        return redirect(existing)
    if not permissions.can_publish_article(request.user, support_request):
        raise Http404
    draft = knowledge.article_draft(support_request=support_request, by=request.user)
    form = ArticleForm(request.POST or None, instance=draft)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ArticleForm.Meta.fields}
        try:
            article = knowledge.publish_article(support_request=support_request, by=request.user, **fields)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Article published. Every career officer of the consortium can find it."))
            return redirect(article)
    return render(request, "consortium/article_form.html", {"form": form, "article": None})


@login_required
def article_edit(request, pk):
    article = _article_for(request, pk, permissions.can_edit_article)
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ArticleForm.Meta.fields}
        try:
            article = knowledge.update_article(article=form.instance, by=request.user, **fields)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Article saved."))
            return redirect(article)
    return render(request, "consortium/article_form.html", {"form": form, "article": article})


@login_required
@require_POST
def article_publication(request, pk, publish: bool):
    article = _article_for(request, pk, permissions.can_edit_article)
    if publish:
        knowledge.republish_article(article=article, by=request.user)
        messages.success(request, _("The article is back in the knowledge base."))
    else:
        knowledge.unpublish_article(article=article, by=request.user)
        messages.success(request, _("The article was taken out of the knowledge base."))
    return redirect(article)


@login_required
@require_GET
def support_suggestions(request):
    """An HTMX fragment for the new-request form: articles and open requests like the subject typed."""
    if not permissions.can_use_support_desk(request.user):
        raise Http404
    country = request.GET.get("target_country") or request.GET.get("country") or ""
    found = knowledge.support_suggestions(user=request.user, subject=request.GET.get("subject", ""), country=country)
    return render(request, "consortium/_support_suggestions.html", found)
