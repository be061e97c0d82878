"""Writing the drawn figure: PDF, SVG and PNG bytes from one figure, deterministic (fixed metadata
and hash salt), with SVG classes on the groups so cartographers can restyle and tests can count.

PNG: matplotlib rasterises the page (Agg) and `png_bytes` encodes the pixels, not Pillow. Pillow's
encoder (level 1, adaptive row filters, RGBA) took 0.45-0.5 s for an A4 page at 300 dpi, as long as
drawing the page; an opaque page written as RGB with no row filter, deflated at level 1 in strips on
two threads, takes 0.1-0.15 s and is no larger (benchmarks/bench_render.py; the pixels are the same,
tests/test_static_maps.py checks it against matplotlib's own PNG).
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from typing import TYPE_CHECKING, Any, Callable, Sequence

from atlasmaps.render.static import page as PG

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.figure import Figure

    from atlasmaps.style import Style


#: Class attribute added to SVG groups by id prefix (matplotlib writes ids, not classes).
SVG_CLASSES: dict[str, str] = {
    "region": "collectivite region",
    "departement": "collectivite departement",
    "groupement": "collectivite groupement",
    "commune": "collectivite commune",
    "zone": "zone-intervention",
    "partner": "partenaire",
    "arc": "lien",
    "label": "label",
    "leader": "label leader",
    "years": "label annee",
    "legend-entry": "legend-entry",
    "country": "pays",
    "unit": "unite",
    "circle": "cercle",
}


def rc(style: Style) -> dict[str, Any]:
    return {
        "font.family": style.font_family(),
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "none",
        "svg.hashsalt": "atlasmaps",
        "path.simplify": True,
        "axes.unicode_minus": False,
        "figure.dpi": PG.LAYOUT_DPI,
        "savefig.dpi": PG.LAYOUT_DPI,
        "savefig.pad_inches": 0,
    }


def svg_classes(svg: str) -> str:
    """Add `class` attributes to the groups matplotlib gave ids (`<g id="commune-69123">`)."""

    def repl(m: re.Match) -> str:
        gid = m.group(1)
        for prefix in sorted(SVG_CLASSES, key=len, reverse=True):
            if gid.startswith(prefix + "-"):
                return f'<g id="{gid}" class="{SVG_CLASSES[prefix]}"'
        return m.group(0)

    return re.sub(r'<g id="([^"]+)"', repl, svg)


def write(fig: Figure, formats: Sequence[str], dpi: int, annex: Sequence[Figure] = ()) -> dict[str, bytes]:
    """Each format's bytes; the PDF also gets the `annex` pages after the map (PNG and SVG are one page).
    The PNG is rasterised first and deflated on two threads while the PDF and the SVG are drawn
    (zlib releases the GIL): on two cores its encoding costs no time."""
    files: dict[str, bytes] = {}
    png = png_start(raster(fig, dpi), dpi, {"Software": "atlasmaps"}) if "png" in formats else None
    try:
        for fmt in formats:
            buf = io.BytesIO()
            if fmt == "pdf":
                meta = {"CreationDate": None, "ModDate": None, "Producer": "atlasmaps", "Creator": "atlasmaps"}
                if annex:
                    from matplotlib.backends.backend_pdf import PdfPages

                    with PdfPages(buf, metadata=meta) as pdf:
                        for page in (fig, *annex):
                            pdf.savefig(page)
                else:
                    fig.savefig(buf, format="pdf", metadata=meta)
                files["pdf"] = buf.getvalue()
            elif fmt == "svg":
                fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "atlasmaps"})
                files["svg"] = svg_classes(buf.getvalue().decode("utf-8")).encode("utf-8")
            elif fmt != "png":
                raise ValueError(f"the static renderer writes pdf, svg and png, not {fmt!r}")
    finally:
        if png is not None:
            files["png"] = png()
    return {fmt: files[fmt] for fmt in formats}


class _Grab:
    """A file-like object keeping what `print_raw` writes (the renderer's own buffer, not a copy)."""

    data: Any = None

    def write(self, data: Any) -> None:
        self.data = data

    def seek(self, *_: Any) -> None:  # matplotlib takes only objects with `seek` for file handles
        raise OSError("not seekable")


def raster(fig: Figure, dpi: int) -> np.ndarray:
    """The page rasterised by Agg at `dpi`: an (height, width, 4) RGBA array, as `savefig(png)` draws it.

    Whole pixels, rounded (A4 at 300 dpi is 3508 x 2480): matplotlib truncates, so the figure is
    sized a hair above the rounded count for this drawing only.
    """
    import numpy as np

    w_in, h_in = fig.get_size_inches()
    px_w, px_h = round(w_in * dpi), round(h_in * dpi)
    fig.set_size_inches((px_w + 0.01) / dpi, (px_h + 0.01) / dpi)
    grab = _Grab()
    try:
        fig.savefig(grab, format="raw", dpi=dpi)
    finally:
        fig.set_size_inches(w_in, h_in)
    return np.frombuffer(grab.data, dtype=np.uint8).reshape(px_h, px_w, 4)


#: Horizontal strips deflated independently (and concurrently): a fixed count, so the bytes do not
#: depend on the machine's number of cores.
PNG_STRIPS = 4
#: zlib level: 1 is the fastest; flat map colours compress well at any level.
PNG_LEVEL = 1


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def png_bytes(rgba: np.ndarray, dpi: int, text: dict[str, str] | None = None) -> bytes:
    """An 8-bit PNG of an (height, width, 4) RGBA array: RGB when every pixel is opaque, else RGBA.

    Rows are stored unfiltered (filter type 0): the page is mostly flat colour, which deflate
    compresses as well as filtered rows, at a third of the cost. The zlib stream is made of
    `PNG_STRIPS` raw deflate streams, each ended by a full flush (so each starts afresh and they
    can be compressed at the same time; zlib releases the GIL), then the Adler-32 of the whole.
    `dpi` goes into pHYs and `text` into tEXt chunks, as Pillow writes them.
    """
    return png_start(rgba, dpi, text)()


def png_start(rgba: np.ndarray, dpi: int, text: dict[str, str] | None = None) -> Callable[[], bytes]:
    """Start encoding `rgba` (see `png_bytes`) on two threads; the returned function waits for the
    PNG's bytes. The array is copied first, so the caller may reuse it at once."""
    import numpy as np
    from concurrent.futures import ThreadPoolExecutor

    height, width, _ = rgba.shape
    opaque = bool((rgba[..., 3] == 255).all())
    channels = 3 if opaque else 4
    rows = np.empty((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    rows[:, 1:].reshape(height, width, channels)[...] = rgba[..., :channels]
    bounds = [height * i // PNG_STRIPS for i in range(PNG_STRIPS + 1)]
    strips = [rows[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]

    def deflate(i: int) -> bytes:
        c = zlib.compressobj(PNG_LEVEL, zlib.DEFLATED, -15)
        last = i == len(strips) - 1
        return c.compress(strips[i]) + c.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)

    pool = ThreadPoolExecutor(max_workers=2)  # one per call: no thread outlives the map (or a fork)
    parts = [pool.submit(deflate, i) for i in range(len(strips))]
    adler = pool.submit(zlib.adler32, rows)

    def finish() -> bytes:
        try:
            stream = b"".join([b"\x78\x01", *(p.result() for p in parts), struct.pack(">I", adler.result())])
        finally:
            pool.shutdown()
        ppm = int(dpi / 0.0254 + 0.5)
        out = [b"\x89PNG\r\n\x1a\n",
               _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if opaque else 6, 0, 0, 0)),
               _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))]
        out += [_chunk(b"tEXt", k.encode("latin-1") + b"\0" + v.encode("latin-1")) for k, v in (text or {}).items()]
        out += [_chunk(b"IDAT", stream), _chunk(b"IEND", b"")]
        return b"".join(out)

    return finish
