"""The content layer (atlasmaps.content): what each map kind shows, tested without drawing."""

from __future__ import annotations

import json
import re

import pytest
from conftest import LYON, THEMES, make_result, make_row

from atlasmaps import content
from atlasmaps.content import classes as CL
from atlasmaps.content.common import country_name
from atlasmaps.content.france import france_content, units_of_rows
from atlasmaps.content.types import MapContent
from atlasmaps.model import MapKind, RenderOptions
from atlasmaps.style import load_style


@pytest.fixture(scope="module")
def style():
    return load_style("quai-dorsay")


def test_classify_schemes():
    values = [1, 2, 3, 10, 20, 50, 51, 52, 100, 300]
    jenks = CL.classify(values, "jenks", 5)
    quant = CL.classify(values, "quantiles", 4)
    assert jenks[-1] == 300 and len(jenks) == 5 and jenks == sorted(jenks)
    assert quant[-1] == 300 and len(quant) == 4
    assert CL.classify([3, 3, 7], "jenks", 5) == [3.0, 7.0]
    assert CL.class_of(0, jenks) == -1 and CL.class_of(300, jenks) == 4



def test_class_labels_run_from_the_smallest_count_to_each_bound(style):
    values = [1, 2, 3, 10, 20, 50, 51, 52, 100, 300]
    classes = CL.classes_of(style, "fr", values, "jenks")
    assert len(classes.labels) == len(classes.bins) == len(classes.colours) == 5
    assert classes.labels[0].startswith("1 – ")
    assert classes.labels[-1].endswith(f"{int(classes.bins[-1])} projets")
    assert classes.colour_of(0) is None and classes.colour_of(300) == classes.colours[-1]
    # Two distinct values, one class each; the second class holds every count above the first.
    assert CL.classes_of(style, "fr", [1, 1, 4], "jenks").labels == ("1 projet", "2 – 4 projets")


def test_country_name_has_one_home():
    assert country_name("JP", "fr") == "Japon"
    assert country_name("JP", "en") == "Japan"
    assert country_name("ZZ", "fr") == "ZZ"  # unknown to the layer: the code itself


def test_partner_points_carry_their_main_theme_colour(japan_result, style):
    mc = content.build(japan_result, style, RenderOptions(MapKind.BILATERAL, partner="JP"))
    pts = mc.data.partner_points
    assert len(pts) and "color" in pts
    for name, colour in zip(pts["name"], pts["color"]):
        themes = [t for r in japan_result.mapped if r.partner and r.partner.name == name
                  for t in r.partnership.thematiques]
        assert colour == style.main_theme_color(themes), name
    # Fukuoka has two partnerships, one "Éducation", one "Économie": a tie goes to the style's first theme.
    fukuoka = dict(zip(pts["name"], pts["color"]))["Fukuoka"]
    assert fukuoka == style.themes[style.theme_key(THEMES[0])].color


def test_a_row_is_placed_in_its_unit_by_codes_else_by_position(style):
    # Paris without codes (only its position) lands in Île-de-France, as Lyon with its codes lands in 84.
    paris_by_position = ("C", "75056", "Paris", None, None, 2.3522, 48.8566)
    nowhere = ("C", "00000", "Nulle part", None, None, None, None)
    rows = [make_row(2, paris_by_position, ("Kyoto", 135.7, 35.0, None, None), "JP"),
            make_row(3, LYON, ("Kyoto", 135.7, 35.0, None, None), "JP"),
            make_row(4, nowhere, ("Kyoto", 135.7, 35.0, None, None), "JP")]
    result = make_result(rows)
    fc = france_content(result, "region")
    assert fc.rows_by_unit == {"11": [0], "84": [1]}
    assert fc.unplaced == 1 and fc.total == 2
    layer = fc.units
    assert units_of_rows(list(result.mapped), "region", layer) == ["11", "84", None]


def test_map_content_holds_every_text_of_the_frame(japan_result, style):
    mc = content.build(japan_result, style, RenderOptions(MapKind.BILATERAL, partner="JP"))
    assert isinstance(mc, MapContent) and mc.kind is MapKind.BILATERAL
    assert mc.texts.title == "Les coopérations décentralisées entre la France et le Japon"
    assert "15 mars 2024" in mc.texts.source and mc.texts.credits.endswith("2024")
    assert mc.texts.attribution
    assert [s.key for s in mc.legend] == ["french", "cooperation", "themes"]


