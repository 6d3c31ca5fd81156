"""The layout stays readable: no first-party module over 700 lines (migrations aside; tests
and benchmarks are not first-party modules of the site)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 700


def test_no_first_party_module_over_700_lines():
    too_long = {
        str(path.relative_to(ROOT)): count
        for package in ("site_core", "pages", "snippets")
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, "split these by responsibility (see README, Layout)"
