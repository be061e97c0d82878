"""Batch regeneration: every map for every partner country, in parallel, incremental, failure-isolated.

The data is read and joined once in the parent; each job carries only its partner's joined rows.
Workers render through the same pipeline as the single-map commands, load boundaries once per
process (the boundaries cache lives in the worker) and write atomically, so an interrupted batch
leaves no half-written map and a rerun resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from atlasmaps import __version__
from atlasmaps.atomic import write_text_atomic
from atlasmaps.model import JoinResult, MapKind, RenderOptions

if TYPE_CHECKING:
    from concurrent.futures import Executor

PER_PARTNER_KINDS = (MapKind.BILATERAL, MapKind.COUNTRY)
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.html"
LOCK_NAME = ".atlasmaps-batch.lock"


@dataclass(frozen=True)
class BatchJob:
    """One map to make: its options, the rows it is made from, and the key of its inputs."""

    options: RenderOptions
    joined: JoinResult
    style: str | None
    out_dir: str
    input_hash: str


@dataclass
class JobResult:
    stem: str
    kind: str
    partner: str | None
    input_hash: str
    status: str  # done | skipped | failed
    files: dict[str, dict[str, object]] = field(default_factory=dict)  # fmt -> {path, size}
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    dropped_labels: list[str] = field(default_factory=list)
    error: str | None = None
    fatal: bool = False  # the error is the whole batch's (unwritable folder, broken boundaries/): stop


# ---------------------------------------------------------------- planning


def plan_jobs(
    joined: JoinResult,
    kinds: Iterable[MapKind],
    partners: Iterable[str] | None,
    base: RenderOptions,
    style: str | None,
    style_fingerprint: str,
    out_dir: Path,
    collectivites: Iterable[str] = (),
) -> list[BatchJob]:
    """One job per (kind, partner) for per-country kinds, one per collectivité ("commune-69123") for
    collectivité maps, one per kind for world and france.

    Without an explicit list (`--all-partners`), the partners are those with something to draw: an
    active partnership, or any with `--include-inactive`; a partner whose cooperations are all
    suspended is not a failed map."""
    from atlasmaps.pipeline import active_only, for_collectivite

    if partners is not None:
        partner_list = sorted(set(partners))
    else:
        partner_list = list(active_only(joined, base)[0].partner_countries)
    shared = _shared_fingerprint(style_fingerprint)
    jobs: list[BatchJob] = []
    for kind in kinds:
        if kind is MapKind.COLLECTIVITE:
            for key in sorted(set(collectivites)):
                options = replace(base, kind=kind, collectivite=key)
                subset = for_collectivite(joined, key)
                jobs.append(BatchJob(options, subset, style, str(out_dir), input_hash(subset, options, shared)))
            continue
        targets: list[str | None] = partner_list if kind in PER_PARTNER_KINDS else [None]
        for partner in targets:
            options = replace(base, kind=kind, partner=partner)
            subset = joined.for_partner(partner) if partner else joined
            jobs.append(BatchJob(options, subset, style, str(out_dir), input_hash(subset, options, shared)))
    return jobs


def input_hash(joined: JoinResult, options: RenderOptions, shared: str) -> str:
    """Hash of everything a map depends on: its rows, the data date, the options, style, boundaries, version."""
    digest = hashlib.sha256(shared.encode())
    digest.update(repr(options).encode())
    digest.update(repr(joined.data_date).encode())
    for row in joined.rows:
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _shared_fingerprint(style_fingerprint: str) -> str:
    return "|".join((__version__, style_fingerprint, boundaries_fingerprint()))


def boundaries_fingerprint() -> str:
    """Hash of the boundary layers in use: the embedded manifest (layer hashes) and any imported layers."""
    from atlasmaps import boundaries

    digest = hashlib.sha256()
    for name in ("manifest.json", "sources.yaml"):
        path = boundaries.boundaries_dir() / name
        if path.is_file():
            digest.update(path.read_bytes())
    root = boundaries.user_boundaries_dir()
    if root.is_dir():
        for path in sorted(root.rglob("*.parquet")):
            stat = path.stat()
            digest.update(f"user/{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


# ---------------------------------------------------------------- running one job


@lru_cache(maxsize=8)
def _style(name: str | None) -> object:
    """Styles are resolved once per worker process."""
    from atlasmaps.style import load_style

    return load_style(name)


def run_job(job: BatchJob) -> JobResult:
    """Make one map; any failure is caught and reported so the other jobs go on."""
    from atlasmaps.pipeline import make_map

    options = job.options
    result = JobResult(options.output_stem(), options.kind.value, options.partner, job.input_hash, "done")
    start = time.perf_counter()
    try:
        outcome = make_map(job.joined, _style(job.style), options, Path(job.out_dir))
    except Exception as exc:  # noqa: BLE001 - one map's failure must not stop the batch
        result.status = "failed"
        result.error = f"{type(exc).__name__}: {exc}" if not _is_user_error(exc) else str(exc)
        result.fatal = bool(getattr(exc, "stops_command", False))
    else:
        result.files = {fmt: {"path": path.name, "size": outcome.sizes[fmt]} for fmt, path in outcome.paths.items()}
        result.warnings = list(outcome.warnings)
        result.dropped_labels = list(outcome.dropped_labels)
    result.seconds = round(time.perf_counter() - start, 3)
    if _IN_WORKER:
        trim_caches(WORKER_RSS_BUDGET_MB)
    return result


#: A worker whose resident memory passes this after a map forgets its cached layers (the next map
#: reloads what it draws): each partner adds its own admin-1 layer and projections to the caches,
#: and a worker making 70 maps of the Atlas-sized data otherwise grows past 600 MB.
WORKER_RSS_BUDGET_MB = 400
_IN_WORKER = False


def trim_caches(budget_mb: float) -> bool:
    """Drop the boundary, projection and text caches when this process holds more than `budget_mb` MB
    (Linux; elsewhere never), and give the freed memory back to the system. True when it did.
    The maps are the same with or without the caches (tests/test_render_reuse.py)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            rss_mb = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return False
    if rss_mb <= budget_mb:
        return False
    import ctypes
    import gc

    from atlasmaps import boundaries
    from atlasmaps.geo import geometry

    boundaries.clear_cache()
    geometry.clear_cache()
    text = sys.modules.get("atlasmaps.render.static.agg")  # imported by the first print map, if any
    if text is not None:
        text.clear_caches()
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)  # glibc: return freed heap pages to the system
    except (OSError, AttributeError):
        pass
    return True


