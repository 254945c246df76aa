"""Reading and writing project files (GeoPackage), atomic save, recovery copies."""

from socialmap.store.gpkg import SCHEMA_VERSION, load_project, read_schema_version, save_project

__all__ = ["SCHEMA_VERSION", "load_project", "read_schema_version", "save_project"]
