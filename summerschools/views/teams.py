"""The organisers' teams page (forming, adjusting and sharing the teams) and each team's own space."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from consortium.forms import form_errors

from .. import permissions
from ..forms import MoveForm, TeamForm
from ..models import Application, Edition, Team
from ..services import teams as team_service
from .selection import edition_for


def _managed_edition(request, slug) -> Edition:
    """404 to everyone but the edition's organisers, who alone see its teams page."""
    edition = edition_for(request, slug)
    if not permissions.can_manage_teams(request.user, edition):
        raise Http404
    return edition


def team_for(request, pk, allowed=permissions.can_view_team) -> Team:
    team = get_object_or_404(
        Team.objects.select_related("edition__host", "challenge__company", "challenge__mentor"), pk=pk
    )
    if not allowed(request.user, team):
        raise Http404
    return team


def _can_manage(user, team) -> bool:
    return permissions.can_manage_teams(user, team.edition)


def _error(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
def team_list(request, slug):
    edition = _managed_edition(request, slug)
    context = {"edition": edition, "overview": team_service.overview(edition)}
    return render(request, "summerschools/teams/team_list.html", context)


@login_required
def form_teams(request, slug):
    """Forms the teams at once when there are none; replacing existing teams asks for confirmation first."""
    edition = _managed_edition(request, slug)
    has_teams = edition.teams.exists()
    if request.method == "POST" and (request.POST.get("confirm") == "yes" or not has_teams):
        teams = team_service.form_teams(edition=edition, by=request.user)
        count = len(teams)
        if count:
            messages.success(
                request, ngettext("%(count)s team formed.", "%(count)s teams formed.", count) % {"count": count}
            )
        else:
            messages.warning(request, _("There are no confirmed participants to form teams with yet."))
        return redirect("summerschools:teams", edition.slug)
    return render(request, "summerschools/teams/team_confirm_form.html", {"edition": edition})


@login_required
@require_POST
def add_team(request, slug):
    edition = _managed_edition(request, slug)
    team = team_service.add_team(edition=edition, by=request.user)
    messages.success(request, _("%(team)s added.") % {"team": team})
    return redirect("summerschools:teams", edition.slug)


@login_required
@require_POST
def share_teams(request, slug):
    edition = _managed_edition(request, slug)
    try:
        team_service.share_teams(edition=edition, by=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("The teams are shared: each participant can now see their team's page."))
    return redirect("summerschools:teams", edition.slug)


@login_required
def team_space(request, pk):
    team = team_for(request, pk)
    members = team.members.confirmed().select_related("student", "institution").order_by("student__full_name", "pk")
    context = {"team": team, "edition": team.edition, "members": members, "can_manage": _can_manage(request.user, team)}
    return render(request, "summerschools/teams/team_detail.html", context)


@login_required
@require_POST
def edit_team(request, pk):
    team = team_for(request, pk, allowed=_can_manage)
    form = TeamForm(request.POST, edition=team.edition)
    try:
        if not form.is_valid():
            raise ValidationError([f"{form.fields[name].label}: {' '.join(e)}" for name, e in form.errors.items()])
        team = team_service.update_team(team=team, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("%(team)s saved.") % {"team": team})
    return redirect("summerschools:teams", team.edition.slug)


@login_required
@require_POST
def delete_team(request, pk):
    team = team_for(request, pk, allowed=_can_manage)
    try:
        team_service.delete_team(team=team, by=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("%(team)s deleted.") % {"team": team})
    return redirect("summerschools:teams", team.edition.slug)


@login_required
def move_member(request, pk):
    """Move one confirmed participant to another team, or out of every team."""
    application = get_object_or_404(
        Application.objects.confirmed().select_related("edition", "student", "institution", "team"),
        pk=pk,
    )
    if not permissions.can_manage_teams(request.user, application.edition):
        raise Http404
    edition = application.edition
    form = MoveForm(request.POST or None, teams=edition.teams.all(), initial={"team": application.team_id})
    if request.method == "POST" and form.is_valid():
        try:
            team_service.move_member(application=application, team=form.cleaned_data["team"], by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s moved.") % {"name": application.student.full_name})
            return redirect("summerschools:teams", edition.slug)
    context = {"edition": edition, "application": application, "form": form}
    return render(request, "summerschools/teams/member_move_form.html", context)