def _is_user_error(exc: Exception) -> bool:
    from atlasmaps.errors import AtlasError

    return isinstance(exc, AtlasError)


# ---------------------------------------------------------------- executors


def _worker_init(parent: int | None = None) -> None:
    """Workers ignore Ctrl-C (the parent decides, and cleans up) and die with their parent.

    A parent killed with SIGKILL cannot stop its workers: on Linux the kernel does it
    (PR_SET_PDEATHSIG); elsewhere a watchdog thread exits when the parent is gone.
    """
    global _IN_WORKER
    _IN_WORKER = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _die_with_parent():
        import threading

        threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    if parent is not None and os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _die_with_parent() -> bool:
    """prctl(PR_SET_PDEATHSIG, SIGKILL) through libc; False where it is not available."""
    if not os.uname().sysname == "Linux":
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def start_workers(n_jobs: int, style: str | None, kinds: Iterable[MapKind]) -> Executor | None:
    """The process pool of a batch, started *before* the join, warming up while the parent joins.

    Why before: forked after the join, each worker inherited the join's indexes and gazetteer (about
    700 MB on the Atlas-sized data) although a job carries its own rows (jobs are pickled to the
    workers in any case). Forked now, a worker holds the imports and what the maps need
    (`warm_up`): about half the memory, and the warm-up runs on the other core during the join.
    None when the batch runs in this process (`n_jobs` 1).
    """
    if n_jobs <= 1:
        return None
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers inherit the imported modules; spawn where fork does not exist.
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    gc.collect()
    gc.freeze()  # what the parent holds now is never collected in a worker: fewer pages copied on write
    pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(),))
    kind_names = tuple(MapKind(k).value for k in kinds)
    for _ in range(n_jobs):  # the first submit starts every worker (fork); each warms itself up
        pool.submit(warm_up, style, kind_names)
    gc.unfreeze()
    return pool


