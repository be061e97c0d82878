"""Print maps: structure of the outputs (symbols, labels, legend, text), determinism, edge cases."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest

from atlasmaps.content.france import france_content
from atlasmaps.geo import projection as P
from atlasmaps.model import MapKind, RenderOptions
from atlasmaps.render import static
from atlasmaps.style import load_style

LOW_DPI = 30  # PNG tests check pixel sizes, not looks


@pytest.fixture(scope="module")
def style():
    return load_style()


def _ids(svg: bytes, prefix: str) -> list[str]:
    return re.findall(rf'<g id="({prefix}[^"]*)"', svg.decode("utf-8"))


@pytest.fixture(scope="module")
def japan_svg(japan_result, style):
    opts = RenderOptions(MapKind.BILATERAL, partner="JP", formats=("svg", "pdf"))
    return static.render(japan_result, style, opts)


def test_bilateral_svg_symbols_match_the_data(japan_svg, japan_result):
    svg = japan_svg.files["svg"]
    mapped = japan_result.mapped
    communes = {r.french.code for r in mapped if r.french.kind.value == "commune"}
    groupements = {r.french.code for r in mapped if r.french.kind.value == "groupement"}
    partners = {r.partner.name for r in mapped}
    zones = {r.partner.admin1_id for r in mapped}
    assert sorted(_ids(svg, "commune-")) == sorted(f"commune-{c}" for c in communes)
    assert sorted(_ids(svg, "groupement-")) == sorted(f"groupement-{c}" for c in groupements)
    assert len(_ids(svg, "partner-")) == len(partners) == 8
    assert sorted(_ids(svg, "zone-")) == sorted(f"zone-{z}" for z in zones)
    # Filled units: the région and the département of the data (fill + outline each).
    assert "region-11" in _ids(svg, "region-") and "departement-74" in _ids(svg, "departement-")
    # The SVG carries classes on features.
    assert b'<g id="commune-69123" class="collectivite commune"' in svg
    # The unmatched row (La Rochelle) is not drawn.
    assert "commune-17300" not in _ids(svg, "commune-")


def test_bilateral_labels_placed_or_reported(japan_svg, japan_result):
    svg = japan_svg.files["svg"]
    labelled = _ids(svg, "label-")
    mapped = japan_result.mapped
    n_features = (
        len({r.french.code for r in mapped})  # French points and units, one label each
        + len({r.partner.name for r in mapped})  # partner places
    )
    assert len(labelled) + len(japan_svg.dropped_labels) == n_features
    assert japan_svg.dropped_labels == ()
    # Years next to partner places (style years.show: true): one per labelled partner.
    assert len(_ids(svg, "years-partner-")) == len(_ids(svg, "label-partner-"))
    assert "1961" in svg.decode()  # Marseille–Kobe


def test_bilateral_legend_one_entry_per_type_present(japan_svg, benin_result, style):
    entries = _ids(japan_svg.files["svg"], "legend-entry-")
    for kind in ("region", "departement", "groupement", "commune"):
        assert entries.count(f"legend-entry-{kind}") == 1
    assert "legend-entry-zone" in entries and "legend-entry-partner" in entries
    # Fiji data: communes only -> no région/département/groupement entry.
    fiji_like = replace(benin_result, rows=tuple(r for r in benin_result.rows if r.french.kind.value == "commune"))
    out = static.render(fiji_like, style, RenderOptions(MapKind.BILATERAL, partner="BJ", formats=("svg",)))
    types = [e for e in _ids(out.files["svg"], "legend-entry-")
             if e.split("legend-entry-")[1] in ("region", "departement", "groupement", "commune")]
    assert types == ["legend-entry-commune"]


def test_bilateral_legend_lists_the_themes_present(japan_svg, japan_result, style):
    entries = [e for e in _ids(japan_svg.files["svg"], "legend-entry-theme-")]
    keys = {style.theme_key(t) for r in japan_result.mapped for t in r.partnership.thematiques}
    assert sorted(entries) == sorted(f"legend-entry-theme-{k}" for k in keys)


def test_pdf_text_holds_title_and_source(japan_svg, japan_result):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(japan_svg.files["pdf"]))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"\s+", " ", text)
    assert "ENTRE LA FRANCE ET LE JAPON" in text
    assert "données du 15 mars 2024" in text  # the data date, as a date in the map's language
    assert "10 partenariats" in text
    assert len(reader.pages) == 1


def test_svg_and_pdf_are_deterministic(japan_result, style, japan_svg):
    again = static.render(japan_result, style, RenderOptions(MapKind.BILATERAL, partner="JP", formats=("svg", "pdf")))
    assert again.files["svg"] == japan_svg.files["svg"]
    assert again.files["pdf"] == japan_svg.files["pdf"]


@pytest.mark.parametrize("page", ["A4-landscape", "A3-portrait"])
def test_png_pixel_size_matches_page_and_dpi(benin_result, style, page):
    from PIL import Image

    out = static.render(benin_result, style, RenderOptions(MapKind.BILATERAL, partner="BJ", formats=("png",),
                                                            dpi=LOW_DPI, page=page))
    img = Image.open(io.BytesIO(out.files["png"]))
    pg = style.page(page)
    assert img.size == (round(pg.width_mm / 25.4 * LOW_DPI), round(pg.height_mm / 25.4 * LOW_DPI))


def test_antimeridian_country_renders(fiji_result, style):
    out = static.render(fiji_result, style, RenderOptions(MapKind.BILATERAL, partner="FJ", formats=("svg",)))
    svg = out.files["svg"]
    # Lakeba (east of 180°) and Suva (west) are both drawn in the one Fiji panel.
    assert len(_ids(svg, "partner-")) == 3
    assert "zone-FJ.EASTERN" in _ids(svg, "zone-")
    assert not any("outside" in w for w in out.warnings)


def test_antimeridian_frame_is_compact(style):
    from atlasmaps import boundaries

    c = boundaries.load("countries")
    for iso, max_km in (("FJ", 1500), ("NZ", 2500), ("RU", 12000)):
        f = P.country_frame(c[c["iso_a2"] == iso])
        assert f.width < max_km * 1000, iso  # not a world-wide frame
    # Tiny countries get a minimum frame.
    km = P.country_frame(c[c["iso_a2"] == "KM"])
    assert km.width >= P.MIN_FRAME_M and km.height >= P.MIN_FRAME_M


def test_overseas_departement_gets_insets(overseas_result, style, japan_svg):
    out = static.render(overseas_result, style, RenderOptions(MapKind.BILATERAL, partner="MG", formats=("svg",)))
    svg = out.files["svg"]
    assert "commune-97411" in _ids(svg, "commune-")  # Saint-Denis de La Réunion, in its inset
    assert "region-04" in _ids(svg, "region-")
    insets = _ids(svg, "inset-")
    assert {"inset-971", "inset-972", "inset-973", "inset-974", "inset-976"} <= set(insets)
    # Without an overseas collectivité there is no inset unless asked.
    assert not _ids(japan_svg.files["svg"], "inset-")


def test_an_overseas_groupement_is_drawn_in_its_inset(overseas_result, style):
    """A groupement's registry row names no département: CA CAP Excellence (Guadeloupe) was taken
    for metropolitan, found outside the France panel and not drawn. Where it lies places it."""
    from tests.conftest import make_result, make_row

    cap_excellence = ("G", "200018653", "CA CAP Excellence", None, None, -61.50539, 16.27081)
    extra = make_row(9, cap_excellence, ("Toliara", 43.67, -23.35, "MG.ATSIMO-ANDREFANA", "Atsimo-Andrefana"), "MG", 2010)
    out = static.render(make_result([*overseas_result.rows, extra], "madagascar.csv"), style,
                        RenderOptions(MapKind.BILATERAL, partner="MG", formats=("svg",)))
    svg = out.files["svg"].decode()
    assert "groupement-200018653" in _ids(out.files["svg"], "groupement-")
    guadeloupe = svg[svg.index('<g id="inset-971"'):svg.index('<g id="inset-972"')]
    assert 'id="groupement-200018653"' in guadeloupe
    assert not [w for w in out.warnings if "CAP Excellence" in w]


def test_overseas_region_and_its_departement_are_named_once(overseas_result, style):
    """La Réunion is a région and a département of the same shape: with both partners, its inset
    shades both and names the territory once."""
    from tests.conftest import make_result, make_row

    reunion_dep = ("D", "974", "Département de La Réunion", "974", "04", None, None)
    extra = make_row(9, reunion_dep, ("Toliara", 43.67, -23.35, "MG.ATSIMO-ANDREFANA", "Atsimo-Andrefana"), "MG", 2010)
    joined = make_result([*overseas_result.rows, extra], "madagascar.csv")
    svg = static.render(joined, style, RenderOptions(MapKind.BILATERAL, partner="MG", formats=("svg",))).files["svg"]
    assert {"region-04", "departement-974"} <= set(_ids(svg, "region-") + _ids(svg, "departement-"))
    assert len(_ids(svg, "label-region-04") + _ids(svg, "label-departement-974")) == 1


def test_dropped_labels_are_reported(japan_result, style):
    crowded = style.model_copy(update={"place_labels": style.place_labels.model_copy(update={"size_pt": 40.0})})
    out = static.render(japan_result, crowded, RenderOptions(MapKind.BILATERAL, partner="JP", formats=("svg",)))
    svg = out.files["svg"]
    placed = len(_ids(svg, "label-"))
    assert out.dropped_labels, "40 pt labels cannot all fit"
    n_features = len({r.french.code for r in japan_result.mapped}) + len({r.partner.name for r in japan_result.mapped})
    # Each place named once: by its label, by a number (its name in the key), or reported as left out.
    numbered = len(_ids(svg, "callout-"))
    assert numbered == len(out.numbered_labels)
    assert placed + numbered + len(out.dropped_labels) == n_features


def test_user_style_colour_appears_in_svg(tmp_path, benin_result):
    user = tmp_path / "maison.yaml"
    user.write_text("extends: quai-dorsay\nsymbols:\n  commune:\n    fill: '#12AB34'\n", encoding="utf-8")
    st = load_style(user)
    out = static.render(benin_result, st, RenderOptions(MapKind.BILATERAL, partner="BJ", formats=("svg",)))
    assert "#12ab34" in out.files["svg"].decode().lower()


def test_country_map_lists_french_partners_per_zone(benin_result, style):
    out = static.render(benin_result, style, RenderOptions(MapKind.COUNTRY, partner="BJ", formats=("svg",)))
    svg = out.files["svg"].decode()
    zones = {r.partner.admin1_id for r in benin_result.mapped}
    assert sorted(_ids(out.files["svg"], "zone-list-")) == sorted(f"zone-list-{z}" for z in zones)
    for r in benin_result.mapped:
        assert r.french.name.replace("'", "&#x27;") in svg or r.french.name in svg


def test_world_map_top_list_computed_from_data(world_result, style):
    out = static.render(world_result, style, RenderOptions(MapKind.WORLD, formats=("svg",)))
    svg = out.files["svg"]
    top = _ids(svg, r"top-\d")
    assert top[:2] == ["top-1-JP", "top-2-BJ"]  # 10 and 9 mapped partnerships
    assert len(top) == 4
    assert "country-FR" in _ids(svg, "country-FR")
    circles = static.render(world_result, style, RenderOptions(MapKind.WORLD, formats=("svg",), symbols=True))
    assert len(_ids(circles.files["svg"], "circle-")) == 4


def test_france_map_counts_per_region(world_result, style):
    """Six régions have projects (counted by hand in test_classes.FRANCE_REGIONS): each is labelled or reported."""
    out = static.render(world_result, style, RenderOptions(MapKind.FRANCE, formats=("svg",)))
    labels = _ids(out.files["svg"], "label-unit-")
    assert len(labels) + len(out.dropped_labels) == 6
    assert {lab.removeprefix("label-unit-") for lab in labels} <= {"11", "93", "84", "75", "44", "04"}


# ------------------------------------------------------------------ label placement on the sample




@pytest.mark.parametrize("partner, must", [
    ("JP", ("label-partner-kobe", "label-partner-yokohama", "label-partner-prefecture-d-osaka")),
    ("BJ", ("label-partner-abomey", "label-commune-94028", "label-groupement-249500109")),
])
def test_sample_bilateral_places_every_label(sample_result, style, partner, must):
    out = static.render(sample_result, style, RenderOptions(MapKind.BILATERAL, partner=partner, formats=("svg",)))
    svg = out.files["svg"]
    rows = [r for r in sample_result.mapped if r.partnership.pays == partner]
    n_features = len({(r.french.kind, r.french.code) for r in rows}) + len({r.partner.name for r in rows})
    # Nothing is dropped: the tiny Hauts-de-Seine, whose whole area lies under the Paris symbol,
    # takes a far place with a leader crossing that symbol (labels step 6).
    assert out.dropped_labels == ()
    assert len(_ids(svg, "label-")) == n_features - len(out.dropped_labels)
    for gid in must:
        assert gid in _ids(svg, "label-")
    text = svg.decode()
    # Labels moved away from a crowded symbol are tied to it by a leader in the style's colour.
    leaders = _ids(svg, "leader-")
    if partner == "JP":
        assert "leader-departement-92" in leaders  # Hauts-de-Seine, out from under Paris
    for gid in leaders:
        block = text.split(f'<g id="{gid}"', 1)[1].split("</g>", 1)[0]
        assert style.place_labels.leader_color.lower() in block.lower()


# ------------------------------------------------------------------ texts: counts, plurals, dates


def _svg_text(svg: bytes) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", svg.decode("utf-8")))


def test_world_texts_are_true_and_agree_with_the_count(japan_result, world_result, style):
    one = replace(japan_result, rows=japan_result.mapped[:1])
    fr = _svg_text(static.render(one, style, RenderOptions(MapKind.WORLD, formats=("svg",))).files["svg"])
    assert "1 projet dans 1 pays" in fr
    assert "1 projets" not in fr and "jumelage" not in fr
    en = _svg_text(static.render(one, style, RenderOptions(MapKind.WORLD, formats=("svg",), lang="en")).files["svg"])
    assert "1 project in 1 country" in en
    assert "1 projects" not in en and "twinning" not in en
    circles = static.render(one, style, RenderOptions(MapKind.WORLD, formats=("svg",), symbols=True))
    assert "1 projets" not in _svg_text(circles.files["svg"])
    many = _svg_text(static.render(world_result, style, RenderOptions(MapKind.WORLD, formats=("svg",))).files["svg"])
    total = len(world_result.mapped)
    assert f"{total} projets dans" in many and "jumelage" not in many


def test_france_legend_singular_class(japan_result, style):
    one = replace(japan_result, rows=japan_result.mapped[:1])
    text = _svg_text(static.render(one, style, RenderOptions(MapKind.FRANCE, formats=("svg",))).files["svg"])
    assert "1 projet" in text and "1 projets" not in text


def test_source_date_in_the_map_language(japan_result, style):
    from atlasmaps.content.text import format_data_date

    en = static.render(japan_result, style, RenderOptions(MapKind.BILATERAL, partner="JP", formats=("svg",), lang="en"))
    assert "data as of 15 March 2024" in _svg_text(en.files["svg"])
    assert format_data_date("2026-11-22", "fr") == "22 novembre 2026"
    assert format_data_date("2026-11-22", "en") == "22 November 2026"
    assert format_data_date("2024-03-01", "fr") == "1er mars 2024"
    assert format_data_date("mars 2024", "fr") == "mars 2024"  # not a date: kept as written
    assert format_data_date(None, "fr") == ""


def test_france_units_without_project_have_their_own_tint(japan_result, style):
    ch = style.choropleth
    assert ch.france_no_data and ch.france_no_data != style.basemap.land
    out = static.render(japan_result, style, RenderOptions(MapKind.FRANCE, formats=("svg",)))
    svg = out.files["svg"].decode()
    fc = france_content(japan_result, "region")
    empty = [c for c, n in zip(fc.units["code"], fc.units["n"]) if n == 0]
    tint = ch.france_no_data.lower()
    for code in empty:
        block = svg.split(f'<g id="unit-{code}"', 1)[1].split("</g>", 1)[0]
        assert tint in block.lower(), code
    # The legend swatch "Aucun projet recensé" is the same tint: one more use than the units.
    legend = svg.split('<g id="legend"', 1)[1]
    assert tint in legend.lower()


@pytest.mark.parametrize("spec, reason", [("EPSG:999999", "invalid projection"), ("EPSG:4326", "geographic")])
def test_bad_projection_override_is_one_clear_line(tmp_path, capsys, spec, reason):
    from importlib import resources

    from atlasmaps.cli import main

    sample = str(resources.files("atlasmaps").joinpath("sample", "partenariats.csv"))
    with pytest.raises(SystemExit) as exc:
        main(["bilateral", sample, "--partner", "JP", "--projection", spec, "-f", "png", "-o", str(tmp_path)])
    assert exc.value.code != 0
    err = capsys.readouterr().err
    line = [ln for ln in err.splitlines() if ln.startswith("Error:")]
    assert len(line) == 1 and line[0].startswith("Error: --projection:") and reason in line[0] and spec in line[0]
    assert "Traceback" not in err and "a bug in atlasmaps" not in err
    assert not list(tmp_path.glob("*.png"))


def test_bad_projection_is_an_atlas_error(japan_result, style):
    from atlasmaps.errors import AtlasError

    with pytest.raises(AtlasError, match="--projection"):
        static.render(japan_result, style, RenderOptions(MapKind.WORLD, formats=("svg",), projection="EPSG:999999"))


# ------------------------------------------------------------------ country map: partners per zone


# Each case in one language (each lays out 47 zones twice): French, the longer texts, where the list
# must fit; English where it goes to the annex (the French annex texts: tests/test_world_lists.py).
@pytest.mark.parametrize("per_zone, long_names, lang", [(1, False, "fr"), (4, True, "en")])
def test_country_list_shows_every_zone_or_sends_to_the_annex(style, per_zone, long_names, lang):
    from atlasmaps import boundaries
    from tests.test_world_lists import many_zones_result

    joined = many_zones_result("JP", per_zone, long_names)
    zones = list(boundaries.load("admin1", country="JP")["admin1_id"])
    out = static.render(joined, style, RenderOptions(MapKind.COUNTRY, partner="JP", formats=("svg",), lang=lang))
    svg = out.files["svg"]
    listed = {g.removeprefix("zone-list-") for g in _ids(svg, "zone-list-")} - {"more", "annex"}
    missing = [z for z in zones if z not in listed]
    text = _svg_text(svg)
    assert not missing  # 47 zones always fit, with their partners or (crowded) without
    if long_names:
        # 47 zones of 4 long names cannot fit with their partners: the zones alone, the partners in the annex
        assert "zone-list-annex" in _ids(svg, "zone-list-")
        assert " ".join(style.text("partners_in_annex", lang, page=2).split()[:4]) in text

        # The line saying so has the foot of the list to itself: two lines' room kept free of zones
        # (it was set over the last zones of a column). SVG units are points, y grows downwards.
        def baselines(gid: str) -> list[float]:
            group = re.search(rf'<g id="{re.escape(gid)}"[^>]*>(.*?)</g>', svg.decode(), re.S).group(1)
            return [float(y) for y in re.findall(r'<text[^>]* y="([\d.]+)"', group)]

        note = max(baselines("zone-list-annex"))
        lowest = max(y for z in zones for y in baselines(f"zone-list-{z}"))
        assert note - lowest >= 2 * 1.3 * style.legend.entry_size_pt
        assert any("partners did not fit" in w for w in out.warnings)
    else:
        assert "zone-list-annex" not in _ids(svg, "zone-list-")
        assert not any("did not fit" in w for w in out.warnings)
    # The list's key numbers follow the list order (1. the first zone listed ...).
    first = style.text("partners_zone", lang, n=1, zone="", count=per_zone).split(" ")[0]
    assert first in text


def test_sample_country_maps_list_and_name_every_zone(sample_result, style):
    for partner in ("JP", "BJ"):
        out = static.render(sample_result, style, RenderOptions(MapKind.COUNTRY, partner=partner, formats=("svg",)))
        svg = out.files["svg"]
        zones = {r.partner.admin1_id for r in sample_result.mapped if r.partnership.pays == partner
                 and r.partner.admin1_id}
        assert {f"zone-list-{z}" for z in zones} <= set(_ids(svg, "zone-list-"))
        assert not any("did not fit" in w for w in out.warnings)
        # Every zone is named on the map, by its name or by its key number of the list.
        assert out.dropped_labels == ()
        assert {f"label-zone-{z}" for z in zones} <= set(_ids(svg, "label-zone-"))


@pytest.mark.parametrize("lang, few, one_each, many", [
    ("fr", "5 projets dans 1 pays", "1 projet dans 1 pays", "projets dans 4 pays"),
    ("en", "5 projects in 1 country", "1 project in 1 country", "projects in 4 countries"),
])
def test_world_subtitle_counts_each_noun_on_its_own(japan_result, world_result, style, lang, few, one_each, many):
    """"5 projects in 1 countries" is wrong: each count takes its own singular or plural."""
    def subtitle(joined):
        out = static.render(joined, style, RenderOptions(MapKind.WORLD, formats=("svg",), lang=lang))
        return _svg_text(out.files["svg"])

    assert few in subtitle(replace(japan_result, rows=japan_result.mapped[:5]))
    assert one_each in subtitle(replace(japan_result, rows=japan_result.mapped[:1]))
    text = subtitle(world_result)
    assert f"{len(world_result.mapped)} {many}" in text
    assert "1 countries" not in text and "1 projects" not in text


@pytest.mark.parametrize("lang, one, wrong", [("fr", "1 partenariat", "1 partenariats"),
                                              ("en", "1 partnership", "1 partnerships")])
def test_country_and_bilateral_subtitles_singular(japan_result, style, lang, one, wrong):
    single = replace(japan_result, rows=japan_result.mapped[:1])
    for kind in (MapKind.COUNTRY, MapKind.BILATERAL):
        text = _svg_text(static.render(single, style, RenderOptions(kind, partner="JP", formats=("svg",),
                                                                    lang=lang)).files["svg"])
        assert f"– {one}" in text and wrong not in text


def test_greyscale_style_has_no_colour_left(style):
    """Every colour the greyscale variant resolves to is a neutral grey (the inherited cream included)."""
    grey = load_style("quai-dorsay-gris")
    found = []

    def walk(node, path=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")
        elif isinstance(node, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?", node):
            if not node[1:3].lower() == node[3:5].lower() == node[5:7].lower():
                found.append(f"{path} {node}")

    walk(grey.resolved_dict())
    assert found == []
    ch = grey.choropleth
    # France units without project stand apart from the neighbours' land and from every class.
    assert ch.france_no_data not in (grey.basemap.land, ch.no_data, *grey.choropleth_colors(ch.k))


def test_label_importance_comes_from_population_rank_and_partnerships(sample_result, style):
    """Populations are looked up in content (gazetteer, INSEE), weighted by the style's label_priority."""
    from atlasmaps import content

    mc = content.build(sample_result, style, RenderOptions(MapKind.BILATERAL, partner="JP"))
    pts = mc.data.partner_points.set_index("name")
    assert pts.loc["Tokyo", "population"] == 9733276
    ranked = list(mc.data.partner_points.sort_values("importance", ascending=False, kind="stable")["name"])
    assert ranked.index("Tokyo") < ranked.index("Yokohama") < ranked.index("Kanazawa") < ranked.index("Kanzaki")
    fr = mc.data.french_points.set_index("code")
    assert fr.loc["75056", "population"] > 2_000_000  # Paris
    # The style sets the weights: population alone, then partnerships alone.
    lp = style.label_priority
    only_n = style.model_copy(update={"label_priority": lp.model_copy(update={"population": 0, "ranks": {}})})
    mc2 = content.build(sample_result, only_n, RenderOptions(MapKind.BILATERAL, partner="JP"))
    p2 = mc2.data.partner_points
    assert list(p2["importance"]) == [lp.partnerships * n for n in p2["n"]]


def test_dropped_labels_listed_beside_the_map(japan_result, style, tmp_path):
    from atlasmaps.pipeline import DROPPED_LABELS, dropped_summary, make_map

    crowded = style.model_copy(update={"place_labels": style.place_labels.model_copy(update={"size_pt": 40.0})})
    options = RenderOptions(MapKind.BILATERAL, partner="JP", formats=("svg",))
    out = make_map(japan_result, crowded, options, tmp_path)
    listed = tmp_path / f"bilateral-JP.{DROPPED_LABELS}"
    assert out.paths[DROPPED_LABELS] == listed
    assert listed.read_text(encoding="utf-8").splitlines() == list(out.dropped_labels)
    line = dropped_summary(out.dropped_labels)
    assert line.startswith(f"{len(out.dropped_labels)} label(s) could not be placed")
    assert line.endswith(", ".join(out.dropped_labels[:10]) + (f" and {len(out.dropped_labels) - 10} more"
                                                                 if len(out.dropped_labels) > 10 else ""))
    # A later run that drops nothing removes the stale list.
    make_map(japan_result, style, options, tmp_path)
    assert not listed.exists()
