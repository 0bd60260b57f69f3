"""Screenshots of the main pages for the README, taken from a freshly seeded demo.

    make screenshots        # or: .venv/bin/python docs/screenshots/capture.py

Builds the demo in a throw-away folder (SQLite, eager Celery, e-mails as files), starts the
development server on a spare port, signs in as the demo people with Debian's chromium through
Playwright and writes one PNG per page next to this file. Run it again after any change to a page.
"""

import email
import email.policy
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
PASSWORD = "consortium-demo-2026"
BROWSER_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_environment(var_dir: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(VAR_DIR=var_dir, DJANGO_DEBUG="true", PYTHONUNBUFFERED="1")
    return env


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def wait_until_up(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the development server did not answer at {url}")


class Demo:
    """The seeded demo and a browser signed in as one person at a time."""

    def __init__(self, browser, base_url: str, env: dict):
        self.browser, self.base_url, self.env = browser, base_url, env
        self.context = None

    def as_person(self, email: str | None, *, width: int = 1280, height: int = 900):
        if self.context:
            self.context.close()
        self.context = self.browser.new_context(
            # Bootstrap scrolls smoothly unless motion is reduced: a shot would catch the page mid-scroll.
            base_url=self.base_url,
            locale="en-GB",
            viewport={"width": width, "height": height},
            reduced_motion="reduce",
        )
        page = self.context.new_page()
        page.set_default_timeout(20_000)
        if email:
            page.goto("/accounts/login/")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign In").click()
            page.wait_for_load_state()
            if "/2fa/authenticate/" in page.url:
                page.get_by_label("Code").fill(self.totp_code(email))
                page.get_by_role("button", name="Sign In").click()
                page.wait_for_load_state()
        return page

    def totp_code(self, email: str) -> str:
        for line in manage(self.env, "demo_totp").splitlines():
            if line.startswith(email + " "):
                return line.split()[-1]
        raise SystemExit(f"{email} has no two-factor secret in the demo")


def first_link(page, selector: str) -> str:
    """The address of the first link the current page has that matches `selector`."""
    return page.locator(selector).first.get_attribute("href")


def digest_html(mail_dir: Path, recipient: str) -> bytes:
    """The HTML part of the weekly digest the demo sent to `recipient` (e-mails are files in development)."""
    for path in sorted(mail_dir.iterdir()):
        # The file backend writes every message of one connection into one file, separated by dashes.
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if message["To"] == recipient and message["Subject"].strip().startswith("Your week in the consortium"):
                for part in message.walk():
                    if part.get_content_type() == "text/html":
                        return part.get_payload(decode=True)
    raise SystemExit(f"no digest e-mail to {recipient} in {mail_dir}")


def shoot(page, name: str, path: str | None, *, scroll_to: str = "") -> None:
    """A PNG of the top of the page at `path`, or from the element `scroll_to` selects down."""
    if path is None:
        raise SystemExit(f"{name}: the demo has no such page; has the seed changed?")
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if scroll_to:
        page.locator(scroll_to).first.evaluate("element => element.scrollIntoView()")
    target = OUT / f"{name}.png"
    page.screenshot(path=str(target), full_page=False)
    print(f"{target.relative_to(ROOT)}  ({path if path.startswith('/') else name})")


def link_to(page, start: str, selector: str) -> str | None:
    """The first link matching `selector` on the page at `start`, or None."""
    page.goto(start)
    link = page.locator(selector).first
    return link.get_attribute("href") if link.count() else None


def capture(demo: Demo) -> None:
    # Regent's people (London) read the site in English, as the README does.
    student = demo.as_person("student@regents.ac.uk")
    shoot(student, "job-search", "/jobs/?sort=newest")
    shoot(student, "job", first_link(student, "main a[href^='/jobs/'][href$='/']"))
    shoot(student, "country-guide", "/guides/es/en/")
    shoot(student, "summer-school", link_to(student, "/summer-schools/", "main h2 a[href^='/summer-schools/']"))

    # The demo's matching profiles belong to people of other countries: Camille reads the page in English.
    matcher = demo.as_person("student@psbedu.paris")
    matcher.goto("/matching/")
    with matcher.expect_navigation():
        matcher.select_option("#language-select", "en")
    shoot(matcher, "matching", "/matching/")

    officer = demo.as_person("officer@regents.ac.uk")
    shoot(
        officer,
        "support-request",
        link_to(officer, "/support/?box=sent", "main a:has-text('English-speaking internships in Madrid')"),
    )
    shoot(
        officer,
        "training-week",
        link_to(officer, "/training/", "main h2 a[href^='/training/'], main h3 a[href^='/training/']"),
    )

    admin = demo.as_person("admin@regents.ac.uk")
    shoot(admin, "institution-impact", "/manage/regents/impact/")

    consortium_admin = demo.as_person("consortium-admin@regents.ac.uk")
    shoot(consortium_admin, "impact", "/manage/impact/")
    shoot(consortium_admin, "impact-trends", "/manage/impact/", scroll_to="#trends-heading")
    shoot(consortium_admin, "impact-flows", "/manage/impact/", scroll_to="[data-breakdown='jobs.mobility']")

    manage(demo.env, "send_digests")
    digest = OUT / "digest.html"
    digest.write_bytes(digest_html(Path(demo.env["VAR_DIR"]) / "mail", "student@regents.ac.uk"))
    try:
        reader = demo.as_person(None, width=760, height=900)
        shoot(reader, "digest-email", digest.as_uri())
    finally:
        digest.unlink()


def main() -> None:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("needs Debian's chromium on the PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="consortium-screens-") as var_dir:
        env = demo_environment(var_dir)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", "--quiet")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_up(base_url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_FLAGS)
                capture(Demo(browser, base_url, env))
                browser.close()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
