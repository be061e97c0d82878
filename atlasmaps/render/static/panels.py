"""The map panels of the bilateral and country maps: France (or one overseas département) with the
French collectivités, and the partner country with its zones and partner collectivités."""

from __future__ import annotations

from typing import TYPE_CHECKING

from atlasmaps import textnorm
from atlasmaps.geo import projection as P
from atlasmaps.render.static import dense as DN
from atlasmaps.render.static import draw as D
from atlasmaps.render.static import page as PG
from atlasmaps.render.static.labels import LabelLine, LabelRequest, symbol_box

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from atlasmaps.content.bilateral import BilateralContent
    from atlasmaps.content.collectivite import CollectiviteContent
    from atlasmaps.content.country import CountryContent
    from atlasmaps.content.dense import PanelPlan


def overseas(value: object) -> str | None:
    """The overseas code of a content row (None for metropolitan France, whatever pandas stored)."""
    return value if isinstance(value, str) and value else None


def french_panel(cv: PG.Canvas, ax: Axes, frame: P.Frame, box: PG.Box, bc: BilateralContent | None,
                 inset: str | None = None, label: bool = True, plan: PanelPlan | None = None, zoom: int = 0) -> None:
    """France (metropolitan or one overseas inset): units filled, points as symbols, labels queued.

    With a dense `plan` (content.dense): an aggregated panel draws only its named places (its circles
    are drawn apart), and labels of places enlarged in a zoom inset go to the inset; `zoom` is the
    number of the zoom inset being drawn (0: the panel itself)."""
    st = cv.style
    D.setup_map_axes(ax, frame, st)
    D.draw_basemap(cv, ax, frame, box, {"FR": st.basemap.france_land})
    deps = cv.project("fr_departements", frame, box)
    D.draw_polys(ax, deps.geometry, gid="fr-departements", zorder=st.zorder.departement_borders, facecolor="none",
                edgecolor=st.basemap.admin1_border, linewidth=st.basemap.admin1_border_width_pt)
    if bc is None:
        return
    want = inset  # None = metropolitan
    # An overseas inset is one territory, région and département at once (Martinique): named once.
    area_named = False
    # Filled units, régions under départements.
    for kind, layer in (("region", "fr_regions"), ("departement", "fr_departements")):
        units = bc.french_units[(bc.french_units["kind"] == kind)]
        units = units.loc[[overseas(o) == want for o in units["overseas"]]]
        if units.empty:
            continue
        projected = cv.project(layer, frame, box)
        geoms = dict(zip(projected["code"].astype(str), projected.geometry))
        poly = st.symbol(kind).polygon
        named = label and (plan is None or not plan.aggregated)
        for code, name, importance in zip(units["code"], units["name"], units["importance"]):
            g = geoms.get(str(code))
            if g is None:
                continue
            D.draw_feature(ax, g, f"{kind}-{code}", getattr(st.zorder, f"{kind}_units"), facecolor=poly.fill,
                          alpha=poly.alpha, edgecolor="none")
            D.draw_feature(ax, g, f"{kind}-{code}-outline", st.zorder.unit_outlines, facecolor="none", edgecolor=poly.edge,
                          linewidth=poly.edge_width_pt)
            if named and not (want is not None and area_named):
                area_named = True
                rp = g.representative_point()
                cv.requests.append(LabelRequest(key=name, ax=ax, x=rp.x, y=rp.y, priority=importance,
                                                lines=[LabelLine(D.place_name(st, name), D.label_props(st))],
                                                gid=zoom_gid(zoom, f"{kind}-{code}"),
                                                alternates=D.interior_points(g, frame)))
    # Point symbols (groupements under communes for the same place).
    pts = bc.french_points.loc[[overseas(o) == want for o in bc.french_points["overseas"]]]
    aggregated = plan is not None and plan.aggregated
    if plan is not None:
        pts = pts.loc[[bool((i in plan.named or not aggregated) and (zoom or not plan.inset_only(i))) for i in pts.index]]
    syms = [st.symbol("place" if aggregated else k) for k in pts["kind"]]
    xs, ys = D.project_points(pts, frame)
    xs, ys = D.displace(xs, ys, [sym.size_pt / 2 for sym in syms], frame, box)
    units = pts["unit"] if "unit" in pts.columns else [None] * len(pts)  # a collectivité map's points have none
    for (idx, code, name, kind, importance), unit, sym, x, y in zip(
            pts[["code", "name", "kind", "importance"]].itertuples(index=True), units, syms, xs, ys):
        if not D.in_frame(x, y, frame):
            if not zoom:
                cv.warnings.append(f"{name} is outside the France panel; not drawn")
            continue
        gid = zoom_gid(zoom, f"{kind}-{code}")
        if zoom or not DN.under_own_circle(ax, plan, unit, x, y):
            D.marker(ax, x, y, sym, gid, zorder=getattr(st.zorder, f"{kind}s"))
            cv.obstacles.append(symbol_box(ax, x, y, sym.size_pt / 2 + sym.edge_width_pt))
        if label and (plan is None or zoom or plan.keeps_label(idx)):
            lines = callout(cv, plan, idx) or [LabelLine(D.place_name(st, name), D.label_props(st))]
            cv.requests.append(LabelRequest(key=name, ax=ax, x=x, y=y, radius_pt=sym.size_pt / 2 + 1, priority=importance,
                                            lines=lines, gid=gid, place=("france", idx)))


