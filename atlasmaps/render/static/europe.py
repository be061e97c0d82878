"""Europe enlarged: the world map's inset (or second panel), and the collectivité map's inset when
its partners spread over the world and several are in Europe.

Why: on a world frame a European country is 1–2 mm across on A4, where most partnerships are. The
inset (mapsf's mf_inset_on) draws the same content in Europe's equal-area projection (EPSG:3035),
framed, captioned, and located on the main panel by a box.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from atlasmaps.geo import geometry as G
from atlasmaps.geo import projection as P
from atlasmaps.render.static import draw as D
from atlasmaps.render.static import page as PG

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from atlasmaps.content.collectivite import CollectiviteContent

#: The corners an inset may take on the collectivité map, in order of preference.
CORNERS = ("lower left", "lower right", "upper left", "upper right")


def inset(cv: PG.Canvas, main_ax: Axes, main_frame: P.Frame, box: PG.Box, extent: P.Frame, pad: float,
          draw) -> P.Frame:
    """Europe in `box`: framed, captioned and located on the main panel by a box; `draw(ax, frame,
    box)` draws its content. Returns the inset's frame."""
    st = cv.style
    look = st.inset_frame
    frame = extent.fit(box.w / box.h, pad=pad)
    ax = cv.axes(box, gid="inset-europe")
    D.setup_map_axes(ax, frame, st)
    for spine in ax.spines.values():
        spine.set_edgecolor(look.frame_color)
        spine.set_linewidth(look.frame_width_pt)
    draw(ax, frame, box)
    t = ax.text(0.03, 0.97, cv.text("inset.europe"), transform=ax.transAxes, ha="left", va="top",
                fontsize=look.caption_size_pt, color=look.caption_color, fontweight="bold", zorder=st.zorder.labels,
                bbox={"facecolor": st.legend.background, "alpha": st.legend.background_alpha, "edgecolor": "none",
                      "pad": 1.0})
    t.set_gid("inset-europe-caption")
    xs, ys = G.frame_outline(frame, main_frame)
    (line,) = main_ax.plot(xs, ys, color=look.locator_color, linewidth=look.locator_width_pt,
                           zorder=st.zorder.scale_bar)
    line.set_gid("locator-europe")
    return frame


def hidden_under(cv: PG.Canvas, ax: Axes, box: PG.Box, countries: Sequence[tuple[str, str, int]],
                 prefix: str) -> list[str]:
    """Names of the `countries` (iso2, name, n) whose every drawn part on `ax` lies under `box`."""
    renderer = cv.fig.canvas.get_renderer()
    to_px = cv.fig.dpi / 25.4
    x0, y0, x1, y1 = box.x * to_px, box.y * to_px, box.right * to_px, box.top * to_px
    drawn = {p.get_gid(): p for p in ax.patches if p.get_gid()}
    hidden = []
    for iso, name, _ in countries:
        patch = drawn.get(f"{prefix}{iso}")
        if patch is None:
            continue
        bb = patch.get_window_extent(renderer)
        if x0 <= bb.x0 and bb.x1 <= x1 and y0 <= bb.y0 and bb.y1 <= y1:
            hidden.append(name)
    return hidden


def collectivite_inset(cv: PG.Canvas, ax: Axes, frame: P.Frame, mbox: PG.Box, cc: CollectiviteContent,
                       north_arrow: bool) -> bool:
    """Europe in the first corner of the partners' world panel that hides no place and not Europe
    itself (the corners of a world frame are mostly ocean); none free, no inset. Its partners are
    labelled in the inset, not on the crowded main panel. Returns whether the inset was drawn."""
    import shapely
    from shapely.geometry import Polygon

    from atlasmaps.render.static import panels as PN

    lay = cv.style.layout.collectivite
    w, h = min(lay.europe_width_mm, mbox.w / 2.5), min(lay.europe_height_mm, mbox.h / 2)
    xs, ys = G.project_points([cc.anchor[0], *cc.partners.geometry.x], [cc.anchor[1], *cc.partners.geometry.y], frame)
    px = mbox.x + (xs - frame.xmin) / frame.width * mbox.w
    py = mbox.y + (ys - frame.ymin) / frame.height * mbox.h

    def box_at(corner: str) -> PG.Box:
        x = mbox.x if corner.endswith("left") else mbox.right - w
        y = mbox.y if corner.startswith("lower") else mbox.top - h
        return PG.Box(x, y, w, h)

    lx, ly = G.frame_outline(cc.europe, frame)
    lx, ly = mbox.x + (lx - frame.xmin) / frame.width * mbox.w, mbox.y + (ly - frame.ymin) / frame.height * mbox.h

    def free(b: PG.Box) -> bool:
        places = ((px >= b.x) & (px <= b.right) & (py >= b.y) & (py <= b.top)).any()
        europe = lx.min() <= b.right and b.x <= lx.max() and ly.min() <= b.top and b.y <= ly.max()
        return not places and not europe

    st = cv.style
    taken = {st.scale_bar.position if st.scale_bar.show else None, st.north_arrow.position if north_arrow else None}
    box = next((box_at(c) for c in CORNERS if c not in taken and free(box_at(c))), None)
    if box is None:
        return False
    n_warnings = len(cv.warnings)
    iframe = inset(cv, ax, frame, box, cc.europe, lay.europe_pad,
                   lambda iax, ifr, ibox: PN.collectivite_world_panel(cv, iax, ifr, ibox, cc))
    del cv.warnings[n_warnings:]  # "outside the map": the partners beyond Europe, drawn on the main panel
    # What the inset shows is labelled there: the main panel's labels inside its locator box are not asked for.
    shown = Polygon(list(zip(*G.frame_outline(iframe, frame))))
    cv.requests = [r for r in cv.requests
                   if r.ax is not ax or not shapely.contains_xy(shown, r.x, r.y)]
    return True
