"""The playground in a real browser (headless Chromium, driven by Selenium): what a person does
on the page reaches the app as Slack's signed requests, and what the app sends back shows up
as Slack would show it. Each test takes a screenshot: into INFLOW_SCREENSHOTS when set
(`INFLOW_SCREENSHOTS=docs` refreshes the README's), else into the test's temporary directory."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import make_server

import pytest
from sqlalchemy import select

from bot.jobs.background import Background
from bot.models import MistakeMoment
from bot.playground.team import seed_links, seed_users
from bot.server import build_wsgi
from tests.conftest import _Quiet, _Threaded
from tests.slack_spec import problems_with

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException, WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ANA, BEN = "U0ANA", "U0BEN"

pytestmark = pytest.mark.skipif(
    not Path(CHROMEDRIVER).exists(), reason="needs chromium and chromium-driver (see .ci/run)"
)


@pytest.fixture
def playground(settings, emulator, clock) -> Iterator[tuple[str, object]]:
    """inflow with its playground at / against the emulator, seeded with Ana's team."""
    seed_users(emulator)
    background = Background()
    wsgi = build_wsgi(settings, clock=clock, background=background, playground=emulator.base_url)
    seed_links(wsgi.sessions)
    server = make_server("127.0.0.1", 0, wsgi, _Threaded, _Quiet)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", wsgi
    finally:
        background.shutdown()
        server.shutdown()
        server.server_close()
        wsgi.workspaces.close()
        wsgi.engine.dispose()
    assert problems_with(emulator.calls) == [], "the app called Slack outside its published API"
    assert background.failures == []


@pytest.fixture
def browser() -> Iterator:
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1400,900")
    chromium = shutil.which("chromium")
    if chromium:
        options.binary_location = chromium
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def wait(browser, css: str, text: str = "", timeout: float = 10):
    """The first element `css` that shows `text`, once there is one (the page re-renders when
    the app acts: an element found a moment ago may be gone, which Chromium reports either as a
    stale element or as an inspector error, so any WebDriver error here means "look again")."""

    def found(driver):
        try:
            elements = driver.find_elements(By.CSS_SELECTOR, css)
            return next((e for e in elements if text in e.text), None)
        except WebDriverException:
            return None

    try:
        return WebDriverWait(browser, timeout).until(found)
    except TimeoutException:
        page = browser.find_element(By.TAG_NAME, "main").text
        raise AssertionError(f"no {css} showing {text!r} on the page:\n{page}") from None


def say(browser, text: str) -> None:
    box = wait(browser, "#text")
    box.send_keys(text)
    browser.find_element(By.ID, "send").click()


@pytest.fixture
def screenshot(tmp_path):
    where = Path(os.environ.get("INFLOW_SCREENSHOTS") or tmp_path)

    def take(browser, name: str) -> None:
        where.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(where / f"playground-{name}.png"))

    return take


def test_learn_then_share_in_channel_and_react(playground, browser, emulator, screenshot):
    url, _ = playground
    browser.get(f"{url}/?as={BEN}&place=general")
    assert "Ben, who reports to Ana" in browser.find_element(By.ID, "person").text

    say(browser, "/learn <b>giving</b>")
    refused = wait(browser, ".message.from-app.ephemeral", "I don't have a guide")
    assert "<b>giving</b>" in refused.text  # what Ben typed, shown as typed, never as markup
    say(browser, "/learn giving feedback")

    answer = wait(browser, ".message.from-app.ephemeral", "Situation")
    assert "Only visible to you" in answer.text
    answer.find_element(By.XPATH, ".//button[contains(., 'Share in channel')]").click()

    shared = wait(browser, ".message.from-app:not(.ephemeral) .body", "Shared by")
    assert "Ben" in shared.text
    message = shared.find_element(By.XPATH, "./..")
    Select(message.find_element(By.NAME, "reaction")).select_by_value("tada")
    message.find_element(By.CSS_SELECTOR, "button.react").click()

    wait(browser, ".reaction", "🎉 1")
    [posted] = emulator.calls_to("chat.postMessage")  # the share, in the channel
    assert posted.args["channel"] == "C0GENERAL"
    calls = browser.find_element(By.ID, "calls").text  # every Web API call, listed
    assert "chat.postMessage" in calls
    screenshot(browser, "learn")


