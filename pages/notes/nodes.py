"""Helpers over the Markdown syntax tree (markdown-it nodes) for ``body``: walking, list
splitting, task marks, attribute lines, day numbers."""

import re


class _BreakNode:
    """A stand-in soft break between lines that remain after the Speakers line."""

    type = "softbreak"
    content = "\n"
    children: list = []
    attrs: dict = {}


class _ListNode:
    """A list node holding some of another list's items (a run of non-task items)."""

    def __init__(self, kind: str, children: list):
        self.type = kind
        self.children = children


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(getattr(node, "children", []) or [])


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    return raw


def _unescape_attr(value) -> str:
    return re.sub(r"\\(.)", r"\1", str(value))


def page_attribute_lines(root, lines: list[str]) -> dict[int, tuple[int, str]]:
    """Day or talk heading line -> (line, text) of the ``{…}`` attribute line right under it."""
    found = {}
    for node in root.children:
        if node.type == "heading" and node.tag in ("h2", "h3") and node.map:
            end = node.map[1]
            match = _ATTRIBUTE_LINE_RE.match(lines[end]) if end < len(lines) else None
            if match:
                found[node.map[0] + 1] = (end + 1, match.group(1))
    return found


def _day_number(title: str, position: int) -> int:
    match = _DAY_NUMBER_RE.match(title)
    return int(match.group(1)) if match else position


def _task_mark(item) -> str | None:
    if not item.children or item.children[0].type != "paragraph":
        return None
    inline = item.children[0].children[0].children
    if not inline or inline[0].type != "text":
        return None
    match = _TASK_RE.match(inline[0].content)
    if not match and inline[0].content in ("[ ]", "[x]", "[X]"):
        return inline[0].content[1]
    return match.group(1) if match else None


def _checklist_entries(item, nested: bool = False):
    """(list item, came from a nested list) for a task item and every item nested in it."""
    yield item, nested
    for child in item.children:
        if child.type in ("bullet_list", "ordered_list"):
            for sub in child.children:
                yield from _checklist_entries(sub, True)


_ATTRIBUTE_LINE_RE = re.compile(r"^ {0,3}\{(.*)\}\s*$")

_DAY_NUMBER_RE = re.compile(r"^\s*day\s+(\d+)\b", re.IGNORECASE)

_TASK_RE = re.compile(r"^\[([ xX])\](?:\s+|$)")
