"""Atomic output: write to a temporary file beside the target, then rename.

An interrupted run never leaves a half-written map: the target either keeps its
previous content or receives the complete new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str = ".part") -> Iterator[Path]:
    """Yield a temporary path in the target's directory; rename it onto `target` on success.
    `suffix` ends the temporary name (GDAL wants a GeoPackage to end in .gpkg even while written)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomic(target: str | os.PathLike[str], write: Callable[[Path], None], suffix: str = ".part") -> Path:
    """Call `write(tmp_path)` then move the result onto `target`."""
    with atomic_path(target, suffix) as tmp:
        write(tmp)
    return Path(target)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    return write_atomic(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> Path:
    return write_atomic(target, lambda p: p.write_bytes(data))
