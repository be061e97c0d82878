"""Benchmark: `atlasmaps batch` on the synthetic Atlas-sized dataset (12,000 rows, 140 partner countries).

Run on demand: `python benchmarks/bench_batch.py [--partners 12] [--formats png,pdf,svg,html] [--dpi 300]`
(`--partners 0`: all 140 partners, both ways: slow).

Why the comparison is fair: both sides of the ratio make the same bilateral maps of the same
partners (the first N partner countries of the data, in all the formats asked), in the same run:
once with `--jobs 1` (one process) and once with `--jobs 2` (process pool). Each run is a fresh
`atlasmaps batch` command, so both pay the same start-up, join and boundary loading. The total,
maps per second and the ratio all come from those two runs. Peak RSS is measured per run through a
wrapper process whose only children are that run's processes: the wrapper samples the peak
resident set (VmHWM, kept by the kernel, so no peak is missed between samples) of the main process
and of each worker every 0.1 s, and prints them apart (the main process holds the join; a worker
holds what its maps need). The CPU time of all the run's processes is printed too: on a shared
machine the wall time depends on the others' load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

WRAPPER = """
import json, os, resource, subprocess, sys, time

def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(c) for c in fh.read().split()]
    except OSError:
        return []

def hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None

start = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
workers = {}
main_kb = 0
while proc.poll() is None:
    main_kb = max(main_kb, hwm_kb(proc.pid) or 0)
    for child in children(proc.pid):
        kb = hwm_kb(child)
        if kb:
            workers[child] = max(workers.get(child, 0), kb)
    time.sleep(0.1)
out, err = proc.communicate()
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak_kb = usage.ru_maxrss
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_kb": peak_kb, "main_kb": main_kb, "workers_kb": sorted(workers.values()),
                  "code": proc.returncode, "stderr": err[-2000:]}))
"""


def run_batch(data: Path, out: Path, jobs: int, formats: str, dpi: int, partners: list[str]) -> dict[str, float]:
    """One `atlasmaps batch` run in a wrapper process: wall time, maps made, peak RSS of one process."""
    command = [sys.executable, "-m", "atlasmaps", "batch", str(data), "--kinds", "bilateral", "--format", formats,
               "--dpi", str(dpi), "--jobs", str(jobs), "-o", str(out), "--force", "--partners", ",".join(partners)]
    res = json.loads(subprocess.run([sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True,
                                    check=True).stdout.strip().splitlines()[-1])
    if res["code"] not in (0, 1):
        print(res["stderr"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    made = sum(m["status"] == "done" for m in manifest["maps"])
    failed = [m for m in manifest["maps"] if m["status"] == "failed"]
    if failed:
        print(f"  {len(failed)} failed, e.g. {failed[0]['stem']}: {failed[0]['error']}")
    return {"seconds": res["seconds"], "cpu": res["cpu"], "made": made, "peak_mb": res["peak_kb"] / 1024, "main_mb": res["main_kb"] / 1024,
            "workers_mb": [kb / 1024 for kb in res["workers_kb"]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=12, help="first N partner countries (0: all)")
    parser.add_argument("--formats", default="png,pdf,svg,html")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--only-parallel", action="store_true", help="skip the --jobs 1 run (no ratio)")
    args = parser.parse_args()

    from atlasmaps.sample.synthetic import generate, write_csv

    rows = generate()
    with tempfile.TemporaryDirectory() as tmp:
        data = write_csv(rows, Path(tmp) / "synthetic.csv")
        countries = sorted({r["pays"] for r in rows})
        subset = countries[: args.partners] if args.partners else countries
        print(f"synthetic data: {len(rows)} rows; {len(subset)} of {len(countries)} partner countries, "
              f"bilateral maps in {args.formats} at {args.dpi} dpi")
        seq = None if args.only_parallel else run_batch(data, Path(tmp) / "seq", 1, args.formats, args.dpi, subset)
        par = run_batch(data, Path(tmp) / "par", 2, args.formats, args.dpi, subset)
    for name, r in (("--jobs 1", seq), ("--jobs 2", par)):
        if r is None:
            continue
        workers = ", ".join(f"{mb:.0f}" for mb in r["workers_mb"]) or "none (maps made in the main process)"
        print(f"{name}: {r['made']:.0f} maps in {r['seconds']:.1f} s ({r['made'] / r['seconds']:.2f} maps/s; "
              f"CPU {r['cpu']:.1f} s, all processes); "
              f"peak RSS: main process (join + maps when --jobs 1) {r['main_mb']:.0f} MB, per worker {workers} MB")
    if seq is not None:
        print(f"speed-up --jobs 2 / --jobs 1, same {len(subset)} partners: {seq['seconds'] / par['seconds']:.2f}x")


if __name__ == "__main__":
    main()
