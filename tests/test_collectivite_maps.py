"""The collectivité map (issue 16): one French collectivité with its partners, in print and on the web.

Fixtures are plausible rows on real places (tests/conftest.py); the sample's Marseille (partners in
Europe, Asia and Africa) goes through the command line."""

from __future__ import annotations

import json
import re

import pytest

from atlasmaps.model import JoinResult, MapKind, RenderOptions
from atlasmaps.sample import sample_path
from conftest import HAUTE_SAVOIE, ILE_DE_FRANCE, LYON, SAINT_DENIS_REUNION, make_result, make_row
from test_cli import run_cli

YOKOHAMA = ("Yokohama", 139.638, 35.4437, "JP.KN", "Kanagawa")
PORTO_NOVO = ("Porto-Novo", 2.6036, 6.4969, "BJ.OU", "Ouémé")
FRANKFURT = ("Frankfurt am Main", 8.6821, 50.1109, "DE.HE", "Hessen")
SUVA = ("Suva", 178.4419, -18.1416, "FJ.CENTRAL", "Central")
TANA = ("Antananarivo", 47.5079, -18.8792, "MG.ANALAMANGA", "Analamanga")


@pytest.fixture(scope="module")
def three_continents() -> JoinResult:
    """Lyon with partners in Asia, Africa, Europe and Oceania (across the antimeridian), a
    département and a région with two partners each, and a commune of La Réunion."""
    return make_result([
        make_row(2, LYON, YOKOHAMA, "JP", 1959, ("économie", "culture")),
        make_row(3, LYON, PORTO_NOVO, "BJ", 1999, ("gouvernance",)),
        make_row(4, LYON, FRANKFURT, "DE", 1960, ("culture",)),
        make_row(5, LYON, SUVA, "FJ", 2019, ("environnement",)),
        make_row(6, HAUTE_SAVOIE, YOKOHAMA, "JP", 2005, ("tourisme",)),
        make_row(7, HAUTE_SAVOIE, PORTO_NOVO, "BJ", 2010),
        make_row(8, ILE_DE_FRANCE, FRANKFURT, "DE", 2016, ("économie",)),
        make_row(9, ILE_DE_FRANCE, TANA, "MG", 2001, ("santé",)),
        make_row(10, SAINT_DENIS_REUNION, TANA, "MG", 1998, ("éducation",)),
    ], "collectivites.csv")


@pytest.fixture(scope="module")
def style():
    from atlasmaps.style import load_style

    return load_style("quai-dorsay")


def render(joined, style, key: str, fmt: str) -> bytes:
    from atlasmaps import pipeline

    options = RenderOptions(kind=MapKind.COLLECTIVITE, collectivite=key, formats=(fmt,), dpi=72)
    return pipeline.render(pipeline.check_partner(joined, options), style, options).files[fmt]


def ids(svg: bytes, pattern: str) -> list[str]:
    return re.findall(rf'<g id="({pattern})"', svg.decode("utf-8"))


def payload(html: bytes) -> dict:
    text = html.decode("utf-8")
    start = re.search(r"atlasInit\([\w]+, ", text).end()
    return json.JSONDecoder().raw_decode(text, start)[0]


@pytest.mark.parametrize(("key", "partners"), [
    ("commune-69123", 4), ("departement-74", 2), ("region-11", 2), ("commune-97411", 1)])
def test_svg_counts_partners_arcs_and_list(three_continents, style, key, partners) -> None:
    svg = render(three_continents, style, key, "svg")
    assert len(ids(svg, r"partner-[a-z0-9-]+")) == partners
    assert len(ids(svg, r"arc-\d+")) == partners  # one arc per partnership (more pieces when cut)
    assert len(ids(svg, r"list-partner-\d+")) == partners
    kind, code = key.split("-", 1)
    assert len(ids(svg, rf"{kind}-{code}")) >= 1  # the collectivité itself, on the world panel
    assert len(ids(svg, "panel-world")) == 1


def test_a_polygon_collectivite_is_located_by_its_territory(three_continents, style) -> None:
    svg = render(three_continents, style, "region-11", "svg")
    assert ids(svg, "panel-france") and ids(svg, "region-11-outline")
    svg = render(three_continents, style, "commune-97411", "svg")
    assert ids(svg, "inset-974") and not ids(svg, "panel-france")


def test_arcs_across_the_antimeridian_are_cut(three_continents, style) -> None:
    from atlasmaps.content.collectivite import collectivite_content

    cc = collectivite_content(three_continents, "commune-69123", style, "fr")
    assert len(cc.arcs) == 4
    for parts in cc.arcs:
        for part in parts:
            xs = [x for x, _ in part]
            assert all(abs(b - a) < 180 for a, b in zip(xs, xs[1:]))
    assert [p.country for p in cc.listing] == ["DE", "BJ", "FJ", "JP"]  # by country name in French
    assert [p.year for p in cc.listing] == [1960, 1999, 2019, 1959]


