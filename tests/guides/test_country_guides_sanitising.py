"""Hostile Markdown through the whole path: a maintainer's draft, another's approval, the public page
and the API. Nothing that runs script, loads a resource or restyles the page survives."""

import re
from html.parser import HTMLParser

import pytest
from rest_framework.test import APIClient

from guides.services import country_guides as guides
from tests.guides.factories import guide_people, publish_edition

pytestmark = pytest.mark.django_db

VISAS = "work-permits-and-visas"

PAYLOADS = [
    # Script tags
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script type='module'>import('https://evil.example')</script>",
    # Event handlers
    "<img src=x onerror=alert(1)>",
    '<body onload="alert(1)">',
    '<p onclick="alert(1)">click</p>',
    "<a href='https://ok.example' onmouseover='alert(1)'>hover</a>",
    '<details open ontoggle="alert(1)">',
    '<input autofocus onfocus="alert(1)">',
    '<video><source onerror="alert(1)"></video>',
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # javascript:, data:, vbscript: URLs
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](  javascript:alert(1))",
    '<a href="javascript&colon;alert(1)">x</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[vb](vbscript:msgbox(1))",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    # CSS
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%">cover</div>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    # Malformed and smuggled markup
    "<<script>alert(1);//<</script>",
    '<img """><script>alert(1)</script>">',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<base href='https://evil.example/'>",
    '[x](https://ok.example "title" onmouseover="alert(1)")',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```",
    "[outside](https://evil.example/page)",
]

FORBIDDEN_TAGS = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "img", "video", "source", "input", "form",
    "button", "link", "meta", "base", "body", "details", "noscript",
}  # fmt: skip
DANGEROUS_URL = re.compile(r"^\s*(javascript|data|vbscript)\s*:", re.IGNORECASE)


class Inspector(HTMLParser):
    """Collects every problem in a fragment: forbidden tags, event handlers, styles, dangerous URLs,
    and external links without rel="noopener nofollow"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "xlink:href", "formaction") and DANGEROUS_URL.match(value or ""):
                self.problems.append(f"{tag}[{name}={value}]")
        if tag == "a" and (values.get("href") or "").startswith("http"):
            rel = set((values.get("rel") or "").split())
            if not {"noopener", "nofollow"} <= rel:
                self.problems.append(f"a without rel: {values}")


def problems_in(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def section_html(page: str) -> str:
    """The visa section's body on the public page."""
    start = page.index('<section class="guide-section mb-4" id="work-permits-and-visas"')
    return page[start : page.index("</section>", start)]


def test_the_corpus_has_at_least_thirty_payloads():
    assert len(PAYLOADS) >= 30


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_hostile_section_is_inert_on_the_page_and_in_the_api(client, payload):
    people = guide_people()
    edition = publish_edition("FR", "fr")
    draft = guides.open_draft(edition=edition, by=people["julien"])
    guides.save_draft_section(draft=draft, key=VISAS, markdown=f"Visas.\n\n{payload}", by=people["julien"])
    guides.submit_draft(draft=draft, note="", by=people["julien"])

    # The reviewer reads the draft's changes as escaped text.
    client.force_login(people["marc"])
    review = client.get("/guides/fr/fr/draft/").content.decode()
    changes = review[review.index("Changes against the published text") : review.index("Your review")]
    assert "guide-diff-body" in changes and problems_in(changes) == []
    guides.approve_draft(draft=draft, by=people["marc"])
    client.logout()

    page = client.get("/guides/fr/fr/").content.decode()
    assert problems_in(section_html(page)) == []
    # Nothing in the page beyond the site's own deferred, same-origin scripts.
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/vendor/htmx.min.js" defer>',
        '<script src="/static/vendor/bootstrap.bundle.min.js" defer>',
        '<script src="/static/js/site.js" defer>',
    ]

    [api_edition] = APIClient().get("/api/v1/guides/").json()["results"]
    [api_section] = [s for s in api_edition["sections"] if s["key"] == VISAS]
    assert problems_in(api_section["html"]) == []
    assert api_section["markdown"] == f"Visas.\n\n{payload}".strip()


def test_external_links_carry_noopener_nofollow(client):
    people = guide_people()
    edition = publish_edition("FR", "fr")
    draft = guides.open_draft(edition=edition, by=people["julien"])
    links = "[France Travail](https://www.francetravail.fr) · <a href='http://apec.fr' rel='opener'>APEC</a>"
    guides.save_draft_section(draft=draft, key=VISAS, markdown=links, by=people["julien"])
    guides.submit_draft(draft=draft, note="", by=people["julien"])
    guides.approve_draft(draft=draft, by=people["marc"])
    body = section_html(client.get("/guides/fr/fr/").content.decode())
    assert '<a href="https://www.francetravail.fr" rel="noopener noreferrer nofollow">France Travail</a>' in body
    assert '<a href="http://apec.fr" rel="noopener noreferrer nofollow">APEC</a>' in body


def test_the_inspector_catches_what_it_looks_for():
    assert problems_in(
        '<img src=x onerror="alert(1)"><a href="javascript:x">a</a><a href="https://x.example">b</a>'
    ) == [
        "<img>",
        "img[onerror]",
        "a[href=javascript:x]",
        "a without rel: {'href': 'https://x.example'}",
    ]
