"""Matching in the browser: one's recommendations and profile, other people's profiles, introductions
with their thread, blocking and reporting, and cooperation offers. E-mail addresses appear only on an
accepted introduction's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consortium.forms import form_errors

from . import permissions, services
from .forms import IntroductionForm, OfferForm, ProfileForm, ReportForm, ThreadMessageForm, profile_initial
from .models import (
    CooperationOffer,
    Introduction,
    IntroductionStatus,
    MatchingProfile,
    Recommendation,
    UserReport,
    display_name,
)
from .services.profiles import resolve_skills
from .skills import search_skills

TOP = 10
PAGE_SIZE = 25


def index(request):
    """One's recommendations, best first; an explanation for visitors."""
    if not permissions.can_use_matching(request.user):
        return render(request, "matching/index.html", {})
    profile = MatchingProfile.objects.filter(user=request.user).first()
    recommendations = Recommendation.objects.shown_to(request.user, limit=TOP)
    waiting = Introduction.objects.filter(recipient=request.user).pending().count()
    context = {"profile": profile, "recommendations": recommendations, "waiting": waiting}
    return render(request, "matching/recommendation_list.html", context)


@login_required
def profile_edit(request):
    profile = MatchingProfile.objects.filter(user=request.user).first()
    suggestions = search_skills(request.POST.get("skill_search", "")) if request.method == "POST" else []
    form = ProfileForm(
        request.POST or None, profile=profile, initial=profile_initial(profile, request.user), suggestions=suggestions
    )
    # "Find skills" without JavaScript: the form comes back with suggestions to tick, nothing saved.
    if request.method == "POST" and "find_skills" not in request.POST and form.is_valid():
        data = form.cleaned_data
        try:
            kept, ticked, typed = form.skill_keys()
            # What was typed is a search when a suggestion was ticked, and one's own tags otherwise.
            added = resolve_skills(esco_ids=ticked, free=[] if ticked else typed)
            skills = list(dict.fromkeys(kept + added))
            services.save_profile(
                user=request.user, headline=data["headline"], bio=data["bio"], topics=data["topics"],
                sectors=data["sectors"], fields_of_study=data["fields_of_study"], skills=skills,
                countries_of_interest=data["countries"], looks_for=data["looks_for"], offers=data["offers"],
                intros_per_month=data["intros_per_month"], visibility=data["visibility"], languages=data["languages"],
            )  # fmt: skip
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved. Your recommendations are being updated."))
            return redirect("matching:index")
    context = {"form": form, "profile": profile, "suggestions": suggestions}
    return render(request, "matching/profile_form.html", context)


@login_required
def skill_suggestions(request):
    """HTMX: ESCO skills matching what is typed, as boxes to tick in the profile form."""
    skills = search_skills(request.GET.get("skill_search", ""))
    return render(request, "matching/_skill_suggestions.html", {"skills": skills})


def _profile_for(request, pk) -> MatchingProfile:
    """A profile the person may open; 404 for hidden, blocked and other institutions' own-only profiles."""
    visible = MatchingProfile.objects.visible_to(request.user).select_related("user__institution")
    return get_object_or_404(visible, pk=pk)


@login_required
def profile_detail(request, pk):
    profile = _profile_for(request, pk)
    me = request.user
    between = Introduction.objects.filter(
        Q(sender=me, recipient=profile.user) | Q(sender=profile.user, recipient=me)
    ).first()
    context = {
        "profile": profile,
        "skills": services.skill_labels(profile.skills).values(),
        "introduction": between,
        "is_own": profile.user_id == me.pk,
        "can_ask": profile.user_id != me.pk
        and MatchingProfile.objects.discoverable_by(me).filter(pk=profile.pk).exists()
        and (between is None or between.status not in (IntroductionStatus.PENDING, IntroductionStatus.ACCEPTED)),
    }
    return render(request, "matching/profile_detail.html", context)


