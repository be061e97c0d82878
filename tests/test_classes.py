"""Choropleth classes and counts against values worked out by hand, and print compared with web.

The expected numbers here are counted from the fixtures in conftest.py (one partnership per row,
régions and départements from the COG), never computed by the code under test. Print (SVG fills)
and web (the HTML's data) are compared with each other directly.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace

import pytest

from atlasmaps.content.bilateral import bilateral_content
from atlasmaps.content.classes import class_of, classify
from atlasmaps.content.france import france_content
from atlasmaps.model import CollectiviteType, FrenchUnit, MapKind, RenderOptions
from atlasmaps.render import static, web
from atlasmaps.style import load_style

# --- classes of a small series, by hand -----------------------------------------------------------
#
# [1, 2, 3, 10, 11, 12, 30] in 3 natural-breaks classes: {1,2,3} {10,11,12} {30} (within-class
# squared deviations 2 + 2 + 0 = 4; any other split of the sorted series costs more), so the upper
# bounds are 3, 12, 30. Upper bounds are inclusive: 3 is in the first class, 12 in the second.
SERIES = [1, 2, 3, 10, 11, 12, 30]


def test_jenks_breaks_of_a_small_series() -> None:
    assert classify(SERIES, "jenks", 3) == [3.0, 12.0, 30.0]


def test_equal_interval_breaks_of_a_small_series() -> None:
    # range 1..30 in 3 classes of width 29/3: bounds 1 + 29/3, 1 + 58/3, 30
    assert classify(SERIES, "equal_interval", 3) == pytest.approx([1 + 29 / 3, 1 + 58 / 3, 30.0])


def test_quantile_breaks_of_a_small_series() -> None:
    # 1..8 in quartiles (linear interpolation): 1 + 7/4 = 2.75, 4.5, 6.25, 8
    assert classify(list(range(1, 9)), "quantiles", 4) == [2.75, 4.5, 6.25, 8.0]


def test_scheme_aliases_edge_cases_and_errors() -> None:
    jenks, quant, equal = (classify(SERIES, s, 3) for s in ("jenks", "quantiles", "equal_interval"))
    for alias in ("fisherjenks", "fisher_jenks", "naturalbreaks", "Jenks"):
        assert classify(SERIES, alias, 3) == jenks, alias
    assert classify(SERIES, "quantile", 3) == quant and classify(SERIES, "equalinterval", 3) == equal
    assert classify([], "jenks", 5) == [] and classify([7], "jenks", 5) == [7.0]
    assert classify(SERIES, "jenks", 1) == [30.0]  # one class: everything up to the maximum
    # ten 1s and 2, 3, 4 in 3 quantiles: bounds 1, 1, 4; a bound is never repeated
    assert classify([1] * 10 + [2, 3, 4], "quantiles", 3) == [1.0, 4.0]
    with pytest.raises(ValueError, match=r"unknown classification scheme 'natural' \(jenks \| quantiles \| equal_interval\)"):
        classify(SERIES, "natural", 3)


@pytest.mark.parametrize("value, expected", [
    (1, 0), (3, 0), (3.5, 1), (10, 1), (12, 1), (12.01, 2), (30, 2), (0, -1), (-4, -1), (45, 2),
])
def test_upper_bounds_are_inclusive(value: float, expected: int) -> None:
    assert class_of(value, [3.0, 12.0, 30.0]) == expected


# --- the world map of the fixtures ---------------------------------------------------------------
#
# Mapped partnerships per country: Japan 10 (11 rows, La Rochelle–"Introuvable" unmatched),
# Bénin 9, Fiji 3, Madagascar 3. Three distinct values for k = 5 classes: one class per value,
# upper bounds 3, 9, 10. Fiji and Madagascar in the first (lightest) class, Bénin in the second,
# Japan in the third.
WORLD_CLASSES = {"FJ": 0, "MG": 0, "BJ": 1, "JP": 2}


def _group(svg: str, gid: str) -> str:
    start = svg.index(f'<g id="{gid}"')
    return svg[start:svg.index("</g>", start)]


def _fill(svg: str, gid: str) -> str:
    return re.search(r"fill:\s*(#[0-9a-fA-F]{6})", _group(svg, gid)).group(1).lower()


def _payload(html: bytes) -> dict:
    return json.loads(re.search(r"atlasInit\([^,]+, (\{.*\})\);", html.decode("utf-8")).group(1))


@pytest.fixture(scope="module")
def style():
    return load_style()


def test_world_classes_in_print_and_web(world_result, style) -> None:
    colours = [c.lower() for c in style.choropleth_colors(3)]
    svg = static.render(world_result, style, RenderOptions(MapKind.WORLD, formats=("svg",))).files["svg"].decode()
    assert {iso: _fill(svg, f"country-{iso}") for iso in WORLD_CLASSES} == {
        iso: colours[k] for iso, k in WORLD_CLASSES.items()}
    html = web.render(world_result, style, RenderOptions(MapKind.WORLD, formats=("html",))).files["html"]
    ch = _payload(html)["choropleth"]
    props = {f["properties"]["id"]: f["properties"] for f in ch["features"]["features"]}
    iso_of = {iso: next(k for k in props if k in (iso, f"country-{iso}")) for iso in WORLD_CLASSES}
    assert {iso: props[iso_of[iso]]["n"] for iso in WORLD_CLASSES} == {"FJ": 3, "MG": 3, "BJ": 9, "JP": 10}
    assert {iso: props[iso_of[iso]]["k"] for iso in WORLD_CLASSES} == WORLD_CLASSES
    assert [c["color"].lower() for c in ch["classes"]] == colours


# --- the France map of the fixtures, counted by hand ---------------------------------------------
#
# Régions (COG): Paris, Cergy, Créteil, Val-d'Oise, Île-de-France -> 11; Marseille, Aix -> 93;
# Lyon, Métropole de Lyon, Haute-Savoie -> 84; Bordeaux, Bordeaux Métropole, La Rochelle,
# Nouvelle-Aquitaine -> 75; Nancy -> 44; Saint-Denis and the Région La Réunion -> 04.
FRANCE_REGIONS = {"11": 7, "93": 2, "84": 4, "75": 7, "44": 3, "04": 2}
# Départements: a metropolitan région has no département of its own (Île-de-France and
# Nouvelle-Aquitaine are not placed); the Région La Réunion is département 974.
FRANCE_DEPARTEMENTS = {"75": 3, "13": 2, "69": 3, "33": 4, "54": 3, "74": 1, "95": 2, "94": 1, "17": 2, "974": 2}


@pytest.mark.parametrize("level, expected, unplaced", [
    ("region", FRANCE_REGIONS, 0), ("departement", FRANCE_DEPARTEMENTS, 2),
])
def test_france_counts_in_print_and_web(world_result, style, level, expected, unplaced) -> None:
    assert sum(expected.values()) + unplaced == 25 == len(world_result.mapped)
    opts = RenderOptions(MapKind.FRANCE, formats=("svg",), level=level)
    svg = static.render(world_result, style, opts).files["svg"].decode()
    labelled = set(re.findall(r'<g id="label-unit-([^"]+)"', svg))
    assert labelled <= set(expected)  # a label per counted unit (unless dropped), none elsewhere
    html = web.render(world_result, style, replace(opts, formats=("html",))).files["html"]
    props = [f["properties"] for f in _payload(html)["choropleth"]["features"]["features"]]
    assert {p["id"]: p["n"] for p in props if p["n"]} == expected
    # The colour of each unit: one class per distinct count, lightest for the smallest.
    distinct = sorted(set(expected.values()))
    colours = [c.lower() for c in style.choropleth_colors(len(distinct))]
    assert {code: _fill(svg, f"unit-{code}") for code in expected} == {
        code: colours[distinct.index(n)] for code, n in expected.items()}


def _without_region(unit: FrenchUnit) -> FrenchUnit:
    return replace(unit, region=None)


def test_region_from_the_departement_when_the_unit_has_none(benin_result) -> None:
    """Cergy (95), Créteil (94), Paris (75), Val-d'Oise (95) are all in Île-de-France (11) per the COG.
    Without région and without position, the département is the only way there."""
    rows = [replace(r, french=_without_region(r.french)) for r in benin_result.mapped
            if r.french.code in ("95127", "94028", "75056", "95")]
    assert len(rows) == 4
    fc = france_content(replace(benin_result, rows=tuple(rows)), "region")
    assert {c: n for c, n in zip(fc.units["code"], fc.units["n"]) if n} == {"11": 4}
    # A département unit that only knows its own code; a commune that knows nothing: unplaced.
    val_de_marne = replace(rows[0], french=FrenchUnit(CollectiviteType.DEPARTEMENT, "94", "Val-de-Marne"))
    creteil = replace(rows[0], french=FrenchUnit(CollectiviteType.COMMUNE, "94028", "Créteil", departement="94"))
    nowhere = replace(rows[0], french=FrenchUnit(CollectiviteType.COMMUNE, "94028", "Créteil"))
    fc = france_content(replace(benin_result, rows=(val_de_marne, creteil, nowhere)), "region")
    assert ({c: n for c, n in zip(fc.units["code"], fc.units["n"]) if n}, fc.unplaced) == ({"11": 2}, 1)


# --- print against web: partner symbols ----------------------------------------------------------

def _slug(text: str) -> str:
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


@pytest.mark.parametrize("kind, fixture, partner", [
    (MapKind.BILATERAL, "japan_result", "JP"), (MapKind.COUNTRY, "benin_result", "BJ"),
    (MapKind.COUNTRY, "sample_result", "BJ"),  # several themes per partner
])
def test_partner_symbol_colour_is_the_same_in_print_and_web(request, style, kind, fixture, partner) -> None:
    joined = request.getfixturevalue(fixture)
    opts = RenderOptions(kind, partner=partner, formats=("svg",))
    svg = static.render(joined, style, opts).files["svg"].decode()
    html = web.render(joined, style, replace(opts, formats=("html",))).files["html"]
    partners = {pl["n"]: pl["f"].lower() for pl in _payload(html)["places"] if pl["s"] == "pa"}
    assert len(partners) >= 6
    print_fills = {name: _fill(svg, f"partner-{_slug(name)}") for name in partners}
    assert print_fills == partners
    assert len(set(partners.values())) >= 2  # themes tell partners apart


def test_partner_colour_is_its_themes_colour_in_the_style_sheet(japan_result, style) -> None:
    """Kyoto's only partnership (Paris, 1958) is "Culture, patrimoine": #A558A0 in quai-dorsay.yaml."""
    opts = RenderOptions(MapKind.BILATERAL, partner="JP", formats=("svg",))
    svg = static.render(japan_result, style, opts).files["svg"].decode()
    assert _fill(svg, "partner-kyoto") == "#a558a0"


