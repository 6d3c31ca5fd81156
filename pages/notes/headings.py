"""Heading levels of an imported body made valid (first h2, one level deeper at a time),
with warnings: the rule the editor enforces (``pages.accessibility.rules.heading_problems``)."""

from pages.accessibility.rules import heading_problems

from .diagnostics import Diagnostics
from .document import BlockSpec


def close_up_headings(body: list[BlockSpec], levels: dict, diagnostics: Diagnostics) -> None:
    """Make a body's heading levels valid (first h2, one level deeper at a time), with warnings.

    Uses the rule of ``pages.accessibility.heading_problems``, which the editor enforces.
    """
    headings = [block for block in body if block.type == "heading"]
    current = [int(block.value["level"][1]) for block in headings]
    for _ in range(len(headings) + 1):
        problems = [
            (index, rule)
            for index, rule, _message in heading_problems([(level, "x") for level in current])
            if rule in ("heading-first-level", "heading-skipped-level")
        ]
        if not problems:
            return
        index, rule = problems[0]
        new_level = 2 if index == 0 else current[index - 1] + 1
        block = headings[index]
        hashes = "#" * levels.get(id(block), current[index] + 2)
        reason = (
            "the first heading of a page must be level 2 (####)"
            if rule == "heading-first-level"
            else f"it follows a level {current[index - 1]} heading and levels cannot be skipped"
        )
        diagnostics.warn(
            block.line,
            f"Heading “{block.value['text']}” ({hashes}) is imported as level {new_level}: "
            f"{reason} [{rule}].",
        )
        current[index] = new_level
        block.value["level"] = f"h{new_level}"