def test_mistake_moment_shortcut_through_its_modal_to_the_colleagues_dm(
    playground, browser, emulator, screenshot
):
    url, wsgi = playground
    browser.get(f"{url}/?as={BEN}&place=general")
    wait(browser, "#shortcuts summary").click()
    browser.find_element(By.XPATH, "//button[contains(., 'Mistake moment')]").click()

    modal = wait(browser, "dialog#modal")
    modal.find_element(By.CSS_SELECTOR, "textarea").send_keys("I shipped the wrong <price> file")
    for radio in modal.find_elements(By.CSS_SELECTOR, ".choices label:first-child input"):
        radio.click()
    colleague = "select[name*='users_select']"
    Select(modal.find_element(By.CSS_SELECTOR, colleague)).select_by_value(BEN)  # himself
    modal.find_element(By.CSS_SELECTOR, "#modal-submit").click()

    error = wait(browser, "dialog#modal .error", "other than you")  # response_action: errors
    field = error.find_element(By.XPATH, "./..")
    assert field.find_elements(By.CSS_SELECTOR, colleague)  # beside the field it is about
    modal = wait(browser, "dialog#modal")
    Select(modal.find_element(By.CSS_SELECTOR, colleague)).select_by_value("U0CHEN")
    screenshot(browser, "mistake-moment")
    modal.find_element(By.CSS_SELECTOR, "#modal-submit").click()
    WebDriverWait(browser, 10).until(
        lambda b: (
            not b.find_elements(By.CSS_SELECTOR, "dialog#modal .error")
            and not b.find_elements(By.CSS_SELECTOR, "dialog#modal")
        )
    )

    with wsgi.sessions() as session:
        [moment] = session.scalars(select(MistakeMoment))
    assert (moment.author_id, moment.colleague_id) == (BEN, "U0CHEN")

    browser.get(f"{url}/?as=U0CHEN&place=dm")
    ask = wait(browser, "#messages", "mistake moment")
    assert "I shipped the wrong <price> file" in ask.text
    screenshot(browser, "colleague-dm")


def test_the_home_tab_renders_and_its_controls_work(playground, browser, emulator, screenshot):
    url, _ = playground
    browser.get(f"{url}/?as={ANA}&place=general")
    browser.find_element(By.ID, "open-home").click()

    home = wait(browser, "#home", "Your nudges")
    published = len(emulator.calls_to("views.publish"))
    Select(home.find_element(By.CSS_SELECTOR, "select.static_select")).select_by_visible_text(
        "07:30"
    )  # the time of day nudges come: block_actions, and the Home tab is published again
    WebDriverWait(browser, 10).until(lambda b: len(emulator.calls_to("views.publish")) > published)
    wait(browser, "#home select.static_select option[selected]", "07:30")
    screenshot(browser, "home")


def test_the_clock_delivers_a_coaching_nudge_to_the_managers_dm(playground, browser, screenshot):
    url, _ = playground
    browser.get(f"{url}/?as={ANA}&place=dm")
    # Monday 09:31: the week's coaching question is planned, for Tuesday 09:30 (Monday's passed)
    for moment in ("2026-11-23T09:31", "2026-11-24T09:31"):
        wait(browser, "#clock input[name=now]")
        browser.execute_script(  # in one step: the page may re-render between two
            "const clock = document.querySelector('#clock');"
            "clock.querySelector('input[name=now]').value = arguments[0];"
            "clock.querySelector('button').click();",
            moment,
        )
        wait(browser, ".notice", "planned")

    nudge = wait(browser, "#messages", "Ben")
    assert "coach" in nudge.text.lower()
    screenshot(browser, "clock")
