"""What the print renderer reuses or does differently for speed gives the same maps: the PNG encoder
is lossless and valid, caches are reused within a process and give the same bytes as a fresh start."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest

from atlasmaps.model import MapKind, RenderOptions
from atlasmaps.render import static
from atlasmaps.render.static import output as OUT
from atlasmaps.style import load_style

LOW_DPI = 40


@pytest.fixture(scope="module")
def style():
    return load_style()


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of each chunk, checking each CRC."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, i = [], 8
    while i < len(png):
        (n,) = struct.unpack(">I", png[i:i + 4])
        kind, data = png[i + 4:i + 8], png[i + 8:i + 8 + n]
        (crc,) = struct.unpack(">I", png[i + 8 + n:i + 12 + n])
        assert crc == zlib.crc32(kind + data), kind
        out.append((kind, data))
        i += 12 + n
    return out


def test_png_encoder_is_lossless_and_valid():
    from PIL import Image

    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, size=(37, 23, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    png = OUT.png_bytes(rgba, 300, {"Software": "atlasmaps"})
    kinds = [k for k, _ in _chunks(png)]
    assert kinds == [b"IHDR", b"pHYs", b"tEXt", b"IDAT", b"IEND"]
    # zlib checks the whole stream (every strip, the full flushes, the Adler-32 at the end).
    idat = b"".join(d for k, d in _chunks(png) if k == b"IDAT")
    raw = zlib.decompress(idat)
    assert len(raw) == 37 * (1 + 23 * 3)
    img = Image.open(io.BytesIO(png))
    assert img.mode == "RGB" and img.size == (23, 37)
    assert img.info["Software"] == "atlasmaps" and round(img.info["dpi"][0]) == 300
    assert np.array_equal(np.asarray(img), rgba[..., :3])


def test_png_encoder_keeps_alpha_when_a_pixel_is_not_opaque():
    from PIL import Image

    rgba = np.full((5, 7, 4), 200, dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[2, 3, 3] = 10
    img = Image.open(io.BytesIO(OUT.png_bytes(rgba, 72)))
    assert img.mode == "RGBA"
    assert np.array_equal(np.asarray(img), rgba)


def test_map_png_has_the_pixels_matplotlib_would_write(japan_result, style, monkeypatch):
    """Our raster canvas and encoder against matplotlib's own canvas and PNG of the same figure: the
    same picture."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    drawn = {}
    write = OUT.write

    def keep(fig, formats, dpi, *annex):
        drawn["fig"] = fig
        return write(fig, formats, dpi, *annex)

    monkeypatch.setattr(OUT, "write", keep)
    opts = RenderOptions(MapKind.BILATERAL, partner="JP", formats=("png",), dpi=LOW_DPI)
    ours = Image.open(io.BytesIO(static.render(japan_result, style, opts).files["png"]))
    fig = drawn["fig"]
    FigureCanvasAgg(fig)  # matplotlib's own renderer, not render.static.agg's
    w_in, h_in = fig.get_size_inches()
    fig.set_size_inches((round(w_in * LOW_DPI) + 0.01) / LOW_DPI, (round(h_in * LOW_DPI) + 0.01) / LOW_DPI)
    buf = io.BytesIO()
    with matplotlib.rc_context(OUT.rc(style)):
        fig.savefig(buf, format="png", dpi=LOW_DPI)
    theirs = Image.open(buf)
    assert ours.size == theirs.size
    assert np.array_equal(np.asarray(ours.convert("RGBA")), np.asarray(theirs.convert("RGBA")))


# ---------------------------------------------------------------- batch workers

_PARENT_STATE = {"joined": False}


def _worker_view() -> tuple[bool, int]:
    import gc

    return _PARENT_STATE["joined"], gc.get_freeze_count()


def test_batch_workers_start_before_the_join_and_warm_up():
    """Workers are forked when the pool starts, so what the parent builds afterwards (the join) is
    not copied into them; their warm-up freezes what every map reuses."""
    import time

    from atlasmaps import batch

    pool = batch.start_workers(2, None, [MapKind.BILATERAL])
    assert pool is not None
    try:
        _PARENT_STATE["joined"] = True  # what the parent does after starting the workers
        time.sleep(0.1)
        views = [pool.submit(_worker_view).result(timeout=120) for _ in range(4)]
    finally:
        _PARENT_STATE["joined"] = False
        pool.shutdown()
    assert all(joined is False for joined, _ in views)
    assert all(frozen > 0 for _, frozen in views)
    assert batch.start_workers(1, None, [MapKind.BILATERAL]) is None


# ---------------------------------------------------------------- label placement, many places at once


