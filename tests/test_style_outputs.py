"""One colour changed in a user style reaches both renderers: print (SVG) and web (HTML)."""

from __future__ import annotations

from pathlib import Path

from atlasmaps.model import MapKind, RenderOptions
from atlasmaps.render import static, web
from atlasmaps.style import load_style

CHANGED = "#12AB34"


def test_a_user_style_colour_appears_in_svg_and_html(tmp_path: Path, benin_result) -> None:
    user = tmp_path / "maison.yaml"
    user.write_text(f"extends: quai-dorsay\nsymbols:\n  commune:\n    fill: '{CHANGED}'\n", encoding="utf-8")
    default, changed = load_style(None), load_style(user)
    assert default.symbol("commune").fill.lower() != CHANGED.lower()
    for renderer, fmt in ((static, "svg"), (web, "html")):
        options = RenderOptions(MapKind.BILATERAL, partner="BJ", formats=(fmt,))
        before = renderer.render(benin_result, default, options).files[fmt].decode().lower()
        after = renderer.render(benin_result, changed, options).files[fmt].decode().lower()
        assert CHANGED.lower() not in before, fmt
        assert CHANGED.lower() in after, fmt
