"""The support desk in figures: an institution's desk over a period, and for consortium admins who
asks whom, as a heat-map table and as CSV."""

import csv
import datetime
import statistics
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import permissions
from ..forms import FIGURES_DEFAULT_DAYS, SupportFiguresForm
from ..models import ACTIVE_SUPPORT_STATUSES, Institution, SupportRequest

# Bootstrap's background opacities, lightest first: a cell's share of the busiest pair picks one.
HEAT_CLASSES = ("bg-opacity-10", "bg-opacity-25", "bg-opacity-50", "bg-opacity-75", "bg-opacity-100 text-white")
SHARED, UNROUTED = "shared", "unrouted"


@login_required
def support_figures(request):
    admin = permissions.can_view_support_matrix(request.user)
    today = timezone.localdate()
    form = SupportFiguresForm(
        request.GET or None, institutions=Institution.objects.all() if admin else None, today=today
    )
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    start = data.get("start") or today - datetime.timedelta(days=FIGURES_DEFAULT_DAYS)
    end = data.get("end") or today
    institution = data.get("institution") if admin else request.user.institution
    if not permissions.can_view_support_figures(request.user, institution):
        raise Http404
    period = (_day_start(start), _day_start(end + datetime.timedelta(days=1)))
    matrix = request_matrix(*period) if admin else None
    # A refused period shows the page with its error rather than a file for another period.
    if request.GET.get("format") == "csv" and valid:
        if matrix is None:
            raise Http404
        return matrix_csv(matrix, start, end)
    requests = SupportRequest.objects.all()
    if institution is not None:
        requests = requests.filter(target_institution=institution)
    context = {
        "form": form,
        "institution": institution,
        "start": start,
        "end": end,
        "figures": figures_text(desk_figures(requests, *period)),
        "matrix": matrix,
    }
    return render(request, "consortium/support_figures.html", context)


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of a day in the user's time zone: the period is counted in their own days."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def desk_figures(requests, start: datetime.datetime, end: datetime.datetime) -> dict:
    """Open and overdue now; received in the period with the times to first response and to
    resolution (medians) and the satisfaction of those resolved. Three queries, whatever the rows."""
    received = list(
        requests.filter(created_at__gte=start, created_at__lt=end).values_list(
            "created_at", "first_response_at", "resolved_at", "rating", "breach"
        )
    )
    ratings = [rating for *_times, rating, _breach in received if rating is not None]
    return {
        "open": requests.filter(status__in=ACTIVE_SUPPORT_STATUSES).count(),
        "overdue": requests.overdue().count(),
        "received": len(received),
        "breached": sum(1 for row in received if row[4] is not None),
        "first_response": _median([first - created for created, first, *_rest in received if first]),
        "resolution": _median([resolved - created for created, _first, resolved, *_rest in received if resolved]),
        "rating": statistics.fmean(ratings) if ratings else None,
        "rating_count": len(ratings),
    }


def figures_text(figures: dict) -> dict:
    """The figures as the page shows them, in the reader's language and number format."""
    rating = figures["rating"]
    return {
        **figures,
        "first_response": duration_text(figures["first_response"]),
        "resolution": duration_text(figures["resolution"]),
        "rating": number_format(rating, 1) if rating is not None else "—",
    }


def _median(durations: list[datetime.timedelta]) -> datetime.timedelta | None:
    return statistics.median(durations) if durations else None


def duration_text(duration: datetime.timedelta | None) -> str:
    if duration is None:
        return "—"
    hours = duration.total_seconds() / 3600
    if hours < 1:
        minutes = round(hours * 60)
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    if hours < 48:
        return ngettext("%(count)s hour", "%(count)s hours", round(hours)) % {"count": round(hours)}
    days = hours / 24
    return _("%(count)s days") % {"count": number_format(days, 1)}


def request_matrix(start: datetime.datetime, end: datetime.datetime) -> dict:
    """Requests sent in the period, per requesting institution (rows) and addressee (columns):
    member institutions, the consortium-wide queue, and those not yet routed to a member."""
    pairs = (
        SupportRequest.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("requesting_institution", "target_institution", "in_shared_queue")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = Counter()
    for sender, target, shared, count in pairs:
        counts[sender, target or (SHARED if shared else UNROUTED)] += count
    involved = {key for pair in counts for key in pair}
    members = [i for i in Institution.objects.order_by("name") if i.is_active or i.pk in involved]
    columns = [(i.pk, i.short_name, i.name) for i in members]
    if SHARED in involved:
        columns.append((SHARED, _("Shared queue"), _("The consortium-wide queue (no member in the country)")))
    if UNROUTED in involved:
        columns.append((UNROUTED, _("Not routed"), _("Not yet routed to a member institution")))
    busiest = max(counts.values(), default=0)
    rows = []
    for sender in members:
        cells = [
            {"count": counts[sender.pk, key], "heat": _heat(counts[sender.pk, key], busiest)} for key, *_l in columns
        ]
        rows.append({"institution": sender, "cells": cells, "total": sum(c["count"] for c in cells)})
    totals = [sum(counts[s.pk, key] for s in members) for key, *_labels in columns]
    return {"columns": columns, "rows": rows, "totals": totals, "total": sum(totals)}


def _heat(count: int, busiest: int) -> str:
    if not count:
        return ""
    step = min(len(HEAT_CLASSES) - 1, int(count / busiest * len(HEAT_CLASSES) - 1e-9))
    return f"bg-primary {HEAT_CLASSES[step]}"


def matrix_csv(matrix: dict, start: datetime.date, end: datetime.date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="support-requests-{start}-{end}.csv"'
    response.write("\ufeff")  # spreadsheet programs read UTF-8 only with the mark
    writer = csv.writer(response)
    writer.writerow([_("From \\ to"), *(_cell(name) for _key, _short, name in matrix["columns"]), _("Total")])
    for row in matrix["rows"]:
        writer.writerow([_cell(row["institution"].name), *(c["count"] for c in row["cells"]), row["total"]])
    writer.writerow([_("Total"), *matrix["totals"], matrix["total"]])
    return response


def _cell(text: str) -> str:
    # A name starting with a formula character would run as a formula in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