@pytest.mark.parametrize(("key", "partners"), [("commune-69123", 4), ("departement-74", 2), ("region-11", 2)])
def test_html_counts_partners_and_arcs(three_continents, style, key, partners) -> None:
    data = payload(render(three_continents, style, key, "html"))
    assert data["kind"] == "collectivite"
    assert len([p for p in data["places"] if p["s"] == "pa"]) == partners
    assert len([p for p in data["places"] if p["s"] == "fr"]) == 1
    assert len(data["links"]) == len(data["rows"]) == partners
    assert {lk["r"] for lk in data["links"]} == set(range(partners))


def test_no_partnership_to_map_is_a_failed_map(three_continents, style) -> None:
    from atlasmaps.pipeline import MapFailed

    with pytest.raises(MapFailed, match="no partnership to map for commune-75056"):
        render(three_continents, style, "commune-75056", "svg")


def test_command_marseille_on_three_continents(tmp_path, capsys) -> None:
    code, out, err = run_cli(["collectivite", str(sample_path()), "--name", "Marseille", "-f", "svg,html",
                              "-o", str(tmp_path)], capsys)
    assert code == 0, err
    svg = (tmp_path / "collectivite-commune-13055.svg").read_bytes()
    assert len(ids(svg, r"partner-[a-z0-9-]+")) == len(ids(svg, r"arc-\d+")) == 4  # Hamburg, Kobe, Dakar, Marrakesh
    assert "wrote" in out and (tmp_path / "collectivite-commune-13055.html").exists()
    code, _, err = run_cli(["collectivite", str(sample_path()), "--code", "77", "-f", "svg", "-o", str(tmp_path)],
                           capsys)
    assert code == 0 and (tmp_path / "collectivite-departement-77.svg").exists()


def test_command_unknown_name(tmp_path, capsys) -> None:
    code, _, err = run_cli(["collectivite", str(sample_path()), "--name", "Marsielle", "-o", str(tmp_path)], capsys)
    assert code == 2
    assert err.strip() == (f"Error: --name 'Marsielle': no such collectivité in {sample_path()}; "
                           "closest: Marseille (commune 13055)")
    code, _, err = run_cli(["collectivite", str(sample_path()), "-o", str(tmp_path)], capsys)
    assert (code, err.strip()) == (2, "Error: collectivite: give --name or --code")
    assert list(tmp_path.iterdir()) == []


def test_batch_plans_one_map_per_collectivite(three_continents, tmp_path) -> None:
    from atlasmaps.batch import plan_jobs
    from atlasmaps.commands.batch import collectivite_keys

    keys = collectivite_keys(three_continents, "all")
    assert keys == ["commune-69123", "commune-97411", "departement-74", "region-11"]
    assert collectivite_keys(three_continents, ["Lyon", "74"]) == ["commune-69123", "departement-74"]
    base = RenderOptions(kind=MapKind.WORLD, formats=("svg",))
    jobs = plan_jobs(three_continents, [MapKind.COLLECTIVITE], None, base, None, "style", tmp_path, keys)
    assert [j.options.output_stem() for j in jobs] == [f"collectivite-{k}" for k in keys]
    assert [len(j.joined.rows) for j in jobs] == [4, 1, 2, 2]


def test_batch_collectivites_incremental_with_thumbnails(tmp_path, capsys) -> None:
    args = ["batch", str(sample_path()), "--kinds", "collectivite", "--collectivites", "Marseille,77",
            "-f", "png", "--dpi", "40", "-j", "1", "-o", str(tmp_path)]
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    assert "2 made, 0 up to date, 0 failed" in out
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for stem in ("collectivite-commune-13055", "collectivite-departement-77"):
        assert (tmp_path / f"{stem}.png").exists() and f'src="thumbs/{stem}.png"' in index
    code, out, _ = run_cli(args, capsys)
    assert code == 0 and "0 made, 2 up to date, 0 failed" in out
    code, _, err = run_cli(["batch", str(sample_path()), "--kinds", "collectivite", "-o", str(tmp_path)], capsys)
    assert code == 2 and "give --collectivites all or a list" in err


def test_command_exits_1_when_rows_of_the_file_are_not_mapped(tmp_path, capsys) -> None:
    # as the bilateral and country commands: the map is written, and the file's unmatched row is said
    data = tmp_path / "metz.csv"
    data.write_text("collectivite,type_collectivite,partenaire,pays\nMetz,commune,Trèves,Allemagne\n"
                    "Metz,commune,Paris,États-Unis\n", encoding="utf-8")
    code, out, err = run_cli(["collectivite", str(data), "--name", "Metz", "-f", "svg", "-o", str(tmp_path)], capsys)
    assert code == 1, err
    assert (tmp_path / "collectivite-commune-57463.svg").exists()
    assert "1 ambiguous" in out + err
