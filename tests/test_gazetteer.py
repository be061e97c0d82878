"""The gazetteer and the join on real data: every class of real-list trouble, with real examples.

Expected values are worked out independently of the code: INSEE codes from the COG, positions from
the places' own coordinates (rounded), populations from GeoNames as published.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from atlasmaps import boundaries as b
from atlasmaps.data.schema import resolve_country, resolve_country_ref
from atlasmaps.join import join_partnerships
from atlasmaps.textnorm import japanese_variant, normalize_name
from atlasmaps.model import CollectiviteType, MatchMethod, MatchStatus, Partnership, Precision

C = CollectiviteType


def row(collectivite: str, kind: CollectiviteType | None, partenaire: str, pays: str, **kw: object) -> Partnership:
    return Partnership(row=2, id="t", collectivite=collectivite, type_collectivite=kind, partenaire=partenaire,
                       pays=pays, **kw)  # type: ignore[arg-type]


def km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance, haversine (independent of the code under test)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def join_one(p: Partnership):
    return join_partnerships([p], source="t").rows[0]


# --- 1. French side: a position for every commune ----------------------------------------------

def test_commune_coverage_is_complete() -> None:
    coverage = json.loads((b.boundaries_dir() / "manifest.json").read_text())["layers"]["fr_communes"]["coverage"]
    assert coverage["communes"] == 34969  # COG 2026
    assert coverage["share"] >= 0.995
    communes = b.load("fr_communes")
    assert communes.geometry.notna().sum() == coverage["with_point"]


@pytest.mark.parametrize("name, code, lon, lat", [
    # small rural communes, absent from the earlier (GeoNames > 1,000 inhabitants) layer or not
    ("Rocamadour", "46240", 1.6178, 44.7994),
    ("Gordes", "84050", 5.2000, 43.9114),
    ("Saint-Valentin", "36209", 1.8550, 46.9550),  # Indre, 280 inhabitants
    ("Eus", "66074", 2.4530, 42.6520),  # Pyrénées-Orientales, 400 inhabitants
])
def test_small_communes_are_placed_where_they_are(name: str, code: str, lon: float, lat: float) -> None:
    r = join_one(row(name, C.COMMUNE, "Kobe", "JP", code_collectivite=code))
    assert r.french_match.status is MatchStatus.MATCHED, r.french_match
    assert km(r.french.lon, r.french.lat, lon, lat) < 5


@pytest.mark.parametrize("name, kind, code, method", [
    ("Cherbourg-Octeville", C.COMMUNE, "50129", MatchMethod.FORMER_COMMUNE),  # déléguée of Cherbourg-en-Cotentin
    ("Annecy-le-Vieux", C.COMMUNE, "74010", MatchMethod.FORMER_COMMUNE),  # merged into Annecy (2017)
    ("Paris 15e Arrondissement", C.COMMUNE, "75115", MatchMethod.FORMER_COMMUNE),  # arrondissement municipal
    ("Rhône-Alpes", C.REGION, "84", MatchMethod.FORMER_REGION),
    ("Conseil régional d'Aquitaine", C.REGION, "75", MatchMethod.FORMER_REGION),
    ("Région Limousin", C.REGION, "75", MatchMethod.FORMER_REGION),
])
def test_old_names_resolve_to_today(name: str, kind: CollectiviteType, code: str, method: MatchMethod) -> None:
    r = join_one(row(name, kind, "Kobe", "JP"))
    assert (r.french_match.status, r.french.code, r.french_match.method) == (MatchStatus.MATCHED, code, method)
    assert r.french_match.reason  # said in the report


@pytest.mark.parametrize("name, kind", [
    ("Région Sud", C.REGION), ("Région Sud", None), ("Région Sud Provence-Alpes-Côte d'Azur", C.REGION),
    ("Conseil régional Occitanie / Pyrénées-Méditerranée", C.REGION),
])
def test_a_region_is_found_by_the_name_it_goes_by(name: str, kind: CollectiviteType | None) -> None:
    r = join_one(row(name, kind, "Kobe", "JP"))
    want = "76" if "Occitanie" in name else "93"
    assert (r.french_match.status, r.french.code, r.french_match.method) == (MatchStatus.MATCHED, want,
                                                                            MatchMethod.ALTERNATE)
    assert "goes by" in r.french_match.reason


def test_old_region_code() -> None:
    r = join_one(row("Région", C.REGION, "Kobe", "JP", code_collectivite="82"))  # Rhône-Alpes before 2016
    assert r.french.code == "84" and "before 2016" in r.french_match.reason


def test_french_exonym_and_qualifier() -> None:
    assert join_one(row("Dunkirk", C.COMMUNE, "Kobe", "JP")).french.code == "59183"
    # an encyclopaedia's disambiguation: the qualifier is the département
    assert join_one(row("Laval, Mayenne", C.COMMUNE, "Kobe", "JP")).french.code == "53130"
    assert join_one(row("Saint-Pierre, Réunion", C.COMMUNE, "Kobe", "JP")).french.code == "97416"
    assert join_one(row("Brest, France", C.COMMUNE, "Kobe", "JP")).french.code == "29019"


def test_french_homonyms_by_population() -> None:
    # Montreuil (Seine-Saint-Denis, 111,000) against Montreuil (Pas-de-Calais, 2,000) and others
    r = join_one(row("Montreuil", C.COMMUNE, "Kobe", "JP"))
    assert (r.french.code, r.french_match.method) == ("93048", MatchMethod.LARGEST_HOMONYM)
    assert len(r.french_match.candidates) > 1
    # Saint-Denis: 93 and 974 are of the same size, so the user must say which
    r = join_one(row("Saint-Denis", C.COMMUNE, "Kobe", "JP"))
    assert r.french_match.status is MatchStatus.AMBIGUOUS


def test_type_inferred_when_missing() -> None:
    r = join_one(row("Gironde", None, "Fukuoka", "JP"))
    assert (r.french.kind, r.french.code) == (C.DEPARTEMENT, "33")
    assert "no type given" in r.french_match.reason
    assert r.partnership.type_collectivite is C.DEPARTEMENT
    assert join_one(row("Conseil régional de Bretagne", None, "Kobe", "JP")).french.code == "53"
    assert join_one(row("Lyon", None, "Kobe", "JP")).french.kind is C.COMMUNE


# --- 2. Partner side: population, exonyms, admin-2 ---------------------------------------------

@pytest.mark.parametrize("name, country, expected_place, admin1", [
    ("München", "DE", "Munich", "DE.BY"),
    ("Monaco di Baviera", "DE", "Munich", "DE.BY"),
    ("Cologne", "DE", "Köln", "DE.NW"),
    ("Aix-la-Chapelle", "DE", "Aachen", "DE.NW"),
    ("Mayence", "DE", "Mainz", "DE.RP"),
    ("Firenze", "IT", "Florence", "IT.FI"),
    ("Varsovie", "PL", "Warsaw", "PL.MZ"),
    ("Cracovie", "PL", "Kraków", "PL.MA"),
    ("Édimbourg", "GB", "Edinburgh", "GB.EB"),
    ("Kyouto", "JP", "Kyoto", "JP.KY"),  # long vowel written ou
    ("Toukyou", "JP", "Tokyo", "JP.TK"),
])
def test_exonyms_and_transliterations(name: str, country: str, expected_place: str, admin1: str) -> None:
    r = join_one(row("Lyon", C.COMMUNE, name, country))
    assert r.partner_match.status is MatchStatus.MATCHED, r.partner_match
    assert (r.partner.name, r.partner.admin1_id) == (expected_place, admin1)


def test_japanese_long_vowels_fold() -> None:
    assert {japanese_variant(normalize_name(n)) for n in ("Ōno", "Oono", "Ohno", "Ono")} == {"ono"}


@pytest.mark.parametrize("name, country, lon, lat", [
    ("Sendai", "JP", 140.87, 38.27),  # Miyagi, 1.1 million, against Sendai (Kagoshima), 92,000
    ("Frankfurt", "DE", 8.68, 50.11),  # Frankfurt am Main, against Frankfurt (Oder)
    ("Yokohama", "JP", 139.64, 35.45),  # against a village of Aomori
])
def test_largest_homonym_when_it_dominates(name: str, country: str, lon: float, lat: float) -> None:
    r = join_one(row("Lyon", C.COMMUNE, name, country))
    assert r.partner_match.method is MatchMethod.LARGEST_HOMONYM
    assert km(r.partner.lon, r.partner.lat, lon, lat) < 15
    assert len(r.partner_match.candidates) >= 2 and "[" in r.partner_match.candidates[0]  # with GeoNames ids


@pytest.mark.parametrize("name", ["Métropole de Tokyo", "Tokyo Metropolis", "Préfecture de Tokyo"])
def test_tokyo_metropolis_is_its_admin1_unit(name: str) -> None:
    r = join_one(row("Région Île-de-France", C.REGION, name, "JP"))
    assert (r.partner.admin1_id, r.partner_match.precision) == ("JP.TK", Precision.ADMIN1), r.partner_match


@pytest.mark.parametrize("name, expected", [
    ("Halle", "Halle (Saale)"),  # the four small Halles bear it as their own name, Halle (Saale) as its short one
    ("Halle-sur-Saale", "Halle (Saale)"),  # GeoNames writes the river in brackets
    ("Halle (Saale)", "Halle (Saale)"),
])
def test_a_far_larger_town_known_by_the_short_name_wins(name: str, expected: str) -> None:
    r = join_one(row("Grenoble", C.COMMUNE, name, "DE"))
    assert (r.partner.name, r.partner.admin1_id) == (expected, "DE.ST"), r.partner_match


def test_a_former_name_of_a_big_city_does_not_take_a_towns_name() -> None:
    # "Waterloo" is a former name of Austin, Texas: the Waterloos of Iowa, Ontario... stay homonyms
    r = join_one(row("Lyon", C.COMMUNE, "Waterloo", "US"))
    assert r.partner_match.status is MatchStatus.AMBIGUOUS
    assert not any("Austin" in c for c in r.partner_match.candidates)


def test_homonyms_of_similar_size_stay_ambiguous() -> None:
    r = join_one(row("Lyon", C.COMMUNE, "Babenhausen", "DE"))  # Hessen 17,000 / Bayern 5,000
    assert r.partner_match.status is MatchStatus.AMBIGUOUS and not r.mappable
    r = join_one(row("Lyon", C.COMMUNE, "Babenhausen", "DE", region_partenaire="Bavière"))  # French exonym
    assert r.partner.admin1_id == "DE.BY"


def test_a_commune_is_not_taken_for_a_place_record_filed_elsewhere() -> None:
    # GeoNames files a place "Kouandé" (no admin-2 unit) on the coast, in Atlantique; the commune of
    # Kouandé is in the Atakora, at about 10.3 N
    r = join_one(row("Villeurbanne", C.COMMUNE, "Kouandé", "BJ"))
    assert (r.partner.admin1_id, r.partner_match.precision) == ("BJ.AK", Precision.ADMIN2), r.partner_match
    assert 10.0 < r.partner.lat < 11.0 and "Atlantique" in r.partner_match.reason


def test_small_communes_of_benin_by_admin2() -> None:
    # Toffo (Atlantique) is one of Bénin's 77 communes; GeoNames lists it as a commune, not a town
    r = join_one(row("Lyon", C.COMMUNE, "Toffo", "BJ"))
    assert (r.partner_match.method, r.partner_match.precision) == (MatchMethod.ADMIN2, Precision.ADMIN2)
    assert r.partner.admin1_id == "BJ.AQ"


@pytest.mark.parametrize("name, country, expected, admin1", [
    ("Laval, Quebec", "CA", "Laval", "CA.QC"),
    ("Herne, North Rhine-Westphalia", "DE", "Herne", "DE.NW"),
    ("Neustadt (Bavière)", "DE", None, "DE.BY"),
    ("Endingen am Kaiserstuhl", "DE", "Endingen", "DE.BW"),
    ("Worms-Heppenheim", "DE", "Worms", "DE.RP"),  # a district of Worms
])
def test_qualified_and_district_names(name: str, country: str, expected: str | None, admin1: str) -> None:
    r = join_one(row("Lyon", C.COMMUNE, name, country))
    if expected is None:  # several Neustadt in Bavaria: narrowed to it, still a question
        assert all("Bayern" in c for c in r.partner_match.candidates)
        return
    assert r.partner_match.status is MatchStatus.MATCHED, r.partner_match
    assert (r.partner.name, r.partner.admin1_id) == (expected, admin1)


# --- 3. Precision and fuzzy matches --------------------------------------------------------------

def test_precision_on_every_side() -> None:
    rows = join_partnerships([
        row("Lyon", C.COMMUNE, "Kobe", "JP"),
        row("Région Île-de-France", C.REGION, "Préfecture de Hyōgo", "JP"),
        row("Lyon", C.COMMUNE, "Somewhere", "JP", latitude=34.69, longitude=135.19),
    ], source="t").rows
    assert [r.partner_match.precision for r in rows] == [Precision.POINT, Precision.ADMIN1, Precision.POINT]
    assert [r.french_match.precision for r in rows] == [Precision.COMMUNE, Precision.ADMIN1, Precision.COMMUNE]


def test_fuzzy_is_drawn_only_when_confirmed_by_the_region() -> None:
    guess = join_one(row("Lyon", C.COMMUNE, "Kanazwa", "JP"))
    assert guess.partner_match.status is MatchStatus.TO_CONFIRM and not guess.mappable
    assert "Kanazawa" in guess.partner_match.reason and guess.partner_match.candidates
    sure = join_one(row("Lyon", C.COMMUNE, "Kanazwa", "JP", region_partenaire="Ishikawa"))
    assert (sure.partner_match.status, sure.partner_match.method) == (MatchStatus.MATCHED, MatchMethod.FUZZY)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["DE", "JP", "BJ", "IT"]), st.integers(min_value=0, max_value=10**9),
       st.sampled_from(["drop", "swap", "double", "prefix", "suffix"]))
def test_close_spellings_are_looked_for_among_the_names_that_can_reach_the_cutoff(
        iso2: str, pick: int, mistake: str) -> None:
    """The length filter in front of difflib finds what difflib finds among all of a country's names."""
    import difflib

    from atlasmaps.join.partner import FUZZY_CUTOFF, country_index

    index = country_index(iso2)
    every = [*index.places, *index.admin1_by_name]
    name = every[pick % len(every)]
    i = len(name) // 2
    key = {"drop": name[:i] + name[i + 1:], "swap": name[:i] + name[i + 1:i + 2] + name[i:i + 1] + name[i + 2:],
           "double": name[:i] + name[i] * 2 + name[i + 1:] if name else name,
           "prefix": "bad " + name, "suffix": name + "er"}[mistake]
    everywhere = difflib.get_close_matches(key, every, n=3, cutoff=FUZZY_CUTOFF)
    assert difflib.get_close_matches(key, index.names_that_may_reach(key, FUZZY_CUTOFF), n=3,
                                     cutoff=FUZZY_CUTOFF) == everywhere


