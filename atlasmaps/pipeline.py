"""The one path from a data file to map files: join once, render each format, write atomically.

Commands and the batch both go through here, so a map made by `atlasmaps bilateral` and the same
map made by `atlasmaps batch` are produced by the same code from the same joined data.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from atlasmaps.atomic import check_writable_dir, refuse_overwrite, write_bytes_atomic, write_text_atomic
from atlasmaps.errors import AtlasError, UsageFault
from atlasmaps.model import PRINT_FORMATS, JoinResult, MapKind, RenderedMap, RenderOptions

if TYPE_CHECKING:
    from atlasmaps.style import Style


def load_joined(data: str | Path, *, columns: str | Path | None = None, corrections: str | Path | None = None,
                data_date: str | None = None, source: str | None = None) -> JoinResult:
    """The one read -> validate -> join entry, for every command: the joined rows of a data file.

    `data_date` (ISO) replaces the file's own date on the maps' source line (`--data-date`);
    `source` is `--source` (see `atlasmaps.join.stated_source`).
    """
    from atlasmaps.join import join_file

    joined = join_file(data, columns=columns, corrections=corrections, source=source)
    return replace(joined, data_date=data_date) if data_date else joined


class MapFailed(AtlasError):
    """One map could not be made (e.g. a partner with no mappable partnership); exit 1."""

    exit_code = 1


@dataclass
class MapOutcome:
    """What making one map produced: the files written, their sizes, and what was left out."""

    options: RenderOptions
    paths: dict[str, Path] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    dropped_labels: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    numbered_labels: tuple[str, ...] = ()  # named by a number on the map, in full in its key


def active_only(joined: JoinResult, options: RenderOptions) -> tuple[JoinResult, tuple[str, ...]]:
    """The Atlas maps active cooperations: other statuts are left off unless asked for, and said so."""
    return active_rows(joined, options.include_inactive)


def active_rows(joined: JoinResult, include_inactive: bool) -> tuple[JoinResult, tuple[str, ...]]:
    """`active_only` for callers without RenderOptions (the GeoPackage export)."""
    if include_inactive:
        return joined, ()
    kept = tuple(r for r in joined.rows if r.partnership.statut == "active")
    left_out = len(joined.rows) - len(kept)
    if not left_out:
        return joined, ()
    note = (f"{left_out} partnership(s) not active (inactive or planned) left off the map; "
            "--include-inactive draws them")
    return replace(joined, rows=kept), (note,)


def check_partner(joined: JoinResult, options: RenderOptions) -> JoinResult:
    """Restrict the data to the partner of a per-country map (the collectivité of a collectivité map);
    refuse one with nothing to draw."""
    if options.kind == MapKind.COLLECTIVITE:
        return check_collectivite(joined, options)
    if options.kind not in (MapKind.BILATERAL, MapKind.COUNTRY):
        return joined
    if not options.partner:
        raise MapFailed(f"a {options.kind.value} map needs --partner")
    subset = joined.for_partner(options.partner)
    if not subset.mapped:
        total = len(subset.rows)
        detail = f"{total} row(s), none matched on both sides" if total else "no row"
        raise MapFailed(f"{joined.source}: no partnership to map with {options.partner} ({detail})")
    return subset


def for_collectivite(joined: JoinResult, key: str) -> JoinResult:
    """The rows of one French collectivité ("commune-69123"); problems are kept (they belong to the file)."""
    from atlasmaps.content.collectivite import collectivite_key

    return replace(joined, rows=tuple(r for r in joined.rows if r.french is not None
                                      and collectivite_key(r.french.kind, r.french.code) == key))


def check_collectivite(joined: JoinResult, options: RenderOptions) -> JoinResult:
    """The rows of the collectivité `options.collectivite` ("commune-69123"), refused when none can be drawn."""
    if not options.collectivite:
        raise MapFailed("a collectivite map needs --name or --code")
    subset = for_collectivite(joined, options.collectivite)
    rows = subset.rows
    if not subset.mapped:
        detail = f"{len(rows)} row(s), none matched on both sides" if rows else "no row"
        raise MapFailed(f"{joined.source}: no partnership to map for {options.collectivite} ({detail})")
    return subset


_TILE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9 ._\-]{0,63}$")
_TILE_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(?::\d{1,5})?/[A-Za-z0-9{}._~/\-?=&%:+,@]*$")


def check_tiles(value: str) -> str:
    """A `--tiles` basemap: a provider name or an http(s) URL template with no quote, space or markup.

    The URL is shown as the map's attribution and handed to Leaflet, so it is checked here (and escaped
    by the web renderer as well)."""
    value = value.strip()
    if _TILE_NAME.match(value) or _TILE_URL.match(value):
        return value
    shown = value if len(value) <= 60 else value[:60] + "…"
    raise ValueError(f"{shown!r} is neither a basemap name nor an http(s) URL template such as "
                     "https://tile.example.org/{z}/{x}/{y}.png (no quotes, spaces or < >)")


#: Pixels allowed per PNG page: Pillow's own MAX_IMAGE_PIXELS, beyond which it refuses to open the image
#: (DecompressionBombError) and matplotlib needs ~1 GB of RAM per page.
PIXEL_BUDGET = 89_478_485


def check_pixel_budget(style: Style, options: RenderOptions, option: str = "--dpi") -> None:
    """Refuse a PNG too large for its page before rendering, saying the largest dpi that fits."""
    if "png" not in options.formats:
        return
    page = style.page(options.page)
    width, height = round(page.width_in * options.dpi), round(page.height_in * options.dpi)
    if width * height > PIXEL_BUDGET:
        best = int((PIXEL_BUDGET / (page.width_in * page.height_in)) ** 0.5)
        raise UsageFault(
            f"{option} {options.dpi}: a {options.page} PNG would be {width:,} x {height:,} pixels, over the budget of "
            f"{PIXEL_BUDGET:,} pixels per page; the largest dpi for {options.page} is {best}"
        )


def check_projection(joined: JoinResult, options: RenderOptions) -> None:
    """A `--projection` in which places of the map cannot be drawn (the other side of an orthographic
    globe, outside a national grid's domain) is a usage error, said before rendering."""
    if not options.projection or options.kind not in (MapKind.BILATERAL, MapKind.COUNTRY):
        return
    from atlasmaps.geo.projection import hidden_points

    sides = [("partner place(s)", f"of {options.partner}",
              [(r.partner.lon, r.partner.lat) for r in joined.mapped if r.partner is not None])]
    if options.kind is MapKind.BILATERAL:  # the France panel is drawn in the same projection
        sides.append(("French collectivité(s)", "drawn as points",
                      [(r.french.lon, r.french.lat) for r in joined.mapped if r.french is not None]))
    for what, where, raw in sides:
        points = [(lon, lat) for lon, lat in raw if lon is not None and lat is not None]
        hidden = hidden_points(options.projection, points)
        if hidden:  # a map silently missing some places would mislead: say so instead
            every = "every" if hidden == len(points) else f"{hidden} of {len(points)}"
            raise UsageFault(f"--projection {options.projection}: hides {every} {what} {where} ({hidden} of "
                             f"{len(points)} cannot be projected); choose a projection that shows both sides, "
                             "or leave the choice to atlasmaps")


def preflight(style: Style, options: list[RenderOptions], out_dir: Path, inputs: dict[str, Path | None],
              outputs: list[Path] | None = None) -> None:
    """The checks that need no data, done before the join and before any map is drawn (usage errors,
    exit 2): pixel budget, a writable output folder, outputs (default: the maps of `options`) that
    would replace inputs, a readable boundaries/."""
    for opts in options:
        check_pixel_budget(style, opts)
    check_writable_dir(out_dir)
    if outputs is None:
        outputs = [p for opts in options for p in output_paths(out_dir, opts).values()]
    refuse_overwrite([("output", p) for p in outputs], inputs)
    from atlasmaps import boundaries

    boundaries.manifest()
    boundaries.sources()


def render(joined: JoinResult, style: Style, options: RenderOptions) -> RenderedMap:
    """Render the asked formats: print formats in one drawing, HTML separately."""
    files: dict[str, bytes] = {}
    extra: dict[str, bytes] = {}
    dropped: list[str] = []
    numbered: list[str] = []
    warnings: list[str] = []
    print_formats = tuple(f for f in options.formats if f in PRINT_FORMATS)
    parts: list[RenderedMap] = []
    if print_formats:
        from atlasmaps.render import static

        parts.append(static.render(joined, style, _with_formats(options, print_formats)))
    if "html" in options.formats:
        from atlasmaps.render import web

        parts.append(web.render(joined, style, _with_formats(options, ("html",))))
    for part in parts:
        files.update(part.files)
        extra.update(part.extra_files)
        dropped.extend(d for d in part.dropped_labels if d not in dropped)
        numbered.extend(d for d in part.numbered_labels if d not in numbered)
        warnings.extend(part.warnings)
    return RenderedMap(files=files, dropped_labels=tuple(dropped), numbered_labels=tuple(numbered),
                       warnings=tuple(warnings), extra_files=extra)


def _with_formats(options: RenderOptions, formats: tuple[str, ...]) -> RenderOptions:
    return replace(options, formats=formats)


def output_paths(out_dir: Path, options: RenderOptions) -> dict[str, Path]:
    """`DIR/<kind>-<ISO2>.<ext>` (world and france: `DIR/<kind>.<ext>`)."""
    stem = options.output_stem()
    return {fmt: out_dir / f"{stem}.{fmt}" for fmt in options.formats}


def write(rendered: RenderedMap, out_dir: Path, options: RenderOptions) -> dict[str, Path]:
    """Write each format atomically; extra files (embed snippet) go beside the map."""
    paths = output_paths(out_dir, options)
    written: dict[str, Path] = {}
    for fmt, path in paths.items():
        if fmt in rendered.files:
            written[fmt] = write_bytes_atomic(path, rendered.files[fmt])
    stem = options.output_stem()
    for suffix, data in rendered.extra_files.items():
        written[suffix] = write_bytes_atomic(out_dir / f"{stem}.{suffix}", data)
    return written


#: The list of labels a print map left out, beside the map (`DIR/<stem>.labels-dropped.txt`).
DROPPED_LABELS = "labels-dropped.txt"
#: How many of the left-out labels (the most important) the console and the gallery name.
DROPPED_SHOWN = 10


def write_dropped(out_dir: Path, stem: str, dropped: tuple[str, ...]) -> Path | None:
    """Every left-out label, most important first, one per line; an earlier run's list is removed
    when nothing is left out any more (a stale list would report labels the map now has)."""
    path = out_dir / f"{stem}.{DROPPED_LABELS}"
    if not dropped:
        path.unlink(missing_ok=True)
        return None
    return write_text_atomic(path, "".join(f"{name}\n" for name in dropped))


def dropped_summary(dropped: tuple[str, ...] | list[str]) -> str:
    """'N label(s) left out …: the most important first' (the console's and the gallery's line)."""
    shown = ", ".join(dropped[:DROPPED_SHOWN])
    more = f" and {len(dropped) - DROPPED_SHOWN} more" if len(dropped) > DROPPED_SHOWN else ""
    return (f"{len(dropped)} label(s) could not be placed without overlap and were left out "
            f"(most important first): {shown}{more}")


def make_map(joined: JoinResult, style: Style, options: RenderOptions, out_dir: Path) -> MapOutcome:
    """Render one map in every asked format and write it: the unit of work of commands and batch."""
    start = time.perf_counter()
    subset = check_partner(joined, options)
    check_projection(subset, options)
    subset, notes = active_only(subset, options)
    if not subset.mapped:
        target = f" with {options.partner}" if options.partner else ""
        raise MapFailed(f"{joined.source}: no active partnership to map{target}" + (f" ({notes[0]})" if notes else ""))
    rendered = render(subset, style, options)
    paths = write(rendered, out_dir, options)
    if any(f in PRINT_FORMATS for f in options.formats):
        listed = write_dropped(out_dir, options.output_stem(), rendered.dropped_labels)
        if listed is not None:
            paths[DROPPED_LABELS] = listed
    return MapOutcome(
        options=options,
        paths=paths,
        sizes={fmt: p.stat().st_size for fmt, p in paths.items()},
        dropped_labels=rendered.dropped_labels,
        numbered_labels=rendered.numbered_labels,
        warnings=(*notes, *rendered.warnings),
        seconds=time.perf_counter() - start,
    )
