"""Handlers of the ``socialmap`` sub-commands, one module per concern."""