# --- 4. Level consistency -----------------------------------------------------------------------

def test_name_both_admin1_and_place_follows_the_french_level() -> None:
    # Fukushima: a prefecture, its capital, and a town of Hokkaido
    region = join_one(row("Région Auvergne-Rhône-Alpes", C.REGION, "Fukushima", "JP"))
    assert (region.partner_match.method, region.partner_match.precision) == (MatchMethod.ADMIN1, Precision.ADMIN1)
    city = join_one(row("Lyon", C.COMMUNE, "Fukushima", "JP"))
    assert city.partner_match.precision is Precision.POINT and city.partner.admin1_id == "JP.FS"
    # the prefecture is drawn at its town, where the town's own partners are
    assert (region.partner.lon, region.partner.lat) == (city.partner.lon, city.partner.lat)
    assert "is both an admin-1 unit and its town" in region.partner_match.reason


def test_a_region_named_after_its_town_is_drawn_at_the_town() -> None:
    # Timbuktu's region reaches deep into the Sahara: its inner point lies 370 km from the town
    region = join_one(row("Département du Finistère", C.DEPARTEMENT, "Timbuktu", "ML"))
    town = join_one(row("Lyon", C.COMMUNE, "Tombouctou", "ML"))
    assert region.partner_match.precision is Precision.ADMIN1 and town.partner_match.precision is Precision.POINT
    assert km(region.partner.lon, region.partner.lat, town.partner.lon, town.partner.lat) < 1
    bavaria = join_one(row("Région Bretagne", C.REGION, "Bavière", "DE"))  # no town of that name: inside
    assert bavaria.partner_match.precision is Precision.ADMIN1 and 47 < bavaria.partner.lat < 50.6


