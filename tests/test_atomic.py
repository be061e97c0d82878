"""Atomic writes: a crash at any point leaves every target as it was, and no temporary file behind.

The crash is simulated where it hurts: after the new content is written, before the rename
(`os.replace` raises). A direct write to the target would change it before that point, so these
tests tell an atomic write from a plain one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from atlasmaps import atomic


class Crash(RuntimeError):
    pass


def _crash(*args: object, **kwargs: object) -> None:
    raise Crash("killed between write and rename")


def _listing(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("write", [
    lambda t: atomic.write_bytes_atomic(t, b"new content, complete"),
    lambda t: atomic.write_text_atomic(t, "nouveau contenu, complet"),
    lambda t: atomic.write_atomic(t, lambda p: p.write_bytes(b"new")),
])
def test_crash_before_rename_leaves_the_target_unchanged(tmp_path: Path, monkeypatch, write) -> None:
    target = tmp_path / "carte.svg"
    target.write_bytes(b"old map")
    monkeypatch.setattr(os, "replace", _crash)
    monkeypatch.setattr(os, "rename", _crash)
    with pytest.raises(Crash):
        write(target)
    monkeypatch.undo()
    assert _listing(tmp_path) == {"carte.svg": b"old map"}  # unchanged, and no temporary file left


def test_crash_while_writing_leaves_the_target_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "carte.png"
    target.write_bytes(b"old map")

    def half(p: Path) -> None:
        p.write_bytes(b"half a ma")
        raise Crash("disk full")

    with pytest.raises(Crash):
        atomic.write_atomic(target, half)
    assert _listing(tmp_path) == {"carte.png": b"old map"}


def test_new_content_arrives_whole_through_a_hidden_temporary_file(tmp_path: Path) -> None:
    """The temporary file is `.<name>.*.part` beside the target (batch's cleanup looks for that name)."""
    target = tmp_path / "sub" / "dir" / "monde.pdf"  # missing directories are created
    seen: list[Path] = []

    def write(p: Path) -> None:
        seen.append(p)
        assert not target.exists()  # nothing at the target while writing
        p.write_bytes(b"%PDF complete")

    assert atomic.write_atomic(target, write) == target
    assert target.read_bytes() == b"%PDF complete"
    (tmp,) = seen
    assert tmp.parent == target.parent
    assert tmp.name.startswith(".monde.pdf.") and tmp.name.endswith(".part")
    assert _listing(target.parent) == {"monde.pdf": b"%PDF complete"}


def test_text_is_written_as_utf8(tmp_path: Path) -> None:
    target = tmp_path / "index.html"
    assert atomic.write_text_atomic(target, "Yélimané – Kōbe") == target
    assert target.read_bytes() == "Yélimané – Kōbe".encode("utf-8")
    assert atomic.write_bytes_atomic(target, b"\x00\xff") == target and target.read_bytes() == b"\x00\xff"


def test_map_files_unchanged_when_the_pipeline_crashes_before_rename(tmp_path: Path, monkeypatch) -> None:
    """Through the pipeline: the previous maps are all still there, byte for byte."""
    from atlasmaps import pipeline
    from atlasmaps.model import MapKind, RenderedMap, RenderOptions

    options = RenderOptions(MapKind.BILATERAL, partner="JP", formats=("svg", "png"))
    paths = pipeline.output_paths(tmp_path, options)
    for fmt, path in paths.items():
        path.write_bytes(f"old {fmt}".encode())
    before = _listing(tmp_path)
    rendered = RenderedMap(files={"svg": b"<svg>new</svg>", "png": b"\x89PNG new"})
    monkeypatch.setattr(os, "replace", _crash)
    monkeypatch.setattr(os, "rename", _crash)
    with pytest.raises(Crash):
        pipeline.write(rendered, tmp_path, options)
    monkeypatch.undo()
    assert _listing(tmp_path) == before


def test_text_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """Ministry PCs are not all UTF-8: under a plain ASCII locale the text is still written as UTF-8."""
    import subprocess
    import sys

    target = tmp_path / "legende.txt"  # ASCII only on the command line: the child's locale is ASCII
    atomic.write_text_atomic(target, "Y\u00e9liman\u00e9")  # here too, so mutmut links this test to it
    assert target.read_bytes() == "Yélimané".encode("utf-8")
    code = r"import sys; from atlasmaps.atomic import write_text_atomic; write_text_atomic(sys.argv[1], 'Y\u00e9liman\u00e9')"
    env = {"PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0", "LC_ALL": "C", "LANG": "C", "PATH": os.environ.get("PATH", ""),
           **{k: v for k, v in os.environ.items() if k.startswith(("MUTANT", "PYTHONPATH"))}}
    done = subprocess.run([sys.executable, "-c", code, str(target)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-500:]
    assert target.read_bytes() == "Yélimané".encode("utf-8")
