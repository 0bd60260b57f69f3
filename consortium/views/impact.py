"""The impact pages: an institution's figures next to the consortium's (its partner admins and
consortium admins) and the whole consortium's, institution by institution (consortium admins); each
as a page of tables and charts and as one CSV for Erasmus+ reporting."""

import csv
import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import dateformat, timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django_countries import countries

from .. import charts, impact, permissions
from ..forms import ImpactPeriodForm
from ..models import Institution, QuestionKind
from .institutions import _institution_for
from .support_figures import _cell, duration_text

# The CSV's columns, documented in README.md ("Impact figures").
CSV_COLUMNS = (
    "figure",
    "scope",
    "institution",
    "institution_country",
    "country",
    "month",
    "period_start",
    "period_end",
    "value",
)


@login_required
def institution_impact(request, slug):
    institution = _institution_for(request, slug, permissions.can_view_impact)
    return _impact_page(request, institution)


@login_required
def consortium_impact(request):
    if not permissions.can_view_consortium_impact(request.user):
        raise PermissionDenied
    return _impact_page(request, None)


def _impact_page(request, institution: Institution | None):
    form = ImpactPeriodForm(request.GET, today=timezone.now().astimezone(datetime.UTC).date())
    context = {"form": form, "institution": institution, "figures": None}
    if form.is_valid():
        period = impact.Period(form.cleaned_data["start"], form.cleaned_data["end"])
        figures = _figures(period, institution)
        # A refused period shows the page with its errors rather than a file for another period.
        if request.GET.get("format") == "csv":
            return _csv(figures, period, institution)
        context.update(figures=figures, period=period, query=_query_without_format(request))
    if institution is None:
        context["institutions"] = Institution.objects.order_by("name")
    return render(request, "consortium/impact/impact.html", context)


def _figures(period, institution) -> dict:
    breakdowns = impact.breakdowns(period, institution)
    for item in breakdowns:
        shown = [(code, own if institution else total) for code, own, total in item["rows"][: impact.CHART_COUNTRIES]]
        item["chart"] = charts.bar_chart(shown)
        item["rows"] = [(code, countries.name(code), own, total) for code, own, total in item["rows"]]
        if item["matrix"]:
            matrix = item["matrix"]
            matrix["chart"] = charts.heat_map(
                [member.short_name for member, _cells in matrix["rows"]],
                item["countries"],
                [cells for _member, cells in matrix["rows"]],
            )
    consortium_shown = impact.enough_other_institutions(institution)
    trends = impact.trends(period, institution, consortium_shown=consortium_shown)
    for item in trends:
        lines = [(institution.short_name, item["institution"])] if institution else []
        if consortium_shown:
            lines.append((gettext("Consortium"), item["consortium"]))
        item["chart"] = charts.line_chart([dateformat.format(month, "M y") for month in item["months"]], lines)
        blank = [None] * len(item["months"])
        item["rows"] = list(zip(item["months"], item["institution"] or blank, item["consortium"] or blank, strict=True))
    desk = impact.support_desk(period, institution)
    desk_text = {
        **desk,
        "first_response_text": duration_text(desk["first_response"]),
        "satisfaction_text": number_format(desk["satisfaction"], 1) if desk["ratings"] else "—",
    }
    surveys = [
        {**row, "kind_label": QuestionKind(row["kind"]).label, "mean_text": number_format(row["mean"], 1)}
        for row in impact.survey_scores(period, partner=institution is not None)
    ]
    return {
        "headline": impact.headline(period, institution, consortium_shown=consortium_shown),
        "trends": trends,
        "support": desk_text,
        "surveys": surveys,
        "breakdowns": breakdowns,
    }


def _query_without_format(request) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    return query.urlencode()


def _csv(figures: dict, period, institution):
    """One row per figure, scope and country: long rather than wide, so that any period or institution
    adds rows, never columns, and a spreadsheet's pivot table shapes it for the report."""
    name = institution.slug if institution else "consortium"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="impact-{name}-{period.start}-{period.end}.csv"'
    response.write("\ufeff")  # spreadsheet programs read UTF-8 only with the mark
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    dates = (period.start.isoformat(), period.end.isoformat())

    def scope(member):
        return ("institution", _cell(member.name), member.country.code) if member else ("consortium", "", "")

    def row(figure, member, country, value, month=""):
        writer.writerow([figure, *scope(member), country, month, *dates, "" if value is None else value])

    for counter in figures["headline"]:
        if institution:
            row(counter["name"], institution, "", counter["institution"])
        row(counter["name"], None, "", counter["consortium"])
    for item in figures["trends"]:
        for month, own, total in item["rows"]:
            if institution:
                row(f"{item['name']}.monthly", institution, "", own, month.strftime("%Y-%m"))
            row(f"{item['name']}.monthly", None, "", total, month.strftime("%Y-%m"))
    desk = figures["support"]
    hours = desk["first_response"].total_seconds() / 3600 if desk["first_response"] else None
    for figure, value in (
        ("support.received", desk["received"]),
        ("support.answered_of_received", desk["answered"]),
        ("support.breached_of_received", desk["breached"]),
        ("support.first_response_hours_mean", round(hours, 1) if hours is not None else None),
        ("support.satisfaction_mean", round(desk["satisfaction"], 2) if desk["ratings"] else None),
        ("support.ratings", desk["ratings"]),
    ):
        row(figure, institution, "", value)
    for survey in figures["surveys"]:
        figure = f"surveys.{survey['event_model']}.{survey['kind']}"
        row(f"{figure}.mean", None, "", round(survey["mean"], 2))
        row(f"{figure}.responses", None, "", survey["responses"])
    for item in figures["breakdowns"]:
        for code, _name, own, total in item["rows"]:
            if institution:
                row(f"{item['name']}.by_country", institution, code, own)
            row(f"{item['name']}.by_country", None, code, total)
        if item["matrix"] and institution is None:
            for member, cells in item["matrix"]["rows"]:
                for code, value in zip(item["countries"], cells, strict=True):
                    if value:
                        row(f"{item['name']}.flow", member, code, value)
    return response
