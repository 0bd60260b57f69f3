from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .api.router import router
from .api.views import MeView

# The admin signs in through allauth, so that rate limits and two-factor authentication apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Career Consortium back office"

core_patterns = [
    path("institutions/", views.institution_list, name="institution-list"),
    path("companies/", views.company_list, name="company-list"),
    path("companies/new/", views.company_create, name="company-create"),
    path("companies/<slug:slug>/", views.company_detail, name="company-detail"),
    path("companies/<slug:slug>/invite/", views.company_invite_contact, name="company-invite-contact"),
    re_path(
        r"^companies/(?P<slug>[-\w]+)/(?P<action>verify|flag|clear|decline|undecline)/$",
        views.company_status,
        name="company-status",
    ),
    path("support/suggestions/", views.support_suggestions, name="support-suggestions"),
    path("support/figures/", views.support_figures, name="support-figures"),
    path("support/articles/", views.article_list, name="article-list"),
    path("support/articles/<int:pk>/", views.article_detail, name="article-detail"),
    path("support/articles/<int:pk>/edit/", views.article_edit, name="article-edit"),
    path(
        "support/articles/<int:pk>/unpublish/", views.article_publication, {"publish": False}, name="article-unpublish"
    ),
    path(
        "support/articles/<int:pk>/republish/", views.article_publication, {"publish": True}, name="article-republish"
    ),
    path("support/<int:pk>/publish/", views.article_create, name="article-create"),
    path("support/", views.support_list, name="support-list"),
    path("support/new/", views.support_create, name="support-create"),
    path("support/<int:pk>/", views.support_detail, name="support-detail"),
    path("support/<int:pk>/claim/", views.support_claim, name="support-claim"),
    path("support/<int:pk>/messages/", views.support_message, name="support-message"),
    path("support/<int:pk>/resolve/", views.support_resolve, name="support-resolve"),
    path("support/<int:pk>/reopen/", views.support_reopen, name="support-reopen"),
    path("support/attachments/<int:pk>/", views.support_attachment, name="support-attachment"),
    path("surveys/<int:pk>/", views.survey_answer, name="survey-answer"),
    path("profile/", views.profile, name="profile"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/export/", views.privacy_export, name="privacy-export"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/unread/", views.unread_count, name="unread-count"),
    path("notifications/read-all/", views.mark_all_read, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.mark_read, name="notification-read"),
    path("notifications/preferences/", views.preferences, name="notification-preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("manage/", views.manage_index, name="manage-index"),
    path("manage/members/", views.member_list, name="member-list"),
    path("manage/members/new/", views.member_edit, name="member-create"),
    path("manage/audit/", views.audit_log, name="audit-all"),
    path("manage/impact/", views.consortium_impact, name="consortium-impact"),
    path("manage/<slug:slug>/", views.manage, name="manage"),
    path("manage/<slug:slug>/edit/", views.member_edit, name="member-edit"),
    path("manage/<slug:slug>/staff/", views.staff, name="staff"),
    path("manage/<slug:slug>/staff/<int:pk>/", views.staff_edit, name="staff-edit"),
    path(
        "manage/<slug:slug>/staff/<int:pk>/deactivate/",
        views.staff_set_active,
        {"active": False},
        name="staff-deactivate",
    ),
    path(
        "manage/<slug:slug>/staff/<int:pk>/reactivate/",
        views.staff_set_active,
        {"active": True},
        name="staff-reactivate",
    ),
    path("manage/<slug:slug>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("manage/<slug:slug>/liaison/", views.liaison, name="liaison"),
    path("manage/<slug:slug>/companies/", views.relationships, name="relationships"),
    path("manage/<slug:slug>/companies/add/", views.relationship_edit, name="relationship-add"),
    path("manage/<slug:slug>/companies/<int:pk>/", views.relationship_edit, name="relationship-edit"),
    path("manage/<slug:slug>/companies/<int:pk>/remove/", views.relationship_remove, name="relationship-remove"),
    path("manage/<slug:slug>/audit/", views.audit_log, name="audit"),
    path("manage/<slug:slug>/impact/", views.institution_impact, name="impact"),
    path("manage/<slug:slug>/api-keys/", views.api_keys, name="api-keys"),
    path("manage/<slug:slug>/webhooks/", views.webhook_list, name="webhooks"),
    path("manage/<slug:slug>/webhooks/<int:pk>/", views.webhook_detail, name="webhook-detail"),
    path(
        "manage/<slug:slug>/webhooks/<int:pk>/<str:action>/",
        views.webhook_action,
        name="webhook-action",
    ),
    path("manage/<slug:slug>/api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api-key-revoke"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include((core_patterns, "consortium"))),
    path("jobs/", include("jobs.urls")),
    path("guides/", include("guides.urls")),
    path("training/", include("training.urls")),
    path("summer-schools/", include("summerschools.urls")),
    path("matching/", include("matching.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("api/v1/", include(([path("me/", MeView.as_view(), name="me"), *router.urls], "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)),
]

handler404 = "consortium.views.errors.page_not_found"
handler500 = "consortium.views.errors.server_error"
