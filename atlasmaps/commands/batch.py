"""`atlasmaps batch`: every map for every partner country, from a data file or a YAML manifest."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from atlasmaps.commands.maps import PAGES, data_date_option, parse_data_date, parse_formats, source_option


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@click.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--all-partners", is_flag=True, help="Every partner country with an active partnership (any, with --include-inactive).")
@click.option("--partners", default=None, help="Comma-separated partner countries (ISO codes or names).")
@click.option("--kinds", default="bilateral,country", show_default=True,
              help="Map kinds: bilateral, country, world, france, collectivite.")
@click.option("--collectivites", default=None,
              help="Collectivité maps: 'all' (every French collectivité with a mapped partnership) or names/codes "
                   "separated by commas.")
@click.option("--format", "-f", "formats", multiple=True, callback=parse_formats,
              help="pdf, svg, png, html; several with commas (default pdf).")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None, help="Worker processes (default: cores).")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default outputs/).")
@click.option("--style", "style_name", default=None, help="Style name or YAML path.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default=None, help="Map text language (default fr).")
@click.option("--dpi", type=click.IntRange(36, 1200), default=None, help="PNG resolution (default 300).")
@click.option("--page", type=click.Choice(PAGES, case_sensitive=False), default=None, help="Page format.")
@click.option("--corrections", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV or YAML of join corrections (see `atlasmaps validate --report`).")
@click.option("--force", is_flag=True,
              help="Redo every map, even those whose inputs are unchanged; write into a non-empty folder "
                   "that holds no manifest of a previous batch.")
@click.option("--include-inactive", is_flag=True, default=None,
              help="Also draw partnerships whose statut is not active (inactive, planned).")
@data_date_option
@source_option
@click.option("--executor", type=click.Choice(["process", "dask"]), default="process", show_default=True)
@click.option("--scheduler", default=None, help="Dask scheduler address (with --executor dask).")
@click.pass_context
def batch(ctx: click.Context, source: Path, **kw: Any) -> None:
    """Render every map for every partner country: parallel, incremental, failure-isolated.

    SOURCE is a data file, or a YAML manifest describing the set (data, style, lang, kinds,
    partners, formats, output, dpi, jobs). Maps whose inputs are unchanged are skipped; a map that
    fails is reported and the others complete (exit 1). Writes DIR/index.html and DIR/manifest.json.

    \b
    Examples:
      atlasmaps batch partenariats.csv --all-partners --format pdf,png,html --jobs 2
      atlasmaps batch assises-2026.yaml
    """
    from atlasmaps.batch import INDEX_NAME, MANIFEST_NAME, start_workers
    from atlasmaps.commands.maps import input_files, load_style_for_maps, page_name, resolve_partner
    from atlasmaps.errors import AtlasError
    from atlasmaps.model import MapKind, RenderOptions
    from atlasmaps.pipeline import preflight

    settings = _settings(ctx, source, kw)
    try:
        kinds = [MapKind(k) for k in settings["kinds"]]
    except ValueError:
        raise AtlasError("kinds: expected some of bilateral, country, world, france, collectivite, "
                         f"got {settings['kinds']}") from None
    if settings["partners"] is None and not settings["all_partners"] and any(
        k in (MapKind.BILATERAL, MapKind.COUNTRY) for k in kinds
    ):
        raise click.UsageError("give --all-partners or --partners (or 'partners:' in the manifest)")
    if MapKind.COLLECTIVITE in kinds and not settings["collectivites"]:
        raise click.UsageError("give --collectivites all or a list of names or codes (or 'collectivites:' in the manifest)")
    partners = None if settings["partners"] is None else [resolve_partner(p) for p in settings["partners"]]
    style = load_style_for_maps(settings["style"])
    data_date = parse_data_date(ctx, None, str(settings["data_date"])) if settings["data_date"] else None
    base = RenderOptions(kind=MapKind.WORLD, formats=tuple(settings["formats"]), lang=settings["lang"],
                         dpi=settings["dpi"], page=page_name(settings["page"]),
                         include_inactive=bool(settings["include_inactive"]))
    out_dir = Path(settings["output"])
    inputs = input_files(settings["data"], settings.get("columns") and Path(settings["columns"]), settings["style"],
                         settings.get("corrections") and Path(settings["corrections"]))
    if source != settings["data"]:
        inputs["batch manifest"] = source
    # Usage errors before the join and before any map: pixel budget, writable folder, inputs not overwritten.
    preflight(style, [base], out_dir, inputs, outputs=[out_dir / MANIFEST_NAME, out_dir / INDEX_NAME])
    n_jobs = settings["jobs"] or os.cpu_count() or 1
    # The workers start now, before the join: they do not inherit its memory, and warm up meanwhile.
    pool = start_workers(n_jobs, settings["style"], kinds) if kw["executor"] == "process" else None
    try:
        _batch_after_join(ctx, settings, kw, kinds, partners, style, base, out_dir, inputs, data_date, n_jobs, pool)
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _batch_after_join(ctx: click.Context, settings: dict[str, Any], kw: dict[str, Any], kinds: list[Any],
                      partners: list[str] | None, style: Any, base: Any, out_dir: Path, inputs: dict[str, Any],
                      data_date: str | None, n_jobs: int, pool: Any) -> None:
    """The join, the plan, the maps (in `pool` when there is one) and the summary lines."""
    from atlasmaps.atomic import refuse_overwrite
    from atlasmaps.batch import INDEX_NAME, plan_jobs
    from atlasmaps.commands.summary import print_join_summary
    from atlasmaps.errors import AtlasError
    from atlasmaps.join import display_path
    from atlasmaps.model import MapKind
    from atlasmaps.pipeline import load_joined

    joined = load_joined(settings["data"], columns=settings.get("columns"), corrections=settings.get("corrections"),
                         data_date=data_date, source=settings["source"])
    print_join_summary(joined)
    collectivites = collectivite_keys(joined, settings["collectivites"]) if MapKind.COLLECTIVITE in kinds else []
    if MapKind.COLLECTIVITE in kinds and not collectivites:
        raise AtlasError(f"{joined.source}: no collectivité with a mapped partnership for the collectivite maps")
    jobs = plan_jobs(joined, kinds, partners, base, settings["style"], style.fingerprint(), out_dir, collectivites)
    refuse_overwrite([("output", p) for job in jobs for p in _outputs(job, out_dir)], inputs)
    shown_dir = display_path(out_dir)
    click.echo(f"{len(jobs)} maps planned in {shown_dir} ({n_jobs} worker(s), executor {kw['executor']})", err=True)
    report = _run_with_progress(jobs, out_dir, joined, n_jobs, kw, pool)
    for result in report.failed:
        click.echo(f"failed: {result.stem}: {result.error}", err=True)
    made, skipped, failed = report.count("done"), report.count("skipped"), len(report.failed)
    rate = made / report.seconds if report.seconds else 0.0
    click.echo(f"{made} made, {skipped} up to date, {failed} failed in {report.seconds:.1f} s "
               f"({rate:.2f} maps/s); see {display_path(out_dir / INDEX_NAME)}")
    if report.stopped:
        raise AtlasError(f"batch stopped: {report.stopped}")
    ctx.exit(1 if failed or joined.problems else 0)


def _outputs(job: Any, out_dir: Path) -> list[Path]:
    from atlasmaps.pipeline import output_paths

    return list(output_paths(out_dir, job.options).values())


MANIFEST_KEYS = ("data", "style", "lang", "kinds", "partners", "all_partners", "formats", "output", "dpi", "page",
                 "jobs", "columns", "corrections", "include_inactive", "data_date", "source", "collectivites")


def read_manifest(source: Path) -> dict[str, Any]:
    """A batch manifest, validated: one line naming the YAML path of the first problem, exit 2."""
    from pydantic import ValidationError

    from atlasmaps.errors import UnusableInputError
    from atlasmaps.yamlsafe import load_file

    manifest = load_file(source, "manifest")  # size, depth and aliases bounded
    if manifest is None:
        manifest = {}
    if not isinstance(manifest, dict):
        raise UnusableInputError(f"{source}: a batch manifest is a mapping of settings")
    unknown = sorted(str(k)[:40] for k in set(manifest) - set(MANIFEST_KEYS))
    if unknown:
        raise UnusableInputError(f"{source}: unknown setting(s) {', '.join(unknown)}; "
                                 f"expected some of {', '.join(sorted(MANIFEST_KEYS))}")
    if "data" not in manifest:
        raise UnusableInputError(f"{source}: the manifest needs 'data:' (the partnership file)")
    try:
        return _manifest_model().model_validate(manifest).model_dump(exclude_unset=True)
    except ValidationError as exc:
        errors = exc.errors()
        err = errors[0]
        fields = {e["loc"][0] for e in errors if e["loc"]} - {err["loc"][0] if err["loc"] else None}
        more = f" (and a problem in {', '.join(sorted(map(str, fields)))})" if fields else ""
        raise UnusableInputError(f"{source}: {_manifest_error(err)}{more}") from None


def _manifest_error(err: Any) -> str:
    from atlasmaps.style import show_value, yaml_path

    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p in ("function-after",))))
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{yaml_path(loc)}: {msg[:1].lower() + msg[1:]}, got {show_value(err.get('input'))}"


def comma_list(value: Any) -> Any:
    """'a, b' -> ['a', 'b'] (the command line's form); lists stay lists, anything else is refused."""
    return _split(value) if isinstance(value, str) else value


def _partners_list(value: Any) -> Any:
    return value if value == "all" else comma_list(value)


def _manifest_model() -> Any:
    """The manifest's schema (built on first use: pydantic stays out of `atlasmaps --help`)."""
    import datetime
    from typing import Annotated, Literal

    from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr

    Kind = Literal["bilateral", "country", "world", "france", "collectivite"]
    Format = Literal["pdf", "svg", "png", "html"]
    Name = Annotated[StrictStr, Field(min_length=1, max_length=200)]

    class Manifest(BaseModel):
        model_config = ConfigDict(extra="forbid")

        data: Name
        style: Name | None = None
        lang: Literal["fr", "en"] = "fr"
        kinds: Annotated[list[Kind], BeforeValidator(comma_list), Field(min_length=1)] = ["bilateral", "country"]
        partners: Annotated[list[Name] | Literal["all"] | None, BeforeValidator(_partners_list)] = None
        all_partners: StrictBool = False
        formats: Annotated[list[Format], BeforeValidator(comma_list), Field(min_length=1)] = ["pdf"]
        output: Name = "outputs"
        dpi: StrictInt = Field(300, ge=36, le=1200)
        page: Literal[PAGES] = "A4-landscape"  # type: ignore[valid-type]
        jobs: StrictInt | None = Field(None, ge=1, le=256)
        columns: Name | None = None
        corrections: Name | None = None
        include_inactive: StrictBool = False
        data_date: datetime.date | None = None
        source: Annotated[StrictStr, Field(max_length=300)] | None = None
        collectivites: Annotated[list[Name] | Literal["all"] | None, BeforeValidator(_partners_list)] = None

    return Manifest


def _settings(ctx: click.Context, source: Path, kw: dict[str, Any]) -> dict[str, Any]:
    """Merge a YAML manifest (when SOURCE is one) with the command-line options, which win."""
    settings: dict[str, Any] = {
        "data": source, "style": None, "lang": "fr", "kinds": ["bilateral", "country"], "partners": None,
        "all_partners": False, "formats": ["pdf"], "output": "outputs", "dpi": 300, "page": "A4-landscape",
        "jobs": None, "columns": None, "corrections": None, "include_inactive": False, "data_date": None,
        "source": None, "collectivites": None,
    }
    is_manifest = source.suffix.lower() in (".yaml", ".yml")
    if is_manifest:
        manifest = read_manifest(source)
        if manifest.get("partners") == "all":
            manifest["partners"] = None
        if "partners" in manifest and manifest["partners"] is None:
            manifest["all_partners"] = True
        if manifest.get("data_date") is not None:
            manifest["data_date"] = manifest["data_date"].isoformat()
        base = source.parent
        for key in ("data", "output", "columns", "corrections", "style"):
            value = manifest.get(key)
            if value and (key != "style" or str(value).endswith((".yaml", ".yml"))):
                manifest[key] = str(base / value) if not Path(value).is_absolute() else value
        settings.update(manifest)
    source_of = ctx.get_parameter_source
    for key, option in (("all_partners", "all_partners"), ("style", "style_name"), ("lang", "lang"),
                        ("dpi", "dpi"), ("page", "page"), ("jobs", "jobs"), ("include_inactive", "include_inactive"),
                        ("data_date", "data_date"), ("corrections", "corrections"), ("source", "data_source")):
        if kw[option] not in (None, False):
            settings[key] = kw[option]
    if kw["partners"]:
        settings["partners"] = _split(kw["partners"])
    if kw["collectivites"]:
        value = kw["collectivites"].strip()
        settings["collectivites"] = "all" if value.lower() == "all" else _split(value)
    if source_of("kinds") is not click.core.ParameterSource.DEFAULT or not is_manifest:
        settings["kinds"] = _split(kw["kinds"])
    if source_of("formats") is not click.core.ParameterSource.DEFAULT:
        settings["formats"] = list(kw["formats"])
    if kw["out_dir"] is not None:
        settings["output"] = kw["out_dir"]
    settings["data"] = Path(settings["data"])
    return settings


def collectivite_keys(joined: Any, asked: str | list[str]) -> list[str]:
    """The collectivité maps to make: every collectivité with a mapped partnership ('all'), or each
    asked name or code resolved as `atlasmaps collectivite` does (an unknown one: exit 2)."""
    from atlasmaps.content.collectivite import collectivite_key
    from atlasmaps.join.select import find_collectivite

    if asked == "all":
        return sorted({collectivite_key(r.french.kind, r.french.code) for r in joined.mapped})
    keys = []
    for item in asked:
        unit = find_collectivite(joined, code=item) if item.isdigit() else find_collectivite(joined, name=item)
        keys.append(collectivite_key(unit.kind, unit.code))
    return keys


def _run_with_progress(jobs: list[Any], out_dir: Path, joined: Any, n_jobs: int, kw: dict[str, Any],
                       pool: Any = None) -> Any:
    """A progress bar on a terminal, one plain line per map otherwise (logs, CI)."""
    from atlasmaps.batch import run_batch

    common = dict(n_jobs=n_jobs, force=kw["force"], executor=kw["executor"], scheduler=kw["scheduler"], pool=pool)
    if sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=False) as progress:
            task = progress.add_task("maps", total=len(jobs))
            return run_batch(jobs, out_dir, joined, on_result=lambda r: progress.advance(task), **common)

    def line(result: Any) -> None:
        click.echo(f"{result.status:8} {result.stem} ({result.seconds:.1f} s)", err=True)

    return run_batch(jobs, out_dir, joined, on_result=line, **common)
