#!/usr/bin/python3
"""Drives hfd's chat page in headless Chromium (Debian's chromium, chromium-driver and
python3-selenium); run by chat_page_test.cc, which starts the daemon and checks its
metrics afterwards.

On a TCP listener with API keys the page first shows the daemon's 401 message, then lists
the models once the key is typed. It answers a short prompt sent with the keyboard
(tokens/s shown, the model in the ps view), streams a long answer (the text grows in
several updates over time) and stops it with the Stop button. Prints one JSON line of
what it saw; exits non-zero with the reason when something is not as expected.
"""

import argparse
import json
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

# Records each change of the last answer's text: [milliseconds since the page loaded,
# length of the text].
WATCH_ANSWER = """
window.answerUpdates = [];
new MutationObserver(() => {
  const texts = document.querySelectorAll('#log .message.assistant .text');
  if (texts.length) {
    window.answerUpdates.push([performance.now(), texts[texts.length - 1].textContent.length]);
  }
}).observe(document.getElementById('log'), {childList: true, subtree: true, characterData: true});
"""


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)


def start_browser(chromium, chromedriver, profile):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--window-size=1200,900", "--user-data-dir=" + profile):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


def wait(driver, seconds, condition, what):
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.05).until(lambda d: condition())
    except Exception as e:
        raise Failed("timed out waiting for " + what + ": " + repr(e)) from None


def text_of(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def run(driver, args, seen):
    driver.get(args.url)
    wait(driver, 20, lambda: "API key" in text_of(driver, "error"),
         "the page to say that a key is needed")
    seen["before_key"] = text_of(driver, "error")

    key = driver.find_element(By.ID, "key")
    key.send_keys(args.key, Keys.TAB)  # leaving the field stores it and lists the models
    select = Select(driver.find_element(By.ID, "model"))
    wait(driver, 20, lambda: any(o.get_attribute("value") == args.model for o in select.options),
         "the model list")
    check(text_of(driver, "error") == "", "an error after the key: " + text_of(driver, "error"))
    stored = driver.execute_script("return sessionStorage.getItem('hfd.apiKey')")
    check(stored == args.key, "the key is not in sessionStorage: %r" % stored)
    select.select_by_value(args.model)
    driver.find_element(By.ID, "temperature").send_keys("0")

    # A short answer, sent with Enter from the message field.
    driver.find_element(By.ID, "max-tokens").send_keys("8")
    driver.find_element(By.ID, "prompt").send_keys("Tell me about the sea.", Keys.ENTER)
    wait(driver, 60, lambda: "tokens/s" in text_of(driver, "stats") or text_of(driver, "error"),
         "the first answer")
    check(text_of(driver, "error") == "", "the first answer failed: " + text_of(driver, "error"))
    seen["stats"] = text_of(driver, "stats")
    check(seen["stats"].startswith("8 tokens in "), "stats: " + seen["stats"])
    answers = driver.find_elements(By.CSS_SELECTOR, "#log .message.assistant .text")
    check(len(answers) == 1 and answers[0].text, "no first answer in the log")
    seen["first_answer"] = answers[0].text
    wait(driver, 20, lambda: args.model in text_of(driver, "ps"), "the model in the ps view")

    # A long answer (no token limit), watched as it streams, then stopped.
    driver.execute_script(WATCH_ANSWER)
    driver.find_element(By.ID, "max-tokens").clear()
    driver.find_element(By.ID, "prompt").send_keys("Go on.")
    driver.find_element(By.ID, "send").click()

    def grown():
        updates = driver.execute_script("return window.answerUpdates")
        lengths = sorted({length for _, length in updates if length > 0})
        return len(lengths) >= 5
    wait(driver, 60, grown, "the long answer to stream")
    stop = driver.find_element(By.ID, "stop")
    check(stop.is_enabled(), "Stop is disabled while answering")
    stop.click()
    try:
        wait(driver, 20, lambda: text_of(driver, "stats").startswith("Stopped"),
             "the page to say it stopped")
    except Failed as e:
        # What the page showed instead tells a missed click from a page that fell behind.
        updates = driver.execute_script("return window.answerUpdates.length")
        raise Failed("%s; stats %r, Stop enabled: %s, %d updates" %
                     (e, text_of(driver, "stats"), stop.is_enabled(), updates)) from None
    check(text_of(driver, "error") == "", "an error after stopping: " + text_of(driver, "error"))
    check(not stop.is_enabled() and driver.find_element(By.ID, "send").is_enabled(),
          "Send and Stop did not swap back after stopping")
    stopped_at = driver.execute_script("return window.answerUpdates.length")
    time.sleep(0.5)
    updates = driver.execute_script("return window.answerUpdates")
    check(len(updates) == stopped_at, "the answer kept growing after Stop")
    streamed = [u for u in updates if u[1] > 0]
    seen["updates"] = len(streamed)
    seen["stream_ms"] = round(streamed[-1][0] - streamed[0][0], 1)
    check(seen["stream_ms"] > 0, "every update came at once: not streamed")
    seen["stopped_stats"] = text_of(driver, "stats")

    # Our own files load under the page's Content-Security-Policy: no violation, no error.
    problems = [entry["message"] for entry in driver.get_log("browser")
                if entry["level"] == "SEVERE" and "401" not in entry["message"]]
    check(not problems, "browser errors: " + "; ".join(problems))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the chat page, http://127.0.0.1:PORT/")
    parser.add_argument("--model", required=True, help="a resident model to chat with")
    parser.add_argument("--key", required=True, help="an API key of level use")
    parser.add_argument("--screenshot", required=True, help="PNG file to write at the end")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    seen = {}
    with tempfile.TemporaryDirectory(prefix="hfd-chromium-") as profile:
        driver = start_browser(args.chromium, args.chromedriver, profile)
        try:
            run(driver, args, seen)
        except Failed as e:
            seen["failure"] = str(e)
        finally:
            driver.save_screenshot(args.screenshot)
            driver.quit()
    print(json.dumps(seen))
    return 1 if "failure" in seen else 0


if __name__ == "__main__":
    sys.exit(main())
