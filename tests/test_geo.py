"""Format-independent geometry (atlasmaps.geo): boxes for label placement, the globe, frames."""

from __future__ import annotations

from atlasmaps.geo import boxes as B
from atlasmaps.geo import geometry as G
from atlasmaps.geo import projection as P


def test_boxes_overlap_only_when_they_share_area():
    a = (0, 0, 10, 10)
    assert B.overlaps(a, (5, 5, 15, 15))
    assert not B.overlaps(a, (10, 0, 20, 10))  # touching edges are not an overlap
    assert B.inside((1, 1, 9, 9), a) and not B.inside((1, 1, 11, 9), a)


def test_segments_and_boxes():
    box = (0, 0, 10, 10)
    assert B.segment_hits_box((-5, 5, 15, 5), box)
    assert not B.segment_hits_box((-5, 15, 15, 15), box)
    assert B.segments_cross((0, 0, 10, 10), (0, 10, 10, 0))
    assert not B.segments_cross((0, 0, 10, 0), (0, 1, 10, 1))
    assert B.extent((0, 0, 1, 1), (5, 5, -2, 0.5)) == (-2, 0, 5, 5)


def test_grid_finds_only_nearby_items():
    grid = B.Grid(10)
    grid.add(1, (0, 0, 5, 5))
    grid.add(2, (100, 100, 105, 105))
    assert grid.near((1, 1, 2, 2)) == [1]
    grid.remove(1)
    assert grid.near((1, 1, 2, 2)) == []


def test_world_frame_holds_the_whole_globe():
    frame = G.world_frame(P.EQUAL_EARTH)
    globe = G.globe(P.EQUAL_EARTH)
    assert globe.is_valid and globe.area > 0
    x0, y0, x1, y1 = globe.bounds
    assert (frame.xmin, frame.ymin, frame.xmax, frame.ymax) == (x0, y0, x1, y1)
    assert 2.0 < frame.width / frame.height < 2.2  # Equal Earth is about twice as wide as high