def callout(cv: PG.Canvas, plan: PanelPlan | None, index) -> list[LabelLine] | None:
    """A numbered place's label, on its panel or in a zoom inset: its number (the key beside the map names it)."""
    number = plan.callout(index) if plan is not None else None
    if number is None:
        return None
    return [LabelLine(str(number), {**D.label_props(cv.style), "fontweight": "bold"}, role="callout")]


def number_requests(cv: PG.Canvas, plans: dict[str, PanelPlan]) -> bool:
    """Label by its number each place that `plans` number (their `callouts`), on its panel and in its
    zoom inset, on a page already drawn (the label requests are made again, not the page). False,
    and nothing changed, when a place numbered on the page has no number in `plans`."""
    from dataclasses import replace

    def number(req: LabelRequest) -> int | None:
        return plans[req.place[0]].callout(req.place[1]) if req.place and req.place[0] in plans else None

    was_numbered = [r for r in cv.requests if r.lines and r.lines[0].role == "callout"]
    if any(number(r) is None for r in was_numbered):
        return False
    cv.requests = [r if number(r) is None else replace(r, lines=callout(cv, plans[r.place[0]], r.place[1]), short=None)
                   for r in cv.requests]
    return True


def zoom_gid(zoom: int, gid: str) -> str:
    """A feature's SVG id, prefixed in a zoom inset (the panel draws the same feature under its own id)."""
    return f"zoom{zoom}-{gid}" if zoom else gid


def partner_panel(cv: PG.Canvas, ax: Axes, frame: P.Frame, box: PG.Box, partner: str, zones, points,
                  admin1, years: bool, plan: PanelPlan | None = None, zoom: int = 0) -> None:
    """The partner country: zones d'intervention filled, partner collectivités as symbols + labels."""
    st = cv.style
    D.setup_map_axes(ax, frame, st)
    D.draw_basemap(cv, ax, frame, box, {partner: st.basemap.partner_land})
    if len(admin1):
        a1 = cv.project("admin1", frame, box)
        z = st.zone_intervention
        geoms = dict(zip(a1["admin1_id"], a1.geometry))
        for zid in zones["admin1_id"]:
            g = geoms.get(zid)
            if g is not None:
                D.draw_feature(ax, g, f"zone-{zid}", st.zorder.zones, facecolor=z.fill, alpha=z.alpha, edgecolor="none")
        D.draw_polys(ax, a1.geometry, gid=f"admin1-{partner}", zorder=st.zorder.admin1_borders, facecolor="none",
                    edgecolor=st.basemap.admin1_border, linewidth=st.basemap.admin1_border_width_pt)
        zsel = [geoms[zid] for zid in zones["admin1_id"] if zid in geoms]
        D.draw_polys(ax, zsel, gid="zones-outline", zorder=st.zorder.zone_outlines, facecolor="none", edgecolor=z.edge,
                    linewidth=z.edge_width_pt)
    partner_symbols(cv, ax, frame, box, points, years, set(zones["admin1_id"]), plan, zoom)