# --- 5. Country names as people write them ------------------------------------------------------

COUNTRY_VARIANTS = {
    "DE": ["Allemagne", "Germany", "DE", "DEU", "RFA", "RDA", "Deutschland", "République fédérale d'Allemagne",
           "allemagne", "ALLEMAGNE", "West Germany"],
    "GB": ["Royaume-Uni", "United Kingdom", "UK", "Grande-Bretagne", "Great Britain", "Angleterre", "England",
           "Écosse", "Ecosse", "Scotland", "Pays de Galles", "Wales", "Irlande du Nord", "Northern Ireland", "GBR"],
    "US": ["États-Unis", "Etats-Unis", "USA", "U.S.A.", "United States", "United States of America", "US", "Amérique"],
    "TR": ["Turquie", "Turkey", "Türkiye", "TUR"],
    "CI": ["Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast", "Côte-d'Ivoire", "CIV"],
    "CD": ["RDC", "RD Congo", "DR Congo", "République démocratique du Congo", "Congo-Kinshasa", "Zaïre"],
    "CG": ["Congo-Brazzaville", "République du Congo", "Congo"],
    "PS": ["Palestine", "Territoires palestiniens", "Palestinian Territories", "Cisjordanie"],
    "XK": ["Kosovo", "XK"],
    "KR": ["Corée du Sud", "South Korea", "Corée", "République de Corée", "Republic of Korea", "KOR"],
    "MK": ["Macédoine", "Macedonia", "Macédoine du Nord", "North Macedonia"],
    "CZ": ["République tchèque", "Tchéquie", "Czech Republic", "Czechia"],
    "NL": ["Pays-Bas", "Netherlands", "Hollande", "Holland", "the Netherlands"],
    "CA": ["Canada", "Québec", "Quebec", "CAN"],
    "CV": ["Cap-Vert", "Cape Verde", "Cabo Verde"],
    "BF": ["Burkina Faso", "Burkina", "Haute-Volta"],
    "BJ": ["Bénin", "Benin", "Dahomey", "BEN", "République du Bénin"],
    "SN": ["Sénégal", "Senegal", "République du Sénégal", "SEN"],
    "MA": ["Maroc", "Morocco", "Royaume du Maroc", "Kingdom of Morocco"],
    "RU": ["Russie", "Russia", "Fédération de Russie", "Russian Federation"],
    "VN": ["Viêt Nam", "Vietnam", "Viet Nam"],
    "MM": ["Birmanie", "Myanmar", "Burma"],
    "JP": ["Japon", "Japan", "JP", "JPN", "japon"],
    "CN": ["Chine", "China", "RPC", "République populaire de Chine", "Chine populaire"],
    "VA": ["Vatican", "Saint-Siège", "Holy See"],
    "MU": ["Maurice", "Île Maurice", "Mauritius"],
    "BY": ["Biélorussie", "Bélarus", "Belarus"],
    "MD": ["Moldavie", "Moldova"],
    "SY": ["Syrie", "Syria"],
    "TZ": ["Tanzanie", "Tanzania"],
    "TL": ["Timor oriental", "East Timor", "Timor-Leste"],
    "SZ": ["Eswatini", "Swaziland"],
}


