"""Joined rows -> the five GIS layers of the export, in WGS84, with French field names.

Why one feature per place (not per row) in `collectivites_francaises`, `partenaires`,
`zones_intervention` and `pays`: that is what a cartographer styles and labels in QGIS. The rows
themselves are the `liens` layer (one great-circle line per partnership), so nothing is lost: every
feature carries the join's status, method and precision, aggregated ("code; exact name") when the
rows of one place were matched differently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

from atlasmaps.model import CollectiviteType, JoinedPartnership, SideMatch

if TYPE_CHECKING:
    import geopandas as gpd

WGS84 = "EPSG:4326"
#: Types drawn at their territory (polygons); the others at their point.
POLYGON_KINDS = (CollectiviteType.REGION, CollectiviteType.DEPARTEMENT)
#: Great circles get one vertex about every this many kilometres.
ARC_STEP_KM = 100.0
SEPARATOR = "; "

#: Field names of each layer, in order (the GeoPackage keeps this order; tests and docs read it).
FIELDS: dict[str, tuple[str, ...]] = {
    "collectivites_francaises": (
        "code", "siren", "nom", "type", "departement", "region", "nb_partenariats", "pays_partenaires",
        "annees", "statut_jointure", "methode_jointure", "precision"),
    "partenaires": (
        "nom", "pays", "nom_pays", "zone_id", "zone_nom", "nb_partenariats", "collectivites_francaises",
        "annees", "thematiques", "statut_jointure", "methode_jointure", "precision"),
    "zones_intervention": (
        "zone_id", "nom", "pays", "nb_partenariats", "nb_partenaires", "collectivites_francaises",
        "statut_jointure", "methode_jointure", "precision"),
    "liens": (
        "id", "ligne", "collectivite", "code_collectivite", "type_collectivite", "partenaire", "pays",
        "zone_id", "annee", "thematiques", "nature", "statut", "statut_jointure",
        "statut_collectivite", "methode_collectivite", "precision_collectivite",
        "statut_partenaire", "methode_partenaire", "precision_partenaire"),
    "pays": (
        "code", "nom", "nb_partenariats", "nb_collectivites_francaises", "nb_partenaires",
        "statut_jointure", "methode_jointure", "precision"),
}


@dataclass
class ExportLayers:
    """The layers (name -> GeoDataFrame, WGS84) and what could not be placed."""

    layers: dict[str, gpd.GeoDataFrame]
    warnings: list[str] = field(default_factory=list)


def build_layers(rows: Sequence[JoinedPartnership], lang: str = "fr") -> ExportLayers:
    """The five layers from `rows` (the caller chooses them: the mapped, active rows as the maps do)."""
    warnings: list[str] = []
    polygons = french_unit_polygons()
    anchors: dict[tuple[CollectiviteType, str], tuple[float, float]] = {}
    layers = {
        "collectivites_francaises": _french(rows, polygons, anchors, warnings),
        "partenaires": _partners(rows, lang, warnings),
        "zones_intervention": _zones(rows, warnings),
        "liens": _links(rows, anchors),
        "pays": _countries(rows, lang, warnings),
    }
    return ExportLayers(layers, warnings)


# ------------------------------------------------------------------------------------ helpers


def french_unit_polygons() -> dict[tuple[CollectiviteType, str], object]:
    """Régions and départements by (type, INSEE code), from the embedded boundaries."""
    from atlasmaps import boundaries

    out: dict[tuple[CollectiviteType, str], object] = {}
    for kind, layer in ((CollectiviteType.REGION, "fr_regions"), (CollectiviteType.DEPARTEMENT, "fr_departements")):
        frame = boundaries.load(layer)
        for code, geom in zip(frame["code"], frame.geometry):
            out[(kind, str(code))] = geom
    return out


def joined_values(values: Iterable[object]) -> str:
    """Distinct non-empty values, sorted, as one text field ("1959; 1960")."""
    return SEPARATOR.join(sorted({str(v) for v in values if v not in (None, "")}))


def _match_fields(matches: Iterable[SideMatch]) -> dict[str, str]:
    matches = list(matches)
    return {
        "statut_jointure": joined_values(m.status.value for m in matches),
        "methode_jointure": joined_values(m.method.value if m.method else None for m in matches),
        "precision": joined_values(m.precision.value if m.precision else None for m in matches),
    }


def _frame(records: list[dict], name: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    columns = list(FIELDS[name])
    if not records:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=WGS84)
    geoms = [r.pop("geometry") for r in records]
    return gpd.GeoDataFrame(records, columns=columns, geometry=geoms, crs=WGS84)


def _multi(geom: object) -> object:
    """Polygons as MultiPolygons: one geometry type per kind of feature, as QGIS prefers."""
    from shapely.geometry import MultiPolygon

    return MultiPolygon([geom]) if getattr(geom, "geom_type", "") == "Polygon" else geom


# ------------------------------------------------------------------------------------ layers


def _french(rows, polygons, anchors, warnings) -> gpd.GeoDataFrame:  # noqa: ANN001
    """One feature per French collectivité: its territory (région, département) or its point."""
    from shapely.geometry import Point

    groups: dict[tuple[CollectiviteType, str], list[JoinedPartnership]] = defaultdict(list)
    for r in rows:
        if r.french is not None:
            groups[(r.french.kind, r.french.code)].append(r)
    records = []
    for key, group in sorted(groups.items(), key=lambda kv: (kv[0][0].value, kv[0][1])):
        f = group[0].french
        if f.kind in POLYGON_KINDS:
            geom = polygons.get(key)
            if geom is None:
                warnings.append(f"{f.kind.value} {f.code} ({f.name}) is not in the boundaries; left out")
                continue
            point = geom.representative_point()
            anchors[key] = (point.x, point.y)
            geom = _multi(geom)
        else:
            if f.lon is None or f.lat is None:
                warnings.append(f"{f.kind.value} {f.code} ({f.name}) has no position; left out")
                continue
            anchors[key] = (f.lon, f.lat)
            geom = Point(f.lon, f.lat)
        records.append({
            "code": f.code, "siren": f.siren, "nom": f.name, "type": f.kind.value,
            "departement": f.departement, "region": f.region, "nb_partenariats": len(group),
            "pays_partenaires": joined_values(r.partnership.pays for r in group),
            "annees": joined_values(r.partnership.annee for r in group),
            **_match_fields(r.french_match for r in group), "geometry": geom,
        })
    return _frame(records, "collectivites_francaises")


def _partner_key(r: JoinedPartnership) -> tuple | None:
    p = r.partner
    if p is None or p.lon is None or p.lat is None:
        return None
    return (p.country, p.name, round(p.lon, 5), round(p.lat, 5))


def _partners(rows, lang, warnings) -> gpd.GeoDataFrame:  # noqa: ANN001
    """One point per foreign partner (same name and position), with the precision of its place."""
    from shapely.geometry import Point

    from atlasmaps.data.schema import country_name

    groups: dict[tuple, list[JoinedPartnership]] = defaultdict(list)
    unplaced = 0
    for r in rows:
        key = _partner_key(r)
        if key is None:
            unplaced += r.partner is not None
            continue
        groups[key].append(r)
    if unplaced:
        warnings.append(f"{unplaced} partner(s) without a position left out of 'partenaires' and 'liens'")
    records = []
    for (iso2, _, _, _), group in sorted(groups.items(), key=lambda kv: kv[0][:2]):
        p = group[0].partner
        records.append({
            "nom": p.name, "pays": iso2, "nom_pays": country_name(iso2, lang),
            "zone_id": p.admin1_id, "zone_nom": p.admin1_name, "nb_partenariats": len(group),
            "collectivites_francaises": joined_values(r.french.name for r in group if r.french),
            "annees": joined_values(r.partnership.annee for r in group),
            "thematiques": joined_values(t for r in group for t in r.partnership.thematiques),
            **_match_fields(r.partner_match for r in group), "geometry": Point(p.lon, p.lat),
        })
    return _frame(records, "partenaires")


def _zones(rows, warnings) -> gpd.GeoDataFrame:  # noqa: ANN001
    """The partners' admin-1 units with at least one partnership (their zones d'intervention)."""
    from atlasmaps import boundaries

    groups: dict[tuple[str, str], list[JoinedPartnership]] = defaultdict(list)
    for r in rows:
        if r.partner is not None and r.partner.admin1_id:
            groups[(r.partner.country, r.partner.admin1_id)].append(r)
    records = []
    for country in sorted({c for c, _ in groups}):
        try:
            admin1 = boundaries.load("admin1", country=country)
        except Exception:  # noqa: BLE001 - a country without admin-1 layer: its zones are left out, said below
            admin1 = None
        found = {} if admin1 is None else dict(zip(admin1["admin1_id"], zip(admin1["name"], admin1.geometry)))
        for (c, zid), group in sorted(groups.items()):
            if c != country:
                continue
            if zid not in found:
                warnings.append(f"zone d'intervention {zid} is not in the admin-1 layer; left out")
                continue
            name, geom = found[zid]
            records.append({
                "zone_id": zid, "nom": name or group[0].partner.admin1_name, "pays": country,
                "nb_partenariats": len(group),
                "nb_partenaires": len({r.partner.name for r in group}),
                "collectivites_francaises": joined_values(r.french.name for r in group if r.french),
                **_match_fields(r.partner_match for r in group), "geometry": _multi(geom),
            })
    return _frame(records, "zones_intervention")


def _links(rows, anchors) -> gpd.GeoDataFrame:  # noqa: ANN001
    """One great-circle line per partnership, from the French collectivité to its partner."""
    records = []
    for r in rows:
        f, p, fm, pm = r.french, r.partner, r.french_match, r.partner_match
        start = anchors.get((f.kind, f.code)) if f else None
        if start is None or _partner_key(r) is None:
            continue
        q = r.partnership
        records.append({
            "id": q.id, "ligne": q.row, "collectivite": f.name, "code_collectivite": f.code,
            "type_collectivite": f.kind.value, "partenaire": p.name, "pays": q.pays, "zone_id": p.admin1_id,
            "annee": q.annee, "thematiques": SEPARATOR.join(q.thematiques), "nature": q.nature,
            "statut": q.statut, "statut_jointure": r.status.value,
            "statut_collectivite": fm.status.value, "methode_collectivite": fm.method.value if fm.method else None,
            "precision_collectivite": fm.precision.value if fm.precision else None,
            "statut_partenaire": pm.status.value, "methode_partenaire": pm.method.value if pm.method else None,
            "precision_partenaire": pm.precision.value if pm.precision else None,
            "geometry": _arc(start, (p.lon, p.lat)),
        })
    frame = _frame(records, "liens")
    frame["annee"] = frame["annee"].astype("Int32")  # a year, not a float with NaN for "unknown"
    return frame


def _countries(rows, lang, warnings) -> gpd.GeoDataFrame:  # noqa: ANN001
    """Partnerships per partner country, on the country's polygon (Natural Earth 1:50m)."""
    from shapely import union_all

    from atlasmaps import boundaries
    from atlasmaps.data.schema import country_name

    groups: dict[str, list[JoinedPartnership]] = defaultdict(list)
    for r in rows:
        groups[r.partnership.pays].append(r)
    countries = boundaries.load("countries")
    records = []
    for iso2, group in sorted(groups.items()):
        geoms = list(countries.geometry[countries["iso_a2"] == iso2])
        if not geoms:
            warnings.append(f"country {iso2} is not in the countries layer; left out of 'pays'")
            continue
        records.append({
            "code": iso2, "nom": country_name(iso2, lang), "nb_partenariats": len(group),
            "nb_collectivites_francaises": len({(r.french.kind, r.french.code) for r in group if r.french}),
            "nb_partenaires": len({r.partner.name for r in group if r.partner}),
            **_match_fields(r.partner_match for r in group),
            "geometry": _multi(geoms[0] if len(geoms) == 1 else union_all(geoms)),
        })
    return _frame(records, "pays")


def _arc(start: tuple[float, float], end: tuple[float, float]) -> object:
    """The great circle as a MultiLineString cut at 180° (no segment runs across the map in QGIS)."""
    from shapely.geometry import MultiLineString

    from atlasmaps.geo.lonwrap import great_circle_parts

    return MultiLineString(great_circle_parts(start, end, step_km=ARC_STEP_KM))
