"""The assumptions registry: one place, shown the same everywhere (issue 17)."""

from __future__ import annotations

from pathlib import Path

from socialmap.model import DEFAULT_SETTINGS
from socialmap.scenarios.assumptions import ASSUMPTIONS, assumptions_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def test_docs_show_the_registry_table_exactly():
    assert assumptions_markdown() in DOCS.read_text(encoding="utf-8")


def test_every_assumption_has_a_range_around_its_default_and_a_source():
    for a in ASSUMPTIONS.values():
        assert a.low < a.default < a.high, a.name
        assert len(a.source) > 40, a.name


def test_defaults_are_the_project_settings():
    for name, a in ASSUMPTIONS.items():
        if name in DEFAULT_SETTINGS:
            assert DEFAULT_SETTINGS[name] == a.default, name


def test_where_no_source_exists_it_says_so():
    assert "No published figure exists for the share of staff kept after a TUPE transfer" in (
        ASSUMPTIONS["retention"].source
    )
    for name in ("half_km", "flag_newly_isolated_neet", "flag_bridging_loss_pct"):
        assert "No published" in ASSUMPTIONS[name].source, name
