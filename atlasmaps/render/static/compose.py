"""The four compositions: where each element of a map kind goes on the page."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Sequence

from atlasmaps.content import common as K
from atlasmaps.content.bilateral import show_years
from atlasmaps.geo import geometry as G
from atlasmaps.geo import projection as P
from atlasmaps.render.static import dense as DN
from atlasmaps.render.static import draw as D
from atlasmaps.render.static import elements as E
from atlasmaps.render.static import europe as EU
from atlasmaps.render.static import legend as LG
from atlasmaps.render.static import page as PG
from atlasmaps.render.static import panels as PN
from atlasmaps.render.static.labels import LabelLine, LabelRequest

if TYPE_CHECKING:
    from atlasmaps.content.collectivite import CollectiviteContent
    from atlasmaps.content.country import CountryContent
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


def bilateral(cv: PG.Canvas, joined: JoinResult, options: RenderOptions, inner: PG.Box) -> None:
    st = cv.style
    partner = (options.partner or "").upper()
    bc = cv.content.data
    body = page_body(cv, inner, cv.content.texts)
    lay = st.layout.bilateral
    years = show_years(st, options)
    # Partner frame first: its aspect decides how the width is shared.
    pframe0 = P.country_frame(
        bc.partner_outline,
        must_show=[(g.x, g.y) for g in bc.partner_points.geometry],
        zones=list(bc.zones.geometry),
        override=options.projection,
    )
    insets = wants_insets(options, bc.overseas)
    legend = list(cv.content.legend)
    for again in (True, False):  # once more when the dense plans change the legend: its band changes too
        band_h, fbox, pbox, inset_strip = bilateral_boxes(cv, body, pframe0, insets, legend)
        france_frame = D.panel_frame(P.france_frame() if not options.projection else france_override(cv, options), fbox,
                                     pad=st.layout.panel_pad)
        pframe = D.panel_frame(pframe0, pbox, pad=lay.partner_pad)
        fplan, pplan = DN.bilateral_plans(cv, bc, france_frame, fbox, pframe, pbox, options.north_arrow)
        wanted = DN.dense_legend(cv, cv.content.legend, insets and len(bc.french_points) > 0, fplan, pplan)
        col_w = body.w / max(lay.legend_columns, len(wanted))
        if DN.fit_key(cv, fplan, pplan, col_w, body.h * lay.legend_band_max - LEGEND_BAND_PAD_MM):
            fplan, pplan = DN.bilateral_plans(cv, bc, france_frame, fbox, pframe, pbox, options.north_arrow)
            wanted = DN.dense_legend(cv, cv.content.legend, insets and len(bc.french_points) > 0, fplan, pplan)
        if not again or wanted == legend:
            break
        legend = wanted
    legend = wanted  # the legend of the plans drawn (its numbers are theirs), in a band sized for it or almost
    ax_f = cv.axes(fbox, gid="panel-france")
    PN.french_panel(cv, ax_f, france_frame, fbox, bc, plan=fplan)
    DN.circles(cv, ax_f, fplan, "france")
    E.scale_bar(cv, ax_f, france_frame, fbox)
    if options.north_arrow:
        E.north_arrow(cv, ax_f, france_frame)
    DN.insets(cv, ax_f, fbox, fplan, "france",
              lambda ax, f, b, n: PN.french_panel(cv, ax, f, b, bc, plan=fplan, zoom=n))
    if insets:
        E.insets(cv, inset_strip, bc)
    ax_p = cv.axes(pbox, gid=f"panel-{partner}")
    partner_map(cv, ax_p, pframe, pbox, partner, bc, years, pplan, options.north_arrow)
    E.legend(cv, PG.Box(body.x, body.y, body.w, band_h), legend, columns=max(lay.legend_columns, len(legend)))


def partner_map(cv: PG.Canvas, ax, frame: P.Frame, box: PG.Box, partner: str, content, years, plan,  # noqa: ANN001
                north_arrow: bool, labels: Callable[[], None] | None = None) -> None:
    """The partner's panel as the bilateral and the country map draw it: zones and places (or the
    aggregate circles), the zone labels if any, scale bar, north arrow, then the zoom insets."""
    PN.partner_panel(cv, ax, frame, box, partner, content.zones, content.partner_points, content.partner_admin1,
                     years, plan)
    DN.circles(cv, ax, plan, "partner")
    if labels is not None:
        labels()
    E.scale_bar(cv, ax, frame, box)
    if north_arrow:
        E.north_arrow(cv, ax, frame)
    DN.insets(cv, ax, box, plan, "partner",
              lambda a, f, b, n: PN.partner_panel(cv, a, f, b, partner, content.zones, content.partner_points,
                                                  content.partner_admin1, years, plan, zoom=n))


#: Room (mm) under the legend band's tallest column.
LEGEND_BAND_PAD_MM = 3.0


def bilateral_boxes(cv: PG.Canvas, body: PG.Box, pframe: P.Frame, insets: bool, legend) -> tuple:
    """The legend band's height and the boxes of the France panel, the partner panel and the overseas strip."""
    st = cv.style
    lay = st.layout.bilateral
    gap = lay.gap_mm
    # Legend: a band of columns under the panels, as high as its longest column.
    lg = st.legend
    entry_h = LG.entry_height(st)
    rows = max([lay.legend_min_rows, *(len(s.entries) for s in legend)])
    # As high as its longest column, or its tallest section (long texts, circles at scale).
    col_w = body.w / max(lay.legend_columns, len(legend))
    tallest = max((LG.section_height(st, s, col_w) for s in legend), default=0.0)
    band_h = min(body.h * lay.legend_band_max,
                 max(lg.title_size_pt * 1.6 / PG.PT_PER_MM + rows * entry_h, tallest) + LEGEND_BAND_PAD_MM)
    maps = PG.Box(body.x, body.y + band_h + gap, body.w, body.h - band_h - gap)
    if maps.w >= maps.h:
        # Landscape page: France left, the partner right, side by side.
        narrow, wide = lay.partner_share, lay.partner_share_wide
        share = narrow if pframe.width / pframe.height < lay.wide_partner_aspect else wide
        wp = (maps.w - gap) * share
        wf = maps.w - gap - wp
        inset_h = min(lay.inset_height_mm, maps.h * lay.inset_height_max) if insets else 0.0
        fbox = PG.Box(maps.x, maps.y + (inset_h + gap if insets else 0), wf, maps.h - (inset_h + gap if insets else 0))
        pbox = PG.Box(maps.x + wf + gap, maps.y, wp, maps.h)
        inset_strip = PG.Box(maps.x, maps.y, wf, inset_h)
    else:
        # Portrait page: France above, the partner below (side by side, both panels would be slivers).
        hp = (maps.h - gap) / 2
        hf = maps.h - gap - hp
        inset_h = min(lay.inset_height_mm, hf * lay.inset_height_max) if insets else 0.0
        pbox = PG.Box(maps.x, maps.y, maps.w, hp)
        top_f = maps.y + hp + gap
        fbox = PG.Box(maps.x, top_f + (inset_h + gap if insets else 0), maps.w, hf - (inset_h + gap if insets else 0))
        inset_strip = PG.Box(maps.x, top_f, maps.w, inset_h)
    return band_h, fbox, pbox, inset_strip