def test_vectorised_collision_tests_agree_with_the_scalar_ones():
    """The label placement tests hundreds of places at once with numpy: the same answers as
    `geo.boxes`, one by one, including touching edges and horizontal or vertical leaders."""
    from atlasmaps.geo.boxes import (cross_array, first_clear, hits_array, overlaps, overlaps_array,
                                     segment_hits_box, segments_cross)

    rng = np.random.default_rng(3)
    # small integer coordinates: many shared edges, zero-length and axis-parallel segments
    boxes = []
    for _ in range(60):
        x0, y0 = rng.integers(0, 8, size=2)
        boxes.append((float(x0), float(y0), float(x0 + rng.integers(0, 4)), float(y0 + rng.integers(0, 4))))
    segs = [tuple(float(v) for v in rng.integers(0, 10, size=4)) for _ in range(60)]
    b = np.array(boxes)
    s = np.array(segs)
    assert (overlaps_array(b[:, None, :], b[None, :, :])
            == np.array([[overlaps(p, q) for q in boxes] for p in boxes])).all()
    assert (hits_array(s[:, None, :], b[None, :, :])
            == np.array([[segment_hits_box(p, q) for q in boxes] for p in segs])).all()
    assert (cross_array(s[:, None, :], s[None, :, :])
            == np.array([[segments_cross(p, q) for q in segs] for p in segs])).all()
    # a missing leader (NaN) hits nothing
    assert not hits_array(np.full((1, 1, 4), np.nan), b[None, :, :]).any()
    # first_clear: the first place clear of everything, as the one-by-one loop finds it
    places = [((float(x), 0.0, float(x) + 2, 2.0), None if x % 2 else (float(x), 3.0, float(x) + 1, 3.0))
              for x in range(10)]
    obstacles = [(0.0, 0.0, 3.0, 3.0)]
    others = [((4.0, 0.0, 5.0, 1.0), None), ((20.0, 20.0, 21.0, 21.0), (6.5, 3.5, 6.5, -1.0))]

    def scalar_free(box, lead):
        if any(overlaps(box, o) or (lead and segment_hits_box(lead, o)) for o in obstacles):
            return False
        for ob, ol in others:
            if overlaps(box, ob) or (ol and segment_hits_box(ol, box)) or (lead and segment_hits_box(lead, ob)):
                return False
            if lead and ol and segments_cross(lead, ol):
                return False
        return True

    expected = next(i for i, (bx, ld) in enumerate(places) if scalar_free(bx, ld))
    assert first_clear([p[0] for p in places], [p[1] for p in places], obstacles, others) == expected == 7
    # clear_mask as a moved label's relocation uses it: obstacles its leader may cross (the symbols over
    # its area) and boxes its whole extent keeps off (zoom insets), against the one-by-one tests.
    from atlasmaps.geo.boxes import clear_mask, extent

    def box_at(x0, y0, w, h):
        return (float(x0), float(y0), float(x0 + w), float(y0 + h))

    cands = [box_at(*rng.integers(0, 12, size=2), *rng.integers(1, 4, size=2)) for _ in range(300)]
    leads = [None if k % 3 == 0 else tuple(float(v) for v in rng.integers(0, 14, size=4)) for k in range(300)]
    blocking = [box_at(1, 1, 1, 1), box_at(9, 9, 2, 1), box_at(5, 12, 1, 1), box_at(12, 3, 1, 2)]
    crossable = blocking[2:]
    avoid = [box_at(0, 10, 3, 3), box_at(11, 11, 2, 2)]
    placed = [(box_at(6, 6, 1, 1), None), (box_at(20, 20, 1, 1), (3.5, 0.0, 3.5, 14.0))]

    def free_one(box, lead):
        if any(overlaps(box, o) for o in blocking) or any(overlaps(extent(box, lead), a) for a in avoid):
            return False
        if lead and any(segment_hits_box(lead, o) for o in blocking if o not in crossable):
            return False
        return all(not (overlaps(box, ob) or (ol and segment_hits_box(ol, box)) or (lead and segment_hits_box(lead, ob))
                        or (lead and ol and segments_cross(lead, ol))) for ob, ol in placed)

    leader_blocking = [o for o in blocking if o not in crossable]
    mask = clear_mask(cands, leads, blocking, placed, leader_blocking, avoid)
    assert mask.tolist() == [free_one(bx, ld) for bx, ld in zip(cands, leads)]
    # and each of the two does something here
    assert mask.tolist() != clear_mask(cands, leads, blocking, placed, leader_blocking).tolist()
    assert mask.tolist() != clear_mask(cands, leads, blocking, placed, None, avoid).tolist()


def test_trimming_the_caches_forgets_them_and_changes_no_map(japan_result, style):
    """A batch worker over its memory budget drops the boundary and projection caches: the next
    map reloads and reprojects, and comes out byte-identical."""
    from atlasmaps import batch, boundaries
    from atlasmaps.geo import projection

    opts = RenderOptions(MapKind.BILATERAL, partner="JP", formats=("svg", "pdf"))
    first = static.render(japan_result, style, opts).files
    cached, transformer = boundaries.load("countries"), projection.transformer("EPSG:2154")
    assert boundaries.load("countries").geometry.values[0] is cached.geometry.values[0]  # reused
    assert batch.trim_caches(1e9) is False
    assert boundaries.load("countries").geometry.values[0] is cached.geometry.values[0]
    assert projection.transformer("EPSG:2154") is transformer
    assert batch.trim_caches(0) is True
    assert boundaries.load("countries").geometry.values[0] is not cached.geometry.values[0]  # reloaded
    assert projection.transformer("EPSG:2154") is not transformer
    assert static.render(japan_result, style, opts).files == first