def partner_symbols(cv: PG.Canvas, ax: Axes, frame: P.Frame, box: PG.Box, points, years: bool, shaded: set,
                    plan: PanelPlan | None = None, zoom: int = 0) -> None:
    """Partner collectivités as symbols in their theme's colour, with their labels queued (a dense
    `plan` as in `french_panel`)."""
    st = cv.style
    aggregated = plan is not None and plan.aggregated
    sym = st.symbol("place" if aggregated else "partner")
    slugs = []
    seen: set[str] = set()
    for name in points["name"]:  # ids from all places, so a place keeps its id in a zoom inset
        slug = textnorm.slug(name)
        while slug in seen:
            slug += "-2"
        seen.add(slug)
        slugs.append(slug)
    if plan is not None:
        keep = [bool((i in plan.named or not aggregated) and (zoom or not plan.inset_only(i))) for i in points.index]
        points, slugs = points.loc[keep], [s for s, k in zip(slugs, keep) if k]
    xs, ys = D.project_points(points, frame)
    xs, ys = D.displace(xs, ys, [sym.size_pt / 2] * len(xs), frame, box)
    for rec, slug, x, y in zip(points.itertuples(index=True), slugs, xs, ys):
        if not D.in_frame(x, y, frame):
            if not zoom:
                cv.warnings.append(f"{rec.name} is outside the map; not drawn")
            continue
        fill = None if aggregated else (rec.color if isinstance(rec.color, str) else None)
        gid = zoom_gid(zoom, f"partner-{slug}")
        if zoom or not DN.under_own_circle(ax, plan, rec.admin1, x, y):
            D.marker(ax, x, y, sym, gid, zorder=st.zorder.partners, fill=fill)
            cv.obstacles.append(symbol_box(ax, x, y, sym.size_pt / 2 + sym.edge_width_pt))
        if plan is not None and not zoom and not plan.keeps_label(rec.Index):
            continue
        lines = [LabelLine(rec.name, D.label_props(st))]
        if years and rec.years:
            lines.append(LabelLine(D.years_text(rec.years), D.year_props(st), role="years"))
        number = callout(cv, plan, rec.Index)
        # A numbered place is named by its number alone: no short name tried in its stead.
        cv.requests.append(LabelRequest(key=rec.name, ax=ax, x=x, y=y, radius_pt=sym.size_pt / 2 + 1,
                                        priority=rec.importance, lines=number or lines, gid=gid,
                                        short=None if number else zone_short_name(rec, shaded),
                                        place=("partner", rec.Index)))


def zone_short_name(rec, shaded: set) -> str | None:
    """"Préfecture d'Osaka" -> "Osaka" when the prefecture is shaded as a zone d'intervention: the
    shaded zone already says it is the prefecture, the short form is tried when the full one fits nowhere.
    """
    zone = getattr(rec, "admin1_name", None)
    if not isinstance(zone, str) or not zone or getattr(rec, "admin1", None) not in shaded:
        return None
    name = str(rec.name)
    if name != zone and name.endswith(zone) and len(name) > len(zone) + 2:
        return zone
    return None