def france_override(cv: PG.Canvas, options: RenderOptions) -> P.Frame:
    deps = cv.content.layers["fr_departements"].gdf
    metro = deps[~deps["code"].isin(list(K.OVERSEAS_INSETS))]
    return P.frame_of(metro.geometry.values, options.projection)


def country(cv: PG.Canvas, joined: JoinResult, options: RenderOptions, inner: PG.Box) -> None:
    st = cv.style
    partner = (options.partner or "").upper()
    cc: CountryContent = cv.content.data
    body = page_body(cv, inner, cv.content.texts)
    lay = st.layout.country
    side_w = min(lay.side_width_mm, body.w * lay.side_width_max)
    gap = lay.gap_mm
    mbox = PG.Box(body.x, body.y, body.w - side_w - gap, body.h)
    frame = P.country_frame(cc.partner_outline, must_show=[(g.x, g.y) for g in cc.partner_points.geometry],
                            zones=list(cc.zones.geometry), override=options.projection)
    frame = D.panel_frame(frame, mbox, pad=lay.pad)
    ax = cv.axes(mbox, gid=f"panel-{partner}")
    years = show_years(st, options)
    plan = DN.partner_plan(cv, cc.partner_points, cc.partner_admin1, cc.partner_outline, frame, mbox, options.north_arrow)
    if DN.fit_key(cv, None, plan, side_w, body.h * lay.key_height_max):
        plan = DN.partner_plan(cv, cc.partner_points, cc.partner_admin1, cc.partner_outline, frame, mbox,
                               options.north_arrow)
    partner_map(cv, ax, frame, mbox, partner, cc, years, plan, options.north_arrow,
                labels=lambda: PN.zone_labels(cv, ax, frame, mbox, cc))
    side = PG.Box(body.right - side_w, body.y, side_w, body.h)
    # Legend at the bottom of the side column, as high as what it holds; the partners per zone
    # get all the height above it.
    legend = DN.dense_legend(cv, cv.content.legend, False, None, plan)
    lw = E.legend(cv, PG.Box(side.x, side.y, side.w, side.h), legend)
    leg_h = min(side.h, side.h - lw.space_left() + 1.0)
    lw.ax.set_position((side.x / cv.width_mm, side.y / cv.height_mm, side.w / cv.width_mm, leg_h / cv.height_mm))
    lw.ax.set_ylim(side.h - leg_h, side.h)
    gap_list = lay.list_gap_mm
    E.partners_list(cv, PG.Box(side.x, side.y + leg_h + gap_list, side.w, side.h - leg_h - gap_list), cc)


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
