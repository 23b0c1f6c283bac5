"""Drives the dashboard in headless Chromium (selenium with Debian's chromium and chromedriver).

Usage: dashboard.py BASE_URL TOKEN SCREENSHOT.png
Signs in with the token, waits for the demo campaigns, creates a campaign through the form, waits
for its row and a rendered chart, fails on any console error, and saves a screenshot.
"""
import json
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait


def campaigns_text(driver):
    """The campaign table's text, read in one step (the table is re-rendered on every refresh)."""
    return driver.execute_script("return document.querySelector('#campaigns tbody').innerText")


def main(base, token, screenshot):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1800"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
        driver.get(base + "/")
        driver.find_element(By.ID, "token").send_keys(token)
        driver.find_element(By.CSS_SELECTOR, "#login-form button").click()

        # Demo campaigns appear with their budget status.
        wait.until(lambda d: "Demo EVEN" in campaigns_text(d))
        assert driver.execute_script("return typeof Chart") == "function", "Chart.js did not load"

        # A name with markup proves user text is escaped.
        name = "E2E <b>campaign</b> " + str(int(time.time()))
        form = driver.find_element(By.ID, "campaign-form")
        form.find_element(By.NAME, "name").send_keys(name)
        form.find_element(By.NAME, "daily_budget_cents").send_keys("12345.5")
        Select(form.find_element(By.NAME, "pacing")).select_by_visible_text("FRONT_LOADED")
        driver.find_element(By.ID, "campaign-submit").click()

        wait.until(lambda d: name in campaigns_text(d))
        assert not driver.find_elements(By.CSS_SELECTOR, "#campaigns tbody b"), "campaign name was rendered as HTML"
        wait.until(lambda d: d.find_element(By.ID, "detail-name").text == name)
        wait.until(lambda d: d.execute_script(
            "const c = Chart.getChart(document.getElementById('spend-chart'));"
            "return !!c && c.data.datasets.length === 2 && c.data.datasets[1].data.length === 24;"))
        # A demo campaign's chart shows spend from the seeded day.
        driver.execute_script(
            "const row = [...document.querySelectorAll('#campaigns tbody tr')].find(r => r.innerText.includes('Demo EVEN'));"
            "row.querySelector('button').click();")
        wait.until(lambda d: d.find_element(By.ID, "detail-name").text.startswith("Demo EVEN"))
        wait.until(lambda d: d.execute_script(
            "const c = Chart.getChart(document.getElementById('spend-chart'));"
            "return !!c && c.data.datasets[0].data.some(v => v > 0);"))
        assert driver.find_element(By.ID, "message").get_attribute("class") != "error", driver.find_element(By.ID, "message").text
        driver.save_screenshot(screenshot)

        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert not errors, "console errors: %r" % errors

        # Two editors: the form holds version N, someone else saves N+1 meanwhile; saving the
        # form must be refused (409) and say so, not overwrite silently.
        campaign = driver.execute_script("return state.campaigns.find(c => c.name === arguments[0])", name)
        driver.execute_script(
            "const row = [...document.querySelectorAll('#campaigns tbody tr')].find(r => r.dataset.id === arguments[0]);"
            "row.querySelectorAll('button')[1].click();", campaign["id"])
        wait.until(lambda d: d.find_element(By.ID, "form-title").text == "Edit campaign")
        other = json.dumps({"name": campaign["name"], "daily_budget_cents": 999, "pacing": campaign["pacing"]}).encode()
        request = urllib.request.Request(base + "/v1/campaigns/" + campaign["id"], data=other, method="PUT", headers={
            "Authorization": "Bearer " + token, "Content-Type": "application/json", "If-Match": '"%d"' % campaign["version"]})
        assert urllib.request.urlopen(request).status == 200
        budget = driver.find_element(By.CSS_SELECTOR, "#campaign-form [name=daily_budget_cents]")
        budget.clear()
        budget.send_keys("500")
        driver.find_element(By.ID, "campaign-submit").click()
        wait.until(lambda d: "Someone else changed" in d.find_element(By.ID, "message").text)
        unexpected = [entry for entry in driver.get_log("browser")
                      if entry["level"] == "SEVERE" and " 409 " not in entry["message"] + " "]
        assert not unexpected, "console errors: %r" % unexpected
        print("dashboard: campaign created, row and chart rendered, stale edit refused, no console errors; screenshot %s" % screenshot)
    finally:
        driver.quit()


if __name__ == "__main__":
    main(*sys.argv[1:4])
