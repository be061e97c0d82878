"""The package's shape, checked from its source: who may import whom.

- Renderers read content, never files: modules under `atlasmaps/render/` import, from the package,
  only `content`, `geo`, `style`, `model`, `errors`, `textnorm` and `render` itself (never `boundaries`,
  `data`, `join`, `pipeline`). The content layer is where boundaries are loaded.
- `content/` and `geo/` are format-independent: no drawing library.
- No module reaches another module's private (`_underscore`) names.
- `render/static/` keeps its files under 400 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "atlasmaps"
RENDERER_MAY_IMPORT = ("content", "geo", "style", "model", "errors", "render", "textnorm")
DRAWING_LIBRARIES = ("matplotlib", "folium", "branca", "cartopy")


def _modules(under: str = "") -> list[Path]:
    return sorted((PACKAGE / under).rglob("*.py"))


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, imported names) of every import in the file, at any depth (lazy ones too)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module, [a.name for a in node.names]))
    return out


def _package_targets(module: str, names: list[str]) -> list[str]:
    """The atlasmaps sub-packages an import reaches ("from atlasmaps import boundaries" -> boundaries)."""
    parts = module.split(".")
    if parts[0] != "atlasmaps":
        return []
    if len(parts) > 1:
        return [parts[1]]
    return names


@pytest.mark.parametrize("path", _modules("render"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_renderers_read_content_never_files(path):
    bad = [f"{path.name}:{line} imports atlasmaps.{target}"
           for line, module, names in _imports(path)
           for target in _package_targets(module, names) if target not in RENDERER_MAY_IMPORT]
    assert bad == []


@pytest.mark.parametrize("under", ["content", "geo"])
def test_content_and_geometry_do_not_draw(under):
    bad = [f"{p.relative_to(PACKAGE)}:{line} imports {module}" for p in _modules(under)
           for line, module, _ in _imports(p) if module.split(".")[0] in DRAWING_LIBRARIES]
    assert bad == []


def test_no_module_reaches_another_modules_private_names():
    bad = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                aliases.update(a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("atlasmaps"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("atlasmaps"):
                for a in node.names:
                    if a.name.startswith("_") and not a.name.startswith("__"):
                        bad.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports {node.module}.{a.name}")
                    aliases.add(a.asname or a.name)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                bad.append(f"{path.relative_to(PACKAGE)}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert bad == []


def test_print_renderer_files_stay_small():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in _modules("render/static")}
    assert sizes and max(sizes.values()) <= 400, sizes


def test_commands_read_data_through_the_pipeline_only():
    """`pipeline.load_joined` is the one read -> validate -> join entry; the join prints nothing."""
    callers = [f"{p.relative_to(PACKAGE)}" for p in [*_modules("commands"), PACKAGE / "batch.py"]
               if "join_file" in p.read_text(encoding="utf-8")]
    assert callers == []
    printers = [f"{p.relative_to(PACKAGE)}:{line}" for p in _modules("join")
                for line, module, _ in _imports(p) if module.split(".")[0] == "click"]
    assert printers == []
