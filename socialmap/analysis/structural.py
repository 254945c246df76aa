"""Burt's structural holes: constraint and effective size, by array passes.

Burt (1992), *Structural Holes: The Social Structure of Competition*, Harvard
University Press; the unweighted definitions are those of networkx
(``networkx.algorithms.structuralholes``), reproduced exactly here for
undirected graphs without self-loops, in time proportional to the number of
triangles rather than with a Python loop per node or a dense matrix.

For a node *i* of degree :math:`d_i \\ge 1` with neighbours :math:`N(i)`, the
proportional tie strength is :math:`p_{ij} = 1/d_i` for :math:`j \\in N(i)`.

- **Effective size** (Burt's redundancy form, simplified by Borgatti 1997 for
  unweighted undirected ties): :math:`e_i = d_i - 2 t_i / d_i`, where
  :math:`t_i` is the number of ties among *i*'s neighbours (the triangles
  through *i*). It counts the non-redundant contacts.
- **Constraint**:
  :math:`c_i = \\sum_{j \\in N(i)} \\bigl(p_{ij} + \\sum_{q \\in N(i)} p_{iq} p_{qj}\\bigr)^2
  = d_i^{-2} \\sum_{j \\in N(i)} (1 + s_{ij})^2`, with
  :math:`s_{ij} = \\sum_{q \\in N(i) \\cap N(j)} 1/d_q`. High when a node's
  contacts are few and tied to each other.

Both are undefined for a node without ties (networkx gives ``nan``; SocialMap
reports null).

The triangles are listed once each by orienting every tie from the end of
lower degree to the end of higher degree (ties broken by position) and
closing the two-step paths ``a -> b -> c`` that have a tie ``a -> c``; a
high-degree hub (a busy service) then has few outgoing ties, so the work stays
near :math:`O(m^{3/2})` in the worst case and far less on social networks.
"""

from __future__ import annotations

import numpy as np

#: Two-step paths closed at a time by :func:`triangles` (seven int64 arrays of this length, about
#: 110 MB, whatever the size of the network).
WEDGES_PER_PIECE = 2_000_000


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + c)`` for each pair, without a Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    offsets = np.repeat(starts.astype(np.int64) - (ends - counts), counts)
    return np.arange(total, dtype=np.int64) + offsets