# --- France content: the units themselves, and units placed by their point only --------------------

def test_france_units_are_the_cogs_regions_and_departements(world_result) -> None:
    """18 régions and 101 départements (COG 2024); the overseas ones point to their inset."""
    reg = france_content(world_result, "region")
    names = dict(zip(reg.units["code"], reg.units["name"]))
    assert len(names) == 18 and names["11"] == "Île-de-France" and names["04"] == "La Réunion"
    assert dict(zip(reg.units["code"], reg.units["overseas"]))["04"] == "974"
    assert dict(zip(reg.units["code"], reg.units["overseas"]))["11"] is None
    assert reg.overseas == ("974",)  # Saint-Denis and the Région La Réunion
    dep = france_content(world_result, "departement")
    assert len(dep.units) == 101
    overseas = {c: o for c, o in zip(dep.units["code"], dep.units["overseas"]) if o is not None}
    assert overseas == {c: c for c in ("971", "972", "973", "974", "976")}
    with pytest.raises(ValueError, match="level must be 'region' or 'departement', not 'commune'"):
        france_content(world_result, "commune")


@pytest.mark.parametrize("level, expected", [
    ("region", {"11": 1, "93": 2, "04": 1}), ("departement", {"94": 1, "13": 2, "974": 1}),
])
def test_units_known_only_by_their_point(benin_result, level, expected) -> None:
    """No région, no département: the point decides (Créteil in 94/11, Marseille and Aix in 13/93,
    Saint-Denis in 974/04); points in the Atlantic and units with no point are counted as unplaced."""
    base = benin_result.mapped[0]

    def at(name: str, lon: float, lat: float):
        return replace(base, french=FrenchUnit(CollectiviteType.COMMUNE, "00000", name, lon=lon, lat=lat))

    rows = (at("Créteil", 2.4553, 48.7904), at("Marseille", 5.3698, 43.2965), at("Au large", -20.0, 45.0),
            at("Aix", 5.4474, 43.5297), at("Plus au large", -25.0, 40.0), at("Saint-Denis", 55.4504, -20.8789))
    nowhere = replace(base, french=FrenchUnit(CollectiviteType.COMMUNE, "00000", "Nulle part"))
    fc = france_content(replace(benin_result, rows=(*rows, nowhere, nowhere)), level)
    assert {c: n for c, n in zip(fc.units["code"], fc.units["n"]) if n} == expected
    assert (fc.level, fc.total, fc.unplaced, fc.overseas) == (level, 4, 4, ("974",))
    assert list(fc.units.columns) == ["code", "name", "n", "overseas", "geometry"]


