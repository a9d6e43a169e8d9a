"""Pictures as pixel arrays, quick to send to a browser canvas (the drawing pad of 06, the explorers of 07): values
through a colour map to RGBA, and a layer's maps tiled into one picture."""

from __future__ import annotations

import functools

import numpy as np

from helpers import _validate as v


@functools.cache
def _colormap(name: str) -> np.ndarray:
    import matplotlib

    return (matplotlib.colormaps[name](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)


def colour(values, cmap: str = "magma", vmax: float | None = None) -> np.ndarray:
    """Values ≥ 0 → RGBA uint8 through a colour map, 0 → the map's darkest colour and vmax (default: the
    maximum) → its brightest."""
    values = v.numbers(values, "values").astype(np.float64)
    vmax = values.max() if vmax is None else v.numbers(vmax, "vmax").item()
    index = np.zeros(values.shape, np.uint8) if vmax <= 0 else np.clip(values / vmax * 255, 0, 255).astype(np.uint8)
    rgb = _colormap(cmap)[index]
    return np.concatenate([rgb, np.full(values.shape + (1,), 255, np.uint8)], axis=-1)


def mosaic_shape(n: int) -> tuple[int, int]:
    """Rows and columns of the tile grid for n maps: 2 rows of 8 for 16, 2×16 for 32, 4×16 for 64."""
    n = v.whole(n, "n", 1)
    cols = min(n, 8 if n <= 16 else 16)
    return -(-n // cols), cols


def mosaic(maps, gap: int = 1, vmax: float | None = None) -> tuple[np.ndarray, tuple[int, int]]:
    """(C, h, w) maps → one RGBA picture of them tiled, gap pixels apart (white), all coloured on one scale (the
    largest value in the layer, or vmax): a map that stays dark did not light up. Returns the picture and
    (rows, cols) of the grid."""
    maps = v.rank(v.numbers(maps, "maps", "maps (C, h, w)"), "maps", (3,), "maps (C, h, w)")
    gap = v.whole(gap, "gap", 0)
    c, h, w = maps.shape
    rows, cols = mosaic_shape(c)
    tiles = colour(maps, vmax=maps.max() if vmax is None else vmax)
    out = np.full((rows * h + (rows - 1) * gap, cols * w + (cols - 1) * gap, 4), 255, np.uint8)
    for i in range(c):
        r, q = divmod(i, cols)
        out[r * (h + gap) : r * (h + gap) + h, q * (w + gap) : q * (w + gap) + w] = tiles[i]
    return out, (rows, cols)
