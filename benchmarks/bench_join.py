"""Benchmark: join the synthetic Atlas-sized dataset (12,000 rows, 140 countries), against the
dict-based matcher a competent engineer writes first.

Run on demand: `python benchmarks/bench_join.py [--repeat 3]`.

Why the baseline is fair: `dict_join` reads the same CSV, loads the same embedded layers through the
public API (`atlasmaps.boundaries.load`), folds names with the same normaliser
(`atlasmaps.textnorm.normalize_name`, or the keys it stored in the layers, as atlasmaps
does), builds dict indexes (codes, with the leading zero put
back; normalised names per kind; places and admin-1 units per country) and looks every row up in
them. Its cold time includes loading the layers and building the indexes, exactly like ours. It does
less than atlasmaps (no schema validation, no administrative prefixes, no fuzzy matching, no
positions, no report of why a row failed), so it is a lower bound of what a usable join costs.

Cold and warm are measured in fresh child processes (one per repetition and per side) with the
heavy libraries (geopandas, pandas, shapely, pyarrow) imported before the clock starts, so neither
side profits from the other's caches: cold = first join of the process (layers read from disk,
indexes built, normaliser cache empty), warm = the same join again in the same process. Both sides
print how many rows they matched, so a faster baseline that matches fewer rows is visible as such.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PRELOAD = "import geopandas, pandas, shapely, pyarrow, pyogrio  # noqa: F401"

KIND_WORDS = {  # first normalised word of the type label -> kind (what one types after looking at the data)
    "ville": "commune", "commune": "commune", "mairie": "commune",
    "communaute": "groupement", "metropole": "groupement", "epci": "groupement", "agglomeration": "groupement",
    "departement": "departement", "conseil departemental": "departement",
    "region": "region", "conseil regional": "region",
}
CODE_WIDTH = {"commune": 5, "departement": 2, "region": 2, "groupement": 9}


def _kind(label: str) -> str | None:
    from atlasmaps.textnorm import normalize_name

    key = normalize_name(label)
    if key in KIND_WORDS:
        return KIND_WORDS[key]
    for words in (" ".join(key.split()[:2]), key.split()[0] if key else ""):
        if words in KIND_WORDS:
            return KIND_WORDS[words]
    return None


def _keys(gdf) -> list[str]:  # noqa: ANN001
    """Normalised names: the layer's stored keys when the build wrote them (atlasmaps uses them too),
    else the normaliser applied here."""
    from atlasmaps.textnorm import normalize_name

    if "name_key" in gdf.columns:
        return [str(k) for k in gdf["name_key"]]
    return [normalize_name(str(n)) for n in gdf["name"]]


def build_index() -> dict:
    """Dict indexes over the embedded layers, built through the public layer API."""
    from collections import defaultdict

    from atlasmaps import boundaries
    from atlasmaps.textnorm import normalize_name

    by_code: dict[tuple[str, str], str] = {}
    by_name: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # -> [(code, département)]
    communes = boundaries.load("fr_communes")
    for code, siren, key, dep in zip(communes["code"], communes["siren"], _keys(communes), communes["departement"],
                                     strict=True):
        by_code[("commune", str(code))] = str(code)
        if isinstance(siren, str) and siren:
            by_code[("commune", siren)] = str(code)
        by_name[("commune", key)].append((str(code), str(dep)))
    epci = boundaries.load("fr_epci")
    for siren, name in zip(epci["siren"], epci["name"], strict=True):
        by_code[("groupement", str(siren))] = str(siren)
        by_name[("groupement", normalize_name(str(name)))].append((str(siren), ""))
    for layer, kind in (("fr_departements", "departement"), ("fr_regions", "region")):
        gdf = boundaries.load(layer)
        for code, name in zip(gdf["code"], gdf["name"], strict=True):
            by_code[(kind, str(code))] = str(code)
            by_name[(kind, normalize_name(str(name)))].append((str(code), str(code)))

    places: dict[tuple[str, str], list[str]] = defaultdict(list)  # (country, name) -> [admin-1 name]
    pl = boundaries.load("places")
    for key, country, a1 in zip(_keys(pl), pl["country"], pl["admin1_name"], strict=True):
        places[(str(country), key)].append(normalize_name(str(a1)) if isinstance(a1, str) else "")
    admin1: dict[tuple[str, str], str] = {}
    a1 = boundaries.load("admin1")
    for aid, name, country in zip(a1["admin1_id"], a1["name"], a1["country"], strict=True):
        admin1[(str(country), normalize_name(str(name)))] = str(aid)
    return {"by_code": by_code, "by_name": by_name, "places": places, "admin1": admin1}


def dict_join(path: Path, index: dict) -> int:
    """Read the CSV and look every row up in the dicts; return the rows matched on both sides."""
    from atlasmaps.textnorm import normalize_name

    by_code, by_name, places, admin1 = index["by_code"], index["by_name"], index["places"], index["admin1"]
    matched = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            kind = _kind(row["type_collectivite"])
            if kind is None:
                continue
            french = None
            code = row["code_collectivite"].strip()
            if code:
                french = by_code.get((kind, code.zfill(CODE_WIDTH[kind]) if code.isdigit() else code))
            if french is None:
                found = by_name.get((kind, normalize_name(row["collectivite"])), [])
                dep = row["departement"].strip()
                if dep and len(found) > 1:
                    found = [f for f in found if f[1] == dep.zfill(2)]
                french = found[0][0] if len(found) == 1 else None
            country, pkey = row["pays"].strip().upper(), normalize_name(row["partenaire"])
            cands = places.get((country, pkey), [])
            if len(cands) > 1 and row["region_partenaire"]:
                region = normalize_name(row["region_partenaire"])
                cands = [c for c in cands if c == region]
            partner = len(cands) == 1 or (country, pkey) in admin1
            matched += bool(french) and partner
    return matched


CHILD = {
    "ours": """
{preload}
import json, sys, time
from atlasmaps.join import join_file
path = sys.argv[1]
t = time.perf_counter(); r = join_file(path); cold = time.perf_counter() - t
t = time.perf_counter(); join_file(path); warm = time.perf_counter() - t
print(json.dumps({{"cold": cold, "warm": warm, "matched": len(r.mapped)}}))
""",
    "dict": """
{preload}
import json, sys, time
from pathlib import Path
sys.path.insert(0, {here!r})
from atlasmaps import boundaries  # noqa: F401  (the module, not its layers)
from atlasmaps.textnorm import normalize_name  # noqa: F401
from bench_join import build_index, dict_join
path = Path(sys.argv[1])
t = time.perf_counter(); index = build_index(); n = dict_join(path, index); cold = time.perf_counter() - t
t = time.perf_counter(); dict_join(path, index); warm = time.perf_counter() - t
print(json.dumps({{"cold": cold, "warm": warm, "matched": n}}))
""",
}


def run_child(side: str, path: Path) -> dict[str, float]:
    code = CHILD[side].format(preload=PRELOAD, here=str(Path(__file__).resolve().parent))
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="child processes per side (medians are printed)")
    args = ap.parse_args()
    from atlasmaps.sample.synthetic import generate, write_csv

    rows = generate()
    n = len(rows)
    runs: dict[str, list[dict[str, float]]] = {"ours": [], "dict": []}
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(rows, Path(tmp) / "synthetic.csv")
        for _ in range(args.repeat):  # alternate, so that a noisy minute hits both sides
            for side in runs:
                runs[side].append(run_child(side, path))
    med = {side: {k: statistics.median(r[k] for r in rs) for k in ("cold", "warm", "matched")}
           for side, rs in runs.items()}
    o, d = med["ours"], med["dict"]
    print(f"synthetic: {n} rows; medians of {args.repeat} fresh processes per side")
    print(f"{'':38}{'cold (s)':>10}{'warm (s)':>10}{'rows matched':>14}")
    print(f"{'atlasmaps join_file':38}{o['cold']:10.2f}{o['warm']:10.2f}{o['matched']:14,.0f}")
    print(f"{'dict matcher (same normaliser, layers)':38}{d['cold']:10.2f}{d['warm']:10.2f}{d['matched']:14,.0f}")
    print(f"ratio dict/ours (>1: ours faster): cold {d['cold'] / o['cold']:.2f}x, warm {d['warm'] / o['warm']:.2f}x")
    print(f"atlasmaps: {n / o['cold']:,.0f} rows/s cold, {n / o['warm']:,.0f} rows/s warm")


if __name__ == "__main__":
    main()