def test_bilateral_content_names_the_overseas_departements_involved(overseas_result, japan_result) -> None:
    """Each way a row can be overseas: its département, its commune code, its région, a département."""
    base = overseas_result.mapped[0]
    units = [
        FrenchUnit(CollectiviteType.COMMUNE, "97411", "Saint-Denis", departement="974", lon=55.45, lat=-20.88),
        FrenchUnit(CollectiviteType.COMMUNE, "97209", "Fort-de-France", lon=-61.07, lat=14.60),
        FrenchUnit(CollectiviteType.REGION, "01", "Guadeloupe"),
        FrenchUnit(CollectiviteType.DEPARTEMENT, "973", "Guyane", departement="973"),
        FrenchUnit(CollectiviteType.GROUPEMENT, "200027548", "CA de Dembéni-Mamoudzou", region="06",
                   lon=45.2, lat=-12.8),
        FrenchUnit(CollectiviteType.COMMUNE, "69123", "Lyon", departement="69", region="84", lon=4.84, lat=45.76),
    ]
    rows = tuple(replace(base, french=u) for u in units)
    assert bilateral_content(replace(overseas_result, rows=rows), "MG").overseas == (
        "971", "972", "973", "974", "976")
    assert bilateral_content(japan_result, "JP").overseas == ()
