"""Everything Qt: the main window, map widget, table models, inspector,
panels, undo commands and workers. Nothing outside this package imports it."""
