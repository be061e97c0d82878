"""Batch regeneration: every partner rendered, incremental reruns, failure isolation, no partial files."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atlasmaps.cli import main
from atlasmaps.sample import sample_path

FORMATS = "svg"  # vector only: fast, and enough to check what the batch does


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def sample_rows() -> tuple[list[str], list[dict[str, str]]]:
    with open(sample_path(), encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, fields: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def manifest(out: Path) -> dict[str, dict[str, object]]:
    return {m["stem"]: m for m in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["maps"]}


def three_partners(rows: list[dict[str, str]], keep: tuple[str, ...] = ("BJ", "KR", "MA")) -> list[dict[str, str]]:
    """The sample rows of three partner countries."""
    from atlasmaps.data.schema import resolve_country

    return [r for r in rows if resolve_country(r["pays"]) in keep]


def test_batch_renders_every_partner_then_skips_then_redoes_only_the_changed_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fields, rows = sample_rows()
    # three partner countries of the sample (quick maps): --all-partners is every one of them
    rows, partners = three_partners(rows), ["BJ", "KR", "MA"]
    data = write_rows(tmp_path / "data.csv", fields, rows)
    out = tmp_path / "out"
    args = ["batch", str(data), "--all-partners", "--kinds", "bilateral", "--format", FORMATS, "-o", str(out)]

    code, stdout, _ = run_cli([*args, "--jobs", "2"], capsys)  # the maps made by two worker processes
    assert code == 0
    maps = manifest(out)
    assert sorted(maps) == [f"bilateral-{p}" for p in partners]
    assert all(m["status"] == "done" for m in maps.values())
    for p in partners:
        assert (out / f"bilateral-{p}.svg").read_bytes().startswith(b"<?xml")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("<figure") == len(partners)
    assert f"{len(partners)} made, 0 up to date, 0 failed" in stdout

    # The reruns in this process (--jobs 1): what is up to date does not depend on the workers.
    args.extend(["--jobs", "1"])
    code, stdout, _ = run_cli(args, capsys)
    assert code == 0
    assert f"0 made, {len(partners)} up to date, 0 failed" in stdout

    # One Bénin row changes: only the Bénin map is redone.
    changed = next(r for r in rows if r["pays"] in ("BJ", "Bénin", "Benin", "BEN"))
    changed["annee"] = str(int(changed["annee"] or 2000) - 1)
    write_rows(data, fields, rows)
    before = {p: (out / f"bilateral-{p}.svg").stat().st_mtime_ns for p in partners}
    code, stdout, _ = run_cli(args, capsys)
    assert code == 0
    assert f"1 made, {len(partners) - 1} up to date, 0 failed" in stdout
    after = {p: (out / f"bilateral-{p}.svg").stat().st_mtime_ns for p in partners}
    assert [p for p in partners if before[p] != after[p]] == ["BJ"]


def test_a_failing_partner_is_reported_and_the_others_complete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from atlasmaps.render import static

    real_render = static.render

    def render_failing_for_japan(joined, style, options):  # type: ignore[no-untyped-def]
        if options.partner == "JP":
            raise RuntimeError("boom in the renderer")
        return real_render(joined, style, options)

    monkeypatch.setattr(static, "render", render_failing_for_japan)
    fields, rows = sample_rows()
    data = write_rows(tmp_path / "data.csv", fields, three_partners(rows, ("JP", "KR", "MA")))
    out = tmp_path / "out"
    code, _, stderr = run_cli(
        ["batch", str(data), "--all-partners", "--kinds", "bilateral", "--format", FORMATS,
         "-o", str(out), "--jobs", "1"],
        capsys,
    )
    assert code == 1
    assert "failed: bilateral-JP: RuntimeError: boom in the renderer" in stderr
    maps = manifest(out)
    assert maps["bilateral-JP"]["status"] == "failed"
    assert not (out / "bilateral-JP.svg").exists()
    others = ["KR", "MA"]
    assert sorted(maps) == [f"bilateral-{p}" for p in ("JP", *others)]
    assert all(maps[f"bilateral-{p}"]["status"] == "done" for p in others)
    assert "boom in the renderer" in (out / "index.html").read_text(encoding="utf-8")


def test_killing_a_batch_leaves_no_partial_file_and_a_rerun_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    partners = ["KR", "MA"]  # 4 maps, the quickest of the sample: enough to stop midway
    args = ["batch", str(sample_path()), "--partners", ",".join(partners), "--kinds", "bilateral,country",
            "--format", "svg,pdf", "-o", str(out), "--jobs", "1"]
    # The batch that is killed is a real process, as a user's would be.
    process = subprocess.Popen([sys.executable, "-m", "atlasmaps", *args], stderr=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    for line in process.stderr:  # wait until the first map is done, then kill the batch midway
        if line.startswith("done"):
            break
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    assert not list(out.glob(".*.part")), "a temporary file was left behind"
    written = sorted(out.glob("*.pdf"))
    assert 1 <= len(written) < 2 * len(partners), "the batch should have been stopped midway"
    for pdf in written:
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF"), f"{pdf.name} is half-written"

    # A run killed without a chance to clean up (SIGKILL) leaves its temporary file: the rerun (the
    # same command, here in this process) removes it.
    stale = out / ".bilateral-KR.pdf.abc123.part"
    stale.write_bytes(b"%PDF-1.4 half")
    code, _, stderr = run_cli(args, capsys)
    assert code == 0, stderr
    assert not stale.exists()
    maps = manifest(out)
    assert len(maps) == 2 * len(partners)
    assert sum(m["status"] == "skipped" for m in maps.values()) >= len(written)


def test_manifest_yaml_and_dask_executor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    distributed = pytest.importorskip("distributed")
    from atlasmaps.batch import plan_jobs, run_batch
    from atlasmaps.join import join_file
    from atlasmaps.model import MapKind, RenderOptions
    from atlasmaps.style import load_style

    joined = join_file(sample_path())
    base = RenderOptions(kind=MapKind.WORLD, formats=("svg",))
    jobs = plan_jobs(joined, [MapKind.COUNTRY], ["KR", "MA"], base, None, load_style(None).fingerprint(), tmp_path)
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            report = run_batch(jobs, tmp_path, joined, executor="dask", scheduler=client)
    assert sorted(r.stem for r in report.results) == ["country-KR", "country-MA"]
    assert not report.failed, [r.error for r in report.failed]
    assert (tmp_path / "country-MA.svg").is_file()

    spec = tmp_path / "assises.yaml"
    spec.write_text(
        f"data: {sample_path()}\nkinds: [country]\npartners: [Maroc]\nformats: [svg]\noutput: out2\nlang: en\n",
        encoding="utf-8",
    )
    code, stdout, _ = run_cli(["batch", str(spec), "--jobs", "1"], capsys)
    assert code == 0, stdout
    assert (tmp_path / "out2" / "country-MA.svg").is_file()
    assert list(manifest(tmp_path / "out2")) == ["country-MA"]

    spec.write_text("data: x.csv\ncolour: red\n", encoding="utf-8")
    code, _, stderr = run_cli(["batch", str(spec)], capsys)
    assert code == 2
    assert "unknown setting(s) colour" in stderr


def test_all_partners_means_partners_with_something_to_draw(sample_result, tmp_path: Path) -> None:
    """Mali's only cooperation (Montreuil–Yélimané) is suspended: no Mali map unless asked for."""
    from atlasmaps.batch import plan_jobs
    from atlasmaps.model import MapKind, RenderOptions

    def planned(include_inactive: bool) -> set[str | None]:
        base = RenderOptions(MapKind.BILATERAL, formats=("svg",), include_inactive=include_inactive)
        jobs = plan_jobs(sample_result, [MapKind.BILATERAL], None, base, None, "style", tmp_path)
        return {j.options.partner for j in jobs}

    assert planned(False) == {"BJ", "DE", "JP", "KR", "MA", "PL", "SN"}
    assert planned(True) == {"BJ", "DE", "JP", "KR", "MA", "ML", "PL", "SN"}
