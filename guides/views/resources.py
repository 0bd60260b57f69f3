"""The resource library in the browser. It needs an account: every page asks to sign in first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from consortium.access import staff_institution_id
from consortium.facets import facet_counts, filter_fields
from consortium.forms import form_errors
from consortium.models import Institution
from consortium.uploads import FileKind, private_download

from .. import permissions
from ..forms import ResourceForm
from ..models import Resource
from ..services import resources as library
from ..services.search import RESOURCE_FACETS, ResourceFilter

PAGE_SIZE = 20
TAGS_SHOWN = 15
# The service names the model's fields; the form calls two of them differently.
FORM_FIELDS = {"url": "link", "file": "upload"}


@login_required
def resource_list(request):
    resources = Resource.objects.visible_to(request.user).select_related("owner")
    search = ResourceFilter(request.GET or None, queryset=resources, request=request)
    results = search.qs if search.is_bound else resources
    facets = facet_counts(results, RESOURCE_FACETS)
    paginator = Paginator(results, PAGE_SIZE)
    paginator.count = facets["total"]  # counted with the facets: one query fewer
    tags = sorted(facets["tag"].items(), key=lambda item: (-item[1], item[0]))[:TAGS_SHOWN]
    context = {
        "filters": filter_fields(search.form, facets),
        "page": paginator.get_page(request.GET.get("page")),
        "tags": tags,
        "current_tag": search.form.cleaned_data.get("tag") if search.is_bound and search.form.is_valid() else "",
        "can_share": _sharing_institution(request) is not None,
    }
    template = "guides/resource_update.html" if request.headers.get("HX-Request") else "guides/resource_list.html"
    return render(request, template, context)


def _sharing_institution(request) -> Institution | None:
    institution_id = staff_institution_id(request.user)
    institution = Institution.objects.filter(pk=institution_id).first() if institution_id else None
    return institution if permissions.can_share_resource(request.user, institution) else None


def _resource_for(request, pk, allowed=None) -> Resource:
    """A resource the user may see (404 otherwise); with `allowed`, one they may also change (403 otherwise)."""
    resource = get_object_or_404(Resource.objects.visible_to(request.user).select_related("owner"), pk=pk)
    if allowed is not None and not allowed(request.user, resource):
        raise PermissionDenied
    return resource


@login_required
def resource_detail(request, pk):
    resource = _resource_for(request, pk)
    show_counts = permissions.can_view_download_counts(request.user, resource)
    context = {
        "resource": resource,
        "can_edit": permissions.can_edit_resource(request.user, resource),
        "downloads": library.download_counts(resource) if show_counts else None,
    }
    return render(request, "guides/resource_detail.html", context)


@login_required
def resource_edit(request, pk=None):
    """Share a new resource for one's institution (no pk), or change one of the institution's."""
    if pk:
        resource = _resource_for(request, pk, permissions.can_edit_resource)
    else:
        institution = _sharing_institution(request)
        if institution is None:
            raise PermissionDenied
        resource = Resource(owner=institution)
    form = ResourceForm(request.POST or None, request.FILES or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        try:
            saved = library.save_resource(resource=form.resource(), by=request.user, file=form.cleaned_data["upload"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                error = ValidationError({FORM_FIELDS.get(name, name): e for name, e in error.error_dict.items()})
            form_errors(form, error)
        else:
            messages.success(request, _("Resource shared.") if not pk else _("Resource saved."))
            return redirect(saved)
    return render(request, "guides/resource_form.html", {"form": form, "resource": resource})


@login_required
def resource_delete(request, pk):
    """GET asks to confirm; POST deletes."""
    resource = _resource_for(request, pk, permissions.can_edit_resource)
    if request.method == "POST":
        library.delete_resource(resource=resource, by=request.user)
        messages.success(request, _("Resource deleted."))
        return redirect("guides:resource-list")
    return render(request, "guides/resource_confirm_delete.html", {"resource": resource})


@login_required
@require_safe
def resource_download(request, pk):
    """The file, to those who may see the resource only: never under a public media URL, always
    downloaded, never displayed by the browser. Each download (a GET: a HEAD, as link checkers and
    some download managers send, fetches nothing) counts for the downloader's institution."""
    resource = _resource_for(request, pk)
    if not resource.file:
        raise Http404
    response = private_download(resource.file, name=resource.file_name or "resource", kind=FileKind(resource.file_kind))
    if request.method == "GET":
        library.record_download(resource=resource, user=request.user)
    return response


@login_required
@require_POST
def resource_open(request, pk):
    """Follow a link resource, counted for the reader's institution (a POST, so that link previews
    and prefetching browsers do not count)."""
    resource = _resource_for(request, pk)
    if resource.file or not resource.url:
        raise Http404
    library.record_download(resource=resource, user=request.user)
    # The link was checked to be http or https when it was saved.
    return HttpResponseRedirect(resource.url)