def triangles(n_nodes: int, tie_a: np.ndarray, tie_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every triangle of a simple undirected graph, once each.

    Parameters
    ----------
    n_nodes
        Number of nodes; ties refer to positions ``0 .. n_nodes - 1``.
    tie_a, tie_b
        Endpoints of each tie (no self-loops, at most one tie per pair).

    Returns
    -------
    tuple of arrays
        ``(corners, opposite)``: ``corners`` is a (k, 3) array of node
        positions, ``opposite`` a (k, 3) array of the positions in
        ``tie_a``/``tie_b`` of the tie opposite each corner (the one not
        touching it).

    Examples
    --------
    >>> import numpy as np
    >>> a, b = np.array([0, 1, 0, 2]), np.array([1, 2, 2, 3])   # triangle 0-1-2 and a tail 2-3
    >>> corners, opposite = triangles(4, a, b)
    >>> sorted(corners[0].tolist()), sorted(opposite[0].tolist())
    ([0, 1, 2], [0, 1, 2])
    """
    tie_a = np.asarray(tie_a, dtype=np.int64)
    tie_b = np.asarray(tie_b, dtype=np.int64)
    m = len(tie_a)
    if m == 0:
        return np.zeros((0, 3), dtype=np.int64), np.zeros((0, 3), dtype=np.int64)
    degree = np.bincount(tie_a, minlength=n_nodes) + np.bincount(tie_b, minlength=n_nodes)
    # rank: by degree, then position; orient each tie from lower to higher rank
    rank = np.empty(n_nodes, dtype=np.int64)
    rank[np.lexsort((np.arange(n_nodes), degree))] = np.arange(n_nodes)
    forward = rank[tie_a] < rank[tie_b]
    lo = np.where(forward, tie_a, tie_b)
    hi = np.where(forward, tie_b, tie_a)
    order = np.lexsort((hi, lo))  # CSR order of the oriented ties
    lo_s, hi_s, tie_s = lo[order], hi[order], order
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(lo_s, minlength=n_nodes), out=indptr[1:])
    # two-step paths a -> b -> c, closed when a -> c is a tie; made for the ties a -> b a piece
    # at a time of about WEDGES_PER_PIECE paths (issue 13: all at once, their seven arrays of
    # int64 were about 0.9 GB at 1,000,000 young people); the pieces give the triangles in the
    # same order as one pass
    out_of_b = indptr[hi_s + 1] - indptr[hi_s]
    keys = lo_s * n_nodes + hi_s  # sorted, since CSR order is (lo, hi)
    paths_before = np.concatenate(([0], np.cumsum(out_of_b)))
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    start = 0
    while start < m:
        stop = int(np.searchsorted(paths_before, paths_before[start] + WEDGES_PER_PIECE, side="right")) - 1
        stop = min(m, max(stop, start + 1))
        step2 = _ranges(indptr[hi_s[start:stop]], out_of_b[start:stop])  # positions (CSR) of b -> c
        first = np.repeat(np.arange(start, stop, dtype=np.int64), out_of_b[start:stop])  # of a -> b
        want = lo_s[first] * n_nodes + hi_s[step2]
        pos = np.searchsorted(keys, want)
        pos[pos >= m] = 0
        closed = keys[pos] == want
        found.append((first[closed], step2[closed], pos[closed]))
        start = stop
    first, step2, pos = (np.concatenate(parts) for parts in zip(*found, strict=True))
    corners = np.column_stack([lo_s[first], hi_s[first], hi_s[step2]])
    # opposite ties: of a is b-c, of b is a-c, of c is a-b
    opposite = np.column_stack([tie_s[step2], tie_s[pos], tie_s[first]])
    return corners, opposite


def structural_holes(
    n_nodes: int, tie_a: np.ndarray, tie_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Burt's constraint and effective size of every node (unweighted, undirected).

    Parameters
    ----------
    n_nodes
        Number of nodes; ties refer to positions ``0 .. n_nodes - 1``.
    tie_a, tie_b
        Endpoints of each tie (no self-loops, at most one tie per pair).

    Returns
    -------
    tuple of arrays
        ``(constraint, effective_size)``, float arrays with ``nan`` for nodes
        without ties; equal to ``networkx.constraint`` and
        ``networkx.effective_size`` on the same graph.

    Examples
    --------
    A star: the centre's three contacts are not tied to each other, so its
    effective size is 3 and its constraint 3 x (1/3)^2 = 1/3. A leaf has one
    contact: effective size 1, constraint (1 + 0)^2 = 1.

    >>> import numpy as np
    >>> c, e = structural_holes(4, np.array([0, 0, 0]), np.array([1, 2, 3]))
    >>> np.round(c, 4).tolist(), e.tolist()
    ([0.3333, 1.0, 1.0, 1.0], [3.0, 1.0, 1.0, 1.0])

    A triangle: each node has two contacts tied to each other: effective size
    2 - 2 x 1 / 2 = 1; s = 1/2 for each tie, constraint (1/2)^2 x 2 x (1.5)^2 = 1.125.

    >>> c, e = structural_holes(3, np.array([0, 1, 0]), np.array([1, 2, 2]))
    >>> c.tolist(), e.tolist()
    ([1.125, 1.125, 1.125], [1.0, 1.0, 1.0])
    """
    tie_a = np.asarray(tie_a, dtype=np.int64)
    tie_b = np.asarray(tie_b, dtype=np.int64)
    m = len(tie_a)
    degree = (np.bincount(tie_a, minlength=n_nodes) + np.bincount(tie_b, minlength=n_nodes)).astype(np.float64)
    corners, opposite = triangles(n_nodes, tie_a, tie_b)
    # ties among neighbours of i = triangles through i
    t = np.bincount(corners.ravel(), minlength=n_nodes).astype(np.float64)
    # s for each tie (symmetric): sum over triangles on it of 1 / degree of the third corner
    inv_degree = np.divide(1.0, degree, out=np.zeros(n_nodes), where=degree > 0)
    s = np.bincount(opposite.ravel(), weights=inv_degree[corners.ravel()], minlength=m) if m else np.zeros(0)
    per_tie = (1.0 + s) ** 2
    total = np.bincount(tie_a, weights=per_tie, minlength=n_nodes) + np.bincount(tie_b, weights=per_tie, minlength=n_nodes)
    with np.errstate(divide="ignore", invalid="ignore"):
        constraint = total / degree**2
        effective_size = degree - 2.0 * t / degree
    constraint[degree == 0] = np.nan
    effective_size[degree == 0] = np.nan
    return constraint, effective_size

