"""Print maps (PDF, SVG, PNG) with matplotlib, from the format-independent map content.

Why this shape:
- What to draw (layers, points with their colour, legend sections, texts) arrives as one
  `atlasmaps.content.MapContent`; this package never reads boundaries or data files.
- Geometries are projected, clipped and simplified (`atlasmaps.geo.geometry`) and drawn as
  matplotlib paths in projected metres on plain axes: no reprojection at draw time.
- The figure is laid out once (labels measured and placed, `labels`); when some places have no room
  for their name, they are numbered and the labels placed again on the same figure (laid out once
  more only when their key changes the page's boxes). Each asked format is written from that same
  figure into memory (`output`).
- Every colour, font, size and text comes from the resolved style (`atlasmaps.style.Style`).
- Modules: `page` (the page and its boxes), `draw` (primitives), `elements` (title, source, scale
  bar, north arrow, legend, insets, top list, partners list), `legend`, `panels`, `labels`,
  `compose` (the world, France and collectivité compositions), `partner` (the
  bilateral and country compositions), `annex` (the PDF's pages listing in full what did not fit
  beside the map), `output`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from atlasmaps.geo import projection as P
from atlasmaps.model import MapKind, RenderedMap
from atlasmaps.render.static import annex as AN
from atlasmaps.render.static import compose as CO
from atlasmaps.render.static import dense as DN
from atlasmaps.render.static import output as OUT
from atlasmaps.render.static import page as PG
from atlasmaps.render.static import partner as PA
from atlasmaps.render.static.labels import Leaders, place_labels

if TYPE_CHECKING:
    from atlasmaps.model import JoinResult, RenderOptions
    from atlasmaps.style import Style


def warm_up(style: Style) -> None:
    """What the first print map of a process pays once: matplotlib's imports and the look-up and
    loading of the style's fonts (a batch worker does it while the parent joins the data)."""
    import matplotlib
    from atlasmaps.render.static.agg import Canvas, Figure

    with matplotlib.rc_context(OUT.rc(style)):
        fig = Figure(figsize=(1, 1), dpi=PG.LAYOUT_DPI)
        Canvas(fig)
        for weight in ("normal", "bold"):
            for fontstyle in ("normal", "italic"):
                fig.text(0, 0, "Atlas", fontsize=8, fontweight=weight, fontstyle=fontstyle)
        fig.canvas.draw()


def render(joined: JoinResult, style: Style, options: RenderOptions) -> RenderedMap:
    """Draw the map once and return the bytes of each asked print format (pdf, svg, png)."""
    import matplotlib

    from atlasmaps import content

    kind = MapKind(options.kind)
    if kind in (MapKind.BILATERAL, MapKind.COUNTRY) and not options.partner:
        raise ValueError(f"a {kind.value} map needs a partner country")
    if options.projection:
        # A bad override is the user's to fix: one clear line (AtlasError), not a pyproj traceback.
        options = replace(options, projection=P.checked_override(options.projection))
    width_mm, height_mm, inner = PG.page_boxes(style, options.page)
    with matplotlib.rc_context(OUT.rc(style)):
        mc = content.build(joined, style, options)
        # A place whose label fits nowhere is named by a number and the key beside the map (the
        # cartographer's callout): found on a first layout, they are numbered, the most important
        # first, as many as the key has room for, and the labels placed again on the same page; when
        # the key changes the page's boxes (a taller legend band), the page is laid out once more
        # instead. What fits nowhere then is dropped and reported, not laid out again (a layout of a
        # dense map costs about as much as drawing it); a number among them leaves the key.
        fig, cv, renumber = _lay_out(joined, style, options, mc, inner, ())
        placed, dropped, extra = _place(cv)
        lost = _lost(placed, dropped)
        if lost and renumber is not None:
            for p in placed:
                for artist in p.artists:
                    artist.remove()
            cv.numbered = lost
            if not renumber():
                fig, cv, _ = _lay_out(joined, style, options, mc, inner, lost)
            placed, dropped, extra = _place(cv)
            lost = _lost(placed, dropped)
        gone = {int(r.lines[0].text) for r in dropped
                if r.place in set(lost) and r.lines and r.lines[0].role == "callout"}
        if gone and cv.key is not None:
            DN.drop_from_key(cv, placed, gone)
        # A place named on its panel or in a zoom inset is named: only labels placed nowhere are dropped.
        named = {p.key for p in placed}
        left_out = list(dict.fromkeys(r.key for r in [*dropped, *extra] if r.key not in named))
        by_number = list(dict.fromkeys(r.key for r in cv.requests
                                       if r.lines and r.lines[0].role == "callout" and r.key in named))
        annex = (AN.pages(cv, mc.full_list, inner) if cv.annex and mc.full_list is not None
                 and "pdf" in options.formats else [])
        if cv.annex and options.formats and "pdf" not in options.formats:
            cv.warnings.append(f"the list beside the map refers to the PDF's annex, which was not asked for: add pdf "
                               f"to --format to write it ({options.output_stem()}.pdf)")
        files = OUT.write(fig, [f for f in options.formats], options.dpi, annex)
    return RenderedMap(files=files, dropped_labels=tuple(left_out), numbered_labels=tuple(by_number),
                       warnings=tuple(dict.fromkeys(cv.warnings)))


def _lay_out(joined: JoinResult, style: Style, options: RenderOptions, mc, inner: PG.Box,
             numbered: tuple) -> tuple:
    """One layout of the page with `numbered` places named by numbers: the figure, its canvas and
    the composition's way of numbering more places on it (None: a kind that numbers none)."""
    from atlasmaps.render.static.agg import Canvas, Figure

    width_mm, height_mm, _ = PG.page_boxes(style, options.page)
    fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=PG.LAYOUT_DPI)
    Canvas(fig)
    cv = PG.Canvas(fig, width_mm, height_mm, style, options.lang, mc, warnings=list(mc.warnings), numbered=numbered)
    renumber = {
        MapKind.BILATERAL: PA.bilateral,
        MapKind.COUNTRY: PA.country,
        MapKind.WORLD: CO.world,
        MapKind.FRANCE: CO.france,
        MapKind.COLLECTIVITE: CO.collectivite,
    }[MapKind(options.kind)](cv, joined, options, inner)
    return fig, cv, renumber


def _lost(placed: list, dropped: list) -> tuple:
    """The places named nowhere, neither on their panel nor in a zoom inset, most important first."""
    shown = {p.request.place for p in placed}
    return tuple(dict.fromkeys(r.place for r in sorted(dropped, key=lambda r: -r.priority)
                               if r.place is not None and r.place not in shown))


def _place(cv: PG.Canvas) -> tuple:
    """Place the page's labels: those placed, the requests placed nowhere and those past the style's
    `max_labels`."""
    style = cv.style
    limit = style.place_labels.max_labels
    requests = sorted(cv.requests, key=lambda r: -r.priority)
    extra = requests[limit:] if limit else []
    pl = style.place_labels
    leaders = Leaders(color=pl.leader_color, width_pt=pl.leader_width_pt, step_pt=pl.leader_step_pt,
                      max_distance_pt=pl.leader_max_distance_pt, zorder=style.zorder.leaders)
    kept = requests[:limit] if limit else requests
    placed, _ = place_labels(kept, cv.obstacles, leaders=leaders, wrap_min_chars=pl.wrap_min_chars)
    done = {id(p.request) for p in placed}
    return placed, [r for r in kept if id(r) not in done and any(ln.text for ln in r.lines)], extra
