"""The print maps' raster canvas: matplotlib's Agg, drawing text faster to the same pixels.

Why: matplotlib 3.11 draws a text on Agg glyph by glyph from Python (shape the string, then for each
glyph build the transform matrix with numpy, render it with FreeType, blend it), and measures it by
shaping it again for every new renderer (one per map and dpi). Text was most of the PNG's drawing
(a 50-character source line: ~10 ms at 300 dpi; 70 texts a bilateral map). This renderer takes the
same steps, in the same order and with the same arithmetic, but:

- the transform matrix is computed once per text, not once per glyph;
- shaping (`_layout`) and metrics are kept per process, by text, font files, size and dpi;
- glyph bitmaps are kept per process, by font file, size, dpi, glyph, load flags, matrix and the
  sub-pixel part of the glyph's position (26.6 fixed point, 64 steps per pixel): FreeType renders a
  glyph moved by whole pixels as the same bitmap moved, so the bitmap is drawn at the whole-pixel
  offset. The title, legend and source lines sit at the same places on every map of a batch;
- text drawn as paths (label halos: `patheffects.withStroke`) is converted to its path once per
  process (`CachedTextToPath`).

The pixels are matplotlib's own (`tests/test_agg_text.py` compares with `RendererAgg` text by text,
and `benchmarks/output_hashes.py` whole maps). matplotlib without the private calls this relies on
(`FT2Font._layout`, `_set_transform`, `_render_glyph`: 3.11) gets the stock drawing.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np
from matplotlib import rcParams
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure as MplFigure
from matplotlib.ft2font import FT2Font
from matplotlib.textpath import TextToPath

#: Whether this matplotlib has the per-glyph text drawing that `Renderer.draw_text` mirrors.
FAST_TEXT = all(hasattr(FT2Font, name) for name in ("_layout", "_set_transform", "_render_glyph")) and hasattr(
    RendererAgg, "_draw_text_glyphs_and_boxes")

#: Bounds of the per-process caches (entries): beyond them a cache starts afresh. A glyph bitmap at
#: 300 dpi is ~1 kB, a layout or a text path a few hundred bytes per character.
MAX_GLYPHS = 40_000
MAX_LAYOUTS = 20_000
MAX_METRICS = 100_000
MAX_PATHS = 10_000
MAX_SIZES = 50_000

_glyphs: dict[tuple, tuple[np.ndarray, int, int]] = {}
_layouts: dict[tuple, list[tuple[Any, int, float, float]]] = {}
_metrics: dict[tuple, tuple[float, float, float]] = {}
_paths: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
_sizes: dict[tuple, tuple[float, float]] = {}


def clear_caches() -> None:
    """Forget every cached layout, metric, glyph and text path (benchmarks measure without them)."""
    for cache in (_glyphs, _layouts, _metrics, _paths, _sizes):
        cache.clear()


def _remember(cache: dict, limit: int, key: tuple, value: Any) -> Any:
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value


#: Text properties that leave a text's size as it is.
SIZE_NEUTRAL = frozenset({"color", "path_effects", "zorder", "alpha", "gid", "clip_on"})


def text_size(ax, text: str, props: dict[str, Any], renderer) -> tuple[float, float]:  # noqa: ANN001
    """Width and height (display pixels) of `text` set with `props` in `ax`'s figure, as
    `Text.get_window_extent` measures them, once per process.

    Why: label placement measures every name it tries (a place is named on its panel and in its
    zoom inset, a dense map is laid out twice, a batch sets the same names on every map), and a
    measure through a new Text artist costs about 0.3 ms; only the names placed need an artist.
    """
    try:
        key: tuple | None = (text, tuple(sorted((k, v) for k, v in props.items() if k not in SIZE_NEUTRAL)),
                             ax.figure.dpi, tuple(rcParams["font.family"]), tuple(rcParams["font.sans-serif"]),
                             rcParams["font.size"], rcParams["text.hinting"], rcParams["text.hinting_factor"])
        size = _sizes.get(key)
    except TypeError:  # a property that cannot be a key: measured every time
        key, size = None, None
    if size is None:
        t = ax.text(0, 0, text, transform=None, **props)
        bb = t.get_window_extent(renderer)
        t.remove()
        size = (bb.width, bb.height)
        if key is not None:
            _remember(_sizes, MAX_SIZES, key, size)
    return size


def _prop_key(prop) -> tuple:  # noqa: ANN001
    """What of a FontProperties decides the glyphs (FontProperties.__hash__'s fields), as a tuple."""
    return (tuple(prop.get_family()), prop.get_slant(), prop.get_variant(), prop.get_weight(),
            prop.get_stretch(), prop.get_size(), prop.get_file(), prop.get_math_fontfamily())


class CachedTextToPath(TextToPath):
    """`TextToPath` whose text paths and metrics are kept per process (a label's halo draws its text
    as a path in every format; the SVG renderer measures text with it)."""

    def get_text_width_height_descent(self, s, prop, ismath):  # noqa: ANN001
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = ("path-metrics", s, _prop_key(prop), rcParams["text.hinting_factor"])
        hit = _metrics.get(key)
        if hit is None:
            hit = _remember(_metrics, MAX_METRICS, key, super().get_text_width_height_descent(s, prop, ismath))
        return hit

    def get_text_path(self, prop, s, ismath=False, *, features=None, language=None):  # noqa: ANN001
        if ismath:
            return super().get_text_path(prop, s, ismath, features=features, language=language)
        key = (_prop_key(prop), s, tuple(features) if features is not None else None,
               language if isinstance(language, (str, type(None))) else repr(language),
               rcParams["text.hinting_factor"])
        hit = _paths.get(key)
        if hit is None:
            verts, codes = super().get_text_path(prop, s, features=features, language=language)
            v = np.array(verts, dtype=float).reshape(-1, 2)
            c = np.array(codes, dtype=np.uint8)
            v.flags.writeable = c.flags.writeable = False
            hit = _remember(_paths, MAX_PATHS, key, (v, c))
        return hit


#: One text-to-path converter for every renderer of the process (its caches are the module's).
TEXT_TO_PATH = CachedTextToPath()


class Renderer(RendererAgg):
    """`RendererAgg` with text metrics, shaping and glyph bitmaps kept per process (module docstring)."""

    def __init__(self, width, height, dpi) -> None:  # noqa: ANN001
        super().__init__(width, height, dpi)
        self._text2path = TEXT_TO_PATH

    def get_text_width_height_descent(self, s, prop, ismath):  # noqa: ANN001
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        key = (s, _prop_key(prop), self.dpi, get_hinting_flag(), rcParams["text.hinting_factor"])
        hit = _metrics.get(key)
        if hit is None:
            hit = _remember(_metrics, MAX_METRICS, key, super().get_text_width_height_descent(s, prop, ismath))
        return hit

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # noqa: ANN001
        if ismath or not FAST_TEXT:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        flags = get_hinting_flag()
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        size = prop.get_size_in_points()
        key = (threading.get_ident(), _prop_key(prop), s, flags, tuple(features) if features is not None else None,
               language if isinstance(language, (str, type(None))) else repr(language), self.dpi,
               rcParams["text.hinting_factor"])
        items = _layouts.get(key)
        if items is None:
            font = self._prepare_font(prop)
            items = _remember(_layouts, MAX_LAYOUTS, key, [
                (it.ft_object, it.glyph_index, it.x, it.y)
                for it in font._layout(s, flags=flags, features=features, language=language)])
        self._draw_glyphs(gc, x, y, angle, size, flags, items)

    def _draw_glyphs(self, gc, x, y, angle, size, load_flags, items) -> None:  # noqa: ANN001
        """`RendererAgg._draw_text_glyphs_and_boxes` for shaped text (no slant, no extension, no
        boxes): the same positions in 26.6 units, bitmaps from the cache when a glyph was rendered
        at the same sub-pixel offset before."""
        from matplotlib.ft2font import RenderMode

        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        # As matplotlib computes it per glyph, with extend 1 and slant 0.
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[1, 0], [0, 1]]).round().astype(int)
        mkey = tuple(int(v) for v in matrix.ravel())
        antialiased = gc.get_antialiased()
        mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
        hf = rcParams["text.hinting_factor"]
        height = self.height
        draw_image = self._renderer.draw_text_image
        for font, glyph_index, dx, dy in items:
            px = round(0x40 * (x + dx * cos - dy * sin))
            py = round(0x40 * (height - y + dx * sin + dy * cos))
            key = (font.fname, hf, size, self.dpi, glyph_index, load_flags, mode, mkey, px & 63, py & 63)
            hit = _glyphs.get(key)
            if hit is None:
                font.set_size(size, self.dpi)
                font._set_transform(matrix, [px & 63, py & 63])
                bitmap = font._render_glyph(glyph_index, load_flags, mode)
                buffer = bitmap.buffer
                if not antialiased:
                    buffer *= 0xff
                hit = _remember(_glyphs, MAX_GLYPHS, key, (buffer, bitmap.left, bitmap.top))
            buffer, left, top = hit
            # draw_text_image's y is downwards & the bitmap bottom side; whole pixels moved back in.
            draw_image(buffer, left + (px >> 6), int(height) - (top + (py >> 6)) + buffer.shape[0], 0, gc)


