"""`atlasmaps export`: the GeoPackage opens with pyogrio and GDAL's ogrinfo, with the right layers,
CRS, counts and fields, and the features read back equal the joined rows."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from atlasmaps.errors import OutputError
from atlasmaps.export import LAYERS
from atlasmaps.export.gpkg import write_gpkg
from atlasmaps.export.layers import FIELDS, build_layers
from atlasmaps.geo.lonwrap import split_at_antimeridian
from atlasmaps.model import CollectiviteType, MatchStatus
from atlasmaps.sample import sample_path

from test_cli import run_cli

pyogrio = pytest.importorskip("pyogrio")


@pytest.fixture(scope="module")
def sample_joined():
    from atlasmaps.join import join_file

    return join_file(sample_path())


@pytest.fixture(scope="module")
def sample_gpkg(tmp_path_factory, sample_joined) -> Path:
    from atlasmaps.export.qml import layer_styles
    from atlasmaps.style import load_style

    built = build_layers(sample_joined.mapped)
    styles = layer_styles(load_style(None), list(built.layers["pays"]["nb_partenariats"]))
    return write_gpkg(built.layers, tmp_path_factory.mktemp("gpkg") / "atlas.gpkg", styles)


@pytest.fixture(scope="module")
def world_gpkg(tmp_path_factory, world_result) -> Path:
    built = build_layers(world_result.mapped)
    return write_gpkg(built.layers, tmp_path_factory.mktemp("world") / "monde.gpkg")


def expected_counts(rows) -> dict[str, int]:
    """Each layer's feature count, from the rows alone (not from the export code)."""
    mapped = [r for r in rows if r.mappable]
    placed = [r for r in mapped if r.partner.lon is not None]
    return {
        "collectivites_francaises": len({(r.french.kind, r.french.code) for r in mapped}),
        "partenaires": len({(r.partner.country, r.partner.name, r.partner.lon, r.partner.lat) for r in placed}),
        "zones_intervention": len({r.partner.admin1_id for r in mapped if r.partner.admin1_id}),
        "liens": len(placed),
        "pays": len({r.partnership.pays for r in mapped}),
    }


def test_layers_crs_counts_and_fields(sample_gpkg, sample_joined) -> None:
    listed = {str(name): geom for name, geom in pyogrio.list_layers(sample_gpkg)}
    assert list(listed) == [*LAYERS, "layer_styles"]
    assert listed["partenaires"] == "Point" and listed["liens"] == "MultiLineString"
    assert listed["zones_intervention"] == listed["pays"] == "MultiPolygon"
    expected = expected_counts(sample_joined.rows)
    assert expected == {"collectivites_francaises": 33, "partenaires": 38, "zones_intervention": 31,
                        "liens": 41, "pays": 8}
    for name in LAYERS:
        info = pyogrio.read_info(sample_gpkg, layer=name)
        assert info["crs"] == "EPSG:4326", name
        assert info["features"] == expected[name], name
        assert tuple(info["fields"]) == FIELDS[name], name


def test_liens_read_back_equal_the_joined_rows(sample_gpkg, sample_joined) -> None:
    import geopandas as gpd

    links = gpd.read_file(sample_gpkg, layer="liens")
    by_id = {row.id: row for row in links.itertuples()}
    assert set(by_id) == {r.partnership.id for r in sample_joined.mapped}
    for r in sample_joined.mapped:
        got, p, fm, pm = by_id[r.partnership.id], r.partnership, r.french_match, r.partner_match
        assert (got.ligne, got.collectivite, got.code_collectivite, got.type_collectivite) == (
            p.row, r.french.name, r.french.code, r.french.kind.value)
        assert (got.partenaire, got.pays, got.zone_id, got.nature, got.statut) == (
            r.partner.name, p.pays, r.partner.admin1_id, p.nature, p.statut)
        assert (None if got.annee != got.annee else int(got.annee)) == p.annee
        assert (got.thematiques.split("; ") if got.thematiques else []) == list(p.thematiques)
        assert (got.statut_jointure, got.statut_collectivite, got.statut_partenaire) == (
            r.status.value, fm.status.value, pm.status.value)
        assert (got.methode_collectivite, got.precision_collectivite) == (fm.method.value, fm.precision.value)
        assert (got.methode_partenaire, got.precision_partenaire) == (pm.method.value, pm.precision.value)
        parts = list(got.geometry.geoms)
        assert parts[-1].coords[-1] == pytest.approx((r.partner.lon, r.partner.lat))
        if r.french.kind in (CollectiviteType.COMMUNE, CollectiviteType.GROUPEMENT):
            assert parts[0].coords[0] == pytest.approx((r.french.lon, r.french.lat))


