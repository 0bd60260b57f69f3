from django.contrib import admin

from .models import Application, Challenge, Criterion, Edition


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class ChallengeInline(admin.TabularInline):
    model = Challenge
    extra = 0
    raw_id_fields = ["company", "mentor"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["title", "host", "starts_on", "ends_on", "status"]
    list_filter = ["status", "place", "year"]
    search_fields = ["title", "slug", "host__name"]
    filter_horizontal = ["co_organisers"]
    raw_id_fields = ["organisers"]
    inlines = [CriterionInline, ChallengeInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["student", "edition", "institution", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["student", "seat"]
    exclude = ["preferred_challenges"]
