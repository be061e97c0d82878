"""YAML that cannot hang or exhaust atlasmaps: size, nesting depth and alias expansion are bounded.

Style sheets, `--columns` maps and batch manifests are small hand-written files (the default style
is ~20 KB). PyYAML's safe loader is safe from code execution, not from a 1 KB "billion laughs" file
whose aliases expand to 10^9 nodes when later walked, nor from deep nesting (RecursionError).
Errors are one line naming the file, and never quote its content.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from atlasmaps.errors import UnusableInputError

MAX_BYTES = 1024 * 1024  # 1 MB: fifty times the default style
MAX_DEPTH = 50  # the style nests 5 levels
MAX_NODES = 200_000  # nodes after alias expansion; the default style has ~3,000


class YamlLimitError(UnusableInputError):
    """A YAML file beyond the limits, or invalid: the message says which and where, on one line."""


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses excessive depth while building the node graph."""

    def __init__(self, stream: str, name: str) -> None:
        super().__init__(stream)
        self._name = name
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401 - PyYAML's signature
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlLimitError(
                    f"{self._name}: YAML nested deeper than {MAX_DEPTH} levels at line {mark.line + 1}"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_size(root: yaml.Node, name: str) -> int:
    """Nodes the document has once every alias is expanded (computed without expanding them)."""
    sizes: dict[int, int] = {}
    # Iterative post-order walk: the graph is a DAG (PyYAML refuses recursive aliases in safe mode only
    # at construction, so a node on the current path counts once, which is enough to stop a bomb).
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if not children_done:
            on_path.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes and id(c) not in on_path)
            continue
        on_path.discard(key)
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        if total > MAX_NODES:
            raise YamlLimitError(
                f"{name}: YAML expands to more than {MAX_NODES:,} values (aliases repeated too often?)"
            )
        sizes[key] = total
    return sizes.get(id(root), 0)


def problem_line(exc: yaml.YAMLError) -> str:
    """A YAML syntax error as "at line L, column C: problem", without PyYAML's quoted snippet."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "invalid YAML"
    at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"invalid YAML{at}: {problem}"


def load_text(text: str, name: str) -> Any:
    """Parse YAML text within the limits; `name` is how errors name the file."""
    if len(text.encode("utf-8", "surrogateescape")) > MAX_BYTES:
        raise YamlLimitError(f"{name}: YAML file larger than {MAX_BYTES // 1024 ** 2} MB")
    loader = _LimitedLoader(text, name)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node, name)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise YamlLimitError(f"{name}: {problem_line(exc)}") from None
    except RecursionError:
        raise YamlLimitError(f"{name}: YAML nested too deeply") from None
    finally:
        loader.dispose()


def load_file(path: str | os.PathLike[str], what: str = "file") -> Any:
    """Read and parse a YAML file within the limits (size checked before reading)."""
    path = Path(path)
    name = os.fsdecode(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlLimitError(f"{name}: {what} larger than {MAX_BYTES // 1024 ** 2} MB ({size / 1024 ** 2:.0f} MB)")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlLimitError(f"{name}: cannot read the {what} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise YamlLimitError(f"{name}: the {what} is not UTF-8 text") from None
    return load_text(text, name)
