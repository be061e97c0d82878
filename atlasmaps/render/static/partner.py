"""The compositions about one partner country: the bilateral map (France beside the partner) and
the country map (the partner with its partners per zone). They share the partner panel and name the
places whose label fits nowhere by numbers (`Renumber`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from atlasmaps.content.bilateral import show_years
from atlasmaps.geo import projection as P
from atlasmaps.render.static import dense as DN
from atlasmaps.render.static import draw as D
from atlasmaps.render.static import elements as E
from atlasmaps.render.static import legend as LG
from atlasmaps.render.static import page as PG
from atlasmaps.render.static import panels as PN
from atlasmaps.render.static.compose import france_override, page_body, wants_insets

if TYPE_CHECKING:
    from atlasmaps.content.country import CountryContent
    from atlasmaps.model import JoinResult, RenderOptions


#: What a composition gives back for the places whose label fitted nowhere on its first layout:
#: `renumber()` names `cv.numbered` by numbers on this same page and says True, or says False when
#: the numbers' key changes the page's boxes (the page is then laid out again).
Renumber = Callable[[], bool]


class _BilateralPage(NamedTuple):
    """Where a bilateral map's panels go and what they show, before anything is drawn."""

    band_h: float
    fbox: PG.Box
    pbox: PG.Box
    inset_strip: PG.Box
    france_frame: P.Frame
    pframe: P.Frame
    fplan: DN.PanelPlan
    pplan: DN.PanelPlan
    legend: list


def bilateral(cv: PG.Canvas, joined: JoinResult, options: RenderOptions, inner: PG.Box) -> Renumber:
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
    pg = bilateral_page(cv, options, body, pframe0, insets)
    ax_f = cv.axes(pg.fbox, gid="panel-france")
    PN.french_panel(cv, ax_f, pg.france_frame, pg.fbox, bc, plan=pg.fplan)
    DN.circles(cv, ax_f, pg.fplan, "france")
    E.scale_bar(cv, ax_f, pg.france_frame, pg.fbox)
    if options.north_arrow:
        E.north_arrow(cv, ax_f, pg.france_frame)
    DN.insets(cv, ax_f, pg.fbox, pg.fplan, "france",
              lambda ax, f, b, n: PN.french_panel(cv, ax, f, b, bc, plan=pg.fplan, zoom=n))
    if insets:
        E.insets(cv, pg.inset_strip, bc)
    ax_p = cv.axes(pg.pbox, gid=f"panel-{partner}")
    partner_map(cv, ax_p, pg.pframe, pg.pbox, partner, bc, years, pg.pplan, options.north_arrow)
    band = PG.Box(body.x, body.y, body.w, pg.band_h)
    drawn = [E.legend(cv, band, pg.legend, columns=max(lay.legend_columns, len(pg.legend)))]

    def renumber() -> bool:
        again = bilateral_page(cv, options, body, pframe0, insets)
        if again[:3] != pg[:3] or not PN.number_requests(cv, {"france": again.fplan, "partner": again.pplan}):
            return False
        drawn.pop().ax.remove()
        cv.key = None
        drawn.append(E.legend(cv, band, again.legend, columns=max(lay.legend_columns, len(again.legend))))
        return True

    return renumber


def bilateral_page(cv: PG.Canvas, options: RenderOptions, body: PG.Box, pframe0: P.Frame, insets: bool) -> _BilateralPage:
    """The boxes, frames, dense plans and legend of a bilateral page, for `cv.numbered` (the legend's
    band is as high as the legend the plans make, which holds the key of the numbered places)."""
    st = cv.style
    lay = st.layout.bilateral
    bc = cv.content.data
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
    # The legend of the plans drawn (its numbers are theirs), in a band sized for it or almost.
    return _BilateralPage(band_h, fbox, pbox, inset_strip, france_frame, pframe, fplan, pplan, wanted)


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


def country(cv: PG.Canvas, joined: JoinResult, options: RenderOptions, inner: PG.Box) -> Renumber:
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

    # The places numbered on the map follow the zones' numbers (1. Tokyo ... 40. Yamaguchi, then 41 Ube):
    # a number names one thing on the page.
    first = len(cc.zone_keys) + 1

    def plan_for_numbered() -> DN.PanelPlan:
        plan = DN.partner_plan(cv, cc.partner_points, cc.partner_admin1, cc.partner_outline, frame, mbox,
                               options.north_arrow, first_callout=first)
        if DN.fit_key(cv, None, plan, side_w, body.h * lay.key_height_max):
            plan = DN.partner_plan(cv, cc.partner_points, cc.partner_admin1, cc.partner_outline, frame, mbox,
                                   options.north_arrow, first_callout=first)
        return plan

    plan = plan_for_numbered()
    partner_map(cv, ax, frame, mbox, partner, cc, years, plan, options.north_arrow,
                labels=lambda: PN.zone_labels(cv, ax, frame, mbox, cc))
    side = PG.Box(body.right - side_w, body.y, side_w, body.h)
    before = (len(cv.warnings), cv.annex)
    drawn = country_side(cv, side, plan, cc)

    def renumber() -> bool:
        again = plan_for_numbered()
        if not PN.number_requests(cv, {"partner": again}):
            return False
        for axes in drawn:
            axes.remove()
        del cv.warnings[before[0]:]
        cv.annex, cv.key = before[1], None
        drawn[:] = country_side(cv, side, again, cc)
        return True

    return renumber


def country_side(cv: PG.Canvas, side: PG.Box, plan: DN.PanelPlan, cc: CountryContent) -> list:
    """The country map's side column: the legend at the bottom, as high as what it holds (the key of
    the numbered places too); the partners per zone get all the height above it. Returns its axes."""
    legend = DN.dense_legend(cv, cv.content.legend, False, None, plan)
    lw = E.legend(cv, PG.Box(side.x, side.y, side.w, side.h), legend)
    leg_h = min(side.h, side.h - lw.space_left() + 1.0)
    lw.ax.set_position((side.x / cv.width_mm, side.y / cv.height_mm, side.w / cv.width_mm, leg_h / cv.height_mm))
    lw.ax.set_ylim(side.h - leg_h, side.h)
    gap_list = cv.style.layout.country.list_gap_mm
    listed = E.partners_list(cv, PG.Box(side.x, side.y + leg_h + gap_list, side.w, side.h - leg_h - gap_list), cc)
    return [lw.ax, listed]
