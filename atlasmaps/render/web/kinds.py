"""The four interactive map kinds: each turns the map content into a page (payload, basemap, table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from atlasmaps.content import common as K
from atlasmaps.model import MapKind
from atlasmaps.render.web import encode as EN
from atlasmaps.render.web import page as PGE
from atlasmaps.render.web import payload as PL
from atlasmaps.textnorm import collation_key

if TYPE_CHECKING:
    from atlasmaps.model import JoinResult


def bilateral(joined: JoinResult, ctx: PL.Ctx) -> PL.Page:
    partner = (ctx.options.partner or "").upper()
    b = ctx.content.data
    country = b.country_name
    p = ctx.precision

    rows: list[dict[str, Any]] = []
    fr_rows: dict[tuple[str, str], list[int]] = {}
    pa_rows: dict[tuple[str, float, float], list[int]] = {}
    for i, lk in enumerate(b.links):
        kind = lk.kind.value
        rows.append(
            {
                "f": lk.french_name, "ft": kind, "ftl": K.unit_type(ctx.style, kind, lk.french_code, ctx.lang),
                "p": lk.partner_name,
                "z": lk.partner_admin1, "c": country, "y": lk.year, "na": lk.nature,
                "th": list(dict.fromkeys(ctx.theme_key(t) for t in lk.themes if t)),
            }
        )
        fr_rows.setdefault((kind, lk.french_code), []).append(i)
        if lk.partner_lon is not None and lk.partner_lat is not None:
            pa_rows.setdefault((lk.partner_name, round(lk.partner_lon, 5), round(lk.partner_lat, 5)), []).append(i)

    places: list[dict[str, Any]] = []
    for gdf in (b.french_units, b.french_points):
        for _, u in gdf.iterrows():
            pt = u.geometry if u.geometry.geom_type == "Point" else u.geometry.representative_point()
            idx = fr_rows.get((u["kind"], str(u["code"])), [])
            places.append({"ll": [round(pt.y, p), round(pt.x, p)], "s": "fr", "t": u["kind"], "n": u["name"],
                           "tl": K.unit_type(ctx.style, u["kind"], u["code"], ctx.lang), "r": idx})
    partner_places, partner_pts = PL.partner_places(ctx, b.partner_points, pa_rows, country, p)
    places.extend(partner_places)

    themes = ctx.theme_entries(t for lk in b.links for t in lk.themes)
    theme_labels = {t["key"]: t["label"] for t in themes}
    types = [ctx.type_entry(k) for k in b.kinds]
    s = ctx.style
    zone = s.zone_intervention
    layer_labels = {k: ctx.t(f"web.layer.{k}") for k in ("french", "partners", "zones", "links")}

    payload = ctx.base_payload(MapKind.BILATERAL)
    units = b.french_units
    # the partner panel opens on where the partners are (a zone such as Tokyo reaches islands 1,000 km away)
    partner_view = [(x, y, x, y) for x, y in partner_pts] or [
        tuple(float(v) for v in b.zones.total_bounds) if not b.zones.empty else EN.outline_box(b.partner_outline, partner_pts)]
    payload.update(
        rows=rows,
        places=places,
        link_style={"color": s.links.color, "weight": s.links.weight_px, "opacity": s.links.opacity, "dash": s.links.dash},
        zones=EN.feature_collection(b.zones, ["name", "n"], p, ctx.tolerance) if not b.zones.empty else None,
        zone_style={"fill": zone.fill, "alpha": zone.alpha, "edge": zone.edge, "edge_width": zone.edge_width_px},
        units=EN.feature_collection(units, ["name", "kind"], p, ctx.tolerance, rename={"kind": "t"}) if not b.french_units.empty else None,
        types=types,
        themes=themes,
        layers=[{"key": k, "label": v} for k, v in layer_labels.items() if k != "zones" or not b.zones.empty],
        # two linked panels, each fitted to its own country (overseas France is reached by the insets)
        panels={"fr": {"label": ctx.country_name("FR"), "bounds": EN.bounds([K.METRO_BBOX])},
                "pa": {"label": country, "bounds": EN.bounds(partner_view)}},
        insets=PL.insets(ctx, b.overseas),
        zone_rows={},
    )
    for f in (payload["zones"] or {}).get("features", []):
        f["properties"]["label"] = ctx.count_label(int(f["properties"]["n"] or 0), "partnership")
        # a zone's partnerships (for the year filter), by the zone name the rows carry (the zone's id here)
        payload["zone_rows"][f["properties"]["name"]] = [i for i, r in enumerate(rows) if r["z"] == f["properties"]["name"]]
    payload["legend"] = PL.legend(ctx, ctx.content.legend)

    title, subtitle = ctx.content.texts.title, ctx.content.texts.subtitle
    basemap = PL.basemap(ctx, {"FR": s.basemap.france_land, partner: s.basemap.partner_land})
    table = PGE.partnership_table(ctx, title, rows, theme_labels)
    PL.compact_rows(payload, rows)
    return PL.Page(title, subtitle, payload, basemap, table, list(b.warnings))


def country(joined: JoinResult, ctx: PL.Ctx) -> PL.Page:
    partner = (ctx.options.partner or "").upper()
    c = ctx.content.data
    country = c.country_name
    p = ctx.precision
    mapped = [r for r in joined.mapped if r.partnership.pays == partner]
    rows = [PL.row_payload(ctx, r) for r in mapped]
    pa_rows: dict[tuple[str, float, float], list[int]] = {}
    zone_rows: dict[str, list[int]] = {}
    for i, r in enumerate(mapped):
        q = r.partner
        if q and q.lon is not None and q.lat is not None:
            pa_rows.setdefault((q.name, round(q.lon, 5), round(q.lat, 5)), []).append(i)
        if q and q.admin1_id:
            zone_rows.setdefault(q.admin1_id, []).append(i)
    places, pts = PL.partner_places(ctx, c.partner_points, pa_rows, country, p)
    themes = ctx.theme_entries(t for r in mapped for t in r.partnership.thematiques)
    theme_labels = {t["key"]: t["label"] for t in themes}
    s = ctx.style
    zone = s.zone_intervention
    zones = EN.feature_collection(c.zones, ["admin1_id", "name", "n"], p, ctx.tolerance, rename={"admin1_id": "id"}) if not c.zones.empty else None
    payload = ctx.base_payload(MapKind.COUNTRY)
    if zones:
        for f in zones["features"]:
            f["properties"]["label"] = ctx.count_label(int(f["properties"]["n"] or 0), "partnership")
    payload.update(
        rows=rows,
        places=places,
        zones=zones,
        zone_rows=zone_rows,
        zone_style={"fill": zone.fill, "alpha": zone.alpha, "edge": zone.edge, "edge_width": zone.edge_width_px},
        types=[],
        themes=themes,
        layers=[{"key": k, "label": ctx.t(f"web.layer.{k}")} for k in ("partners", "zones") if k != "zones" or zones],
        bounds=EN.bounds([EN.outline_box(c.partner_outline, pts)]),
    )
    payload["legend"] = PL.legend(ctx, ctx.content.legend)
    title, subtitle = ctx.content.texts.title, ctx.content.texts.subtitle
    basemap = PL.basemap(ctx, {partner: s.basemap.partner_land}, near=c.context_countries)
    table = PGE.partnership_table(ctx, title, rows, theme_labels) + PGE.full_list(ctx.content.full_list)
    PL.compact_rows(payload, rows)
    return PL.Page(title, subtitle, payload, basemap, table, list(c.warnings))


def world(joined: JoinResult, ctx: PL.Ctx) -> PL.Page:
    w = ctx.content.data
    mapped = list(joined.mapped)
    rows = [{"f": r.french.name if r.french else r.partnership.collectivite, "p": r.partner.name if r.partner else r.partnership.partenaire,
             "y": r.partnership.annee} for r in mapped]
    by_country: dict[str, list[int]] = {}
    for i, r in enumerate(mapped):
        by_country.setdefault(r.partnership.pays, []).append(i)
    # a popup lists the oldest partnerships first (its top N), the table all of them
    for idx in by_country.values():
        idx.sort(key=lambda i: (rows[i]["y"] is None, rows[i]["y"] or 0, rows[i]["f"]))
    countries = w.countries.rename(columns={"iso_a2": "id"})
    # the world at 110m-like detail: a whole-world layer at the style's tolerance would be too heavy
    fc = EN.feature_collection(countries, ["id", "name"], min(ctx.precision, 2), max(ctx.tolerance, 0.1))
    values = {str(k): int(v) for k, v in zip(w.countries["iso_a2"], w.countries["n"]) if v}
    payload = PL.choropleth_payload(ctx, MapKind.WORLD, fc, values, {"FR"}, by_country, rows)
    payload["bounds"] = ctx.style.web.world_bounds
    title, subtitle = ctx.content.texts.title, ctx.content.texts.subtitle
    headers = [ctx.t("web.table.country"), ctx.t("legend.classes_title")]
    per_iso = sorted(((nm, n) for _, nm, n in w.per_country()), key=lambda t: (-t[1], collation_key(t[0])))
    table = PGE.table(ctx, title, headers, per_iso)
    return PL.Page(title, subtitle, payload, [], table, list(ctx.content.warnings))


def france(joined: JoinResult, ctx: PL.Ctx) -> PL.Page:
    fr = ctx.content.data
    level = fr.level
    mapped = list(joined.mapped)
    rows = [{"f": r.french.name if r.french else r.partnership.collectivite, "p": r.partner.name if r.partner else r.partnership.partenaire,
             "y": r.partnership.annee} for r in mapped]
    by_unit = fr.rows_by_unit
    units = fr.units.rename(columns={"code": "id"})
    fc = EN.feature_collection(units, ["id", "name"], ctx.precision, ctx.tolerance)
    values = {str(c): int(n) for c, n in zip(fr.units["code"], fr.units["n"])}
    payload = PL.choropleth_payload(ctx, MapKind.FRANCE, fc, values, set(), by_unit, rows)
    payload["bounds"] = EN.bounds([K.METRO_BBOX])
    payload["insets"] = PL.insets(ctx, fr.overseas)
    title, subtitle = ctx.content.texts.title, ctx.content.texts.subtitle
    basemap = PL.basemap(ctx, {}, near=fr.context_countries)
    headers = [ctx.t(f"legend.type.{level}"),
               ctx.t("legend.classes_title")]
    table = PGE.table(ctx, title, headers, sorted(((nm, int(n)) for nm, n in zip(fr.units["name"], fr.units["n"]) if n),
                                              key=lambda t: (-t[1], collation_key(t[0]))))
    return PL.Page(title, subtitle, payload, basemap, table, list(ctx.content.warnings))


def collectivite(joined: JoinResult, ctx: PL.Ctx) -> PL.Page:
    """One collectivité and its partners: the same places, arcs, zones and list as its print map."""
    c = ctx.content.data
    p = ctx.precision
    mapped = [r for r in joined.mapped if r.french is not None and r.french.code == c.unit.code
              and r.french.kind is c.unit.kind]
    rows = [PL.row_payload(ctx, r) for r in mapped]
    pa_rows: dict[tuple[str, float, float], list[int]] = {}
    links: list[dict[str, Any]] = []
    for i, r in enumerate(mapped):
        q = r.partner
        if q and q.lon is not None and q.lat is not None:
            pa_rows.setdefault((q.name, round(q.lon, 5), round(q.lat, 5)), []).append(i)
            links.append({"r": i, "c": EN.great_circle(c.anchor[0], c.anchor[1], q.lon, q.lat, p)})
    kind = c.unit.kind.value
    places: list[dict[str, Any]] = [{"ll": [round(c.anchor[1], p), round(c.anchor[0], p)], "s": "fr", "t": kind,
                                     "n": c.unit.name, "tl": K.unit_type(ctx.style, kind, c.unit.code, ctx.lang),
                                     "r": list(range(len(mapped)))}]
    partner_places: list[dict[str, Any]] = []
    for iso2 in sorted(set(c.partners["country"])):
        pts = c.partners[c.partners["country"] == iso2]
        found, _ = PL.partner_places(ctx, pts, pa_rows, ctx.country_name(iso2), p)
        partner_places.extend(found)
    places.extend(partner_places)
    themes = ctx.theme_entries(t for r in mapped for t in r.partnership.thematiques)
    theme_labels = {t["key"]: t["label"] for t in themes}
    s = ctx.style
    zone = s.zone_intervention
    layer_labels = {k: ctx.t(f"web.layer.{k}") for k in ("french", "partners", "zones", "links")}
    payload = ctx.base_payload(MapKind.COLLECTIVITE)
    payload.update(
        rows=rows,
        places=places,
        links=links,
        link_style={"color": s.links.color, "weight": s.links.weight_px, "opacity": s.links.opacity, "dash": s.links.dash},
        zones=EN.feature_collection(c.zones, ["name", "n"], p, ctx.tolerance) if not c.zones.empty else None,
        zone_style={"fill": zone.fill, "alpha": zone.alpha, "edge": zone.edge, "edge_width": zone.edge_width_px},
        units=(EN.feature_collection(c.french_units, ["name", "kind"], p, ctx.tolerance, rename={"kind": "t"})
               if not c.french_units.empty else None),
        types=[ctx.type_entry(c.unit.kind)],
        themes=themes,
        layers=[{"key": k, "label": v} for k, v in layer_labels.items() if k != "zones" or not c.zones.empty],
        bounds=EN.bounds([(x, y, x, y) for x, y in [c.anchor, *((g.x, g.y) for g in c.partners.geometry)]]
                         + EN.links_boxes(links)),
    )
    for f in (payload["zones"] or {}).get("features", []):
        f["properties"]["label"] = ctx.count_label(int(f["properties"]["n"] or 0), "partnership")
    payload["legend"] = PL.legend(ctx, ctx.content.legend)
    title, subtitle = ctx.content.texts.title, ctx.content.texts.subtitle
    highlight = {iso: s.basemap.partner_land for iso in c.countries["iso_a2"]}
    basemap = PL.basemap(ctx, {"FR": s.basemap.france_land, **highlight})
    table = PGE.partnership_table(ctx, title, rows, theme_labels) + PGE.full_list(ctx.content.full_list)
    return PL.Page(title, subtitle, payload, basemap, table, list(c.warnings))


BUILDERS = {MapKind.BILATERAL: bilateral, MapKind.COUNTRY: country, MapKind.WORLD: world, MapKind.FRANCE: france,
            MapKind.COLLECTIVITE: collectivite}
