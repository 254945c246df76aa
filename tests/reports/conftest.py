"""Fixtures for the report tests."""

from __future__ import annotations

import pytest

from socialmap.store import save_project


@pytest.fixture
def saved_small(tmp_path, small_project):
    """The small project saved to a file."""
    path = tmp_path / "small.gpkg"
    save_project(small_project, path)
    return path
