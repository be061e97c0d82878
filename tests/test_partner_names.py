"""Partner places named as the data writes them on French maps (Anvers, Alexandrie), as the gazetteer
does on English ones (Antwerp, Alexandria): print, web and GeoPackage alike."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from atlasmaps.join import join_partnerships
from atlasmaps.model import CollectiviteType, MapKind, Partnership, RenderOptions
from atlasmaps.render import static, web
from atlasmaps.style import load_style


def _row(n: int, collectivite: str, partenaire: str, pays: str,
         kind: CollectiviteType = CollectiviteType.COMMUNE) -> Partnership:
    return Partnership(row=n, id=f"t{n}", collectivite=collectivite, type_collectivite=kind,
                       partenaire=partenaire, pays=pays, annee=2010 + n, thematiques=("Culture",))


@pytest.fixture(scope="module")
def joined():
    rows = [("Marseille", "Anvers", "BE"), ("Lyon", "Antwerp", "BE"), ("Lille", "Gand", "BE"),
            ("Marseille", "Alexandrie", "EG"), ("Nice", "Le Caire", "EG")]
    return join_partnerships([_row(i, *r) for i, r in enumerate(rows, start=2)], source="t.csv")


@pytest.fixture(scope="module")
def style():
    return load_style()


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "map.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode("utf-8")


def _label_ids(svg: bytes) -> list[str]:
    return re.findall(r'<g id="(label-partner-[^"]*)"', svg.decode("utf-8"))


@pytest.mark.parametrize("lang, zone, places, hidden", [
    ("fr", "1. Anvers (2)", ["label-partner-anvers", "label-partner-gand"], ["Antwerp"]),
    ("en", "1. Antwerp (2)", ["label-partner-antwerp", "label-partner-gent"], ["Anvers"]),
])
def test_country_map_names_places_and_zones_in_the_maps_language(joined, style, tmp_path, lang, zone, places, hidden):
    out = static.render(joined, style, RenderOptions(MapKind.COUNTRY, partner="BE", formats=("pdf", "svg"), lang=lang))
    text = _pdf_text(out.files["pdf"], tmp_path)
    assert zone in text, text
    assert "2. East Flanders (1)" in text  # Gand is not its zone's namesake: the zone keeps its name
    for name in hidden:
        assert name not in text
    assert sorted(_label_ids(out.files["svg"])) == places


@pytest.mark.parametrize("lang, place, zone, cairo", [("fr", "Alexandrie", "Alexandrie", ("Le Caire", "Le Caire")),
                                                      ("en", "Alexandria", "Al Iskandariyah", ("Cairo", "Al Qahirah"))])
def test_bilateral_map_names_the_place_and_its_namesake_zone(joined, style, lang, place, zone, cairo):
    out = static.render(joined, style, RenderOptions(MapKind.BILATERAL, partner="EG", formats=("svg",), lang=lang))
    assert f"label-partner-{place.lower()}" in _label_ids(out.files["svg"])
    html_out = web.render(joined, style, RenderOptions(MapKind.BILATERAL, partner="EG", formats=("html",), lang=lang))
    page = html_out.files["html"].decode("utf-8")
    payload = json.loads(re.search(r'"rows":(\[\{.*?\}\]),"', page).group(1))
    assert [(r["p"], r["z"]) for r in payload] == [(place, zone), cairo]
    zones = json.loads(re.search(r'"zone_rows":(\{.*?\})', page).group(1))
    assert set(zones) == {zone, cairo[1]}


@pytest.mark.parametrize("lang, names", [("fr", ["Alexandrie", "Anvers", "Gand", "Le Caire"]),
                                         ("en", ["Alexandria", "Antwerp", "Cairo", "Gent"])])
def test_geopackage_names_places_in_the_asked_language(tmp_path, capsys, lang, names):
    import pyogrio
    from test_cli import run_cli

    data = tmp_path / "partenariats.csv"
    data.write_text("collectivite,type_collectivite,partenaire,pays,thematiques,annee\n"
                    "Marseille,commune,Anvers,Belgique,Culture,2011\nLyon,commune,Antwerp,Belgique,Culture,2012\n"
                    "Lille,commune,Gand,Belgique,Culture,2013\nMarseille,commune,Alexandrie,Égypte,Culture,2014\n"
                    "Nice,commune,Le Caire,Égypte,Culture,2015\n", encoding="utf-8")
    target = tmp_path / "atlas.gpkg"
    code, _, err = run_cli(["export", str(data), "-o", str(target), "--no-styles", "--lang", lang], capsys)
    assert code == 0, err
    partners = pyogrio.read_dataframe(target, layer="partenaires")
    assert sorted(partners["nom"]) == names


@pytest.fixture(scope="module")
def quebec():
    rows = [_row(2, "Lyon", "Province du Québec", "CA"), _row(3, "Nantes", "Montréal", "CA"),
            _row(4, "Région Bretagne", "Québec", "CA", CollectiviteType.REGION),  # the province, not the city
            _row(5, "Rennes", "Bavière", "DE"),
            _row(6, "Rennes", "Province du Shandong", "CN")]
    return join_partnerships(rows, source="t.csv")


@pytest.mark.parametrize("lang, expected", [
    ("fr", ["label-partner-montreal", "label-partner-province-du-quebec"]),
    ("en", ["label-partner-montreal", "label-partner-quebec"]),
])
def test_an_admin1_partner_written_two_ways_is_one_symbol(quebec, style, lang, expected):
    out = static.render(quebec, style, RenderOptions(MapKind.BILATERAL, partner="CA", formats=("svg",), lang=lang))
    svg = out.files["svg"].decode("utf-8")
    assert sorted(_label_ids(out.files["svg"])) == expected
    assert len(re.findall(r'<g id="partner-[^"]*"', svg)) == 2


@pytest.mark.parametrize("lang, partners, zones", [
    # the partner as the data writes it; its zone as the gazetteer does (a unit is found by names of
    # units inside it too: "Akkar" finds North Lebanon)
    ("fr", ["Bavière", "Province du Shandong"], ["Bayern", "Shandong"]),
    ("en", ["Bayern", "Shandong"], ["Bayern", "Shandong"]),
])
def test_an_admin1_partner_is_named_as_written_its_zone_as_the_gazetteer_does(quebec, style, lang, partners, zones):
    got_partners, got_zones = [], []
    for iso in ("DE", "CN"):
        page = web.render(quebec, style, RenderOptions(MapKind.BILATERAL, partner=iso, formats=("html",),
                                                       lang=lang)).files["html"].decode("utf-8")
        rows = json.loads(re.search(r'"rows":(\[\{.*?\}\]),"', page).group(1))
        got_partners += [r["p"] for r in rows]
        got_zones += [r["z"] for r in rows]
    assert (got_partners, got_zones) == (partners, zones)


@pytest.mark.parametrize("lang, pairs", [("fr", "Lyon\u00a0: Anvers\u00a0; Marseille\u00a0: Anvers"),
                                         ("en", "Lyon: Antwerp; Marseille: Antwerp")])
def test_the_full_list_pairs_each_french_collectivite_with_its_partners(joined, style, lang, pairs):
    # the web table beside the country map and the PDF's annex say who works with whom in each zone
    page = web.render(joined, style, RenderOptions(MapKind.COUNTRY, partner="BE", formats=("html",), lang=lang))
    aside = page.files["html"].decode("utf-8").split('<aside id="atlas-list"', 1)[1]
    row = r'<tr id="atlas-zone-list-BE.ANTWERP"><th scope="row">[^<]*</th><td>([^<]*)</td>'
    assert re.findall(row, aside) == [pairs]
