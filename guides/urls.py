from django.urls import path, re_path

from .views import country_guides, resources, search

app_name = "guides"

# Country guides: /guides/fr/ and /guides/fr/en/
GUIDE = r"(?P<country>[a-z]{2})"
EDITION = rf"{GUIDE}/(?P<language>[a-z]{{2}})"

urlpatterns = [
    # Country guides
    path("", country_guides.index, name="index"),
    path("new/", country_guides.start, name="start"),
    # Two-letter codes only, so that the other paths of the app never read as a country.
    re_path(rf"^{GUIDE}/$", country_guides.guide, name="guide"),
    re_path(rf"^{GUIDE}/manage/$", country_guides.manage, name="manage"),
    re_path(rf"^{GUIDE}/editors/$", country_guides.invite_editor, name="invite-editor"),
    re_path(rf"^{GUIDE}/editors/(?P<pk>[0-9]+)/remove/$", country_guides.remove_editor, name="remove-editor"),
    re_path(rf"^{EDITION}/$", country_guides.edition, name="edition"),
    re_path(rf"^{EDITION}/draft/$", country_guides.draft, name="draft"),
    re_path(
        rf"^{EDITION}/draft/(?P<action>submit|approve|send-back|discard)/$",
        country_guides.draft_action,
        name="draft-action",
    ),
    re_path(rf"^{EDITION}/draft/(?P<key>[a-z-]+)/$", country_guides.draft_section, name="draft-section"),
    re_path(rf"^{EDITION}/revisions/$", country_guides.revisions, name="revisions"),
    re_path(rf"^{EDITION}/revisions/compare/$", country_guides.compare, name="compare"),
    re_path(rf"^{EDITION}/revisions/(?P<number>[0-9]+)/restore/$", country_guides.restore, name="restore"),
    re_path(rf"^{EDITION}/sections/(?P<key>[a-z-]+)/reviewed/$", country_guides.mark_reviewed, name="mark-reviewed"),
    # Resource library
    path("resources/", resources.resource_list, name="resource-list"),
    path("resources/new/", resources.resource_edit, name="resource-create"),
    path("resources/<int:pk>/", resources.resource_detail, name="resource-detail"),
    path("resources/<int:pk>/edit/", resources.resource_edit, name="resource-edit"),
    path("resources/<int:pk>/delete/", resources.resource_delete, name="resource-delete"),
    path("resources/<int:pk>/download/", resources.resource_download, name="resource-download"),
    path("resources/<int:pk>/open/", resources.resource_open, name="resource-open"),
    # Search over guides and resources
    path("search/", search.search, name="search"),
]
