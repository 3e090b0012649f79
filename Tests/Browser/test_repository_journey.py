"""A member uploads a PDF, an editor publishes it, a visitor finds it by a word that is only
on page 3 and downloads it; then real clients read our Atom feed (feedparser) and harvest
OAI-PMH (sickle). Screenshots: artifacts/browser/NN-step.png.
"""

import re
import urllib.request

import feedparser
from selenium.webdriver.support.ui import Select
from sickle import Sickle

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from pdfgen import make_pdf
from test_membership_journey import log_in, log_out

UPLOADER = {
    "name": "Kevin Joseph",
    "email": "kevin.joseph@example.gov.tt",
    "password": "rainy-season-port-of-spain",
    "organisation": "Immigration Division",
    "organisation_type": "government",
    "country": "tt",
    "position": "Senior Immigration Officer",
    "motivation": "To share our border management reports with the network.",
}
TITLE = "Border management at Caribbean seaports"
RARE_WORD = "zanzibarite"


def become_member(b, server, person):
    """Request membership, confirm the mailed link, and have the admin approve."""
    mail = server.mailbox
    b.go("/join")
    form = b.find("form#join-form")
    for field in ("name", "email", "password", "organisation", "position", "motivation"):
        b.fill(form, field, person[field])
    Select(b.find('select[name="organisation_type"]', within=form)).select_by_value(person["organisation_type"])
    Select(b.find('select[name="country"]', within=form)).select_by_value(person["country"])
    b.click_and_wait(b.find("button[type=submit]", within=form))
    link_pattern = re.compile(re.escape(server.base_url) + r"/join/confirm\?token=[^\s<>\"')\]]+")
    _, message = mail.wait_for(person["email"], where=lambda m: link_pattern.search(mail.text(m)), timeout=20)
    b.driver.get(link_pattern.search(mail.text(message)).group(0))
    b.wait_ready()
    log_in(b, ADMIN_EMAIL, ADMIN_PASSWORD)
    b.go("/admin/members")
    row = b.find(f'[data-email="{person["email"]}"]')
    b.click_and_wait(b.find('form.approve-form button[name="action"][value="approve"]', within=row))
    log_out(b)


def test_repository_journey(browser, cpmg_server, tmp_path):
    b = browser
    become_member(b, cpmg_server, UPLOADER)

    # The member uploads a three-page PDF; the rare word is only on page 3.
    pdf = tmp_path / "Seaports report.pdf"
    pdf.write_bytes(make_pdf([
        "Border management at Caribbean seaports.",
        "Page two covers passenger screening and crew lists.",
        f"Page three mentions {RARE_WORD} exactly once.",
    ]))
    log_in(b, UPLOADER["email"], UPLOADER["password"])
    b.go("/documents/new")
    form = b.find("form#document-form")
    b.find('input[type="file"]', within=form).send_keys(str(pdf))
    b.fill(form, "title", TITLE)
    b.fill(form, "authors", "Joseph, Kevin")
    b.fill(form, "publisher", "Immigration Division of Trinidad and Tobago")
    b.fill(form, "year", "2018")
    Select(b.find('select[name="kind"]', within=form)).select_by_value("report")
    b.fill(form, "abstract", "How seaports screen passengers and crews.")
    for name, value in (("languages[]", "en"), ("countries[]", "tt"), ("themes[]", "border-management")):
        box = b.find(f'input[name="{name}"][value="{value}"]', within=form)
        if not box.is_selected():
            box.click()
    b.shot("upload-filled")
    b.click_and_wait(b.find('button[name="action"][value="submit"]', within=form))
    b.wait_path("/documents/", prefix=True)
    document_path = b.path()
    assert "Waiting for review" in b.body_text(), b.describe()
    b.shot("upload-pending")
    log_out(b)

    # A visitor cannot see it yet.
    b.go(f"/documents?q={RARE_WORD}")
    assert TITLE not in b.body_text(), "a pending document reached a visitor"

    # The editor (the admin) publishes it from the review queue.
    log_in(b, ADMIN_EMAIL, ADMIN_PASSWORD)
    b.go("/documents/review")
    b.shot("review-queue")
    b.click_and_wait(b.find(f'a[href="{document_path}"]'))
    b.click_and_wait(b.find('form.transition-publish button[name="action"][value="publish"]'))
    assert b.exists(".notice"), b.describe()
    b.shot("published")
    log_out(b)
    cpmg_server.mailbox.wait_for(UPLOADER["email"], where=lambda m: "Published" in (m["Subject"] or ""), timeout=20)

    # A visitor searches for the word from page 3 and finds it, highlighted.
    b.go("/documents")
    search = b.find("form#document-search")
    b.fill(search, "q", RARE_WORD)
    b.click_and_wait(b.find(".search-bar button[type=submit]", within=search))
    b.wait_until(lambda _: TITLE in b.body_text(), f"the published PDF is not found by {RARE_WORD!r}")
    mark = b.find(".hits mark")
    assert mark.text.lower() == RARE_WORD, mark.text
    b.shot("visitor-found")

    # … opens it and downloads the PDF.
    b.click_and_wait(b.find(".hits h2 a"))
    b.wait_path(document_path)
    b.shot("document-page")
    href = b.find(".files a.button").get_attribute("href")
    with urllib.request.urlopen(href, timeout=10) as response:
        body = response.read()
        assert response.headers["Content-Type"].startswith("application/pdf")
        assert "Seaports%20report.pdf" in response.headers["Content-Disposition"]
    assert body == pdf.read_bytes()

    # Real clients read our formats.
    feed = feedparser.parse(f"{cpmg_server.base_url}/feeds/documents.atom?q={RARE_WORD}")
    assert not feed.bozo, feed.bozo_exception
    assert [entry.title for entry in feed.entries] == [TITLE]
    assert any(link.rel == "enclosure" for link in feed.entries[0].links)

    harvester = Sickle(f"{cpmg_server.base_url}/oai")
    identify = harvester.Identify()
    assert identify.protocolVersion == "2.0"
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    assert TITLE in [record.metadata["title"][0] for record in records]
    sets = [s.setSpec for s in harvester.ListSets()]
    assert "country:tt" in sets
    in_set = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="country:tt"))
    assert len(in_set) == 1
