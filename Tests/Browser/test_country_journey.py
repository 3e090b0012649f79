"""A country's focal point writes Jamaica's migration background (with a preview), a visitor
reads it, and an editor restores the previous revision from the history.
Screenshots: artifacts/browser/NN-step.png.
"""

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from test_membership_journey import log_in, log_out
from test_repository_journey import become_member

FOCAL = {
    "name": "Andrea Campbell",
    "email": "andrea.campbell@example.gov.jm",
    "password": "blue-mountains-kingston-2026",
    "organisation": "Passport, Immigration and Citizenship Agency",
    "organisation_type": "government",
    "country": "jm",
    "position": "Director, Policy",
    "motivation": "I keep Jamaica's profile current for the CMC.",
}
FIRST = "Jamaica has a long history of emigration, first to Panama and Cuba, then to the United Kingdom."
SECOND = "Jamaica's diaspora lives mainly in the United States, the United Kingdom and Canada."


def write_migration_background(b, text, summary):
    b.go("/countries/jm")
    b.click_and_wait(b.find('a[href="/countries/jm/edit/migration"]'))
    form = b.find("form[action='/countries/jm/edit/migration']")
    b.fill(form, "markdown", text)
    b.fill(form, "sources", "IOM, Migration in Jamaica: A Country Profile, 2018.")
    b.fill(form, "summary", summary)
    b.click_and_wait(b.find('button[name="action"][value="preview"]', within=form))
    preview = b.find("section.preview")
    assert text.split(",")[0] in preview.text, f"preview without the text: {b.describe()}"
    b.shot("country-preview")
    form = b.find("form[action='/countries/jm/edit/migration']")
    b.click_and_wait(b.find('button[name="action"][value="save"]', within=form))
    b.wait_path("/countries/jm")


def test_country_journey(browser, cpmg_server):
    b = browser
    # The list and its map.
    b.go("/countries")
    assert b.exists("svg.region-map"), b.describe()
    assert b.exists('a[href="/countries/jm"]')
    b.shot("countries-list")

    # A member becomes Jamaica's focal point (admin assigns it on the member's page).
    become_member(b, cpmg_server, FOCAL)
    log_in(b, ADMIN_EMAIL, ADMIN_PASSWORD)
    b.go("/admin/members?status=active")
    row = b.find(f'[data-email="{FOCAL["email"]}"]')
    b.click_and_wait(b.find("h2 a", within=row))
    form = b.find("form#roles-form")
    box = b.find('input[name="countries[]"][value="jm"]', within=form)
    if not box.is_selected():
        box.click()
    b.click_and_wait(b.find("button[type=submit]", within=form))
    log_out(b)

    # The focal point writes the migration background twice.
    log_in(b, FOCAL["email"], FOCAL["password"])
    write_migration_background(b, FIRST, "First version")
    write_migration_background(b, SECOND, "Diaspora destinations")
    log_out(b)

    # A visitor reads the latest text, marked with its language.
    b.go("/countries/jm")
    section = b.find("section#migration")
    assert "diaspora lives mainly" in section.text, b.describe()
    assert b.find("section#migration .prose").get_attribute("lang") == "en"
    b.shot("country-visitor")

    # An editor compares and restores the first revision.
    log_in(b, ADMIN_EMAIL, ADMIN_PASSWORD)
    b.go("/countries/jm/history")
    assert "Diaspora destinations" in b.body_text()
    b.click_and_wait(b.find('a[href="/countries/jm/history/diff?from=1&to=2"]'))
    assert b.exists("del") and b.exists("ins"), b.describe()
    b.shot("country-diff")
    b.go("/countries/jm/history")
    b.click_and_wait(b.find("form[action='/countries/jm/history/1/restore'] button"))
    b.wait_path("/countries/jm")
    assert "first to Panama and Cuba" in b.find("section#migration").text, b.describe()
    log_out(b)
    b.go("/countries/jm")
    assert "first to Panama and Cuba" in b.find("section#migration").text
    b.driver.set_window_size(360, 800)
    b.shot("country-360")
