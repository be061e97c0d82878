"""`atlasmaps boundaries import`: the three formats, precedence over embedded data, bad files.

Fixtures are tiny files written with geopandas in the three schemas (no downloads).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

from atlasmaps import boundaries as b
from atlasmaps.cli import main

# Lambert-93 boxes around Paris and in the Yvelines, in metres
PARIS_L93 = box(645000, 6855000, 660000, 6870000)
YVELINES_L93 = box(600000, 6840000, 640000, 6880000)


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the real entry point (errors -> one stderr line + exit code), return (code, out, err)."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    captured = capsys.readouterr()
    return exc.value.code, captured.out, captured.err


@pytest.fixture(autouse=True)
def user_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "user-boundaries"
    monkeypatch.setenv("ATLASMAPS_USER_BOUNDARIES_DIR", str(folder))
    b.clear_cache()
    yield folder
    b.clear_cache()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("fixtures")
    out: dict[str, Path] = {}

    deps = gpd.GeoDataFrame(
        {"ID": ["DEP1", "DEP2"], "NOM": ["Paris", "Yvelines"], "INSEE_DEP": ["75", "78"],
         "INSEE_REG": ["11", "11"]},
        geometry=[PARIS_L93, YVELINES_L93], crs="EPSG:2154",
    )
    out["ign_dep_shp"] = d / "ign" / "DEPARTEMENT.shp"
    out["ign_dep_shp"].parent.mkdir()
    deps.to_file(out["ign_dep_shp"])

    gpkg = d / "ADMIN-EXPRESS.gpkg"
    gpd.GeoDataFrame(
        {"NOM": ["Paris", "Versailles"], "INSEE_COM": ["75056", "78646"], "INSEE_DEP": ["75", "78"],
         "INSEE_REG": ["11", "11"], "POPULATION": [2100000, 83000]},
        geometry=[PARIS_L93, box(630000, 6850000, 640000, 6860000)], crs="EPSG:2154",
    ).to_file(gpkg, layer="commune")
    gpd.GeoDataFrame(
        {"NOM": ["Métropole du Grand Paris"], "CODE_SIREN": ["200054781"], "NATURE": ["Métropole"]},
        geometry=[PARIS_L93.buffer(5000)], crs="EPSG:2154",
    ).to_file(gpkg, layer="epci")
    gpd.GeoDataFrame(
        {"NOM": ["Île-de-France"], "INSEE_REG": ["11"]}, geometry=[YVELINES_L93.union(PARIS_L93)],
        crs="EPSG:2154",
    ).to_file(gpkg, layer="region")
    gpd.GeoDataFrame(  # a layer of ADMIN EXPRESS that is not imported
        {"NOM": ["Paris 1er"], "INSEE_ARM": ["75101"]}, geometry=[PARIS_L93], crs="EPSG:2154",
    ).to_file(gpkg, layer="arrondissement_municipal")
    out["ign_gpkg"] = gpkg

    out["geob"] = d / "geoBoundaries-BEN-ADM1.geojson"
    gpd.GeoDataFrame(
        {"shapeName": ["Alibori", "Borgou"], "shapeISO": ["BJ-AL", "BJ-BO"],
         "shapeID": ["BEN-ADM1-1", "BEN-ADM1-2"], "shapeGroup": ["BEN", "BEN"], "shapeType": ["ADM1", "ADM1"]},
        geometry=[box(2.5, 10.5, 3.8, 12.4), box(2.5, 8.5, 4.0, 10.5)], crs="EPSG:4326",
    ).to_file(out["geob"], driver="GeoJSON")

    out["gadm"] = d / "gadm41_JPN.gpkg"
    gpd.GeoDataFrame({"GID_0": ["JPN"], "COUNTRY": ["Japan"]}, geometry=[box(129, 31, 146, 45)],
                     crs="EPSG:4326").to_file(out["gadm"], layer="ADM_ADM_0")
    gpd.GeoDataFrame(
        {"GID_0": ["JPN", "JPN"], "GID_1": ["JPN.1_1", "JPN.2_1"], "NAME_1": ["Aichi", "Hokkaido"],
         "HASC_1": ["JP.AI", "JP.HK"], "ISO_1": ["JP-23", "JP-01"]},
        geometry=[box(136.7, 34.6, 137.8, 35.4), box(139.5, 41.4, 145.8, 45.5)], crs="EPSG:4326",
    ).to_file(out["gadm"], layer="ADM_ADM_1")
    gpd.GeoDataFrame(
        {"GID_0": ["JPN"], "GID_1": ["JPN.1_1"], "GID_2": ["JPN.1.1_1"], "NAME_2": ["Nagoya"],
         "HASC_2": ["JP.AI.NG"]},
        geometry=[box(136.8, 35.0, 137.1, 35.3)], crs="EPSG:4326",
    ).to_file(out["gadm"], layer="ADM_ADM_2")

    # --- bad files
    no_crs = d / "nocrs" / "DEPARTEMENT.shp"
    no_crs.parent.mkdir()
    deps.to_file(no_crs)
    no_crs.with_suffix(".prj").unlink()
    out["no_crs"] = no_crs

    wrong = d / "wrongcrs" / "DEPARTEMENT.shp"
    wrong.parent.mkdir()
    deps.set_crs("EPSG:4326", allow_override=True).to_file(wrong)  # metres declared as degrees
    out["wrong_crs"] = wrong

    out["wrong_crs_geob"] = d / "geoBoundaries-BEN-ADM1-l93.geojson"
    gpd.read_file(out["geob"]).set_crs("EPSG:2154", allow_override=True).to_file(
        out["wrong_crs_geob"], driver="GeoJSON")

    missing = d / "missing" / "DEPARTEMENT.shp"
    missing.parent.mkdir()
    deps.drop(columns=["INSEE_REG"]).to_file(missing)
    out["missing_field"] = missing

    invalid = d / "invalid" / "DEPARTEMENT.shp"
    invalid.parent.mkdir()
    degenerate = Polygon([(650000, 6860000), (651000, 6861000), (650000, 6860000), (651000, 6861000)])
    deps.assign(geometry=[YVELINES_L93, degenerate]).to_file(invalid)
    out["invalid_geom"] = invalid

    bowtie = d / "bowtie" / "DEPARTEMENT.shp"
    bowtie.parent.mkdir()
    twisted = Polygon([(600000, 6840000), (640000, 6880000), (640000, 6840000), (600000, 6880000)])
    deps.assign(geometry=[PARIS_L93, twisted]).to_file(bowtie)
    out["bowtie"] = bowtie

    out["garbage"] = d / "broken.gpkg"
    out["garbage"].write_bytes(b"this is not a GeoPackage\n" * 10)

    out["geob_missing"] = d / "geoBoundaries-BEN-ADM2.geojson"
    gpd.GeoDataFrame({"shapeName": ["Kandi"], "shapeGroup": ["BEN"]}, geometry=[box(2.5, 11, 3.2, 11.5)],
                     crs="EPSG:4326").to_file(out["geob_missing"], driver="GeoJSON")
    return out


def test_ign_shapefile_reprojected_and_preferred(files, capsys, user_dir):
    code, out, err = run(["boundaries", "import", str(files["ign_dep_shp"])], capsys)
    assert (code, err) == (0, "")
    assert "imported fr_departements for FR (departement): 2 features" in out
    deps = b.load("fr_departements")
    assert deps.code.tolist() == ["75", "78"]  # the imported layer replaces the embedded 101
    assert deps.crs.to_epsg() == 4326
    x0, y0, x1, y1 = deps.total_bounds
    assert 1.5 < x0 < x1 < 2.7 and 48.5 < y0 < y1 < 49.1  # Paris region in degrees
    assert (user_dir / "fr_departements" / "FR.parquet").exists()


def test_ign_geopackage_all_levels(files, capsys):
    code, out, err = run(["boundaries", "import", str(files["ign_gpkg"]), "--format", "ign"], capsys)
    assert code == 0, err
    assert out.count("imported ") == 3  # commune, epci, region; arrondissement_municipal ignored
    communes = b.load("fr_communes").set_index("code")
    assert communes.loc["75056", "siren"] == "217500016"  # filled from the embedded COG
    assert communes.loc["78646", "population"] == 83000
    epci = b.load("fr_epci").iloc[0]
    assert (epci.siren, epci["type"]) == ("200054781", "METRO")
    assert "75056" in epci.members.split(";")
    assert b.load("fr_regions").code.tolist() == ["11"]
    listed = {(e["layer"], e["country"]) for e in b.imported_layers()}
    assert listed == {("fr_communes", "FR"), ("fr_epci", "FR"), ("fr_regions", "FR")}


def test_ign_level_option(files, capsys):
    code, out, _ = run(["boundaries", "import", str(files["ign_gpkg"]), "--level", "region"], capsys)
    assert code == 0
    assert out.count("imported ") == 1 and "fr_regions" in out


def test_geoboundaries_detected_and_ids_kept(files, capsys):
    code, out, err = run(["boundaries", "import", str(files["geob"])], capsys)
    assert code == 0, err
    assert "imported admin1 for BJ (ADM1): 2 features" in out
    bj = b.load("admin1", "BJ")
    assert bj.name.tolist() == ["Alibori", "Borgou"]
    assert bj.admin1_id.tolist() == ["BJ.AL", "BJ.BO"]  # the embedded HASC, matched by ISO 3166-2
    everything = b.load("admin1")
    assert (everything.country == "BJ").sum() == 2
    assert (everything.country == "JP").sum() == 47  # other countries stay embedded


def test_join_columns_follow_an_imported_admin1_layer(files, capsys):
    """The join reads admin-1 units as columns (no polygons); an imported layer replaces its
    country's units there too, and its points inside each unit are derived from the polygons."""
    from atlasmaps.join import partner

    full = b.load_columns("admin1", ("admin1_id", "country", "rep_lon", "rep_lat"))
    embedded_bj = full.filter(full.column("country").to_numpy(zero_copy_only=False) == "BJ").num_rows
    assert embedded_bj == 12
    assert len(partner.country_index("BJ").admin1_list) == 12  # an index built before the import...
    code, _, err = run(["boundaries", "import", str(files["geob"])], capsys)
    assert code == 0, err
    table = b.load_columns("admin1", ("admin1_id", "country", "rep_lon", "rep_lat"))
    rows = [r for r in table.to_pylist() if r["country"] == "BJ"]
    assert [r["admin1_id"] for r in rows] == ["BJ.AL", "BJ.BO"]
    alibori = rows[0]
    assert 2.5 < alibori["rep_lon"] < 3.8 and 10.5 < alibori["rep_lat"] < 12.4  # inside its box
    assert sum(r["country"] == "JP" for r in table.to_pylist()) == 47
    try:
        index = partner.country_index("BJ")  # ...is forgotten with the layers it was built from
        assert [u.name for u in index.admin1_list] == ["Alibori", "Borgou"]
        assert index.admin1_at(3.0, 9.0).name == "Borgou"  # point-in-polygon reads the imported polygons
    finally:
        partner.clear_cache()


