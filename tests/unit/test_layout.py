"""The README's layout names every module chalicelib has, and nothing that is not there."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONTINUED = 20  # a line indented this far continues the description above it


def named_paths(readme=None):
    """Every path the layout tree names (a folder's line may list its files after a colon)."""
    text = readme if readme is not None else (ROOT / "README.md").read_text()
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    names, folders = set(), []  # folders: (indent, path) of the lines above
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        if not line.strip() or indent >= CONTINUED:
            continue
        entry, _, description = line.strip().partition("  ")
        while folders and folders[-1][0] >= indent:
            folders.pop()
        parent = folders[-1][1] if folders else ""
        for name in entry.split():
            names.add(parent + name)
        if entry.endswith("/") and " " not in entry:
            folders.append((indent, parent + entry))
            files = description.partition(":")[2]  # "Authy: vendor.py, client.py"
            names |= {parent + entry + m for m in re.findall(r"\b[\w-]+\.py\b", files)}
    return names


def chalicelib_modules():
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "chalicelib").rglob("*.py")
        if path.name != "__init__.py"
    }


def test_every_chalicelib_module_is_in_the_layout():
    missing = sorted(chalicelib_modules() - named_paths())
    assert missing == [], f"README's layout lacks {missing}"


def test_everything_the_layout_names_exists():
    gone = sorted(name for name in named_paths() if not (ROOT / name).exists())
    assert gone == [], f"README's layout names what is not there: {gone}"


def test_the_check_sees_a_module_left_out():
    readme = (ROOT / "README.md").read_text()
    assert "chalicelib/second_step/guesses.py" in named_paths(readme)
    without = readme.replace("    guesses.py ", "    ")
    assert "chalicelib/second_step/guesses.py" not in named_paths(without)