def test_places_read_back_equal_the_joined_rows(sample_gpkg, sample_joined) -> None:
    import geopandas as gpd

    french = gpd.read_file(sample_gpkg, layer="collectivites_francaises").set_index("code")
    for r in sample_joined.mapped:
        got = french.loc[r.french.code]
        assert (got["nom"], got["type"]) == (r.french.name, r.french.kind.value)
        assert r.partnership.pays in got["pays_partenaires"].split("; ")
        assert r.french_match.method.value in got["methode_jointure"].split("; ")
        assert r.french_match.precision.value in got["precision"].split("; ")
        polygon = r.french.kind in (CollectiviteType.REGION, CollectiviteType.DEPARTEMENT)
        assert got.geometry.geom_type == ("MultiPolygon" if polygon else "Point")
    assert french["nb_partenariats"].sum() == len(sample_joined.mapped)
    lyon = french.loc["69123"]
    assert (lyon["nb_partenariats"], lyon["pays_partenaires"], lyon["annees"]) == (2, "DE; JP", "1959; 1960")
    partners = gpd.read_file(sample_gpkg, layer="partenaires")
    porto_novo = partners[partners["nom"] == "Porto-Novo"].iloc[0]
    assert porto_novo["nb_partenariats"] == 2 and porto_novo["precision"] == "point"
    assert porto_novo["collectivites_francaises"] == "CA de Cergy-Pontoise; Métropole de Lyon"
    countries = gpd.read_file(sample_gpkg, layer="pays").set_index("code")
    assert countries.loc["JP", "nb_partenariats"] == 14 and countries.loc["JP", "nom"] == "Japon"
    assert countries["nb_partenariats"].sum() == len(sample_joined.mapped)


def test_links_are_cut_at_the_antimeridian(world_gpkg, world_result) -> None:
    import geopandas as gpd

    links = gpd.read_file(world_gpkg, layer="liens")
    assert len(links) == expected_counts(world_result.rows)["liens"]
    crossing = 0
    for geom in links.geometry:
        parts = list(geom.geoms)
        crossing += len(parts) > 1
        for part in parts:
            xs = [x for x, _ in part.coords]
            assert all(-180 <= x <= 180 for x in xs)
            assert all(abs(b - a) < 180 for a, b in zip(xs, xs[1:]))
    fiji = links[links["pays"] == "FJ"]
    assert crossing >= 1 and crossing == sum(len(g.geoms) > 1 for g in fiji.geometry)


def test_split_at_antimeridian_interpolates_the_crossing() -> None:
    parts = split_at_antimeridian([(170.0, 0.0), (178.0, 10.0), (-178.0, 20.0), (-170.0, 30.0)])
    assert parts == [[(170.0, 0.0), (178.0, 10.0), (180.0, 15.0)], [(-180.0, 15.0), (-178.0, 20.0), (-170.0, 30.0)]]
    assert split_at_antimeridian([(0.0, 0.0), (10.0, 1.0)]) == [[(0.0, 0.0), (10.0, 1.0)]]


def test_ogrinfo_opens_the_geopackage(sample_gpkg, sample_joined) -> None:
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        if os.environ.get("CI"):
            pytest.fail("ogrinfo is missing in CI: scripts/test.sh installs Debian's gdal-bin")
        pytest.skip("GDAL's ogrinfo is not installed (Debian package gdal-bin; scripts/test.sh installs it as root)")
    done = subprocess.run([ogrinfo, "-ro", "-so", "-al", str(sample_gpkg)], capture_output=True, text=True,
                          check=True)
    assert "may only be partially supported" not in done.stderr
    expected = expected_counts(sample_joined.rows)
    blocks = done.stdout.split("Layer name: ")[1:]
    assert [b.split("\n", 1)[0] for b in blocks] == [*LAYERS, "layer_styles"]
    for block in blocks[:len(LAYERS)]:
        name = block.split("\n", 1)[0]
        assert f"Feature Count: {expected[name]}\n" in block, name
        assert 'ID["EPSG",4326]' in block, name
        for field_name in FIELDS[name]:
            assert f"\n{field_name}: " in block, (name, field_name)


