"""Issue 13: the world map's Europe inset (Belgium readable on A4), and long lists that flow to the
PDF's annex and to a table beside the web map instead of being cut ("… et N autres")."""

from __future__ import annotations

import re

import pytest

from atlasmaps.model import MapKind, RenderOptions
from atlasmaps.render import static
from atlasmaps.style import load_style

MM_PER_PT = 25.4 / 72


@pytest.fixture(scope="module")
def style():
    return load_style()


def _ids(svg: bytes, prefix: str) -> list[str]:
    return re.findall(rf'<g id="({prefix}[^"]*)"', svg.decode("utf-8"))


def _extent_mm(svg: bytes, gid: str) -> tuple[float, float]:
    """Width and height (mm on the page) of the drawn group `gid`, from its path's points."""
    m = re.search(rf'<g id="{gid}"[^>]*>(.*?)</g>', svg.decode("utf-8"), re.S)
    assert m, f"{gid} not drawn"
    pts = [(float(x), float(y)) for x, y in re.findall(r"[ML]\s*(-?[\d.]+)\s+(-?[\d.]+)", m.group(1))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (max(xs) - min(xs)) * MM_PER_PT, (max(ys) - min(ys)) * MM_PER_PT


# ------------------------------------------------------------------ the world map's Europe inset


@pytest.mark.parametrize("page", ["A4-landscape", "A4-portrait"])
def test_world_map_has_one_europe_inset_where_belgium_is_readable(world_result, style, page):
    out = static.render(world_result, style, RenderOptions(MapKind.WORLD, formats=("svg",), page=page))
    svg = out.files["svg"]
    assert _ids(svg, "inset-") == ["inset-europe", "inset-europe-caption"]
    assert _ids(svg, "locator-") == ["locator-europe"]
    assert "Europe" in svg.decode()
    inset_w, _ = _extent_mm(svg, "europe-country-BE")
    world_w, _ = _extent_mm(svg, "country-BE")
    assert inset_w >= 5.0, f"Belgium is {inset_w:.2f} mm across in the inset"
    assert world_w < 5.0 <= inset_w  # the inset is what makes it readable
    # Luxembourg, Switzerland and the Netherlands are drawn in the inset too; the inset hides no partner.
    assert {"europe-country-LU", "europe-country-CH", "europe-country-NL"} <= set(_ids(svg, "europe-country-"))
    assert not any("inset hides" in w for w in out.warnings)


def test_europe_inset_in_proportional_circles_mode(world_result, style):
    svg = static.render(world_result, style, RenderOptions(MapKind.WORLD, formats=("svg",), symbols=True)).files["svg"]
    assert _ids(svg, "inset-europe") == ["inset-europe", "inset-europe-caption"]
    # the world's circles are all drawn; those in Europe's frame again in the inset (none here: no European partner)
    assert len(_ids(svg, "circle-")) == len({r.partnership.pays for r in world_result.mapped})


def test_europe_inset_shows_european_partners_in_their_class_colour(style):
    from tests.conftest import LYON, PARIS, make_result, make_row

    rows = [make_row(2, PARIS, ("Bruxelles", 4.35, 50.85, None, None), "BE", 2001),
            make_row(3, LYON, ("Luxembourg", 6.13, 49.61, None, None), "LU", 2002),
            make_row(4, LYON, ("Anvers", 4.40, 51.22, None, None), "BE", 2003)]
    out = static.render(make_result(rows), style, RenderOptions(MapKind.WORLD, formats=("svg",)))
    svg = out.files["svg"].decode()
    no_data = style.choropleth.no_data.lower()

    def fill(gid: str) -> str:
        m = re.search(rf'<g id="{gid}"[^>]*>\s*<path[^>]*style="fill: (#[0-9a-f]+)', svg, re.S)
        assert m, gid
        return m.group(1)

    assert fill("europe-country-BE") == fill("country-BE") != no_data
    assert fill("europe-country-LU") == fill("country-LU") != no_data
    assert fill("europe-country-DE") == no_data


def test_a_partner_under_the_inset_is_reported(tmp_path, style):
    """The inset sits over the empty South Pacific; one made too high by a user style would hide Tonga."""
    from tests.conftest import LYON, make_result, make_row

    joined = make_result([make_row(2, LYON, ("Nuku'alofa", -175.2, -21.14, None, None), "TO", 2001)])
    out = static.render(joined, style, RenderOptions(MapKind.WORLD, formats=("svg",)))
    assert not any("inset hides" in w for w in out.warnings)
    user = tmp_path / "grand-encart.yaml"
    user.write_text("extends: quai-dorsay\nlayout:\n  world:\n    europe: {height_mm: 100}\n", encoding="utf-8")
    out = static.render(joined, load_style(user), RenderOptions(MapKind.WORLD, formats=("svg",)))
    assert [w for w in out.warnings if "inset hides" in w] == ["world map: the Europe inset hides Tonga"]
