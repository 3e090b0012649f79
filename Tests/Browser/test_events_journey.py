"""An editor creates an event with one place; a member registers, sees it in their account and
cancels; the first on the waiting list is promoted and emailed. Then a real iCalendar parser
(Python's icalendar) reads the event, a cancelled event, the seed events and the whole feed.
Screenshots: artifacts/browser/NN-step.png.
"""

import datetime as dt
import urllib.request
from zoneinfo import ZoneInfo

import icalendar
from selenium.webdriver.support.ui import Select

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from test_membership_journey import log_in, log_out
from test_repository_journey import become_member

FIRST = {
    "name": "Marisol Gómez", "email": "marisol.gomez@example.gov.do", "password": "santo-domingo-ozama-2026",
    "organisation": "Dirección General de Migración", "organisation_type": "government", "country": "do",
    "position": "Analyst", "motivation": "Regional workshops on data.",
}
SECOND = {
    "name": "Trevor Baptiste", "email": "trevor.baptiste@example.gov.bb", "password": "bridgetown-carlisle-bay-2026",
    "organisation": "Immigration Department", "organisation_type": "government", "country": "bb",
    "position": "Officer", "motivation": "Training on screening.",
}
TITLE = "Training on migration data in Nassau"


def create_event(b, title, *, status="confirmed", all_day=False, capacity=""):
    b.go("/events/new")
    form = b.find("form[action='/events/new']")
    b.fill(form, "title", title)
    Select(b.find('select[name="kind"]', within=form)).select_by_value("training")
    b.fill(form, "description", "Hands-on sessions on **migration statistics**.")
    for name, value in (("firstDay", "2030-07-10"), ("lastDay", "2030-07-11")):
        b.driver.execute_script("arguments[0].value = arguments[1]", b.find(f'input[name="{name}"]', within=form), value)
    box = b.find('input[name="allDay"]', within=form)
    if box.is_selected() != all_day:
        box.click()
    if not all_day:
        for name, value in (("startTime", "09:00"), ("endTime", "16:30")):
            b.driver.execute_script("arguments[0].value = arguments[1]", b.find(f'input[name="{name}"]', within=form), value)
    Select(b.find('select[name="timeZone"]', within=form)).select_by_value("America/Nassau")
    b.fill(form, "city", "Nassau")
    Select(b.find('select[name="country"]', within=form)).select_by_value("bs")
    b.fill(form, "funders", "Funded by PRM.")
    Select(b.find('select[name="status"]', within=form)).select_by_value(status)
    if capacity:
        b.find('input[name="registrationOpen"]', within=form).click()
        b.fill(form, "capacity", capacity)
    b.click_and_wait(b.find("button.primary[type=submit]", within=form))
    assert b.path().startswith("/events/"), b.describe()
    return b.path()


def fetch(server, path):
    with urllib.request.urlopen(server.base_url + path, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/calendar")
        return response.read()


def test_events_journey(browser, cpmg_server):
    b = browser
    mail = cpmg_server.mailbox
    become_member(b, cpmg_server, FIRST)
    become_member(b, cpmg_server, SECOND)

    log_in(b, ADMIN_EMAIL, ADMIN_PASSWORD)
    event_path = create_event(b, TITLE, capacity="1")
    cancelled_path = create_event(b, "Cancelled consultation", status="cancelled", all_day=True)
    b.shot("event-created")
    log_out(b)

    # The first member takes the only place and sees it in their account.
    log_in(b, FIRST["email"], FIRST["password"])
    b.go(event_path)
    b.click_and_wait(b.find("#registration button.primary"))
    assert "You are registered" in b.find("#registration").text, b.describe()
    mail.wait_for(FIRST["email"], where=lambda m: "Registered" in m["Subject"])
    b.go("/account")
    assert TITLE in b.find("#my-events").text, b.describe()
    b.shot("account-events")
    log_out(b)

    # The second joins the waiting list.
    log_in(b, SECOND["email"], SECOND["password"])
    b.go(event_path)
    button = b.find("#registration button.primary")
    assert "waiting list" in button.text.lower(), b.describe()
    b.click_and_wait(button)
    assert "waiting list" in b.find("#registration").text, b.describe()
    log_out(b)

    # The first cancels; the second is promoted and emailed.
    log_in(b, FIRST["email"], FIRST["password"])
    b.go(event_path)
    b.click_and_wait(b.find("#registration form[action$='/cancel'] button"))
    b.shot("event-cancelled-registration")
    log_out(b)
    _, promoted = mail.wait_for(SECOND["email"], where=lambda m: "A place for you" in m["Subject"], timeout=20)
    assert any(part.get_filename() == "event.ics" for part in promoted.iter_attachments())
    log_in(b, SECOND["email"], SECOND["password"])
    b.go(event_path)
    assert "You are registered" in b.find("#registration").text, b.describe()
    log_out(b)

    # A real iCalendar parser reads what calendar programs would get.
    code = event_path.rsplit("/", 1)[-1]
    calendar = icalendar.Calendar.from_ical(fetch(cpmg_server, f"/events/{code}.ics"))
    (event,) = [c for c in calendar.walk("VEVENT")]
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(hours=-4), start  # Nassau in July: daylight time
    assert start.astimezone(ZoneInfo("UTC")) == dt.datetime(2030, 7, 10, 13, 0, tzinfo=ZoneInfo("UTC"))
    assert event.decoded("DTEND").astimezone(ZoneInfo("UTC")) == dt.datetime(2030, 7, 11, 20, 30, tzinfo=ZoneInfo("UTC"))
    assert [c for c in calendar.walk("VTIMEZONE")][0]["TZID"] == "America/Nassau"
    assert str(event["SUMMARY"]) == TITLE

    cancelled = icalendar.Calendar.from_ical(fetch(cpmg_server, cancelled_path.replace("/events/", "/events/", 1) + ".ics"))
    (gone,) = [c for c in cancelled.walk("VEVENT")]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert gone.decoded("DTSTART") == dt.date(2030, 7, 10) and gone.decoded("DTEND") == dt.date(2030, 7, 12)

    feed = icalendar.Calendar.from_ical(fetch(cpmg_server, "/events.ics"))
    events = {str(e["SUMMARY"]): e for e in feed.walk("VEVENT")}
    assert len(events) >= 5, list(events)
    nassau_2017 = events["Technical Workshop of the Refugee Specialized Thematic Network"]
    assert nassau_2017.decoded("DTSTART") == dt.date(2017, 12, 5) and nassau_2017.decoded("DTEND") == dt.date(2017, 12, 7)
    assert len({str(e["UID"]) for e in events.values()}) == len(events)