def zone_labels(cv: PG.Canvas, ax: Axes, frame: P.Frame, box: PG.Box, cc: CountryContent) -> None:
    """Zone names at the zones' representative points (lower priority than the places). Each zone
    has a key number, shared with the list beside the map: where the name fits nowhere on the map,
    the number is placed instead (the list says which zone it is)."""
    keys = cc.zone_keys
    st = cv.style
    if len(cc.partner_admin1):
        a1 = cv.project("admin1", frame, box)
        geoms = dict(zip(a1["admin1_id"], a1.geometry))
        zprops = dict(D.label_props(st))
        zprops.update(fontstyle="italic", color=st.zone_intervention.edge)
        psym = st.symbol("partner")
        zr = psym.size_pt / 2 + psym.edge_width_pt
        for zid, zname, n in cc.zones[["admin1_id", "name", "n"]].itertuples(index=False):
            g = geoms.get(zid)
            if g is not None:
                rp = g.representative_point()
                key = cv.text("partners_zone_key", n=keys[zid]) if zid in keys else None
                # The radius of a partner symbol: a zone's anchor may be under one (a small zone
                # around its city), the label then starts beside it rather than failing.
                cv.requests.append(LabelRequest(key=zname, ax=ax, x=rp.x, y=rp.y, priority=n, radius_pt=zr,
                                                lines=[LabelLine(zname, zprops)], gid=f"zone-{zid}", short=key,
                                                alternates=D.interior_points(g, frame)))


def collectivite_world_panel(cv: PG.Canvas, ax: Axes, frame: P.Frame, box: PG.Box, cc: CollectiviteContent) -> None:
    """The collectivité's partners: their countries, zones, arcs from the collectivité, symbols, labels."""
    import numpy as np

    from atlasmaps.geo import geometry as G

    st = cv.style
    D.setup_map_axes(ax, frame, st)
    highlight = {iso: st.basemap.partner_land for iso in cc.countries["iso_a2"]}
    D.draw_basemap(cv, ax, frame, box, {"FR": st.basemap.france_land, **highlight})
    z = st.zone_intervention
    if len(cc.zones):
        zones = cv.project("zones", frame, box)
        for zid, g in zip(zones["admin1_id"], zones.geometry):
            D.draw_feature(ax, g, f"zone-{zid}", st.zorder.zones, facecolor=z.fill, alpha=z.alpha, edgecolor=z.edge,
                           linewidth=z.edge_width_pt)
    lk = st.links
    for i, parts in enumerate(cc.arcs):
        pieces = []
        for part in parts:
            xs, ys = G.project_points([p[0] for p in part], [p[1] for p in part], frame)
            # a jump across the projection's edge (its own antimeridian) starts a new piece
            cut = np.flatnonzero(np.abs(np.diff(xs)) > frame.width / 2) + 1
            pieces += [(a, b) for a, b in zip(np.split(xs, cut), np.split(ys, cut)) if len(a) > 1]
        for j, (xs, ys) in enumerate(pieces):
            (line,) = ax.plot(xs, ys, color=lk.color, linewidth=lk.weight_pt, alpha=lk.opacity, zorder=st.zorder.links,
                              solid_capstyle="round")
            line.set_gid(f"arc-{i + 1}" if j == 0 else f"arc-{i + 1}-{j + 1}")
    partner_symbols(cv, ax, frame, box, cc.partners, False, set(cc.zones["admin1_id"]))
    kind = cc.unit.kind.value
    own = st.symbol(kind)
    (x,), (y,) = G.project_points([cc.anchor[0]], [cc.anchor[1]], frame)
    D.marker(ax, x, y, own, f"{kind}-{cc.unit.code}", zorder=st.zorder.partners)
    cv.obstacles.append(symbol_box(ax, x, y, own.size_pt / 2 + own.edge_width_pt))
    cv.requests.append(LabelRequest(key=cc.unit.name, ax=ax, x=x, y=y, radius_pt=own.size_pt / 2 + 1, priority=1000,
                                    lines=[LabelLine(D.place_name(st, cc.unit.name),
                                                     {**D.label_props(st), "fontweight": "bold"})],
                                    gid=f"{kind}-{cc.unit.code}"))