def test_gadm_levels_1_and_2(files, capsys, tmp_path):
    target = tmp_path / "elsewhere"
    code, out, err = run(["boundaries", "import", str(files["gadm"]), "--boundaries-dir", str(target)], capsys)
    assert code == 0, err
    assert "imported admin1 for JP (ADM1): 2 features" in out
    assert (target / "admin1" / "JP.parquet").exists()
    jp = gpd.read_parquet(target / "admin1" / "JP.parquet")
    assert jp.admin1_id.tolist() == ["JP.AI", "JP.HK"]
    assert jp.iso_3166_2.tolist() == ["JP-23", "JP-01"]
    code, out, err = run(["boundaries", "import", str(files["gadm"]), "--level", "2",
                          "--boundaries-dir", str(target)], capsys)
    assert code == 0, err
    assert "imported admin2 for JP (ADM2): 1 features" in out
    assert gpd.read_parquet(target / "admin2" / "JP.parquet").admin2_id.tolist() == ["JP.AI.NG"]


def test_repairable_geometry_is_made_valid(files, capsys):
    code, _, err = run(["boundaries", "import", str(files["bowtie"])], capsys)
    assert code == 0, err
    deps = b.load("fr_departements")
    assert deps.is_valid.all() and deps.geom_type.eq("MultiPolygon").all()


