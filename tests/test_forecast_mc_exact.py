"""The Monte Carlo's events found in comparisons (jygproj.forecast.montecarlo._below, _Inverse) are the
integers a sorted search gives, for every draw: cumulative distributions with entries at 0, at 1,
ties and the draws' own values."""

import numpy as np

from jygproj.forecast.montecarlo import _below, _Inverse
from jygproj.forecast.projects import DURATIONS, event_table, start_table


def _cdfs(rng, rows: int) -> np.ndarray:
    """Nondecreasing rows of 13 in [0, 1] (float32), with zeros, ones and ties."""
    p = rng.random((rows, 13))
    p[rng.random((rows, 13)) < 0.3] = 0.0
    cdf = np.minimum(np.cumsum(p, axis=1) / rng.uniform(1, 8, (rows, 1)), 1.0)
    cdf[rng.random(rows) < 0.2, -3:] = 1.0
    return cdf.astype(np.float32)


def _uniforms(rng, shape, cdfs) -> np.ndarray:
    """numpy's single-precision uniforms ([0, 1)), every seventh one an entry of the distributions."""
    u = rng.random(shape, dtype=np.float32)
    values = np.concatenate([cdfs.ravel(), [0.0, np.nextafter(np.float32(1), np.float32(0))]])
    u.flat[::7] = rng.choice(values[values < 1], u.flat[::7].size)
    return u


def test_below_is_the_sorted_search_reaching_a_step():
    rng = np.random.default_rng(0)
    for cdf in [*_cdfs(rng, 40), *event_table(rng.random(DURATIONS)).astype(np.float32)[:, 1:]]:
        u = _uniforms(rng, (50, 30), cdf[None, :])
        steps = rng.integers(-3, 16, 30)
        k = np.searchsorted(cdf, u, side="right")
        assert np.array_equal(u < _below(cdf, steps)[None, :], k <= steps[None, :])


def test_inverse_counts_the_entries_at_or_below_each_draw():
    rng = np.random.default_rng(1)
    table = np.cumsum(start_table(np.array([1, 4, 9, 10, 12]), 9, rng.random(DURATIONS)), axis=1)[:, :13]
    for rows in (_cdfs(rng, 6), table.astype(np.float32)):
        row = rng.integers(0, rows.shape[0], 200)
        u = _uniforms(rng, (300, 200), rows)
        expected = np.stack([np.searchsorted(rows[r], u[:, j], side="right") for j, r in enumerate(row)], axis=1)
        assert np.array_equal(_Inverse.of(rows, row)(u), expected)
