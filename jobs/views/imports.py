"""Jobs imported from a CSV file: a check that writes nothing, then the import itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render

from consortium.forms import form_errors

from ..forms import JobImportForm
from ..services import imports
from .postings import _posting_institution


@login_required
def upload(request):
    institution = _posting_institution(request)
    if institution is None:
        raise Http404
    form = JobImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            result = imports.import_jobs(
                institution=institution,
                # One byte past the limit is enough to refuse the file without reading all of it.
                data=file.read(imports.MAX_BYTES + 1),
                by=request.user,
                dry_run="import" not in request.POST,
                name=file.name,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            (messages.error if result.failed else messages.success)(request, imports.summary(result))
    context = {"form": form, "result": result, "institution": institution}
    return render(request, "jobs/job_import.html", context)


@login_required
def template(request):
    if _posting_institution(request) is None:
        raise Http404
    # The byte order mark makes spreadsheet programs read the file as UTF-8.
    response = HttpResponse("\ufeff" + imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="jobs-import-template.csv"'
    return response
