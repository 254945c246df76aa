"""Import and export: the CSV bundle, Kumu, Open Referral UK, postcodes, GraphML/GEXF, GeoJSON.

One module per format; each importer returns a :class:`~socialmap.model.Project`
(or raises one :class:`~socialmap.errors.InputError` listing every bad row).
Heavy libraries are imported inside the functions that need them.
"""
