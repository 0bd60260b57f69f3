"""Registering for a week, the partner admin's approvals, and a person's own training."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.forms import form_errors
from consortium.services import seats as seat_service

from .. import permissions, services
from ..forms import RegistrationForm, TrainingPolicyForm
from ..models import Module, Registration, TrainingPolicy
from .weeks import week_for


@login_required
def register(request, slug):
    week = week_for(request, slug)
    if not permissions.can_register(request.user, week):
        raise PermissionDenied
    mine = Registration.objects.active().filter(week=week, person=request.user).first()
    if mine and request.method != "POST":
        return redirect(mine)
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.register_for_week(
                week=week, person=request.user, motivation=form.cleaned_data["motivation"]
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _message(registration))
            return redirect(registration)
    context = {"week": week, "form": form, "refusal": services.registration_refusal(week, request.user)}
    return render(request, "training/registration_form.html", context)


def _message(registration) -> str:
    if registration.status == "pending":
        return _("Registered. Your partner admin will approve your registration.")
    if registration.seat_status == "waitlisted":
        return _("Registered. All seats are taken for now: you are on the waitlist.")
    return _("Registered. Your seat is confirmed.")


def registration_for(request, pk, allowed=None) -> Registration:
    registration = get_object_or_404(
        Registration.objects.visible_to(request.user).select_related(
            "week__host", "week__seat_plan", "person", "institution", "seat"
        ),
        pk=pk,
    )
    if allowed is not None and not allowed(request.user, registration):
        raise Http404
    return registration


@login_required
def detail(request, pk):
    registration = registration_for(request, pk)
    seat = registration.seat if registration.seat_status else None
    context = {
        "registration": registration,
        "week": registration.week,
        "position": seat_service.waitlist_position(seat) if seat else None,
        "can_approve": permissions.can_approve_registration(request.user, registration),
        "can_cancel": permissions.can_cancel_registration(request.user, registration)
        and registration.status in ("pending", "approved"),
        "can_confirm": permissions.can_confirm_offer(request.user, registration)
        and registration.seat_status == "offered",
        "has_attendance": registration.attendances.exists(),
        "is_person": registration.person_id == request.user.pk,
        "survey": _survey_for(registration, request.user),
    }
    return render(request, "training/registration_detail.html", context)


def _survey_for(registration, user):
    """The week's evaluation survey, when the person looking is asked to answer it."""
    survey = services.week_survey(registration.week)
    if survey is None or registration.person_id != user.pk or not survey.participants.filter(user=user).exists():
        return None
    return survey


ACTIONS = {
    "approve": (services.approve_registration, _("Registration approved.")),
    "decline": (services.decline_registration, _("Registration declined.")),
    "cancel": (services.cancel_registration, _("Registration cancelled; the seat is free for someone else.")),
    "confirm": (services.confirm_offer, _("Seat confirmed. See you there!")),
}


@login_required
@require_POST
def act(request, pk, action):
    registration = registration_for(request, pk)
    service, done = ACTIONS[action]
    try:
        service(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        if not _already_decided(request.user, registration, action):
            raise Http404 from None
        # A second click, or another admin was quicker: say what happened instead of a 404.
        messages.info(
            request,
            _("This registration is no longer awaiting approval: it is %(status)s.")
            % {"status": registration.get_status_display().lower()},
        )
    else:
        messages.success(request, str(done))
    if action in ("approve", "decline") and request.POST.get("next") == "approvals":
        return redirect("training:approvals")
    return redirect(registration)


def _already_decided(user, registration, action) -> bool:
    """Approving or declining was refused only because someone already decided the registration."""
    if action not in ("approve", "decline"):
        return False
    registration.refresh_from_db(fields=["status"])
    return registration.status != "pending" and permissions.can_decide_registration(user, registration)


@login_required
def approvals(request):
    """A partner admin's queue of their staff's registrations, and the institution's approval setting."""
    if not permissions.can_review_registrations(request.user):
        raise Http404
    institution = request.user.institution
    pending = (
        Registration.objects.awaiting_approval_by(request.user)
        .select_related("person", "week__host")
        .order_by("created_at")
    )
    form = TrainingPolicyForm(
        request.POST if request.method == "POST" else None,
        initial={"approval_required": TrainingPolicy.requires_approval(institution)},
    )
    if request.method == "POST" and form.is_valid():
        services.set_training_policy(
            institution=institution, approval_required=form.cleaned_data["approval_required"], by=request.user
        )
        messages.success(request, _("Setting saved."))
        return redirect("training:approvals")
    recent = (
        Registration.objects.visible_to(request.user)
        .filter(institution=institution)
        .exclude(status="pending")
        .select_related("person", "week", "seat")
        .order_by("-updated_at")[:20]
    )
    context = {"pending": pending, "recent": recent, "form": form, "institution": institution}
    return render(request, "training/approval_list.html", context)


@login_required
def my_training(request):
    """The person's registrations and their progress through the curriculum."""
    registrations = (
        Registration.objects.filter(person=request.user)
        .select_related("week__host", "seat")
        .order_by("-week__starts_on")
    )
    covered = set(
        Module.objects.filter(
            sessions__attendances__registration__person=request.user,
        ).values_list("pk", flat=True)
    )
    modules = list(Module.objects.all())
    context = {
        "registrations": registrations,
        "modules": modules,
        "covered": covered,
        "progress": round(100 * len(covered) / len(modules)) if modules else 0,
    }
    return render(request, "training/my_training.html", context)
