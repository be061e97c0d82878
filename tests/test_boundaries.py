"""The embedded boundary layers: counts, validity, unique ids, France's hierarchy, load() errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from atlasmaps import boundaries as b
from atlasmaps.cli import cli
from atlasmaps.errors import AtlasError

ID_COLUMN = {
    "countries": "iso_a2",
    "admin1": "admin1_id",
    "fr_regions": "code",
    "fr_departements": "code",
    "fr_communes": "code",
    "fr_epci": "siren",
    "places": "place_id",
}


@pytest.fixture(autouse=True)
def _no_user_layers(tmp_path_factory, monkeypatch):
    """Tests see only the embedded data, never a developer's imported layers."""
    monkeypatch.setenv("ATLASMAPS_USER_BOUNDARIES_DIR", str(tmp_path_factory.mktemp("user")))


@pytest.fixture(scope="module")
def departements():
    return b.load("fr_departements")


@pytest.fixture(scope="module")
def regions():
    return b.load("fr_regions")


@pytest.mark.parametrize("scale,minimum", [("10m", 230), ("50m", 230), ("110m", 170)])
def test_world_at_three_scales(scale, minimum):
    world = b.load("countries", scale=scale)
    assert len(world) >= minimum
    assert world.iso_a2.is_unique and world.iso_a3.is_unique
    assert world.is_valid.all()
    assert world.crs.to_epsg() == 4326
    assert list(world.columns) == ["iso_a2", "iso_a3", "name_fr", "name_en", "geometry"]
    fr = world[world.iso_a2 == "FR"].iloc[0]
    assert (fr.iso_a3, fr.name_fr, fr.name_en) == ("FRA", "France", "France")


@pytest.mark.parametrize("scale", ["10m", "50m", "110m"])
def test_crimea_is_drawn_in_ukraine(scale):
    from shapely.geometry import Point

    world = b.load("countries", scale=scale)
    simferopol = Point(34.1, 44.95)
    assert world[world.contains(simferopol)].iso_a2.tolist() == ["UA"]


def test_kosovo_and_french_names():
    world = b.load("countries", scale="50m")
    xk = world[world.iso_a2 == "XK"].iloc[0]
    assert xk.iso_a3 == "XKX"
    ci = world[world.iso_a2 == "CI"].iloc[0]
    assert ci.name_fr == "Côte d’Ivoire"


@pytest.mark.parametrize("country,count", [("JP", 47), ("BJ", 12), ("FR", 101)])
def test_admin1_counts(country, count):
    units = b.load("admin1", country)
    assert len(units) == count
    assert units.admin1_id.is_unique
    assert (units.country == country).all()
    assert units.is_valid.all()


def test_admin1_all_countries_unique_ids():
    units = b.load("admin1")
    assert units.admin1_id.is_unique
    assert units.is_valid.all()
    assert units.country.nunique() > 200


def test_benin_repaired_duplicate_hasc():
    units = b.load("admin1", "BJ").set_index("name")
    assert units.loc["Alibori", "admin1_id"] == "BJ.AL"
    # the source gives Kouffo and Mono the same HASC: both get a name-derived id
    assert units.loc["Kouffo", "admin1_id"] == "BJ.KOUFFO"
    assert units.loc["Mono", "admin1_id"] == "BJ.MONO"


def test_france_regions_and_departements(departements, regions):
    assert len(regions) == 18
    assert len(departements) == 101
    assert departements.code.is_unique and regions.code.is_unique
    assert departements.is_valid.all() and regions.is_valid.all()
    assert set(departements.region) == set(regions.code)
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(departements.code)


def test_every_departement_lies_in_its_region(departements, regions):
    by_code = dict(zip(regions.code, regions.geometry))
    for code, region, geom in zip(departements.code, departements.region, departements.geometry):
        assert by_code[region].contains(geom.representative_point()), code


def test_departement_names_come_from_the_cog(departements):
    names = dict(zip(departements.code, departements.name))
    assert names["77"] == "Seine-et-Marne"  # "Seien-et-Marne" in the source
    assert names["54"] == "Meurthe-et-Moselle"
    assert names["68"] == "Haut-Rhin"
    assert names["973"] == "Guyane"


def test_communes():
    communes = b.load("fr_communes")
    assert len(communes) > 34000
    assert communes.code.is_unique
    placed = communes.set_index("code").geometry
    for code in ("75056", "69123", "13055"):  # Paris, Lyon, Marseille
        assert placed[code] is not None and placed[code].geom_type == "Point"
    # a commune's point lies in its département (GeoNames admin2 is the département code)
    deps = b.load("fr_departements").set_index("code").geometry
    for code, dep in (("75056", "75"), ("13055", "13"), ("97411", "974")):
        row = communes[communes.code == code].iloc[0]
        assert row.departement == dep
        assert deps[dep].buffer(0.05).contains(row.geometry), code


def test_epci():
    epci = b.load("fr_epci")
    assert epci.siren.is_unique
    assert set(epci["type"]) <= {"CC", "CA", "CU", "METRO", "EPT"}
    lyon = epci[epci.name.str.contains("Métropole de Lyon")]
    assert len(lyon) == 1 and "69123" in lyon.iloc[0].members.split(";")


def test_places_of_one_country_with_admin1():
    places = b.load("places", "JP")
    assert (places.country == "JP").all()
    assert places.place_id.is_unique
    tokyo = places[places.name == "Tokyo"].iloc[0]
    assert tokyo.admin1_id == "JP.TK"
    assert places.admin1_id.notna().mean() > 0.98


def test_load_is_cached_and_returns_copies():
    first = b.load("admin1", "JP")
    first["extra"] = 1
    second = b.load("admin1", "JP")
    assert "extra" not in second.columns
    assert second.geometry.iloc[0] is first.geometry.iloc[0]  # same cached geometries


