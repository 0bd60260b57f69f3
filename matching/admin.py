from django.contrib import admin

from .models import CooperationOffer, Introduction, MatchingProfile, Skill, UserReport


@admin.register(UserReport)
class UserReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "reporter", "reported", "handled_at"]
    list_filter = ["handled_at"]
    readonly_fields = ["reporter", "reported", "reason", "created_at"]
    fields = ["reporter", "reported", "reason", "created_at", "handled_at"]


@admin.register(MatchingProfile)
class MatchingProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "headline", "visibility", "updated_at"]
    list_filter = ["visibility"]
    search_fields = ["user__full_name", "headline"]
    raw_id_fields = ["user"]


@admin.register(CooperationOffer)
class CooperationOfferAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "kind", "expires_at", "closed_at"]
    list_filter = ["kind"]
    search_fields = ["title"]
    raw_id_fields = ["owner"]


@admin.register(Introduction)
class IntroductionAdmin(admin.ModelAdmin):
    # Who asked whom and when, for handling reports; the messages are the two people's own.
    list_display = ["created_at", "sender", "recipient", "status"]
    list_filter = ["status"]
    fields = ["sender", "recipient", "status", "created_at", "expires_at", "responded_at"]
    readonly_fields = fields


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["label", "esco_id"]
    search_fields = ["label"]