@pytest.mark.parametrize("iso2, variant", [(k, v) for k, vs in COUNTRY_VARIANTS.items() for v in vs])
def test_country_variants(iso2: str, variant: str) -> None:
    assert resolve_country(variant) == iso2


def test_nations_and_quebec_keep_what_they_say() -> None:
    assert resolve_country_ref("Écosse").nation == "Scotland"
    assert resolve_country_ref("Québec").region == "Québec"
    r = join_one(row("Lyon", C.COMMUNE, "Laval", "CA", region_partenaire=resolve_country_ref("Québec").region))
    assert r.partner.admin1_id == "CA.QC"


def test_country_inferred_from_the_partner_when_missing() -> None:
    r = join_one(row("Lyon", C.COMMUNE, "Burgess Hill", ""))
    assert (r.partnership.pays, r.partner_match.status) == ("GB", MatchStatus.MATCHED)
    assert "inferred" in r.partner_match.reason
    r = join_one(row("Lyon", C.COMMUNE, "Cheltenham", ""))  # GB, US, AU...
    assert r.partner_match.status is MatchStatus.AMBIGUOUS and "give the country" in r.partner_match.reason


@pytest.mark.parametrize("name, country, place", [
    ("Londres", "GB", "London"),  # not the village of Londres, Catamarca (AR)
    ("Pékin", "CN", "Beijing"),  # not Pekin, Illinois
    ("Alger", "DZ", "Algiers"),  # not Alger, Ohio
    ("Bâle", "CH", "Basel"),
    ("Brême", "DE", "Bremen"),
    ("Rome", "IT", "Rome"),  # also an old name of Lomé, far smaller: the own name wins
])
def test_a_french_exonym_without_country_goes_to_the_place_it_names(name: str, country: str, place: str) -> None:
    r = join_one(row("Lyon", C.COMMUNE, name, ""))
    assert (r.partnership.pays, r.partner.name, r.partner_match.status) == (country, place, MatchStatus.MATCHED)


