from django.contrib import admin

from .models import Attendance, Module, Registration, Session, TrainingPolicy, TrainingWeek


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    autocomplete_fields = ["module"]


@admin.register(TrainingWeek)
class TrainingWeekAdmin(admin.ModelAdmin):
    list_display = ["title", "host", "starts_on", "ends_on", "status"]
    list_filter = ["status", "place", "language"]
    search_fields = ["title", "slug", "host__name"]
    raw_id_fields = ["contact", "created_by"]
    inlines = [SessionInline]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "position"]
    search_fields = ["code", "title"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["person", "week", "institution", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["person__email", "person__full_name", "week__title"]
    raw_id_fields = ["person", "week", "seat", "decided_by"]
    # Seats change through the seat services only (the waitlist's order and offers depend on it).
    readonly_fields = ["seat", "status"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["registration", "session", "created_at"]
    raw_id_fields = ["registration", "session", "checked_in_by"]


@admin.register(TrainingPolicy)
class TrainingPolicyAdmin(admin.ModelAdmin):
    list_display = ["institution", "approval_required"]
