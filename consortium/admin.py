"""The Django admin: a back office for platform operators (is_staff), not for partner admins."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditLog,
    Company,
    CompanyRelationship,
    Institution,
    InstitutionDomain,
    Invitation,
    LiaisonNomination,
    RoleAssignment,
    User,
)


class InstitutionDomainInline(admin.TabularInline):
    model = InstitutionDomain
    extra = 1


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "country", "city", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["name", "short_name", "domains__domain"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [InstitutionDomainInline]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "institution", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "institution", "role_assignments__role"]
    search_fields = ["email", "full_name"]
    list_select_related = ["institution"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "institution", "company", "preferred_language", "time_zone"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]


@admin.register(LiaisonNomination)
class LiaisonNominationAdmin(admin.ModelAdmin):
    list_display = ["institution", "officer", "starts_at", "ends_at", "nominated_by"]
    list_filter = ["institution"]
    list_select_related = ["institution", "officer", "nominated_by"]
    # Nominations change through the partner admin area, which ends the previous one and audits.
    readonly_fields = ["institution", "officer", "starts_at", "ends_at", "nominated_by"]

    def has_add_permission(self, request):
        return False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "city", "sector", "size"]
    list_filter = ["sector", "size", "country"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(CompanyRelationship)
class CompanyRelationshipAdmin(admin.ModelAdmin):
    list_display = ["institution", "company", "owner", "since"]
    list_filter = ["institution"]
    list_select_related = ["institution", "company", "owner"]
    autocomplete_fields = ["company"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "institution", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["institution"]
    search_fields = ["email"]
    readonly_fields = [
        "institution",
        "email",
        "roles",
        "invited_by",
        "expires_at",
        "sent_at",
        "accepted_at",
        "accepted_by",
    ]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_repr", "action", "target_repr", "institution"]
    list_filter = ["action", "institution"]
    search_fields = ["actor_repr", "target_repr"]
    date_hierarchy = "created_at"

    # The audit log is append-only, from the admin as from anywhere else.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