@login_required
def introduce(request, pk=None, offer_pk=None):
    """Ask for an introduction to a person (by profile) or to an offer's owner."""
    if offer_pk is not None:
        offer = get_object_or_404(CooperationOffer.objects.visible_to(request.user).open(), pk=offer_pk)
        profile, target = None, offer
    else:
        profile = get_object_or_404(MatchingProfile.objects.discoverable_by(request.user).select_related("user"), pk=pk)
        offer, target = None, profile
    form = IntroductionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            introduction = services.request_introduction(
                sender=request.user, profile=profile, offer=offer, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Your request is on its way. You will hear when they answer."))
            return redirect(introduction)
    return render(
        request, "matching/introduction_form.html", {"form": form, "profile": profile, "offer": offer, "target": target}
    )


@login_required
@require_POST
def dismiss(request, pk):
    recommendation = get_object_or_404(Recommendation.objects.filter(user=request.user), pk=pk)
    services.dismiss_recommendation(user=request.user, profile=recommendation.profile, offer=recommendation.offer)
    if request.headers.get("HX-Request"):
        return render(request, "matching/_dismissed.html", {})
    messages.success(request, _("You will not see this recommendation again."))
    return redirect("matching:index")


def _person_for(request, pk=None, introduction_pk=None):
    """Whom to block or report, and where to go back to: by their profile, or by an introduction
    they are in (someone without a profile can still ask, so can still be blocked and reported)."""
    if introduction_pk is not None:
        introduction = _introduction_for(request, introduction_pk)
        return introduction.other(request.user), introduction.get_absolute_url()
    profile = _profile_for(request, pk)
    if profile.user_id == request.user.pk:
        raise Http404
    return profile.user, profile.get_absolute_url()


@login_required
@require_POST
def block(request, pk=None, introduction_pk=None):
    person, _back = _person_for(request, pk, introduction_pk)
    services.block_user(blocker=request.user, blocked=person)
    messages.success(request, _("%(name)s can no longer reach you, nor you them.") % {"name": display_name(person)})
    return redirect("matching:index")


@login_required
def report(request, pk=None, introduction_pk=None):
    person, back = _person_for(request, pk, introduction_pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_user(reporter=request.user, reported=person, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Thank you. The consortium's admins will look into it."))
            return redirect("matching:index")
    return render(request, "matching/report_form.html", {"form": form, "person": person, "back": back})


@login_required
def report_list(request):
    """The consortium admins' reports: who reported whom and why, newest first; open ones first."""
    if not permissions.can_handle_reports(request.user):
        raise Http404
    if request.method == "POST":
        report = get_object_or_404(UserReport.objects.filter(handled_at__isnull=True), pk=request.POST.get("report"))
        services.mark_report_handled(report=report, by=request.user)
        messages.success(request, _("The report is marked as handled."))
        return redirect("matching:reports")
    reports = UserReport.objects.select_related("reporter__institution", "reported__institution").order_by(
        F("handled_at").asc(nulls_first=True), "-created_at"
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "matching/report_list.html", {"page": page})


@login_required
def introduction_list(request):
    introductions = Introduction.objects.visible_to(request.user).select_related(
        "sender__institution", "recipient__institution", "offer"
    )
    page = Paginator(introductions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "matching/introduction_list.html", {"page": page})


def _introduction_for(request, pk) -> Introduction:
    visible = Introduction.objects.visible_to(request.user).select_related(
        "sender__institution",
        "recipient__institution",
        "offer",
        "sender__matching_profile",
        "recipient__matching_profile",
    )
    return get_object_or_404(visible, pk=pk)


@login_required
def introduction_detail(request, pk):
    introduction = _introduction_for(request, pk)
    form = ThreadMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_introduction_message(
                introduction=introduction, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect(introduction)
    me = request.user
    other = introduction.other(me)
    context = {
        "introduction": introduction,
        "other": other,
        # The other's profile only when they may be seen: never by asking alone.
        "other_profile": MatchingProfile.objects.visible_to(me).filter(user=other).first(),
        "is_recipient": introduction.recipient_id == me.pk,
        "contact_shown": permissions.can_see_contact_details(me, introduction),
        "thread": introduction.messages.select_related("author") if introduction.is_accepted else [],
        "form": form,
    }
    return render(request, "matching/introduction_detail.html", context)


ANSWERS = {
    "accept": (services.accept_introduction, _("You accepted. You can now write to each other.")),
    "decline": (services.decline_introduction, _("You declined. They will be told kindly.")),
    "withdraw": (services.withdraw_introduction, _("Your request is withdrawn.")),
}


@login_required
@require_POST
def introduction_answer(request, pk, answer):
    introduction = _introduction_for(request, pk)
    service, done = ANSWERS[answer]
    try:
        service(introduction=introduction, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(introduction)


# Cooperation offers


@login_required
def offer_list(request):
    offers = CooperationOffer.objects.visible_to(request.user).select_related("owner__institution")
    mine = request.GET.get("mine") == "1"
    offers = offers.filter(owner=request.user) if mine else offers.open()
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "matching/offer_list.html", {"page": page, "mine": mine})


def _offer_for(request, pk) -> CooperationOffer:
    return get_object_or_404(
        CooperationOffer.objects.visible_to(request.user).select_related("owner__institution"), pk=pk
    )


@login_required
def offer_detail(request, pk):
    offer = _offer_for(request, pk)
    context = {"offer": offer, "can_edit": permissions.can_edit_offer(request.user, offer)}
    return render(request, "matching/offer_detail.html", context)


@login_required
def offer_form(request, pk=None):
    offer = _offer_for(request, pk) if pk else None
    if offer is not None and not permissions.can_edit_offer(request.user, offer):
        raise Http404
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.save_offer(by=request.user, offer=offer, **form.service_arguments())
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Your offer is saved."))
            return redirect(offer)
    return render(request, "matching/offer_form.html", {"form": form, "offer": offer})


@login_required
@require_POST
def offer_action(request, pk, action):
    offer = _offer_for(request, pk)
    if not permissions.can_edit_offer(request.user, offer):
        raise Http404
    if action == "renew":
        services.renew_offer(offer=offer, by=request.user)
        messages.success(request, _("Your offer is shown for another 90 days."))
    else:
        services.close_offer(offer=offer, by=request.user)
        messages.success(request, _("Your offer is closed."))
    return redirect(offer)
