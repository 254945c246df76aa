"""The scenario set-up's incidence of tie ends made from its two halves with a turn between
(socialmap.scenarios.impact._csr_of_ends) is the incidence made at once (_csr of both)."""

from __future__ import annotations

import numpy as np

from socialmap.scenarios import impact


def test_the_ends_incidence_by_hand():
    """Ties 10: 0-1, 11: 2-0, 12: 0-2 over nodes 0-2: node 0 is the a end of 10 and 12 and the
    b end of 11, so its ties are 10, 12 (as a, in order) then 11 (as b); node 1 has 10 (as b);
    node 2 has 11 (as a) then 12 (as b)."""
    a, b, ties = np.array([0, 2, 0]), np.array([1, 0, 2]), np.array([10, 11, 12])
    ptr, of = impact._csr_of_ends(a, b, ties, 3)
    assert ptr.tolist() == [0, 3, 4, 6] and of.tolist() == [10, 12, 11, 10, 11, 12]
    assert ptr.dtype == of.dtype == np.int64
    whole = impact._csr(np.concatenate([a, b]), np.concatenate([ties, ties]), 3)
    assert [x.tolist() for x in whole] == [ptr.tolist(), of.tolist()]
    ptr, of = impact._csr_of_ends(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64), 2)
    assert ptr.tolist() == [0, 0, 0] and of.tolist() == []


def test_the_ends_incidence_is_the_whole_ones_for_many_small_networks():
    rng = np.random.default_rng(7)
    for _ in range(300):
        n, m = int(rng.integers(1, 9)), int(rng.integers(0, 15))
        a, b, ties = rng.integers(0, n, m), rng.integers(0, n, m), rng.permutation(m)
        whole = impact._csr(np.concatenate([a, b]), np.concatenate([ties, ties]), n)
        halves = impact._csr_of_ends(a, b, ties, n)
        assert all(np.array_equal(x, y) and x.dtype == y.dtype for x, y in zip(whole, halves, strict=True))