# --- 6. Domestic partnerships -------------------------------------------------------------------

def test_france_said_of_a_foreign_partner_is_the_french_sides_country() -> None:
    # lists whose only country column is the French side's ("France" on every row)
    r = join_one(row("Abbeville", C.COMMUNE, "Burgess Hill", "FR"))
    assert (r.partnership.pays, r.partner_match.status) == ("GB", MatchStatus.MATCHED)
    assert "pays says France" in r.partner_match.reason
    assert join_one(row("Lyon", C.COMMUNE, "Saint-Denis", "FR")).partner_match.status is MatchStatus.DOMESTIC


@pytest.mark.parametrize("pays", ["FR", "RE", "NC", "PF", "GP", "YT"])
def test_partner_in_france_is_domestic(pays: str) -> None:
    result = join_partnerships([row("Lyon", C.COMMUNE, "Saint-Denis", pays), row("Lyon", C.COMMUNE, "Kobe", "JP")],
                               source="t")
    assert result.rows[0].partner_match.status is MatchStatus.DOMESTIC and not result.rows[0].mappable
    assert result.partner_countries == ("JP",)


# --- stored keys stay in step with the normaliser -----------------------------------------------

def test_stored_alternate_keys_are_normalised_keys() -> None:
    places = b.load("places", "DE")
    keys = [k for ks in places["alt_keys"].head(3000) if ks for k in ks.split("|")]
    assert len(keys) > 1000
    stale = [k for k in keys if normalize_name(k) != k]
    assert stale == []


# --- corrections: report -> template -> rerun -> placed -----------------------------------------

