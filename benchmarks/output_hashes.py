"""Output identity check: render a fixed set of maps and record (or compare) the SHA-256 of every file.

Run: `python benchmarks/output_hashes.py --write before.json` on the commit before a change, then
`python benchmarks/output_hashes.py --compare before.json` after it. Exit 1 when a file differs.

Why: a performance change (caches, drawing once, another encoder) must not change what the maps look
like unless that is intended and explained. The set is the demo (France–Japan, France–Bénin, Bénin,
world, France; PDF, SVG, PNG, HTML at 300 dpi) plus, with `--synthetic N`, the bilateral maps of the
first N partners of the synthetic Atlas-sized data made in one process, one after the other, so that
whatever a worker reuses from one map to the next is exercised (the demo alone makes each France panel
once per kind). Every file the renderers write must already be deterministic (PNG metadata, PDF dates,
SVG ids): the check runs the set twice when `--twice` is given to prove it. The one known exception is
folium's random map id in the HTML (`map_<32 hex digits>`, a new one per page): it is replaced by
`map_0` before hashing. Each PNG also gets a `<name>#pixels` entry, the hash of its decoded RGBA
pixels, so a change of encoder shows as "bytes differ, pixels identical".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path


def render_set(out: Path, synthetic: int, dpi: int) -> dict[str, str]:
    """Render the set into `out` in this process; return {relative path: sha256}."""
    from atlasmaps.commands.maps import DEMO_MAPS, map_render_options
    from atlasmaps.pipeline import load_joined, make_map
    from atlasmaps.sample import SAMPLE_DATE, sample_path
    from atlasmaps.style import load_style

    style = load_style(None)
    formats = ("pdf", "svg", "png", "html")
    joined = load_joined(sample_path(), data_date=SAMPLE_DATE)
    demo = out / "demo"
    demo.mkdir(parents=True)
    for kind, partner in DEMO_MAPS:
        opts = map_render_options(kind, partner, formats=formats, lang="fr", dpi=dpi, page="A4-landscape")
        make_map(joined, style, opts, demo)
    if synthetic:
        from atlasmaps.model import MapKind
        from atlasmaps.sample.synthetic import generate, write_csv

        rows = generate()
        data = write_csv(rows, out / "synthetic.csv")
        big = load_joined(data, data_date="2026-01-01")
        syn = out / "synthetic"
        syn.mkdir()
        for partner in sorted({r["pays"] for r in rows})[:synthetic]:
            opts = map_render_options(MapKind.BILATERAL, partner, formats=formats, lang="fr", dpi=dpi,
                                      page="A4-landscape")
            make_map(big, style, opts, syn)
        (out / "synthetic.csv").unlink()
    hashes = {}
    for p in sorted(out.rglob("*")):
        if p.is_file():
            hashes[str(p.relative_to(out))] = digest(p)
            if p.suffix == ".png":
                hashes[f"{p.relative_to(out)}#pixels"] = pixels_digest(p)
    return hashes


def pixels_digest(path: Path) -> str:
    """SHA-256 of a PNG's pixels as RGBA, with its size: the same picture whatever the encoding."""
    from PIL import Image

    with Image.open(path) as img:
        return hashlib.sha256(repr(img.size).encode() + img.convert("RGBA").tobytes()).hexdigest()


def digest(path: Path) -> str:
    """SHA-256 of a file; in HTML, folium's random map id is replaced by `map_0` first."""
    data = path.read_bytes()
    if path.suffix == ".html":
        data = re.sub(rb"map_[0-9a-f]{32}", b"map_0", data)
    return hashlib.sha256(data).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", type=Path, help="record the hashes in this JSON file")
    ap.add_argument("--compare", type=Path, help="compare with the hashes recorded in this JSON file")
    ap.add_argument("--synthetic", type=int, default=6, help="bilateral maps of the first N synthetic partners")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--keep", type=Path, help="copy the rendered files here (to look at the differences)")
    ap.add_argument("--twice", action="store_true", help="render the set twice and check it is deterministic")
    args = ap.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    with tempfile.TemporaryDirectory() as tmp:
        hashes = render_set(Path(tmp) / "a", args.synthetic, args.dpi)
        if args.twice:
            again = render_set(Path(tmp) / "b", args.synthetic, args.dpi)
            unstable = sorted(k for k in hashes if again.get(k) != hashes[k])
            print(f"determinism: {len(hashes) - len(unstable)} of {len(hashes)} files identical in two runs")
            for name in unstable:
                print(f"  not deterministic: {name}")
        if args.keep:
            import shutil

            shutil.copytree(Path(tmp) / "a", args.keep, dirs_exist_ok=True)
    if args.write:
        args.write.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(hashes)} file hashes written to {args.write}")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        differ = sorted(k for k in before.keys() & hashes.keys() if before[k] != hashes[k])
        missing, new = sorted(before.keys() - hashes.keys()), sorted(hashes.keys() - before.keys())
        same = len(before.keys() & hashes.keys()) - len(differ)
        print(f"{same} identical, {len(differ)} different, {len(missing)} missing, {len(new)} new")
        for label, names in (("different", differ), ("missing", missing), ("new", new)):
            for name in names:
                print(f"  {label}: {name}")
        return 1 if differ or missing or new else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
