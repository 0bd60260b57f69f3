"""One search over guide editions and resources, open to everyone: the anonymous find guides only."""

from django.core.paginator import Paginator
from django.shortcuts import render

from ..forms import SiteSearchForm
from ..services.search import results_for, search_everything

PAGE_SIZE = 20


def search(request):
    form = SiteSearchForm(request.GET or None)
    page, results = None, []
    if form.is_valid() and (text := form.cleaned_data["q"].strip()):
        rows = search_everything(
            text=text, user=request.user, types=form.cleaned_data["type"], language=form.cleaned_data["language"]
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        results = results_for(list(page.object_list), text=text)
    context = {"form": form, "page": page, "results": results}
    template = "guides/search_results.html" if request.headers.get("HX-Request") else "guides/search.html"
    return render(request, template, context)
