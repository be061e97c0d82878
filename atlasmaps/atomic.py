"""Atomic output: write to a temporary file beside the target, then rename; and the guards on where we write.

An interrupted run never leaves a half-written map: the target either keeps its previous content
or receives the complete new one. Files get the permissions the user's umask gives (0644 under 022),
not mkstemp's private 0600, so a web server or a colleague can read the maps. Every failure to
write (read-only folder, full disk, no permission) is an `OutputError` naming the path, with the
temporary file removed.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from atlasmaps.errors import OutputError

#: errno values that are the machine's fault, not the data's: one line naming the path, exit 2.
ENVIRONMENT_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG})


def current_umask() -> int:
    """The process umask (Python 3.11 has no os.getumask: set and restore it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_error(exc: OSError, path: str | os.PathLike[str], what: str = "cannot write") -> OutputError:
    """One line for an OSError while writing `path`: the path, and the system's own words."""
    reason = exc.strerror or type(exc).__name__
    return OutputError(f"{what} {os.fsdecode(path)}: {reason}")


@contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str = ".part") -> Iterator[Path]:
    """Yield a temporary path in the target's directory; rename it onto `target` on success.
    `suffix` ends the temporary name (GDAL wants a GeoPackage to end in .gpkg even while written)."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
        try:
            os.fchmod(fd, 0o666 & ~current_umask())
        finally:
            os.close(fd)
    except OSError as exc:
        raise output_error(exc, target) from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        raise output_error(exc, target) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(target: str | os.PathLike[str], write: Callable[[Path], None], suffix: str = ".part") -> Path:
    """Call `write(tmp_path)` then move the result onto `target`."""
    with atomic_path(target, suffix) as tmp:
        write(tmp)
    return Path(target)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> Path:
    return write_atomic(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> Path:
    return write_atomic(target, lambda p: p.write_bytes(data))


def check_writable_dir(folder: str | os.PathLike[str], option: str = "--output") -> Path:
    """Create `folder` if needed and prove a file can be written in it, before anything is rendered."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{option} {os.fsdecode(folder)}: is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".atlasmaps-probe.", suffix=".part", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise output_error(exc, folder, f"{option}: cannot write in") from None
    return folder


def same_file(a: Path, b: Path) -> bool:
    """True when two paths name one file (symlinks, `..`, hard links)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def refuse_overwrite(outputs: Iterable[tuple[str, Path]], inputs: Mapping[str, Path | None]) -> None:
    """An output that would replace an input is a usage error (exit 2), found before any work.
    `outputs` are (option, path) pairs; `inputs` maps what an input is ("data file") to its path."""
    for out_label, out in outputs:
        for in_label, src in inputs.items():
            if src is not None and same_file(Path(out), Path(src)):
                raise OutputError(
                    f"{out_label} {os.fsdecode(out)} is the {in_label}: refusing to overwrite it (choose another path)"
                )
