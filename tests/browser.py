"""Headless Chromium (Debian's package) driven by Selenium, and axe-core from a pinned package."""

import shutil
import tempfile
from importlib import resources
from pathlib import Path

from tests.conftest import service_unavailable

#: WCAG 2.0/2.1/2.2 A and AA, plus axe-core's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
]


def axe_source() -> str:
    """axe.min.js as shipped inside the axe-selenium-python wheel (pinned in the lockfile)."""
    package = resources.files("axe_selenium_python")
    return (package / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def start_chromium():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        service_unavailable(
            "headless Chromium is not installed (apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = Path(tempfile.mkdtemp(prefix="confnotes-chromium-"))
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(service=Service(driver_path), options=options)


def run_axe(driver, source: str) -> list[dict]:
    """Run axe-core on the current page; returns its violations."""
    driver.execute_script(source)
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
           .then(r => done({violations: r.violations}))
           .catch(e => done({error: String(e)}));
        """,
        AXE_TAGS,
    )
    if "error" in result:
        raise RuntimeError(f"axe-core failed: {result['error']}")
    return result["violations"]


def describe(url: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{url}: [{violation['id']}] {violation['help']} ({violation['impact']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)
