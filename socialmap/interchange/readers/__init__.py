"""Readers: one module per input format (the CSV bundle, Kumu, Open Referral UK, GraphML/GEXF).

Each reads a file into an :class:`~socialmap.interchange.merge.ImportBatch` (or a project) and
declares its format for :mod:`socialmap.interchange.registry`. The canonical CSV bundle's writer
sits beside its reader in :mod:`.csv_bundle` (they are each other's inverse).
"""
