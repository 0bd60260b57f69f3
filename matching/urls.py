from django.urls import path, re_path

from . import views

app_name = "matching"

urlpatterns = [
    path("", views.index, name="index"),
    path("profile/", views.profile_edit, name="profile-edit"),
    path("profile/skills/", views.skill_suggestions, name="skill-suggestions"),
    path("people/<int:pk>/", views.profile_detail, name="profile"),
    path("people/<int:pk>/introduce/", views.introduce, name="introduce"),
    path("people/<int:pk>/block/", views.block, name="block"),
    path("people/<int:pk>/report/", views.report, name="report"),
    path("recommendations/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("introductions/", views.introduction_list, name="introductions"),
    path("introductions/<int:pk>/", views.introduction_detail, name="introduction"),
    path("introductions/<int:introduction_pk>/block/", views.block, name="introduction-block"),
    path("introductions/<int:introduction_pk>/report/", views.report, name="introduction-report"),
    path("reports/", views.report_list, name="reports"),
    re_path(
        r"^introductions/(?P<pk>[0-9]+)/(?P<answer>accept|decline|withdraw)/$",
        views.introduction_answer,
        name="introduction-answer",
    ),
    path("offers/", views.offer_list, name="offers"),
    path("offers/new/", views.offer_form, name="offer-create"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/edit/", views.offer_form, name="offer-edit"),
    path("offers/<int:offer_pk>/introduce/", views.introduce, name="offer-introduce"),
    re_path(r"^offers/(?P<pk>[0-9]+)/(?P<action>renew|close)/$", views.offer_action, name="offer-action"),
]
