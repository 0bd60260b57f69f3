from django.urls import path

from .views import alumni, certificates, organise, selection, teams

app_name = "summerschools"

urlpatterns = [
    # Catalogue, applying and selection
    path("", selection.index, name="index"),
    path("applications/<int:pk>/", selection.application_detail, name="application"),
    path("applications/<int:pk>/confirm/", selection.confirm, name="confirm"),
    path("applications/<int:pk>/review/", selection.review, name="review"),
    path("applications/<int:pk>/cv/", selection.cv, name="cv"),
    path("applications/<int:pk>/<str:decision>/", selection.decide, name="decide"),
    # Organising: creating and editing editions and challenges, the survey, certificates
    path("my/", organise.my_editions, name="mine"),
    path("new/", organise.edition_edit, name="new"),
    path("<slug:slug>/edit/", organise.edition_edit, name="edit"),
    path("<slug:slug>/publish/", organise.publish, name="publish"),
    path("<slug:slug>/challenges/new/", organise.challenge_edit, name="challenge-add"),
    path("<slug:slug>/challenges/<int:pk>/", organise.challenge_edit, name="challenge-edit"),
    path("<slug:slug>/challenges/<int:pk>/delete/", organise.challenge_delete, name="challenge-delete"),
    path("<slug:slug>/participants/", organise.participants, name="participants"),
    path("<slug:slug>/participants/<int:pk>/completion/", organise.completion, name="completion"),
    path("<slug:slug>/participants/completion/", organise.completion_all, name="completion-all"),
    path("<slug:slug>/survey/", organise.survey_open, name="survey-open"),
    path("<slug:slug>/survey/results/", organise.survey_results, name="survey-results"),
    path("certificates/<int:pk>/", certificates.page, name="certificate"),
    path("certificates/<int:pk>.pdf", certificates.pdf, name="certificate-pdf"),
    path("certificates/verify/<str:token>/", certificates.verify, name="certificate-verify"),
    # Teams
    path("teams/<int:pk>/", teams.team_space, name="team"),
    path("teams/<int:pk>/edit/", teams.edit_team, name="team-edit"),
    path("teams/<int:pk>/delete/", teams.delete_team, name="team-delete"),
    path("teams/members/<int:pk>/", teams.move_member, name="team-move"),
    path("<slug:slug>/teams/", teams.team_list, name="teams"),
    path("<slug:slug>/teams/form/", teams.form_teams, name="teams-form"),
    path("<slug:slug>/teams/add/", teams.add_team, name="team-add"),
    path("<slug:slug>/teams/share/", teams.share_teams, name="teams-share"),
    # Alumni directory and ventures
    path("alumni/", alumni.directory, name="alumni"),
    path("alumni/join/", alumni.join, name="alumni-join"),
    path("alumni/profile/", alumni.profile, name="alumni-profile"),
    path("alumni/leave/", alumni.leave, name="alumni-leave"),
    path("ventures/", alumni.ventures, name="ventures"),
    path("ventures/<int:pk>/edit/", alumni.venture_edit, name="venture-edit"),
    path("ventures/<int:pk>/delete/", alumni.venture_delete, name="venture-delete"),
    path("<slug:slug>/ventures/new/", alumni.venture_add, name="venture-add"),
    # Edition pages: keep last, a slug matches most single-segment addresses
    path("<slug:slug>/", selection.edition_detail, name="edition"),
    path("<slug:slug>/calendar.ics", selection.edition_calendar, name="calendar"),
    path("<slug:slug>/apply/", selection.apply, name="apply"),
    path("<slug:slug>/applications/", selection.applications, name="applications"),
]