#: The boundary layers every map of a kind draws (the partner's own layers are loaded per job).
WARM_LAYERS: dict[str, tuple[str, ...]] = {
    "bilateral": ("countries", "fr_departements", "fr_regions"),
    "country": ("countries",),
    "world": ("countries",),
    "france": ("countries", "fr_departements", "fr_regions"),
    "collectivite": ("countries", "fr_departements", "fr_regions"),
}


def warm_up(style: str | None, kinds: tuple[str, ...] = ()) -> None:
    """What every map of a worker needs, done once: the style, the renderers' imports, the fonts and
    the common boundary layers; then `gc.freeze`, so the garbage collector of the following maps
    does not walk these long-lived objects again and again."""
    import gc

    _style(style)
    from atlasmaps import boundaries
    from atlasmaps.render import static, web  # noqa: F401 - imports matplotlib and folium once

    static.warm_up(_style(style))
    for layer in dict.fromkeys(name for kind in kinds for name in WARM_LAYERS.get(kind, ())):
        boundaries.load(layer)
    gc.collect()
    gc.freeze()


def run_local(jobs: list[BatchJob], n_jobs: int, pool: Executor | None = None) -> Iterator[JobResult]:
    """Run jobs in this process (n_jobs=1) or in a process pool, yielding results as they complete.

    `pool` is a pool from `start_workers` (it is shut down here); without it, one is started now."""
    if pool is None and (n_jobs <= 1 or len(jobs) <= 1):
        for job in jobs:
            yield run_job(job)
        return
    from concurrent.futures import as_completed

    if pool is None:
        pool = start_workers(n_jobs, jobs[0].style if jobs else None, ())
    assert pool is not None
    # Largest maps first (most rows): the last maps to finish are then small ones, not a 400-row partner
    # that would keep one worker busy while the other idles.
    ordered = sorted(jobs, key=lambda job: -len(job.joined.rows))
    with pool:
        futures = [pool.submit(run_job, job) for job in ordered]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def run_dask(jobs: list[BatchJob], scheduler: str | object) -> Iterator[JobResult]:
    """Run jobs on a dask.distributed cluster (an address, or a Client/LocalCluster for tests)."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the installation
        from atlasmaps.errors import AtlasError

        raise AtlasError("--executor dask needs dask.distributed: pip install 'atlasmaps[dask]'") from exc
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = client.map(run_job, jobs, pure=False)
        for future in as_completed(futures):
            yield future.result()
    finally:
        if client is not scheduler:
            client.close()


# ---------------------------------------------------------------- the batch


@dataclass
class BatchReport:
    results: list[JobResult]
    seconds: float
    stopped: str | None = None  # why the batch stopped early (a fault of the whole batch), else None

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status == "failed"]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)


def run_batch(
    jobs: list[BatchJob],
    out_dir: Path,
    joined: JoinResult,
    n_jobs: int = 1,
    force: bool = False,
    executor: str = "process",
    scheduler: str | object | None = None,
    on_result: Callable[[JobResult], None] | None = None,
    pool: Executor | None = None,
) -> BatchReport:
    """Skip up-to-date maps, run the others, then write manifest.json and index.html.

    The folder is locked for the run (a second batch into it stops with exit 2); a folder holding
    other files but no batch manifest is refused unless `force`; the manifest is rewritten atomically
    after each map, so a batch killed with SIGKILL loses only the maps in flight.
    """
    start = time.perf_counter()
    with batch_lock(out_dir):
        check_own_folder(out_dir, force)
        remove_stale_partials(out_dir)
        previous = load_manifest(out_dir)
        results: list[JobResult] = []
        todo: list[BatchJob] = []
        for job in jobs:
            done = previous.get(job.options.output_stem())
            if not force and done and _up_to_date(done, job, out_dir):
                skipped = JobResult(**{**done, "status": "skipped"})
                results.append(skipped)
                if on_result:
                    on_result(skipped)
            else:
                todo.append(job)
        stopped: str | None = None
        runner = run_dask(todo, scheduler) if executor == "dask" else run_local(todo, n_jobs, pool)
        with _terminate_as_interrupt():
            try:
                for result in runner:
                    results.append(result)
                    if on_result:
                        on_result(result)
                    write_manifest(out_dir, results, joined, previous)
                    if result.fatal:
                        stopped = result.error
                        runner.close()  # cancels the maps not started
                        break
            finally:
                # Whatever happened, record what is done, so that a rerun resumes instead of redoing it.
                write_manifest(out_dir, results, joined, previous)
                write_index(out_dir, results, joined)
                remove_stale_partials(out_dir)
    return BatchReport(results, time.perf_counter() - start, stopped)


class batch_lock:
    """An exclusive fcntl lock on `DIR/.atlasmaps-batch.lock` for the length of a batch.

    The kernel releases it when the process dies, even by SIGKILL, so a stale lock never blocks a rerun.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._fd: int | None = None

    def __enter__(self) -> batch_lock:
        import fcntl

        from atlasmaps.atomic import output_error
        from atlasmaps.errors import OutputError

        path = self.out_dir / LOCK_NAME
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise output_error(exc, path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise OutputError(f"{os.fsdecode(self.out_dir)}: another atlasmaps batch (pid {holder}) is writing into "
                              "this folder; wait for it to finish or choose another --output") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock; the file stays (removing it would race)
            self._fd = None


def check_own_folder(out_dir: Path, force: bool) -> None:
    """Refuse to write index.html and manifest.json into a non-empty folder that no batch wrote."""
    if force or _is_own_manifest(out_dir / MANIFEST_NAME):
        return
    others = sorted(p.name for p in out_dir.iterdir() if p.name != LOCK_NAME and not p.name.endswith(".part"))
    if others:
        from atlasmaps.errors import OutputError

        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise OutputError(f"{os.fsdecode(out_dir)} is not empty ({shown}) and holds no manifest of an atlasmaps "
                          "batch: choose an empty folder, or --force to write into it anyway")


def _is_own_manifest(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "atlasmaps_version" in data and isinstance(data.get("maps"), list)


def _up_to_date(done: dict[str, object], job: BatchJob, out_dir: Path) -> bool:
    if done.get("input_hash") != job.input_hash or done.get("status") == "failed":
        return False
    files = done.get("files") or {}
    assert isinstance(files, dict)
    return set(files) >= set(job.options.formats) and all((out_dir / f["path"]).is_file() for f in files.values())


class _terminate_as_interrupt:
    """Turn SIGTERM into KeyboardInterrupt so that `finally` blocks clean up when a batch is killed."""

    def __enter__(self) -> None:
        self._previous = signal.signal(signal.SIGTERM, self._raise)

    @staticmethod
    def _raise(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGTERM, self._previous)


def remove_stale_partials(out_dir: Path) -> None:
    """Remove temporary files left by a killed run (atomic writes name them `.<name>.*.part`)."""
    for path in out_dir.glob(".*.part"):
        path.unlink(missing_ok=True)


def load_manifest(out_dir: Path) -> dict[str, dict[str, object]]:
    """The maps a previous batch recorded in this folder (none when the manifest is not a batch's)."""
    path = out_dir / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not (isinstance(data, dict) and "atlasmaps_version" in data):
            return {}
        known = set(JobResult.__dataclass_fields__)
        return {entry["stem"]: {k: v for k, v in entry.items() if k in known} for entry in data.get("maps", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def join_summary(joined: JoinResult) -> dict[str, dict[str, int]]:
    """Rows, mapped rows and rows left out, per partner country."""
    summary: dict[str, dict[str, int]] = {}
    for row in joined.rows:
        entry = summary.setdefault(row.partnership.pays, {"rows": 0, "mapped": 0, "left_out": 0})
        entry["rows"] += 1
        entry["mapped" if row.mappable else "left_out"] += 1
    return dict(sorted(summary.items()))


def write_manifest(
    out_dir: Path, results: list[JobResult], joined: JoinResult, previous: dict[str, dict[str, object]]
) -> None:
    """manifest.json: input hashes, timings, sizes and warnings of every map (kept across runs)."""
    entries = dict(previous)
    entries.update({r.stem: asdict(r) for r in results})
    document = {
        "atlasmaps_version": __version__,
        "data": joined.source,
        "data_date": joined.data_date,
        "problems": [str(p) for p in joined.problems],
        "join": join_summary(joined),
        "maps": [entries[k] for k in sorted(entries)],
    }
    write_text_atomic(out_dir / MANIFEST_NAME, json.dumps(document, ensure_ascii=False, indent=1))


def write_index(out_dir: Path, results: list[JobResult], joined: JoinResult) -> None:
    """index.html: a gallery of every map with a thumbnail, links to each format, and the join summary."""
    from atlasmaps.pipeline import dropped_summary

    summary = join_summary(joined)
    cards = []
    for result in sorted(results, key=lambda r: r.stem):
        e = html.escape
        links = " ".join(
            f'<a href="{e(str(f["path"]))}">{e(fmt.upper())}</a>' for fmt, f in sorted(result.files.items())
        )
        thumb = _thumbnail(out_dir, result)
        image = f'<img src="{e(thumb)}" alt="{e(result.stem)}" loading="lazy">' if thumb else ""
        counts = summary.get(result.partner or "", {})
        join_line = (
            f"<p>{counts.get('mapped', 0)} / {counts.get('rows', 0)} partnerships mapped</p>" if counts else ""
        )
        notes = [f"warning: {w}" for w in result.warnings]
        if result.dropped_labels:
            notes.append(dropped_summary(result.dropped_labels))
        if result.error:
            notes.insert(0, f"failed: {result.error}")
        note_html = "".join(f"<li>{e(n)}</li>" for n in notes)
        cards.append(
            f'<figure class="{e(result.status)}">{image}<figcaption><strong>{e(result.stem)}</strong> '
            f"{links}{join_line}<ul>{note_html}</ul></figcaption></figure>"
        )
    problems = "".join(f"<li>{html.escape(str(p))}</li>" for p in joined.problems)
    page = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>atlasmaps — {html.escape(joined.source)}</title>"
        "<style>body{font-family:sans-serif;margin:1rem}main{display:grid;"
        "grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:1rem}"
        "figure{margin:0;border:1px solid #ccc;padding:.5rem}figure.failed{border-color:#c00}"
        "img{width:100%;height:auto}</style></head><body>"
        f"<h1>{html.escape(joined.source)}</h1><p>{len(results)} maps</p>"
        f"<ul>{problems}</ul><main>{''.join(cards)}</main></body></html>"
    )
    write_text_atomic(out_dir / INDEX_NAME, page)


def _thumbnail(out_dir: Path, result: JobResult) -> str | None:
    """A small PNG beside the maps, made from the map's PNG when there is one."""
    png = result.files.get("png")
    if not png:
        return None
    source = out_dir / str(png["path"])
    target = out_dir / "thumbs" / f"{result.stem}.png"
    if not source.is_file():
        return None
    if not target.is_file() or target.stat().st_mtime < source.stat().st_mtime:
        from PIL import Image

        from atlasmaps.atomic import write_atomic

        def save(tmp: Path) -> None:
            with Image.open(source) as image:
                image.thumbnail((400, 400))
                image.save(tmp, format="PNG")

        write_atomic(target, save)
    return f"thumbs/{target.name}"