@pytest.mark.parametrize(
    "key,extra,message",
    [
        ("no_crs", [], "no coordinate reference system (missing .prj or CRS); "
                       "IGN ADMIN EXPRESS is Lambert-93 (EPSG:2154)"),
        ("wrong_crs", [], "coordinates do not fit its CRS EPSG:4326 (x 600000…660000, y 6840000…6880000): "
                          "wrong CRS declared?"),
        ("wrong_crs_geob", [], "features fall outside country BJ once read in EPSG:2154: wrong CRS declared?"),
        ("missing_field", [], "missing field INSEE_REG for an IGN ADMIN EXPRESS DEPARTEMENT layer"),
        ("invalid_geom", [], "feature 2 (INSEE_DEP=78) has an invalid geometry that cannot be repaired (no area left)"),
        ("geob_missing", ["--format", "geoboundaries"], "missing field shapeID for a geoBoundaries file"),
    ],
)
def test_bad_files_exit_2_with_one_clear_line(files, capsys, user_dir, key, extra, message):
    code, out, err = run(["boundaries", "import", str(files[key]), *extra], capsys)
    assert code == 2
    assert out == ""
    assert err == f"Error: {files[key]}: {message}\n"
    assert not user_dir.exists()  # nothing registered


def test_unreadable_file(files, capsys):
    code, _, err = run(["boundaries", "import", str(files["garbage"]), "--format", "gadm"], capsys)
    assert code == 2
    assert err.startswith(f"Error: {files['garbage']}: cannot read the file as a vector dataset (")
    assert err.count("\n") == 1


def test_missing_file_and_undetectable_format(files, capsys, tmp_path):
    code, _, err = run(["boundaries", "import", str(tmp_path / "nope.gpkg")], capsys)
    assert (code, err) == (2, f"Error: {tmp_path / 'nope.gpkg'}: no such file\n")
    plain = tmp_path / "plain.geojson"
    gpd.GeoDataFrame({"foo": [1]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326").to_file(plain, driver="GeoJSON")
    code, _, err = run(["boundaries", "import", str(plain)], capsys)
    assert (code, err) == (2, f"Error: {plain}: cannot detect the format (IGN ADMIN EXPRESS, geoBoundaries "
                              "or GADM); give --format\n")


def test_import_help_has_example(capsys):
    code, out, _ = run(["boundaries", "import", "--help"], capsys)
    assert code == 0
    assert "Example:" in out and "atlasmaps boundaries import" in out
