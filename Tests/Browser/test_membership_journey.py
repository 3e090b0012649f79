"""A visitor asks to join, confirms her address, is approved by an admin, logs in,
switches to Spanish and logs out: the real server in a real (headless) browser.

Screenshots of each step: artifacts/browser/NN-step.png.
"""

import re

from selenium.webdriver.support.ui import Select

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD

MARIA = {
    "name": "María López",
    "email": "maria.lopez@example.gov.jm",
    "password": "sargassum-season-2024",
    "organisation": "Ministry of National Security",
    "organisation_type": "government",
    "country": "jm",
    "position": "Policy Analyst",
    "motivation": "I coordinate our labour mobility data and would like to share and "
                  "compare reports with colleagues across the region.",
}


def log_in(b, email, password):
    b.go("/login")
    form = b.find("form#login-form")
    b.fill(form, "email", email)
    b.fill(form, "password", password)
    b.click_and_wait(b.find("button[type=submit]", within=form))


def log_out(b):
    form = b.find("form#logout-form")
    b.click_and_wait(b.find("button, [type=submit]", within=form))
    assert not b.exists("form#logout-form"), f"still logged in after logout: {b.describe()}"


def test_membership_journey(browser, cpmg_server):
    b = browser
    mail = cpmg_server.mailbox

    # a. Home page: landmark, skip link, link to the membership request form.
    b.go("/")
    b.find("main#main")
    b.find('a[href="#main"]')
    b.shot("home")
    b.click_and_wait(b.first_visible('a[href="/join"]'))
    b.wait_path("/join")

    # b. The membership request form.
    form = b.find("form#join-form")
    for field in ("name", "email", "password", "organisation", "position", "motivation"):
        b.fill(form, field, MARIA[field])
    Select(b.find('select[name="organisation_type"]', within=form)).select_by_value(
        MARIA["organisation_type"])
    Select(b.find('select[name="country"]', within=form)).select_by_value(MARIA["country"])
    b.shot("join-form-filled")
    b.click_and_wait(b.find("button[type=submit]", within=form))
    b.wait_path("/join/sent")
    b.find("h1")
    b.shot("join-sent")

    # c. The confirmation mail (sent by a background job) and its link.
    confirm_link = re.compile(
        re.escape(cpmg_server.base_url) + r"/join/confirm\?token=[^\s<>\"')\]]+")
    _, confirm_msg = mail.wait_for(
        MARIA["email"], where=lambda m: confirm_link.search(mail.text(m)), timeout=20)
    link = confirm_link.search(mail.text(confirm_msg))
    b.driver.get(link.group(0))
    b.wait_ready()
    b.wait_path("/join/confirmed")
    assert b.exists(".notice") or b.exists("h1"), b.describe()
    b.shot("join-confirmed")

    # d. Not approved yet: logging in must not work.
    log_in(b, MARIA["email"], MARIA["password"])
    assert b.exists(".error-summary") or b.exists(".notice"), \
        f"no message about the pending approval: {b.describe()}"
    assert not b.exists("form#logout-form"), f"logged in before approval: {b.describe()}"
    b.shot("login-pending")

    # e. The admin approves her.
    log_in(b, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert b.exists("form#logout-form"), f"admin login failed: {b.describe()}"
    b.go("/admin/members")
    b.wait_path("/admin/members")
    row = b.find(f'[data-email="{MARIA["email"]}"]')
    b.shot("admin-members")
    approve = b.find('form.approve-form button[name="action"][value="approve"]', within=row)
    before_approval = {p for p, _ in mail.messages()}
    b.click_and_wait(approve)
    b.find(".notice")
    b.shot("admin-approved")
    log_out(b)

    # f. The approval mail: a new one to her.
    mail.wait_for(MARIA["email"], exclude=before_approval, timeout=20)

    # g. Now she can log in and see her account.
    log_in(b, MARIA["email"], MARIA["password"])
    assert b.exists("form#logout-form"), f"approved member cannot log in: {b.describe()}"
    b.go("/account")
    b.wait_path("/account")
    assert MARIA["name"] in b.body_text(), f"her name is not on /account: {b.describe()}"
    b.shot("account")

    # h. Spanish, remembered across pages.
    b.click_and_wait(b.find('nav.languages a[hreflang="es"]'))
    b.wait_until(lambda _: b.html_lang() == "es", "expected <html lang=\"es\"> after switching")
    b.shot("account-es")
    b.go("/")
    assert b.html_lang() == "es", f"language not remembered: lang={b.html_lang()!r}, {b.describe()}"
    b.shot("home-es")

    # i. Log out; /account now sends to the login page.
    log_out(b)
    b.shot("logged-out")
    b.go("/account")
    b.wait_path("/login", prefix=True)
    b.shot("account-needs-login")
