"""A member uploads a CSV with two bad rows and is told where they are, fixes them and imports;
an editor publishes; a visitor charts Jamaica against Trinidad and Tobago and downloads exactly
that selection, read back with Python's csv module. Screenshots: artifacts/browser/NN-step.png.
"""

import csv
import io
import urllib.request

from selenium.webdriver.support.ui import Select

from conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from test_membership_journey import log_in, log_out
from test_repository_journey import become_member

ANALYST = {
    "name": "Keisha Thomas", "email": "keisha.thomas@example.gov.tt", "password": "chaguaramas-bay-statistics-26",
    "organisation": "Central Statistical Office", "organisation_type": "government", "country": "tt",
    "position": "Statistician", "motivation": "To share our migration tables.",
}
BAD = "indicator,area,period,value\n" \
      "SM.POP.NETM,JM,1956,-2100\n" \
      "SM.POP.NETM,XX,1956,40\n" \
      "SM.POP.NETM,TT,1956,4o0\n"
GOOD = "indicator,area,period,value\n" \
       "SM.POP.NETM,JM,1956,-2100\n" \
       "SM.POP.NETM,TT,1956,400\n"


def upload(b, path, action):
    form = b.find("form#dataset-form")
    b.find('input[name="file"]', within=form).send_keys(str(path))
    b.click_and_wait(b.find(f'button[name="action"][value="{action}"]', within=form))


def test_statistics_journey(browser, cpmg_server, tmp_path):
    b = browser
    become_member(b, cpmg_server, ANALYST)
    log_in(b, ANALYST["email"], ANALYST["password"])
    b.go("/statistics/datasets/new")
    form = b.find("form#dataset-form")
    b.fill(form, "title", "Net migration estimates 1956")
    b.fill(form, "source", "Central Statistical Office of Trinidad and Tobago")
    b.fill(form, "licence", "CC BY 4.0")
    # Who can see it has no default: the contributor chooses.
    Select(b.find('select[name="visibility"]', within=form)).select_by_value("public")
    bad = tmp_path / "net-migration.csv"
    bad.write_text(BAD)
    upload(b, bad, "preview")
    problems = b.find(".import-preview table.problems").text
    assert "2 problems" in b.find(".import-preview").text, b.describe()
    assert "3 area" in problems and "4 value" in problems, problems
    b.shot("statistics-problems")

    good = tmp_path / "net-migration-fixed.csv"
    good.write_text(GOOD)
    upload(b, good, "preview")
    assert "No problems" in b.find(".import-preview").text, b.describe()
    form = b.find("form#dataset-form")
    b.click_and_wait(b.find('button[name="action"][value="import"]', within=form))
    assert b.path().startswith("/statistics/datasets/"), b.describe()
    dataset_path = b.path()
    log_out(b)

    log_in(b, ADMIN_EMAIL, ADMIN_PASSWORD)
    b.go(dataset_path)
    b.click_and_wait(b.find("#versions form button.primary"))
    assert "published" in b.body_text().lower(), b.describe()
    log_out(b)

    # A visitor charts Jamaica against Trinidad and Tobago.
    b.go("/statistics/indicators/SM.POP.NETM")
    picker = b.find("form.stat-picker")
    b.find("details.area-choice summary", within=picker).click()
    for box in picker.find_elements("css selector", 'input[name="c"]'):
        if box.is_selected() != (box.get_attribute("value") in ("jm", "tt")):
            box.click()
    Select(b.find('select[name="from"]', within=picker)).select_by_value("1956")
    Select(b.find('select[name="to"]', within=picker)).select_by_value("1960")
    b.click_and_wait(b.find("button.primary", within=picker))
    url = b.driver.current_url
    assert "c=jm" in url and "c=tt" in url and "from=1956" in url, url
    svg = b.find("svg.chart")
    assert svg.find_elements("css selector", '[data-x="1956"][data-y="-2100"]'), "Jamaica 1956 not charted"
    b.shot("statistics-chart")
    link = b.find(".downloads a[href*='format=csv']").get_attribute("href")
    assert "all=1" not in link
    with urllib.request.urlopen(link, timeout=30) as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8"))))
    assert {r["area"] for r in rows} == {"JM", "TT"}, rows[:3]
    assert all(1956 <= int(r["year"]) <= 1960 for r in rows)
    jm = [r for r in rows if r["area"] == "JM" and r["year"] == "1956"]
    assert jm and jm[0]["value"] == "-2100" and jm[0]["dataset"].startswith("net-migration-estimates-1956")