@pytest.mark.parametrize(
    "args,message",
    [
        (("rivers",), "unknown boundary layer 'rivers' (choose from countries, admin1, admin2, places, "
                      "admin2_units, admin1_names, admin1_regions, fr_regions, fr_departements, fr_communes, "
                      "fr_communes_secondaires, fr_epci)"),
        (("admin1", "ZZ"), "unknown country code 'ZZ' (expected ISO 3166-1 alpha-2, e.g. JP, BJ)"),
        (("fr_regions", "JP"), "layer 'fr_regions' only covers FR, not 'JP'"),
    ],
)
def test_load_errors(args, message):
    with pytest.raises(AtlasError) as err:
        b.load(*args)
    assert str(err.value) == message


def test_unknown_scale():
    with pytest.raises(AtlasError, match="unknown scale '1m'"):
        b.load("countries", scale="1m")


def test_boundaries_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLASMAPS_BOUNDARIES_DIR", str(tmp_path))
    b.clear_cache()
    try:
        assert b.boundaries_dir() == tmp_path
        with pytest.raises(AtlasError, match=r"countries_50m.parquet: embedded boundary file missing; rebuild boundaries/ with `python scripts/build_boundaries.py`"):
            b.load("countries")
    finally:
        monkeypatch.delenv("ATLASMAPS_BOUNDARIES_DIR")
        b.clear_cache()


def test_manifest_matches_files():
    import hashlib

    man = b.manifest()
    for name, entry in man["layers"].items():
        path = b.boundaries_dir() / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], name
    cov = man["layers"]["fr_communes"]["coverage"]
    assert cov["communes"] == len(b.load("fr_communes"))
    assert cov["with_point"] == int(b.load("fr_communes").geometry.notna().sum())


def test_committed_size_under_60_mb():
    total = sum(p.stat().st_size for p in b.boundaries_dir().iterdir() if p.is_file())
    assert total < 60e6


def test_attribution_and_sources():
    assert b.attribution("fr").startswith("Fonds : Natural Earth")
    assert "GeoNames (CC-BY 4.0)" in b.attribution("en")
    names = {s["source"] for s in b.sources()}
    assert names == set(json.loads((b.boundaries_dir() / "manifest.json").read_text())["packages"])
    with pytest.raises(AtlasError, match="no attribution in language 'de'"):
        b.attribution("de")


def test_list_command():
    result = CliRunner().invoke(cli, ["boundaries", "list", "--country", "JP", "--country", "BJ"])
    assert result.exit_code == 0, result.output
    out = result.output
    for line in ("countries_10m", "countries_50m", "countries_110m", "fr_regions                      18",
                 "fr_departements                101", "JP: 47 admin-1 units (embedded)",
                 "BJ: 12 admin-1 units (embedded)", "Commune points: "):
        assert line in out


def _parts(layer, **kw):
    import shapely

    gdf = b.load(layer, **kw)
    key = ID_COLUMN[layer]
    for ident, country, geom in zip(gdf[key], gdf.iso_a2 if "iso_a2" in gdf else gdf.country, gdf.geometry):
        for part in shapely.get_parts(geom):
            yield ident, country, part


@pytest.mark.parametrize("layer,scale", [("countries", "110m"), ("countries", "50m"), ("countries", "10m"),
                                         ("admin1", None)])
def test_polygons_are_split_at_the_antimeridian(layer, scale):
    """The TopoJSON sources are stitched across ±180° (Russia, Fiji, Antarctica): read as planar
    lon/lat, such rings become bands across the whole map. Every part must lie within [-180, 180],
    span less than 180° of longitude (Antarctica excepted: it reaches both edges and the pole), and
    never be a thin strip across the map."""
    kw = {"scale": scale} if scale else {}
    for ident, country, part in _parts(layer, **kw):
        x0, y0, x1, y1 = part.bounds
        assert -180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90, (ident, part.bounds)
        if x1 - x0 > 90:  # a wide part must have some mean height (not a degenerate strip)
            assert part.area / (x1 - x0) > 1.0, (ident, part.bounds, part.area)
        if country == "AQ" and x1 - x0 > 180:
            assert (x0, x1) == (-180, 180) and y0 == -90, part.bounds
            continue
        assert x1 - x0 < 180, (ident, part.bounds)


@pytest.mark.parametrize("scale", ["10m", "50m", "110m"])
def test_russia_fiji_antarctica_across_the_antimeridian(scale):
    from shapely.geometry import Point

    world = b.load("countries", scale=scale).set_index("iso_a2").geometry
    for lon, lat in ((100, 70), (40, 60), (170, 65), (-175, 66)):  # Taymyr, Russia west, Chukotka both sides
        assert world["RU"].contains(Point(lon, lat)), (lon, lat)
    assert world["FJ"].contains(Point(179.3, -16.5))  # Vanua Levu, east of 179° E
    assert world["FJ"].contains(Point(178.0, -17.8))  # Viti Levu
    for lon in (-179.9, -90, 0, 90, 179.9):
        assert world["AQ"].contains(Point(lon, -85)), lon
    assert not world["AQ"].contains(Point(0, -60))


def test_admin1_across_the_antimeridian():
    from shapely.geometry import Point

    units = b.load("admin1").set_index("admin1_id").geometry
    assert units["RU.CHUKCHI_AUTONOMOUS_OKRUG"].contains(Point(170, 66))
    assert units["RU.CHUKCHI_AUTONOMOUS_OKRUG"].contains(Point(-175, 66))
    assert not units["RU.CHUKCHI_AUTONOMOUS_OKRUG"].contains(Point(100, 70))
    assert units["FJ.NORTHERN"].contains(Point(179.3, -16.5))
