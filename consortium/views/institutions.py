"""The institution admin area: staff, invitations, liaison, company relationships, API keys, audit."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, services
from ..access import managed_institution_ids
from ..forms import (
    ApiKeyForm,
    CompanyRelationshipForm,
    InstitutionForm,
    InviteStaffForm,
    NominateLiaisonForm,
    StaffRolesForm,
    form_errors,
)
from ..models import (
    INSTITUTION_STAFF_ROLES,
    ApiKey,
    AuditLog,
    CompanyRelationship,
    Institution,
    LiaisonNomination,
    Role,
    User,
)

AUDIT_PAGE_SIZE = 50
NEW_API_KEY = "new_api_key"


def _institution_for(request, slug, allowed) -> Institution:
    """Fetch an institution the user may act on here; anything else is a 404, not a 403."""
    institution = get_object_or_404(Institution.objects.visible_to(request.user), slug=slug)
    if not allowed(request.user, institution):
        raise Http404
    return institution


def home(request):
    return render(request, "home.html", {"institutions": Institution.objects.active()})


def institution_list(request):
    liaisons = LiaisonNomination.objects.visible_to(request.user).active().select_related("officer")
    institutions = Institution.objects.visible_to(request.user).prefetch_related(
        Prefetch("liaison_nominations", liaisons, "active_liaison")
    )
    return render(request, "consortium/institution_list.html", {"institutions": institutions})


@login_required
def manage_index(request):
    if permissions.can_manage_members(request.user):
        return redirect("consortium:member-list")
    ids = managed_institution_ids(request.user)
    if not ids:
        raise Http404
    return redirect("consortium:manage", slug=Institution.objects.get(pk=ids[0]).slug)


@login_required
def manage(request, slug):
    institution = _institution_for(request, slug, permissions.can_manage_institution)
    context = {
        "institution": institution,
        "liaison": institution.current_liaison,
        "staff_count": User.objects.staff_of(institution).filter(is_active=True).count(),
        "student_count": institution.people.filter(role_assignments__role=Role.STUDENT).count(),
        "pending_invitations": institution.invitations.pending().count(),
        "relationship_count": institution.company_relationships.count(),
        "recent": AuditLog.objects.visible_to(request.user).filter(institution=institution)[:8],
    }
    return render(request, "consortium/manage.html", context)


@login_required
def staff(request, slug):
    institution = _institution_for(request, slug, permissions.can_manage_staff)
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_staff(institution=institution, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("consortium:staff", slug=slug)
    people = User.objects.staff_of(institution).prefetch_related("role_assignments")
    context = {
        "institution": institution,
        "people": people,
        "liaison": institution.current_liaison,
        "invitations": institution.invitations.all()[:50],
        "invitation_days": settings.INVITATION_VALIDITY.days,
        "form": form,
    }
    return render(request, "consortium/staff_list.html", context)


def _staff_member(request, slug, pk) -> tuple[Institution, User]:
    """A member of staff the user may manage; anyone else of the institution is a 404 too."""
    institution = _institution_for(request, slug, permissions.can_manage_staff)
    person = get_object_or_404(User.objects.visible_to(request.user).staff_of(institution), pk=pk)
    if not permissions.can_manage_staff_member(request.user, person):
        raise Http404
    return institution, person


@login_required
def staff_edit(request, slug, pk):
    institution, person = _staff_member(request, slug, pk)
    initial = {"roles": [r for r in person.roles if r in INSTITUTION_STAFF_ROLES]}
    form = StaffRolesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_staff_roles(user=person, roles=form.cleaned_data["roles"], by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Roles of %(name)s saved.") % {"name": person})
            return redirect("consortium:staff", slug=slug)
    return render(request, "consortium/staff_edit.html", {"institution": institution, "person": person, "form": form})


@login_required
@require_POST
def staff_set_active(request, slug, pk, active):
    person = _staff_member(request, slug, pk)[1]
    service = services.reactivate_user if active else services.deactivate_user
    try:
        service(user=person, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        message = _("%(name)s can sign in again.") if active else _("%(name)s was deactivated and signed out.")
        messages.success(request, message % {"name": person})
    return redirect("consortium:staff", slug=slug)


@login_required
@require_POST
def invitation_revoke(request, slug, pk):
    institution = _institution_for(request, slug, permissions.can_manage_staff)
    invitation = get_object_or_404(institution.invitations, pk=pk)
    try:
        services.revoke_invitation(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect("consortium:staff", slug=slug)


@login_required
def liaison(request, slug):
    institution = _institution_for(request, slug, permissions.can_nominate_liaison)
    form = NominateLiaisonForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.nominate_liaison(institution=institution, officer=form.cleaned_data["officer"], by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is now the liaison officer.") % {"name": form.cleaned_data["officer"]}
            )
            return redirect("consortium:liaison", slug=slug)
    history = (
        LiaisonNomination.objects.visible_to(request.user)
        .filter(institution=institution)
        .select_related("officer", "nominated_by")
    )
    return render(request, "consortium/liaison.html", {"institution": institution, "history": history, "form": form})


@login_required
def relationships(request, slug):
    institution = _institution_for(request, slug, permissions.can_view_company_relationships)
    rows = CompanyRelationship.objects.visible_to(request.user).filter(institution=institution)
    context = {
        "institution": institution,
        "relationships": rows.select_related("company", "owner"),
        "can_edit": permissions.can_manage_company_relationships(request.user, institution),
    }
    return render(request, "consortium/relationship_list.html", context)


@login_required
def relationship_edit(request, slug, pk=None):
    institution = _institution_for(request, slug, permissions.can_manage_company_relationships)
    relationship = None
    if pk is not None:
        relationship = get_object_or_404(
            CompanyRelationship.objects.visible_to(request.user).filter(institution=institution), pk=pk
        )
    form = CompanyRelationshipForm(request.POST or None, instance=relationship, institution=institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_company_relationship(relationship=form.instance, by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Relationship with %(company)s saved.") % {"company": form.instance.company})
            return redirect("consortium:relationships", slug=slug)
    context = {"institution": institution, "form": form, "relationship": relationship}
    return render(request, "consortium/relationship_form.html", context)


@login_required
@require_POST
def relationship_remove(request, slug, pk):
    institution = _institution_for(request, slug, permissions.can_manage_company_relationships)
    relationship = get_object_or_404(
        CompanyRelationship.objects.visible_to(request.user).filter(institution=institution), pk=pk
    )
    services.remove_company_relationship(relationship=relationship, by=request.user)
    messages.success(request, _("Relationship with %(company)s removed.") % {"company": relationship.company})
    return redirect("consortium:relationships", slug=slug)


@login_required
def audit_log(request, slug=None):
    entries = AuditLog.objects.visible_to(request.user).select_related("institution")
    institution = None
    if slug is not None:
        institution = _institution_for(request, slug, permissions.can_read_audit_log)
        entries = entries.filter(institution=institution)
    elif not permissions.can_manage_members(request.user):
        raise Http404
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "consortium/audit_log.html", {"institution": institution, "page": page})


@login_required
def member_list(request):
    if not permissions.can_manage_members(request.user):
        raise Http404
    institutions = Institution.objects.annotate(
        staff=Count("people", filter=Q(people__is_active=True), distinct=True),
    ).prefetch_related("domains")
    return render(request, "consortium/member_list.html", {"institutions": institutions})


@login_required
def member_edit(request, slug=None):
    if not permissions.can_manage_members(request.user):
        raise Http404
    institution = get_object_or_404(Institution, slug=slug) if slug else Institution()
    form = InstitutionForm(request.POST or None, instance=institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_institution(institution=form.instance, domains=form.domain_list(), by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": form.instance})
            return redirect("consortium:member-list")
    return render(request, "consortium/member_form.html", {"form": form, "institution": institution})


@login_required
def api_keys(request, slug):
    institution = _institution_for(request, slug, permissions.can_manage_api_keys)
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            api_key, secret = services.create_api_key(institution=institution, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            # Shown on the next page only, and a reload cannot create a second key.
            request.session[NEW_API_KEY] = {"name": api_key.name, "secret": secret}
            return redirect("consortium:api-keys", slug=slug)
    keys = ApiKey.objects.visible_to(request.user).filter(institution=institution).select_related("created_by")
    context = {
        "institution": institution,
        "form": form,
        "keys": keys,
        "created": request.session.pop(NEW_API_KEY, None),
    }
    response = render(request, "consortium/api_keys.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_key_revoke(request, slug, pk):
    institution = _institution_for(request, slug, permissions.can_manage_api_keys)
    api_key = get_object_or_404(ApiKey.objects.visible_to(request.user).filter(institution=institution), pk=pk)
    services.revoke_api_key(api_key=api_key, by=request.user)
    messages.success(request, _("The key %(name)s was revoked; requests made with it now get 401.") % {"name": api_key})
    return redirect("consortium:api-keys", slug=slug)
