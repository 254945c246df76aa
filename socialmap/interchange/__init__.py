"""Import and export: the CSV bundle, Kumu, Open Referral UK, postcodes, GraphML/GEXF, GeoJSON.

- :mod:`.readers` — one module per input format; :mod:`.writers` — one per output format;
- what they share: :mod:`.cells` and :mod:`.tabular` (reading cells and sheets), :mod:`.areas`
  (areas files), :mod:`.postcodes` (the ONS lookup), :mod:`.merge` (the all-or-nothing import
  flow), :mod:`.layers` (the public tables of areas, organisations and services),
  :mod:`.importing` and :mod:`.exporting` (the entry points of the CLI and the app);
- the small-number rules are the core module :mod:`socialmap.privacy`.

Each importer returns a :class:`~socialmap.model.Project` (or raises one
:class:`~socialmap.errors.InputError` listing every bad row). Heavy libraries are imported
inside the functions that need them.
"""
