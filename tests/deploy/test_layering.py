"""The arrows point one way: deploy and devstack may use chalicelib, never each other."""

import ast
import pathlib

import pytest

from deploy.project import ROOT


def _imports(package):
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield path, node.module
            elif isinstance(node, ast.Import):
                yield from ((path, alias.name) for alias in node.names)


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("deploy", ("devstack", "tests")),
        ("devstack", ("deploy", "tests")),
        ("chalicelib", ("deploy", "devstack", "tests", "chalice.local")),
    ],
)
def test_no_package_imports_what_it_must_not(package, forbidden):
    wrong = [
        f"{pathlib.Path(path).relative_to(ROOT)} imports {module}"
        for path, module in _imports(package)
        if module.split(".")[0] in forbidden or module in forbidden
    ]
    assert wrong == []
