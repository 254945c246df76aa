"""Writers: one module per output format (GraphML/GEXF, GeoJSON layers, CSV tables, the web map,
Kumu), each declaring its format for :mod:`socialmap.interchange.registry`."""