def test_corrections_round_trip(tmp_path: Path) -> None:
    from atlasmaps.cli import cli

    data = tmp_path / "jumelages.csv"
    data.write_text(
        "Commune;Ville jumelle;Pays\n"
        "Lyon;Babenhausen;Allemagne\n"  # two Babenhausen of similar size
        "Saint-Denis;Kobe;Japon\n"  # four Saint-Denis
        "Lyon;Kanazwa;Japon\n"  # a typo: to confirm
        "Caen;Thiès;Sénégal\n",  # fine
        encoding="utf-8")
    columns = tmp_path / "columns.yaml"
    columns.write_text("collectivite: Commune\npartenaire: Ville jumelle\npays: Pays\n", encoding="utf-8")
    report = tmp_path / "rapport.csv"
    runner = CliRunner()
    first = runner.invoke(cli, ["validate", str(data), "--columns", str(columns), "--report", str(report)])
    assert first.exit_code == 1, first.output
    assert "4 rows, 0 invalid, 1 mapped" in first.output
    template = tmp_path / "rapport.corrections.csv"
    lines = list(csv.DictReader(template.open(encoding="utf-8-sig")))
    assert {(ln["cote"], ln["nom"]) for ln in lines} == {
        ("partenaire", "Babenhausen"), ("collectivite", "Saint-Denis"), ("partenaire", "Kanazwa")}
    # the user picks from the candidates: the Hessian Babenhausen's GeoNames id, Saint-Denis (93),
    # and confirms Kanazawa
    for ln in lines:
        if ln["nom"] == "Babenhausen":
            ln["place_id"] = next(c for c in ln["candidats"].split(" | ") if "Hessen" in c).rsplit("[", 1)[1].rstrip("]")
        elif ln["nom"] == "Saint-Denis":
            ln["code"] = "93066"
        else:
            ln["place_id"] = ln["candidats"].rsplit("[", 1)[1].rstrip("]")
    with template.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    joined = tmp_path / "joint.csv"
    second = runner.invoke(cli, ["validate", str(data), "--columns", str(columns), "--corrections", str(template),
                                 "--joined", str(joined)])
    assert second.exit_code == 0, second.output
    assert "4 rows, 0 invalid, 4 mapped" in second.output
    out = {r["partenaire"]: r for r in csv.DictReader(joined.open(encoding="utf-8-sig"))}
    assert out["Babenhausen"]["admin1_code"] == "DE.HE" and out["Babenhausen"]["partner_method"] == "correction"
    assert out["Kobe"]["french_code"] == "93066"
    assert out["Kanazwa"]["partner_name"] == "Kanazawa"


def test_corrections_ignore_and_bad_lines(tmp_path: Path) -> None:
    from atlasmaps.errors import UnusableInputError
    from atlasmaps.join.corrections import load_corrections

    fixes = tmp_path / "c.yaml"
    fixes.write_text("- {cote: partenaire, nom: Babenhausen, pays: DE, action: ignorer}\n", encoding="utf-8")
    from atlasmaps.join import join_file

    data = tmp_path / "d.csv"
    data.write_text("collectivite,type,partenaire,pays\nLyon,commune,Babenhausen,DE\n", encoding="utf-8")
    r = join_file(data, corrections=fixes).rows[0]
    assert r.partner_match.status is MatchStatus.IGNORED and not r.mappable
    bad = tmp_path / "bad.csv"
    bad.write_text("cote;nom;pays;place_id\npartenaire;Babenhausen;Atlantis;123\n", encoding="utf-8")
    with pytest.raises(UnusableInputError) as err:
        load_corrections(bad)
    assert str(err.value) == f"{bad}, row 2, column 'pays': unknown country 'Atlantis'"


def test_place_points_read_from_wkb_as_shapely_reads_them():
    """The join reads the build's little-endian 2-D points in place and hands anything else to
    shapely: both give the point's own coordinates."""
    import shapely
    from shapely.geometry import Point

    from atlasmaps.join.partner import _point_xy

    assert _point_xy(shapely.to_wkb(Point(139.6917, 35.6895), byte_order=1)) == (139.6917, 35.6895)
    assert _point_xy(shapely.to_wkb(Point(-1.25, 47.5), byte_order=0)) == (-1.25, 47.5)  # big-endian
    assert _point_xy(shapely.to_wkb(Point(2.0, 48.0, 35.0), output_dimension=3)) == (2.0, 48.0)


# --- 3. Partner names as the data writes them ----------------------------------------------------

def test_french_exonyms_are_kept_beside_the_gazetteer_name() -> None:
    rows = join_partnerships([row("Marseille", C.COMMUNE, name, country) for name, country in [
        ("Érevan", "AM"), ("Anvers (Belgique)", "BE"), ("Alexandrie", "EG"), ("Abou Dabi", "AE"),
        ("Kyoto", "JP"), ("Munich", "DE"), ("Ville d'Anvers", "BE")]], source="t").rows
    got = [(r.partner.name, r.partner.written_name) for r in rows]
    assert got == [("Yerevan", "Érevan"), ("Antwerp", "Anvers"), ("Alexandria", "Alexandrie"),
                   ("Abu Dhabi", "Abou Dabi"),
                   ("Kyoto", None),  # the gazetteer's own name: its spelling (Kyōto, Kyoto) is kept
                   ("Munich", None),
                   ("Antwerp", "Anvers")]  # administrative words: no name of its own, but the place's
    # a zone named after the place takes its written name (the province of Antwerp, the governorate
    # of Al Iskandariyah, the emirate of Abu Dhabi); Munich's Bavaria does not
    assert [r.partner.written_admin1_name for r in rows] == ["Érevan", "Anvers", "Alexandrie", "Abou Dabi",
                                                             None, None, "Anvers"]


