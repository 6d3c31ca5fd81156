"""Validation errors of imported block values, said in the file's terms (line, block kind,
field)."""

from typing import TYPE_CHECKING

from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.typed_table_block.blocks import TypedTableBlockValidationError

from .document import BlockSpec

if TYPE_CHECKING:
    pass


def _flatten_errors(error, path=()):
    """(path, message) for every message in a nested block validation error."""
    if isinstance(
        error, (StreamBlockValidationError, StructBlockValidationError, ListBlockValidationError)
    ):
        for item in error.non_block_errors.as_data():
            for message in item.messages:
                yield path, message
        for key, sub in error.block_errors.items():
            yield from _flatten_errors(sub, (*path, key))
    elif isinstance(error, TypedTableBlockValidationError):
        for row, columns in (error.cell_errors or {}).items():
            for column, sub in columns.items():
                yield from _flatten_errors(sub, (*path, "cell", row, column))
        for item in error.non_block_errors.as_data():
            for message in item.messages:
                yield path, message
    else:
        for message in error.messages:
            yield path, message


def _describe(specs: list[BlockSpec], path: tuple, message: str) -> tuple[int | None, str]:
    """(line, message) for a block validation error at ``path`` (block index first)."""
    if not path:
        return None, message
    spec = specs[path[0]]
    rest = path[1:]
    line = spec.line
    label = _BLOCK_LABELS.get(spec.type, spec.type)
    where = ""
    if spec.type == "checklist" and len(rest) >= 2 and rest[0] == "items":
        index = rest[1]
        if isinstance(index, int) and index < len(spec.item_lines):
            line = spec.item_lines[index]
        where = " item"
    elif spec.type == "table" and rest[:1] == ("cell",):
        row, column = rest[1], rest[2]
        if row < len(spec.item_lines):
            line = spec.item_lines[row]
        heading = spec.value["columns"][column]["heading"]
        where = f" row {row + 1}, column “{heading}”"
        if message == "This field is required.":
            message = "This cell is empty; write something (e.g. –) or remove the row."
    elif spec.type == "image":
        where = f" {spec.value['image'].src}"
        if rest[-1:] == ("alt_text",):
            where += " alt text"
    elif rest:
        where = f" {str(rest[-1]).replace('_', ' ')}"
    return line, f"{label}{where}: {message}"


_BLOCK_LABELS = {
    "heading": "Heading",
    "paragraph": "Paragraph",
    "quote": "Quote",
    "code": "Code block",
    "checklist": "Checklist",
    "image": "Image",
    "table": "Table",
    "video": "Video",
}