def test_layers_are_loaded_only_when_drawn(japan_result, style):
    mc = content.build(japan_result, style, RenderOptions(MapKind.WORLD))
    far = mc.layers["countries_110m"]
    assert "gdf" not in far.__dict__  # not loaded by building the content
    assert len(far.gdf) > 100 and far.key == "countries:110m"


# ------------------------------------------------------------------ one legend for print and web


def _print_legend(svg: bytes) -> list[str]:
    """Entry texts of the print legend, in order (wrapped lines joined again)."""
    text = svg.decode()
    out = []
    for m in re.finditer(r'<g id="legend-entry-[^"]+"[^>]*>(.*?)</g>', text, re.S):
        lines = re.findall(r"<text[^>]*>([^<]*)</text>", m.group(1))
        out.append(" ".join(lines).replace("&apos;", "'").replace("&amp;", "&"))
    return out


def _web_legend(page: bytes) -> tuple[list[str], list[str]]:
    """Section titles and entry texts of the web legend, from the page's payload."""
    m = re.search(r"atlasInit\([^,]+, (\{.*\})\);", page.decode())
    legend = json.loads(m.group(1))["legend"]
    return [s["title"] for s in legend], [e["label"] for s in legend for e in s["entries"]]


@pytest.mark.parametrize("kind, partner, fixture", [
    (MapKind.BILATERAL, "JP", "japan_result"), (MapKind.COUNTRY, "BJ", "benin_result"),
    (MapKind.WORLD, None, "world_result"), (MapKind.FRANCE, None, "world_result"),
])
def test_print_and_web_legends_have_the_same_texts(request, style, kind, partner, fixture):
    from atlasmaps.render import static, web

    joined = request.getfixturevalue(fixture)
    options = RenderOptions(kind, partner=partner, show_years=False, formats=("svg",))
    svg = static.render(joined, style, options).files["svg"]
    page = web.render(joined, style, RenderOptions(kind, partner=partner, formats=("html",))).files["html"]
    titles, entries = _web_legend(page)
    expected = content.build(joined, style, options).legend
    assert titles == [s.title for s in expected]
    assert entries == [e.label for s in expected for e in s.entries]
    assert _print_legend(svg) == entries


def test_country_content_writes_the_partners_list(benin_result, style):
    mc = content.build(benin_result, style, RenderOptions(MapKind.COUNTRY, partner="BJ"))
    cc = mc.data
    assert cc.list_title == "Partenaires français par zone"
    assert [z.heading for z in cc.listing][:2] == ["1. Ouémé (2)", "2. Zou (2)"]  # numbered like the zone labels
    zou = cc.listing[1]
    assert zou.gid == "zone-list-BJ.ZO"
    assert zou.partners == "Département du Val-d'Oise (conseil départemental), Nancy"  # units say their type
    assert len(cc.listing) == len(cc.partners_by_zone)


@pytest.mark.parametrize("lang, expected", [
    ("fr", "Collectivité de Corse (collectivité de Corse), Martinique (collectivité territoriale), "
           "Mayotte (département), Région Bretagne (conseil régional), Paris (conseil de Paris)"),
    ("en", "Collectivité de Corse (collectivity of Corsica), Martinique (territorial collectivity), "
           "Mayotte (department), Région Bretagne (regional council), Paris (council of Paris)")])
def test_a_council_that_is_not_regional_nor_departmental_is_named_as_it_is(style, lang, expected):
    """Corse, Martinique, Guyane and Mayotte have no conseil régional, Paris no conseil départemental:
    the list says what they are ("Martinique (conseil régional)" was wrong)."""
    from tests.conftest import make_result, make_row

    place = ("Cotonou", 2.4183, 6.3654, "BJ.LI", "Littoral")
    units = [("R", "94", "Collectivité de Corse", None, "94", None, None),
             ("R", "02", "Martinique", None, "02", None, None), ("R", "06", "Mayotte", None, "06", None, None), ("D", "75", "Paris", "75", "11", None, None),
             ("R", "53", "Région Bretagne", None, "53", None, None)]
    joined = make_result([make_row(i + 2, u, place, "BJ", 2000) for i, u in enumerate(units)], "benin.csv")
    cc = content.build(joined, style, RenderOptions(MapKind.COUNTRY, partner="BJ", lang=lang)).data
    assert [z.partners for z in cc.listing] == [expected]