@pytest.mark.parametrize("name, country, place, written", [
    ("Hué", "VN", "Huế", "Hué"),  # French accents, not Vietnamese ones
    ("Comè", "BJ", "Comé", "Comè"),  # Bénin's own spelling
    ("Joal-Fadiouth", "SN", "Joal", "Joal-Fadiouth"),  # the commune's full name, read as its town
    ("Sao Paulo", "BR", "São Paulo", None),  # fewer accents: the gazetteer's
    ("abomey", "BJ", "Abomey", None),
    ("Pétion-Ville", "HT", "Pétionville", "Pétion-Ville"),  # the same letters, joined otherwise: no fuzzy guess
    ("St Louis", "SN", "Saint-Louis", None),  # abridged
    ("Fort-Liberté", "HT", "Fort Liberté", "Fort-Liberté"),  # hyphens as the country writes it
    ("Fada N'Gourma", "BF", "Fada N'gourma", "Fada N'Gourma"),
])
def test_the_data_s_spelling_of_the_gazetteer_s_name(name: str, country: str, place: str, written: str | None) -> None:
    r = join_one(row("Lyon", C.COMMUNE, name, country))
    assert (r.partner.name, r.partner.written_name) == (place, written)


def test_one_place_gets_one_written_name_across_rows() -> None:
    rows = join_partnerships([row(f, C.COMMUNE, name, "AM") for f, name in [
        ("Lyon", "Yerevan"), ("Marseille", "Érevan"), ("Nice", "EREVAN"), ("Paris", "Erevan"),
        ("Lille", "Érevan"), ("Rennes", "Gyumri")]], source="t").rows
    assert [r.partner.written_name for r in rows] == ["Érevan"] * 5 + [None]
    assert [r.partner.written_admin1_name for r in rows] == ["Érevan"] * 5 + [None]  # Gyumri is in Shirak


def test_a_zone_named_after_a_place_is_written_so_for_every_place_in_it() -> None:
    rows = join_partnerships([row("Lyon", C.COMMUNE, "Malines", "BE"), row("Lille", C.COMMUNE, "Anvers", "BE"),
                              row("Nice", C.COMMUNE, "Liège", "BE")], source="t").rows
    assert [(r.partner.name, r.partner.written_name) for r in rows] == [
        ("Mechelen", "Malines"), ("Antwerp", "Anvers"), ("Liège", None)]
    assert [r.partner.admin1_id for r in rows] == ["BE.ANTWERP", "BE.ANTWERP", "BE.LIEGE"]
    assert [r.partner.written_admin1_name for r in rows] == ["Anvers", "Anvers", None]


def test_spellings_of_one_name_count_together_and_the_accented_one_is_shown() -> None:
    rows = join_partnerships([row(f, C.COMMUNE, name, "AM") for f, name in [
        ("Marseille", "Erevan"), ("Lyon", "Érevan"), ("Nice", "Erevan"), ("Lille", "Iérévan"), ("Metz", "Iérévan")]],
        source="t").rows
    assert {r.partner.written_name for r in rows} == {"Érevan"}  # 3 rows write it, two without the accent
    rows = join_partnerships([row("Toulouse", C.COMMUNE, "Hanoï", "VN"), row("Lyon", C.COMMUNE, "Hanoi", "VN")],
                             source="t").rows
    assert [r.partner.written_name for r in rows] == ["Hanoï", "Hanoï"]  # the gazetteer writes Hanoi


def test_the_most_used_written_name_wins_and_ties_go_by_collation() -> None:
    names = ["Anvers", "Antwerpen", "Antwerpen"]
    rows = join_partnerships([row("Lyon", C.COMMUNE, n, "BE") for n in names], source="t").rows
    assert {r.partner.written_name for r in rows} == {"Antwerpen"}
    rows = join_partnerships([row("Lyon", C.COMMUNE, n, "BE") for n in ["Antwerpen", "Anvers"]], source="t").rows
    assert {r.partner.written_name for r in rows} == {"Antwerpen"}  # "antwerpen" < "anvers"


def test_a_towns_title_is_not_part_of_its_label() -> None:
    # GeoNames: "Universitäts- und Hansestadt Greifswald", "Hansestadt Stade"
    rows = join_partnerships([row("Lyon", C.COMMUNE, n, "DE") for n in ("Greifswald", "Stade")], source="t").rows
    assert [r.partner.name for r in rows] == ["Greifswald", "Stade"]


