"""Shared fixtures: hand-built `JoinResult`s with real places, independent of the join module.

The renderers are tested on these so that their tests do not depend on the join's matching
(places, INSEE codes and HASC ids are real; the partnerships are plausible, for tests only).
Keep this file additive: other test modules reuse these fixtures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from atlasmaps.model import (
    CollectiviteType,
    FrenchUnit,
    JoinedPartnership,
    JoinResult,
    MatchMethod,
    MatchStatus,
    PartnerPlace,
    Partnership,
    SideMatch,
)

_OK = SideMatch(MatchStatus.MATCHED, MatchMethod.EXACT)
_KIND = {
    "R": CollectiviteType.REGION,
    "D": CollectiviteType.DEPARTEMENT,
    "G": CollectiviteType.GROUPEMENT,
    "C": CollectiviteType.COMMUNE,
}

# (kind, INSEE code or SIREN, name, département, région, lon, lat) of the French side
# (lon/lat only for groupements and communes, which are drawn as points).
FrenchSpec = tuple[str, str, str, str | None, str | None, float | None, float | None]
# (name, lon, lat, admin1 HASC, admin1 name) of the partner side
PartnerSpec = tuple[str, float | None, float | None, str | None, str | None]


def make_row(
    row: int,
    french: FrenchSpec,
    partner: PartnerSpec,
    country: str,
    year: int | None = None,
    themes: tuple[str, ...] = (),
    partner_status: MatchStatus = MatchStatus.MATCHED,
) -> JoinedPartnership:
    """One joined row as the join would produce it (both sides matched unless told otherwise)."""
    kind, code, name, dep, reg, lon, lat = french
    pname, plon, plat, a1, a1name = partner
    kind_t = _KIND[kind]
    p = Partnership(
        row=row,
        id=f"T{row:04d}",
        collectivite=name,
        type_collectivite=kind_t,
        partenaire=pname,
        pays=country,
        code_collectivite=code,
        departement=dep,
        annee=year,
        thematiques=themes,
    )
    unit = FrenchUnit(
        kind=kind_t,
        code=code,
        name=name,
        siren=code if kind == "G" else None,
        departement=dep,
        region=reg,
        lon=lon,
        lat=lat,
    )
    place = PartnerPlace(pname, country, plon, plat, a1, a1name)
    pmatch = _OK if partner_status is MatchStatus.MATCHED else SideMatch(partner_status, reason="test")
    return JoinedPartnership(p, unit, _OK, place if partner_status is MatchStatus.MATCHED else None, pmatch)


def make_result(rows: list[JoinedPartnership], source: str = "test.csv") -> JoinResult:
    return JoinResult(source=source, rows=tuple(rows), data_date="2024-03-15")


# French collectivités (real INSEE codes and positions).
PARIS = ("C", "75056", "Paris", "75", "11", 2.3522, 48.8566)
MARSEILLE = ("C", "13055", "Marseille", "13", "93", 5.3698, 43.2965)
LYON = ("C", "69123", "Lyon", "69", "84", 4.8357, 45.7640)
BORDEAUX = ("C", "33063", "Bordeaux", "33", "75", -0.5792, 44.8378)
NANCY = ("C", "54395", "Nancy", "54", "44", 6.1844, 48.6921)
AIX = ("C", "13001", "Aix-en-Provence", "13", "93", 5.4474, 43.5297)
CERGY = ("C", "95127", "Cergy", "95", "11", 2.0761, 49.0364)
CRETEIL = ("C", "94028", "Créteil", "94", "11", 2.4553, 48.7904)
LA_ROCHELLE = ("C", "17300", "La Rochelle", "17", "75", -1.1511, 46.1603)
SAINT_DENIS_REUNION = ("C", "97411", "Saint-Denis", "974", "04", 55.4504, -20.8789)
BORDEAUX_METROPOLE = ("G", "243300316", "Bordeaux Métropole", "33", "75", -0.5792, 44.8378)
METROPOLE_LYON = ("G", "200046977", "Métropole de Lyon", "69", "84", 4.8357, 45.7640)
ILE_DE_FRANCE = ("R", "11", "Région Île-de-France", None, "11", None, None)
NOUVELLE_AQUITAINE = ("R", "75", "Région Nouvelle-Aquitaine", None, "75", None, None)
REUNION_REGION = ("R", "04", "Région La Réunion", None, "04", None, None)
HAUTE_SAVOIE = ("D", "74", "Département de la Haute-Savoie", "74", "84", None, None)
VAL_DOISE = ("D", "95", "Département du Val-d'Oise", "95", "11", None, None)

THEMES = (
    "Économie durable",
    "Éducation, recherche",
    "Environnement, climat, énergie",
    "Culture, patrimoine",
    "Politique, humanitaire, coopération transfrontalière",
)


@pytest.fixture(scope="session")
def japan_result() -> JoinResult:
    """France–Japan: 6 communes, 1 groupement, 1 région, 1 département; 8 zones; one unmatched row."""
    JP = "JP"
    tokyo = ("Tokyo", 139.6917, 35.6895, "JP.TK", "Tokyo")
    kobe = ("Kobe", 135.1955, 34.6901, "JP.HG", "Hyōgo")
    yokohama = ("Yokohama", 139.6380, 35.4437, "JP.KN", "Kanagawa")
    fukuoka = ("Fukuoka", 130.4017, 33.5902, "JP.FO", "Fukuoka")
    kanazawa = ("Kanazawa", 136.6256, 36.5613, "JP.IS", "Ishikawa")
    kumamoto = ("Kumamoto", 130.7417, 32.8031, "JP.KM", "Kumamoto")
    kyoto = ("Kyoto", 135.7681, 35.0116, "JP.KY", "Kyoto")
    nagano = ("Préfecture de Nagano", 138.1811, 36.6513, "JP.NN", "Nagano")
    rows = [
        make_row(2, PARIS, kyoto, JP, 1958, (THEMES[3],)),
        make_row(3, MARSEILLE, kobe, JP, 1961, (THEMES[0],)),
        make_row(4, LYON, yokohama, JP, 1959, (THEMES[3], THEMES[1])),
        make_row(5, BORDEAUX, fukuoka, JP, 1982, (THEMES[1],)),
        make_row(6, NANCY, kanazawa, JP, 1973, (THEMES[3],)),
        make_row(7, AIX, kumamoto, JP, 2013, (THEMES[2],)),
        make_row(8, BORDEAUX_METROPOLE, fukuoka, JP, 2006, (THEMES[0],)),
        make_row(9, ILE_DE_FRANCE, tokyo, JP, 1997, (THEMES[0], THEMES[2])),
        make_row(10, HAUTE_SAVOIE, nagano, JP, 2008, (THEMES[4],)),
        make_row(11, PARIS, tokyo, JP, 1982, (THEMES[3],)),
        make_row(12, LA_ROCHELLE, ("Introuvable", None, None, None, None), JP, 2001,
                 partner_status=MatchStatus.UNMATCHED),
    ]
    return make_result(rows, "japon.csv")


@pytest.fixture(scope="session")
def benin_result() -> JoinResult:
    """France–Bénin: communes, a groupement, a région, a département, five themes."""
    BJ = "BJ"
    porto_novo = ("Porto-Novo", 2.6036, 6.4969, "BJ.OU", "Ouémé")
    abomey = ("Abomey", 1.9912, 7.1829, "BJ.ZO", "Zou")
    cotonou = ("Cotonou", 2.4183, 6.3654, "BJ.LI", "Littoral")
    parakou = ("Parakou", 2.6281, 9.3372, "BJ.BO", "Borgou")
    natitingou = ("Natitingou", 1.3793, 10.3042, "BJ.AK", "Atakora")
    kandi = ("Kandi", 2.9389, 11.1342, "BJ.AL", "Alibori")
    lokossa = ("Lokossa", 1.7159, 6.6387, "BJ.MONO", "Mono")
    rows = [
        make_row(2, CERGY, porto_novo, BJ, 2004, (THEMES[1], THEMES[3])),
        make_row(3, METROPOLE_LYON, porto_novo, BJ, 2000, (THEMES[2],)),
        make_row(4, CRETEIL, kandi, BJ, 2010, (THEMES[0],)),
        make_row(5, NOUVELLE_AQUITAINE, natitingou, BJ, 2015, (THEMES[0], THEMES[4])),
        make_row(6, VAL_DOISE, abomey, BJ, 2012, (THEMES[3],)),
        make_row(7, LA_ROCHELLE, lokossa, BJ, 2009, (THEMES[2],)),
        make_row(8, BORDEAUX, parakou, BJ, 2016, (THEMES[1],)),
        make_row(9, PARIS, cotonou, BJ, 2011, (THEMES[4],)),
        make_row(10, NANCY, abomey, BJ, 2007, (THEMES[3],)),
    ]
    return make_result(rows, "benin.csv")


@pytest.fixture(scope="session")
def fiji_result() -> JoinResult:
    """France–Fiji: a country across the antimeridian (Lau islands east of 180°)."""
    FJ = "FJ"
    rows = [
        make_row(2, LA_ROCHELLE, ("Suva", 178.4419, -18.1416, "FJ.CENTRAL", "Central"), FJ, 2018, (THEMES[2],)),
        make_row(3, BORDEAUX, ("Lautoka", 177.4162, -17.6169, "FJ.WESTERN", "Western"), FJ, 2019, (THEMES[1],)),
        make_row(4, NANCY, ("Lakeba", -178.8017, -18.2167, "FJ.EASTERN", "Eastern"), FJ, 2021, (THEMES[3],)),
    ]
    return make_result(rows, "fidji.csv")


@pytest.fixture(scope="session")
def overseas_result() -> JoinResult:
    """France–Madagascar from La Réunion: the French side is in an overseas département (974)."""
    MG = "MG"
    tana = ("Antananarivo", 47.5079, -18.8792, "MG.ANALAMANGA", "Analamanga")
    toamasina = ("Toamasina", 49.4023, -18.1443, "MG.ATSINANANA", "Atsinanana")
    rows = [
        make_row(2, SAINT_DENIS_REUNION, tana, MG, 1999, (THEMES[1],)),
        make_row(3, REUNION_REGION, toamasina, MG, 2005, (THEMES[0],)),
        make_row(4, LYON, tana, MG, 2003, (THEMES[3],)),
    ]
    return make_result(rows, "madagascar.csv")


@pytest.fixture(scope="session")
def world_result(japan_result, benin_result, fiji_result, overseas_result) -> JoinResult:
    """All the fixtures together: several partner countries, for the world and France maps."""
    rows = (*japan_result.rows, *benin_result.rows, *fiji_result.rows, *overseas_result.rows)
    return make_result(list(rows), "monde.csv")


@pytest.fixture(scope="session")
def sample_result() -> JoinResult:
    """The shipped sample, joined (for tests about the sample itself, not about the renderers)."""
    from importlib import resources

    from atlasmaps.join import join_file

    return join_file(resources.files("atlasmaps").joinpath("sample", "partenariats.csv"))


def _commune_spec(communes, code: str) -> FrenchSpec:
    """A real commune of the embedded COG layer as a French side (name, département, position)."""
    r = communes.loc[communes["code"] == code].iloc[0]
    return ("C", code, str(r["name"]), str(r["departement"]), str(r["region"]), float(r.geometry.x), float(r.geometry.y))


def _place_spec(places, name: str) -> PartnerSpec:
    """The most populous gazetteer place of that name as a partner side."""
    r = places.loc[places["name"] == name].sort_values("population", ascending=False).iloc[0]
    return (name, float(r.geometry.x), float(r.geometry.y), str(r["admin1_id"]), str(r["admin1_name"]))


@pytest.fixture(scope="session")
def cluster_result() -> JoinResult:
    """France–Japan with two clusters a print map cannot label at its scale: seven communes of
    Île-de-France, and Tokyo–Yokohama–Kawasaki–Chiba–Saitama–Sagamihara (plus Kansai and spread places)."""
    from atlasmaps import boundaries

    communes = boundaries.load("fr_communes")
    places = boundaries.load("places", country="JP")
    french = ["75056", "92012", "93066", "93048", "78646", "92050", "95018", "69123", "13055", "59350"]
    partners = ["Tokyo", "Yokohama", "Kawasaki", "Chiba", "Saitama", "Sagamihara", "Osaka", "Kobe", "Kyoto", "Nagoya"]
    rows = [make_row(i + 2, _commune_spec(communes, c), _place_spec(places, p), "JP", 1960 + i, (THEMES[i % 5],))
            for i, (c, p) in enumerate(zip(french, partners))]
    return make_result(rows, "grappes.csv")


@pytest.fixture(scope="session")
def dense_result() -> JoinResult:
    """France–Germany with 300 partnerships: the 300 most populous metropolitan communes, each with
    one of the 300 most populous German cities (real places; the pairs are for tests only)."""
    from atlasmaps import boundaries

    communes = boundaries.load("fr_communes")
    communes = communes[communes.geometry.notna() & (communes["departement"].astype(str).str.len() == 2)]
    communes = communes.sort_values(["population", "code"], ascending=[False, True]).head(300)
    places = boundaries.load("places", country="DE")
    # cities, not the districts GeoNames also lists (Bochum-Hordel, 1.5 km from Bochum)
    places = places[places.geometry.notna() & places["admin1_id"].notna() & (places["feature"] != "PPLX")]
    places = places.sort_values(["population", "place_id"], ascending=[False, True]).drop_duplicates("name").head(300)
    rows = []
    for i, ((_, c), (_, p)) in enumerate(zip(communes.iterrows(), places.iterrows())):
        f = ("C", str(c["code"]), str(c["name"]), str(c["departement"]), str(c["region"]), float(c.geometry.x),
             float(c.geometry.y))
        rows.append(make_row(i + 2, f, (str(p["name"]), float(p.geometry.x), float(p.geometry.y), str(p["admin1_id"]),
                                        str(p["admin1_name"])), "DE", 1960 + i % 60, (THEMES[i % 5],)))
    return make_result(rows, "allemagne.csv")


# ------------------------------------------------------------------------------------------------ the browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by playwright, one per test process (an xdist worker runs tests of
    three modules that need it); skipped when it is missing unless ATLASMAPS_REQUIRE_BROWSER=1 (CI),
    where a missing browser fails."""
    if not CHROMIUM.exists():
        if os.environ.get("ATLASMAPS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and ATLASMAPS_REQUIRE_BROWSER=1 (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed (Debian package 'chromium'); set ATLASMAPS_REQUIRE_BROWSER=1 to fail")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
