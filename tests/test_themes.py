"""Every theme of the sample data resolves to a theme of the shipped styles (its colour, its legend entry)."""

from __future__ import annotations

import re
import pytest

from atlasmaps.model import MapKind, RenderOptions
from atlasmaps.render import static
from atlasmaps.style import available_styles, load_style


def _sample_themes(result) -> set[str]:
    return {t for r in result.rows for t in r.partnership.thematiques}


@pytest.mark.parametrize("name", available_styles())
def test_every_sample_theme_resolves(sample_result, name):
    style = load_style(name)
    themes = _sample_themes(sample_result)
    assert "coopération institutionnelle" in themes  # the reader splits the column as expected
    unresolved = sorted(t for t in themes if style.theme_key(t) is None)
    assert unresolved == [], f"themes of the sample with no style theme: {unresolved}"


def test_institutional_cooperation_is_governance():
    style = load_style()
    assert style.theme_key("coopération institutionnelle") == "gouvernance"
    assert style.theme_key("Coopération Institutionnelle") == "gouvernance"  # case and accents ignored
    assert style.theme_key("thème inconnu") is None


def test_benin_partner_symbols_take_their_theme_colour(sample_result):
    """No partner symbol is left in the plain (white) partner fill when its partnerships have themes."""
    style = load_style()
    out = static.render(sample_result, style, RenderOptions(MapKind.COUNTRY, partner="BJ", formats=("svg",)))
    svg = out.files["svg"].decode()
    groups = re.findall(r'<g id="(partner-[^"]+)"[^>]*>(.*?)</g>', svg, flags=re.S)
    assert groups
    plain = style.symbol("partner").fill.lower()
    theme_colours = {t.color.lower() for t in style.themes.values()}
    for gid, body in groups:
        fills = {f.lower() for f in re.findall(r"fill:\s*(#[0-9a-fA-F]{6})", body)}
        assert plain not in fills, f"{gid} drawn in the plain partner fill"
        assert fills & theme_colours, f"{gid} has no theme colour"
    assert "legend-entry-theme-gouvernance" in svg
