"""University single sign-on through OpenID Connect, against a small identity provider on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.models import SocialApp
from django.urls import reverse

from consortium.models import Role, User

pytestmark = pytest.mark.django_db


class IdentityProvider(BaseHTTPRequestHandler):
    """Discovery, token and userinfo endpoints; the browser's trip to /authorize is skipped by the test."""

    claims: dict = {}

    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_port}"
        if self.path == "/.well-known/openid-configuration":
            self.reply(
                {
                    "issuer": base,
                    "authorization_endpoint": f"{base}/authorize",
                    "token_endpoint": f"{base}/token",
                    "userinfo_endpoint": f"{base}/userinfo",
                    "jwks_uri": f"{base}/jwks",
                }
            )
        elif self.path == "/userinfo" and self.headers.get("Authorization") == "Bearer token-1":
            self.reply(self.claims)
        else:
            self.reply({"error": "not_found"}, status=404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        if self.path == "/token" and form.get("code") == ["code-1"]:
            self.reply({"access_token": "token-1", "token_type": "Bearer", "expires_in": 300})
        else:
            self.reply({"error": "invalid_grant"}, status=400)

    def reply(self, payload, status=200):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def idp():
    server = ThreadingHTTPServer(("127.0.0.1", 0), IdentityProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def configure(provider_id, server_url, name="University SSO"):
    app = SocialApp.objects.create(
        provider="openid_connect",
        provider_id=provider_id,
        name=name,
        client_id="client",
        secret="secret",
        settings={"server_url": server_url},
    )
    app.sites.add(1)
    return app


def sign_in_through(client, provider_id, claims):
    IdentityProvider.claims = claims
    response = client.post(reverse("openid_connect_login", args=[provider_id]))
    assert response.status_code == 302 and "/authorize?" in response.url
    state = parse_qs(urlparse(response.url).query)["state"][0]
    callback = reverse("openid_connect_callback", args=[provider_id])
    return client.get(callback, {"code": "code-1", "state": state})


def test_the_login_page_offers_each_university(client, home, idp):
    configure(home.slug, idp, name="Sign in with UP")
    assert "Sign in with UP" in client.get(reverse("account_login")).content.decode()


def test_a_student_signs_in_with_the_university_account(client, home, idp):
    configure(home.slug, idp)
    response = sign_in_through(
        client, home.slug, {"sub": "s-42", "email": "marta@up.example", "email_verified": True, "name": "Marta Ruiz"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="marta@up.example")
    assert user.institution == home and user.full_name == "Marta Ruiz" and user.roles == {Role.STUDENT}
    assert client.get(reverse("home")).context["user"] == user


def test_an_identity_provider_of_no_member_institution_cannot_create_accounts(client, home, idp):
    configure("unknown-university", idp)
    response = sign_in_through(
        client, "unknown-university", {"sub": "x", "email": "x@else.example", "email_verified": True, "name": "X"}
    )
    assert "Sign Up Closed" in response.content.decode()
    assert not User.objects.filter(email="x@else.example").exists()
