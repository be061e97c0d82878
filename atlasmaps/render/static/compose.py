"""The compositions of the world, France and collectivité maps: where each element of a map kind goes
on the page (the bilateral and country maps: `partner`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

from atlasmaps.content import common as K
from atlasmaps.geo import geometry as G
from atlasmaps.geo import projection as P
from atlasmaps.render.static import draw as D
from atlasmaps.render.static import elements as E
from atlasmaps.render.static import europe as EU
from atlasmaps.render.static import page as PG
from atlasmaps.render.static import panels as PN
from atlasmaps.render.static.labels import LabelLine, LabelRequest

if TYPE_CHECKING:
    from atlasmaps.content.collectivite import CollectiviteContent
    from atlasmaps.content.france import FranceContent
    from atlasmaps.content.types import MapTexts
    from atlasmaps.content.world import WorldContent
    from atlasmaps.model import JoinResult, RenderOptions


def wants_insets(options: RenderOptions, involved: Sequence[str]) -> bool:
    return bool(involved) if options.insets is None else options.insets


def page_body(cv: PG.Canvas, inner: PG.Box, texts: MapTexts) -> PG.Box:
    """Draw the title block and the source/credits footer; return the box left for maps and legend."""
    top = inner.top - E.title(cv, inner, texts.title, texts.subtitle)
    bottom = inner.y + E.source(cv, inner, texts)
    return PG.Box(inner.x, bottom, inner.w, top - bottom)


def france_override(cv: PG.Canvas, options: RenderOptions) -> P.Frame:
    deps = cv.content.layers["fr_departements"].gdf
    metro = deps[~deps["code"].isin(list(K.OVERSEAS_INSETS))]
    return P.frame_of(metro.geometry.values, options.projection)


def world(cv: PG.Canvas, joined: JoinResult, options: RenderOptions, inner: PG.Box) -> None:
    st = cv.style
    wc: WorldContent = cv.content.data
    body = page_body(cv, inner, cv.content.texts)
    lay = st.layout.world
    band_h = lay.band_height_mm
    crs = options.projection or P.EQUAL_EARTH
    mbox_h = body.h - band_h - lay.gap_mm
    world_frame = G.world_frame(crs)
    aspect = world_frame.width / world_frame.height
    mw = min(body.w, mbox_h * aspect)
    mbox = PG.Box(body.x + (body.w - mw) / 2, body.y + band_h + lay.gap_mm, mw, mbox_h)
    eu = lay.europe
    ibox = None
    if wc.europe is not None:
        room = mbox_h - mw / aspect - lay.gap_mm  # left under the world (a portrait page)
        if room >= eu.height_mm:
            # Europe as a second panel under the world, as wide as the page.
            mbox = PG.Box(mbox.x, body.top - mw / aspect, mw, mw / aspect)
            ibox = PG.Box(body.x, body.y + band_h + lay.gap_mm, body.w, room)
        else:
            # Europe at the lower left, from the band up into the empty South Pacific; the band's texts beside it.
            ibox = PG.Box(body.x, body.y, min(eu.width_mm, body.w / 3), min(eu.height_mm, body.h / 2))
    frame = world_frame.fit(mbox.w / mbox.h, pad=lay.pad)
    ax = cv.axes(mbox, gid="panel-world", frame=False)
    ax.set_xlim(frame.xmin, frame.xmax)
    ax.set_ylim(frame.ymin, frame.ymax)
    # The globe's outline (sea), then the countries.
    globe = G.globe(crs)
    D.draw_polys(ax, [globe], gid="sea", zorder=st.zorder.sea, facecolor=st.basemap.sea, edgecolor=st.basemap.coastline,
                linewidth=st.basemap.coastline_width_pt)
    world_countries(cv, ax, frame, mbox, options.symbols)
    band_x = body.x
    if ibox is not None:
        EU.inset(cv, ax, frame, ibox, wc.europe, eu.pad,
                 lambda iax, iframe, box: world_countries(cv, iax, iframe, box, options.symbols, "europe-"))
        hidden = EU.hidden_under(cv, ax, ibox, wc.per_country(), "country-")
        if hidden:
            cv.warnings.append(f"world map: the Europe inset hides {', '.join(hidden)}")
        if ibox.y < body.y + band_h:  # in the band, beside its texts
            band_x += ibox.w + eu.gap_mm
    E.legend(cv, PG.Box(band_x, body.y, lay.legend_width_mm, band_h), cv.content.legend)
    top_x = band_x + lay.top_list_x_mm
    E.top_list(cv, PG.Box(top_x, body.y, body.right - top_x, band_h), wc)


def world_countries(cv: PG.Canvas, ax, frame: P.Frame, box: PG.Box, symbols: bool, prefix: str = "") -> None:
    """The countries filled by class (or grey under proportional circles), in the world panel or
    in its Europe inset (`prefix` keeps the inset's SVG ids apart from the world's)."""
    import numpy as np
    import shapely

    st = cv.style
    wc: WorldContent = cv.content.data
    projected = cv.project("countries", frame, box)
    counts = dict(zip(wc.countries["iso_a2"], wc.countries["n"]))
    ch = st.choropleth
    for iso, g in zip(projected["iso_a2"], projected.geometry):
        n = counts.get(iso, 0)
        if iso == "FR":
            fc = ch.france
        elif symbols or n <= 0:
            fc = ch.no_data
        else:
            fc = wc.classes.colour_of(n) or ch.no_data
        D.draw_feature(ax, g, f"{prefix}country-{iso}", st.zorder.countries, facecolor=fc, edgecolor=ch.edge,
                       linewidth=ch.edge_width_pt)
    if not symbols:
        return
    pr = st.proportional
    values = wc.values
    vmax = max(values) if values else 1
    # Circles at the main part of each country, areas proportional to the count.
    pts = wc.countries[wc.countries["n"] > 0].drop_duplicates("iso_a2")
    anchors = []
    for geom in pts.geometry:
        parts = P.main_parts([geom], share=0.5)
        anchors.append(shapely.point_on_surface(parts[0]) if len(parts) else geom.representative_point())
    xs, ys = G.project_points([a.x for a in anchors], [a.y for a in anchors], frame)
    order = np.argsort(-pts["n"].values, kind="stable")  # big circles under small ones
    for i in order:
        if not D.in_frame(xs[i], ys[i], frame):
            continue
        n = int(pts["n"].values[i])
        d = max(pr.min_size_pt, pr.max_size_pt * math.sqrt(n / vmax))
        (c,) = ax.plot([xs[i]], [ys[i]], linestyle="none", marker="o", markersize=d, markerfacecolor=pr.color,
                       alpha=pr.alpha, markeredgecolor=pr.edge, markeredgewidth=pr.edge_width_pt,
                       zorder=st.zorder.circles)
        c.set_gid(f"{prefix}circle-{pts['iso_a2'].values[i]}")


def france(cv: PG.Canvas, joined: JoinResult, options: RenderOptions, inner: PG.Box) -> None:
    st = cv.style
    fc: FranceContent = cv.content.data
    level = fc.level
    body = page_body(cv, inner, cv.content.texts)
    lay = st.layout.france
    legend_w = lay.legend_width_mm
    gap = lay.gap_mm
    inset_w = lay.inset_width_mm
    mbox = PG.Box(body.x + inset_w + gap, body.y, body.w - legend_w - inset_w - 2 * gap, body.h)
    frame = D.panel_frame(P.france_frame() if not options.projection else france_override(cv, options), mbox,
                          pad=st.layout.panel_pad)
    ch = st.choropleth
    no_project = ch.france_no_data or ch.no_data
    classes = fc.classes
    layer_name = "fr_regions" if level == "region" else "fr_departements"
    layer = cv.content.layers[layer_name].gdf
    counts = dict(zip(fc.units["code"], fc.units["n"]))
    names = dict(zip(fc.units["code"], fc.units["name"]))

    def draw_units(ax, frame, box, overseas: str | None) -> None:
        D.setup_map_axes(ax, frame, st)
        D.draw_basemap(cv, ax, frame, box, {})
        projected = cv.project(layer_name, frame, box)
        for code, g in zip(projected["code"].astype(str), projected.geometry):
            n = counts.get(code, 0)
            col = (classes.colour_of(n) if n > 0 else None) or no_project
            D.draw_feature(ax, g, f"unit-{code}", st.zorder.france_units, facecolor=col, edgecolor=ch.edge, linewidth=ch.edge_width_pt)
            if n > 0:
                rp = g.representative_point()
                if D.in_frame(rp.x, rp.y, frame):
                    props = dict(D.label_props(st))
                    props["fontweight"] = "bold"
                    cv.requests.append(LabelRequest(key=f"{names.get(code, code)} ({n})", ax=ax, x=rp.x, y=rp.y,
                                                    priority=n, lines=[LabelLine(str(n), props)],
                                                    gid=f"unit-{code}"))

    ax = cv.axes(mbox, gid="panel-france")
    draw_units(ax, frame, mbox, None)
    E.scale_bar(cv, ax, frame, mbox)
    if options.north_arrow:
        E.north_arrow(cv, ax, frame)
    # Overseas insets stacked in a column left of metropolitan France (always: they are France).
    n = len(K.OVERSEAS_INSETS)
    cap_h = E.caption_height(cv)
    slot = body.h / n
    for i, code in enumerate(K.OVERSEAS_INSETS):
        box = PG.Box(body.x, body.top - (i + 1) * slot + 1.5, inset_w, slot - cap_h - 2.5)
        geom = layer.loc[layer["code"].astype(str) == fc.unit_code_of_overseas(code)].geometry
        if not geom.empty:
            E.inset(cv, box, code, geom.values, lambda ax, frame, box, code=code: draw_units(ax, frame, box, code))
    E.legend(cv, PG.Box(body.right - legend_w, body.y, legend_w, body.h), cv.content.legend)


def collectivite(cv: PG.Canvas, joined: JoinResult, options: RenderOptions, inner: PG.Box) -> None:
    """A column with France locating the collectivité, the legend and its partners; the world beside."""
    st = cv.style
    cc: CollectiviteContent = cv.content.data
    body = page_body(cv, inner, cv.content.texts)
    lay = st.layout.collectivite
    side_w = lay.side_width_mm
    gap = lay.gap_mm
    # The locator: metropolitan France, or the overseas département the collectivité is in.
    loc_h = min(lay.locator_height_mm, body.h / 2)
    lbox = PG.Box(body.x, body.top - loc_h, side_w, loc_h)
    if cc.overseas is None:
        lframe = D.panel_frame(P.france_frame(), lbox, pad=st.layout.panel_pad)
        ax = cv.axes(lbox, gid="panel-france")
        PN.french_panel(cv, ax, lframe, lbox, cc, label=False)
    else:
        deps = cv.content.layers["fr_departements"].gdf
        geoms = deps.loc[deps["code"].astype(str) == cc.overseas].geometry.values
        lbox = PG.Box(lbox.x, lbox.y, lbox.w, lbox.h - E.caption_height(cv))  # its caption goes above
        E.inset(cv, lbox, cc.overseas, geoms,
                lambda ax, frame, box: PN.french_panel(cv, ax, frame, box, cc, inset=cc.overseas, label=False))
    # The partners' map, fitted to the collectivité and its partners.
    mbox = PG.Box(body.x + side_w + gap, body.y, body.w - side_w - gap, body.h)
    frame = D.panel_frame(partners_frame(cc, lay.world_span_deg, options.projection), mbox, pad=lay.pad)
    ax = cv.axes(mbox, gid="panel-world")
    PN.collectivite_world_panel(cv, ax, frame, mbox, cc)
    if cc.europe is not None and frame.crs == P.EQUAL_EARTH:  # partners over the world, several in Europe
        EU.collectivite_inset(cv, ax, frame, mbox, cc, options.north_arrow)
    E.scale_bar(cv, ax, frame, mbox)
    if options.north_arrow:
        E.north_arrow(cv, ax, frame)
    rest = PG.Box(body.x, body.y, side_w, body.h - loc_h - gap)
    lw = E.legend(cv, rest, cv.content.legend)
    leg_h = min(rest.h, rest.h - lw.space_left() + 1.0)
    lw.ax.set_position((rest.x / cv.width_mm, (rest.top - leg_h) / cv.height_mm, rest.w / cv.width_mm,
                        leg_h / cv.height_mm))
    lw.ax.set_ylim(rest.h - leg_h, rest.h)
    E.collectivite_list(cv, PG.Box(rest.x, rest.y, rest.w, rest.h - leg_h - gap), cc)


def partners_frame(cc: CollectiviteContent, world_span_deg: float, override: str | None) -> P.Frame:
    """Partners spread over the world (more than `world_span_deg` of longitude): the world map's
    equal-area projection (centred on Greenwich, as the Atlas's world map), cropped around them;
    else the conformal frame of their countries, as a country map is fitted."""
    points = [cc.anchor, *((g.x, g.y) for g in cc.partners.geometry)]
    west, east = P.lon_extent([(x, y, x, y) for x, y in points])
    if east - west > world_span_deg and not override:
        return P.frame_of([], P.EQUAL_EARTH, extra_points=points)
    return P.country_frame(cc.countries, must_show=points, zones=list(cc.zones.geometry), override=override)
