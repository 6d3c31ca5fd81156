"""pytest collects module-level and class-level ``test_`` functions only: one defined inside
another function (a slip of indentation) is silently never run."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def nested_tests(source: str) -> list[str]:
    """``name (line N)`` of every ``test_`` function defined inside another function."""
    found = []

    def visit(node: ast.AST, inside_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            is_function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if is_function and inside_function and child.name.startswith("test_"):
                found.append(f"{child.name} (line {child.lineno})")
            visit(child, inside_function or is_function)

    visit(ast.parse(source), inside_function=False)
    return found


def test_the_check_finds_a_nested_test():
    source = "class TestA:\n    def test_a(self):\n        pass\n\n        def test_b(self):\n            pass\n"
    assert nested_tests(source) == ["test_b (line 5)"]
    assert nested_tests("def test_a():\n    def helper():\n        pass\n") == []


def test_no_test_function_is_nested_in_another_function():
    problems = {
        str(path.relative_to(TESTS)): found
        for path in sorted(TESTS.rglob("*.py"))
        if (found := nested_tests(path.read_text(encoding="utf-8")))
    }
    assert problems == {}, f"pytest never runs these nested tests: {problems}"