def test_the_region_a_row_gives_names_its_zone_and_an_unknown_one_is_not_fatal() -> None:
    rows = join_partnerships([
        row("Lyon", C.COMMUNE, "Munich", "DE", region_partenaire="Bavière"),
        row("Rennes", C.COMMUNE, "Nuremberg", "DE"),  # same zone: written as the other row writes it
        row("Nantes", C.COMMUNE, "Cologne", "DE", region_partenaire="Rhénanie-du-Nord-Westphalie"),  # close spelling
        row("Lille", C.COMMUNE, "Dortmund", "DE", region_partenaire="NRW"),  # not known: the name alone decides
        row("Metz", C.COMMUNE, "Trèves", "DE", region_partenaire="Rheinland-Pfalz"),  # the gazetteer's own name
        row("Pau", C.COMMUNE, "Neustadt", "DE", region_partenaire="Atlantide")], source="t").rows
    assert [(r.partner.admin1_id, r.partner.written_admin1_name) for r in rows[:5]] == [
        ("DE.BY", "Bavière"), ("DE.BY", "Bavière"), ("DE.NW", "Rhénanie-du-Nord-Westphalie"),
        ("DE.NW", "Rhénanie-du-Nord-Westphalie"), ("DE.RP", None)]
    assert rows[3].partner_match.reason == "region 'NRW' is not known in Germany: not used"
    # a homonym left to the population rule, which the report lists with the unused region
    assert rows[5].partner_match.method is MatchMethod.LARGEST_HOMONYM
    assert rows[5].partner_match.reason.endswith("; region 'Atlantide' is not known in Germany: not used")


def test_a_province_s_own_name_beats_a_town_elsewhere_known_by_it() -> None:
    r = join_one(row("La Rochelle", C.COMMUNE, "Quảng Ninh", "VN"))  # Quán Hàu, in Quảng Bình, lists it
    assert (r.partner.admin1_id, r.partner_match.precision) == ("VN.QN", Precision.ADMIN1), r.partner_match
    assert "Quán Hàu" in r.partner_match.reason
    r = join_one(row("Lyon", C.COMMUNE, "Firenze", "IT"))  # the city in its own province: the city
    assert (r.partner.name, r.partner_match.precision) == ("Florence", Precision.POINT)


@pytest.mark.parametrize("name, iso2, region, seat_lon, seat_lat", [
    ("Piémont", "IT", "Piedmont", 7.69, 45.07),  # Turin
    ("Regione Lombardia", "IT", "Lombardy", 9.19, 45.46),  # Milan
    ("Toscane", "IT", "Tuscany", 11.25, 43.77),  # Florence
    ("Andalousie", "ES", "Andalusia", -5.98, 37.38),  # Seville
    ("Comunidad Autónoma de Aragón", "ES", "Aragon", -0.88, 41.65),  # Zaragoza
    ("Région de Drâa-Tafilalet", "MA", "Drâa-Tafilalet", -4.43, 31.93),  # Errachidia
    ("Région du Centre-Ouest", "BF", "Centre-Ouest", -2.36, 12.25),  # Koudougou, not Boulkiemdé's zone
    ("Région wallonne", "BE", "Wallonia", 4.87, 50.47),  # Namur
    ("Wales", "GB", "Wales", -3.18, 51.48),  # Cardiff, not the village of Wales near Rotherham
])
def test_a_region_above_the_admin1_units_is_drawn_at_its_seat(name: str, iso2: str, region: str, seat_lon: float,
                                                              seat_lat: float) -> None:
    r = join_one(row("Région Bretagne", C.REGION, name, iso2))
    match = r.partner_match
    assert (match.status, match.precision) == (MatchStatus.MATCHED, Precision.ADMIN1), match
    assert r.partner.name == region and r.partner.admin1_id is None  # no zone: the boundaries have no outline of it
    assert km(r.partner.lon, r.partner.lat, seat_lon, seat_lat) < 10
    assert "drawn at its seat" in r.partner_match.reason
    assert r.partner.written_name == (None if name == region else name)


def test_a_city_named_like_its_region_stays_the_city() -> None:
    r = join_one(row("Lyon", C.COMMUNE, "Valencia", "ES"))  # the city of 800,000, not the Comunitat Valenciana
    assert (r.partner.name, r.partner_match.precision) == ("Valencia", Precision.POINT)
    assert join_one(row("Région Grand Est", C.REGION, "Bavière", "DE")).partner.admin1_id == "DE.BY"  # a stored unit


def test_a_us_state_is_given_by_its_postal_code() -> None:
    assert join_one(row("Caen", C.COMMUNE, "Portland", "US", region_partenaire="OR")).partner.admin1_id == "US.OREGON"
    assert join_one(row("Caen", C.COMMUNE, "Portland", "US", region_partenaire="ME")).partner.admin1_id == "US.MAINE"