def test_qgis_styles_come_from_the_style_sheet(sample_gpkg) -> None:
    import geopandas as gpd

    styles = gpd.read_file(sample_gpkg, layer="layer_styles").set_index("f_table_name")
    assert sorted(styles.index) == ["liens", "partenaires", "pays", "zones_intervention"]
    assert bool(styles["useAsDefault"].all())
    # bleu France links at 50 % opacity, the zone fill in rouge Marianne at 16 %
    assert '<prop k="line_color" v="0,0,145,128"/>' in styles.loc["liens", "styleQML"]
    assert '<prop k="color" v="225,0,15,41"/>' in styles.loc["zones_intervention", "styleQML"]
    assert styles.loc["pays", "styleQML"].count("<range ") == 5


def test_export_command(tmp_path, capsys) -> None:
    target = tmp_path / "sortie" / "atlas.gpkg"
    code, out, err = run_cli(["export", str(sample_path()), "-o", str(target), "--no-styles"], capsys)
    assert code == 0, err
    # active partnerships only, as the maps: the sample's one Malian cooperation is suspended (2022)
    assert f"wrote {target} (collectivites_francaises 32, partenaires 37, zones_intervention 30, liens 40, pays 7)" in out
    assert [str(n) for n, _ in pyogrio.list_layers(target)] == list(LAYERS)
    assert [p.name for p in target.parent.iterdir()] == ["atlas.gpkg"]


def test_export_usage_errors(tmp_path, capsys) -> None:
    code, _, err = run_cli(["export", str(sample_path()), "-o", str(tmp_path / "atlas.shp")], capsys)
    assert (code, err.strip()) == (2, f"Error: --output: '{tmp_path / 'atlas.shp'}' must end in .gpkg")
    code, _, err = run_cli(["export", str(tmp_path / "absent.csv"), "-o", str(tmp_path / "a.gpkg")], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "absent.csv" in err
    assert not (tmp_path / "a.gpkg").exists()


def test_export_exit_1_when_rows_are_not_mapped(tmp_path, capsys) -> None:
    data = tmp_path / "p.csv"
    data.write_text("collectivite,partenaire,pays\nLyon,Yokohama,JP\nLyon,Nulle-Part-Sur-Mer,JP\n", encoding="utf-8")
    code, out, _ = run_cli(["export", str(data), "-o", str(tmp_path / "a.gpkg")], capsys)
    assert code == 1
    assert "liens 1, pays 1" in out


def test_an_interrupted_export_leaves_the_previous_file(tmp_path, sample_joined, monkeypatch) -> None:
    target = tmp_path / "atlas.gpkg"
    target.write_bytes(b"previous")
    built = build_layers(sample_joined.mapped)
    real = pyogrio.write_dataframe
    calls = []

    def failing(frame, path, layer=None, **kw):  # noqa: ANN001, ANN202
        calls.append(layer)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(frame, path, layer=layer, **kw)

    monkeypatch.setattr(pyogrio, "write_dataframe", failing)
    with pytest.raises(OutputError, match="No space left on device"):
        write_gpkg(built.layers, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["atlas.gpkg"]


def test_only_matched_rows_are_exported(japan_result) -> None:
    assert any(r.status is not MatchStatus.MATCHED for r in japan_result.rows)
    built = build_layers(japan_result.mapped)
    assert len(built.layers["liens"]) == expected_counts(japan_result.rows)["liens"] == len(japan_result.mapped)


def test_a_place_matched_two_ways_says_both(japan_result) -> None:
    from dataclasses import replace

    from atlasmaps.model import MatchMethod, Precision

    rows = list(japan_result.mapped)
    code = rows[0].french.code
    twins = [i for i, r in enumerate(rows) if r.french.code == code]
    assert len(twins) >= 2
    first = twins[0]
    rows[first] = replace(rows[first], french_match=replace(rows[first].french_match, method=MatchMethod.CODE,
                                                            precision=Precision.COMMUNE))
    french = build_layers(rows).layers["collectivites_francaises"].set_index("code")
    assert french.loc[code, "methode_jointure"] == "code; exact name"
    assert french.loc[code, "precision"] == "commune"
