"""Benchmark: the batch on the synthetic Atlas-sized dataset (12,000 rows, 140 partner countries).

Run on demand: `python benchmarks/bench_batch.py [--partners N] [--formats png,pdf,svg,html] [--dpi 300]`.
Every bilateral map of every partner with `--jobs 2` (in a child process, so that its peak memory is
measured as a whole), then the same first N partners sequentially and in parallel, to print the
parallel/sequential ratio measured in this same run. Prints maps per second and peak memory (RSS).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_batch(data: Path, out: Path, jobs: int, formats: str, dpi: int, partners: list[str] | None) -> dict[str, float]:
    """Run `atlasmaps batch` in a child process; return wall time, maps made and the children's peak RSS."""
    command = [sys.executable, "-m", "atlasmaps", "batch", str(data), "--kinds", "bilateral", "--format", formats,
               "--dpi", str(dpi), "--jobs", str(jobs), "-o", str(out), "--force"]
    command += ["--partners", ",".join(partners)] if partners else ["--all-partners"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    made = sum(m["status"] == "done" for m in manifest["maps"])
    failed = [m for m in manifest["maps"] if m["status"] == "failed"]
    if failed:
        print(f"  {len(failed)} failed, e.g. {failed[0]['stem']}: {failed[0]['error']}")
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:])
    return {"seconds": seconds, "made": made, "peak_mb": max(peak_kb, before) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partners", type=int, default=12, help="partners for the sequential/parallel comparison")
    parser.add_argument("--formats", default="png,pdf,svg,html")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--skip-full", action="store_true", help="only the sequential/parallel comparison")
    args = parser.parse_args()

    from atlasmaps.sample.synthetic import generate, write_csv

    rows = generate()
    with tempfile.TemporaryDirectory() as tmp:
        data = write_csv(rows, Path(tmp) / "synthetic.csv")
        countries = sorted({r["pays"] for r in rows})
        print(f"synthetic data: {len(rows)} rows, {len(countries)} partner countries; formats {args.formats}, "
              f"{args.dpi} dpi")
        if not args.skip_full:
            full = run_batch(data, Path(tmp) / "full", 2, args.formats, args.dpi, None)
            print(f"all partners, --jobs 2: {full['made']:.0f} maps in {full['seconds']:.1f} s "
                  f"({full['made'] / full['seconds']:.2f} maps/s), peak RSS of one process {full['peak_mb']:.0f} MB")
        subset = countries[: args.partners]
        seq = run_batch(data, Path(tmp) / "seq", 1, args.formats, args.dpi, subset)
        par = run_batch(data, Path(tmp) / "par", 2, args.formats, args.dpi, subset)
        print(f"{len(subset)} partners sequential: {seq['seconds']:.1f} s; --jobs 2: {par['seconds']:.1f} s; "
              f"speed-up {seq['seconds'] / par['seconds']:.2f}x")


if __name__ == "__main__":
    main()
