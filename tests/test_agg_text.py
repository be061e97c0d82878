"""The print maps' raster canvas (`render/static/agg.py`) draws text to matplotlib's own pixels, with
its caches cold and warm: texts at sub-pixel positions, rotated, bold and italic, not antialiased,
with characters from the fallback font, and text drawn as a path (the labels' halo)."""

from __future__ import annotations

import random

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.backends.backend_agg import RendererAgg  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from atlasmaps.render.static import agg  # noqa: E402

TEXTS = ["Source : Atlas français de la coopération décentralisée", "Kobe", "Préfecture de Nagano",
         "ÉÎÏ œ ∑ — ‘x’ ﬁ", "1958, 1961", "AVaWy Tokyo"]


def _calls(seed: int, n: int = 50) -> list[tuple]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        prop = FontProperties(family=rnd.choice([["Liberation Sans", "DejaVu Sans"], ["DejaVu Sans"]]),
                              size=rnd.choice([6.5, 7.5, 10, 15]), weight=rnd.choice(["normal", "bold"]),
                              style=rnd.choice(["normal", "italic"]))
        out.append((rnd.uniform(-20, 700), rnd.uniform(0, 260), rnd.choice(TEXTS), prop,
                    rnd.choice([0, 0, 0, 90, 30.5]), rnd.random() > 0.2))
    return out


def _draw(renderer, calls, as_path: bool = False) -> np.ndarray:
    renderer.clear()
    for x, y, s, prop, angle, antialiased in calls:
        gc = renderer.new_gc()
        gc.set_foreground("#1f3a5c")
        gc.set_antialiased(antialiased)
        if as_path:
            renderer._draw_text_as_path(gc, x, y, s, prop, angle, False, None)
        else:
            renderer.draw_text(gc, x, y, s, prop, angle)
        gc.restore()
    return np.asarray(renderer.buffer_rgba()).copy()


@pytest.mark.parametrize("dpi", [72, 300])
@pytest.mark.parametrize("as_path", [False, True], ids=["glyphs", "path"])
def test_text_has_matplotlibs_pixels_with_caches_cold_and_warm(dpi, as_path):
    agg.clear_caches()
    calls = _calls(dpi + as_path)
    stock = _draw(RendererAgg(760, 280, dpi), calls, as_path)
    assert (stock[..., :3] != 255).any()  # something was drawn
    ours = agg.Renderer(760, 280, dpi)
    assert np.array_equal(_draw(ours, calls, as_path), stock)  # cold: every glyph rendered
    assert np.array_equal(_draw(ours, calls, as_path), stock)  # warm: every glyph from the cache
    moved = [(x + 3, y - 2, *rest) for x, y, *rest in calls]  # whole pixels away: cached bitmaps moved
    assert np.array_equal(_draw(ours, moved, as_path), _draw(RendererAgg(760, 280, dpi), moved, as_path))


def test_text_metrics_are_matplotlibs():
    agg.clear_caches()
    ours, stock = agg.Renderer(100, 100, 300), RendererAgg(100, 100, 300)
    for _, _, s, prop, _, _ in _calls(7, 20):
        for _ in range(2):  # measured, then from the cache
            assert ours.get_text_width_height_descent(s, prop, False) == stock.get_text_width_height_descent(
                s, prop, False)


def test_caches_are_bounded(monkeypatch):
    agg.clear_caches()
    monkeypatch.setattr(agg, "MAX_GLYPHS", 50)
    _draw(agg.Renderer(760, 280, 72), _calls(1))
    assert 0 < len(agg._glyphs) <= 50


@pytest.mark.parametrize("fmt", ["svg", "pdf", "png"])
def test_figures_with_halos_write_the_same_bytes_as_matplotlibs(fmt):
    """`agg.Figure` hands every renderer the process's text-to-path converter: the same files, twice."""
    import io

    import matplotlib.patheffects as pe
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def save(fig_class, canvas_class) -> bytes:
        fig = fig_class(figsize=(3, 2), dpi=72)
        canvas_class(fig)
        for i, (x, y, s, prop, angle, _) in enumerate(_calls(11, 12)):
            t = fig.text(x / 760, y / 280, s, fontproperties=prop, rotation=angle)
            if i % 2:
                t.set_path_effects([pe.withStroke(linewidth=1.5, foreground="white")])
        buf = io.BytesIO()
        meta = {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {}}[fmt]
        with matplotlib.rc_context({"svg.hashsalt": "x", "pdf.fonttype": 42}):
            fig.savefig(buf, format=fmt, metadata=meta)
        return buf.getvalue()

    agg.clear_caches()
    stock = save(Figure, FigureCanvasAgg)
    assert save(agg.Figure, agg.Canvas) == stock
    assert save(agg.Figure, agg.Canvas) == stock