class Figure(MplFigure):
    """A figure whose renderers, Agg, PDF or SVG, convert text to paths through `TEXT_TO_PATH`
    (matplotlib gives each new renderer its own `TextToPath`, which keeps nothing)."""

    def draw(self, renderer) -> None:  # noqa: ANN001
        inner = getattr(renderer, "_renderer", None)  # a PDF's MixedModeRenderer wraps the PDF renderer
        for r in (renderer, inner):
            if isinstance(r, RendererBase) and type(getattr(r, "_text2path", None)) is TextToPath:
                r._text2path = TEXT_TO_PATH
            # the PDF renderer (its rcParam says whether to measure with the 14 core fonts' metrics)
            pdf = isinstance(getattr(type(r), "_use_afm_rc_name", None), str)
            if pdf and "get_text_width_height_descent" not in vars(r):
                r.get_text_width_height_descent = _measured_once(r)
        super().draw(renderer)


def _measured_once(renderer: RendererBase):  # noqa: ANN202
    """The PDF renderer's text metrics, kept per process: each new renderer (one per PDF) would shape
    every text again to measure it, the same names on every map of a batch."""
    measure = renderer.get_text_width_height_descent
    afm = renderer._use_afm_rc_name

    def cached(s, prop, ismath):  # noqa: ANN001, ANN202
        if ismath:
            return measure(s, prop, ismath)
        key = (type(renderer).__name__, s, _prop_key(prop), rcParams[afm])
        hit = _metrics.get(key)
        if hit is None:
            hit = _remember(_metrics, MAX_METRICS, key, measure(s, prop, ismath))
        return hit

    return cached


class Canvas(FigureCanvasAgg):
    """`FigureCanvasAgg` drawing with `Renderer`."""

    def get_renderer(self) -> Renderer:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = Renderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer

