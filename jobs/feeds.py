"""An Atom feed for any job search: the search page's query string, answered for anonymous readers."""

import re
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from .filters import JobFilter
from .models import Job

FEED_SIZE = 50
# XML 1.0 has no place for these; a search typed with one must not break the feed.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class JobSearchFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request):
        query = request.GET.copy()
        query.pop("page", None)
        return query

    def title(self, query):
        words = CONTROL_CHARACTERS.sub("", query.get("q", "")).strip()
        if words:
            return _("Jobs and internships matching “%(words)s” · Career Consortium") % {"words": words}
        return _("Jobs and internships · Career Consortium")

    def subtitle(self, query):
        return _("The newest offers of the consortium's job board for this search.")

    # Absolute links from SITE_URL, like the e-mails': the sites framework's domain is not the site's.
    def link(self, query):
        return settings.SITE_URL + reverse("jobs:index") + (f"?{query.urlencode()}" if query else "")

    def feed_url(self, query):
        return settings.SITE_URL + reverse("jobs:feed") + (f"?{query.urlencode()}" if query else "")

    def items(self, query):
        # Feed readers carry no session: the feed shows what anyone may see, whoever asks.
        reader = AnonymousUser()
        jobs = Job.objects.visible_to(reader).published().select_related("company")
        if query:
            search = JobFilter(query, queryset=jobs, request=SimpleNamespace(user=reader))
            # A search the page cannot read yields nothing rather than every job.
            jobs = search.qs if search.is_valid() else jobs.none()
        return jobs.order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_link(self, job):
        return settings.SITE_URL + job.get_absolute_url()

    def item_title(self, job):
        return CONTROL_CHARACTERS.sub("", job.title)

    def item_description(self, job):
        # Atom readers take the summary as HTML: the company's and poster's words must stay text.
        summary = f"{job.company.name} · {job.city}, {job.country.name} · {job.get_kind_display()}"
        return escape(CONTROL_CHARACTERS.sub("", summary))

    def item_author_name(self, job):
        return CONTROL_CHARACTERS.sub("", job.company.name)

    def item_pubdate(self, job):
        return job.published_at

    def item_updateddate(self, job):
        return job.updated_at
