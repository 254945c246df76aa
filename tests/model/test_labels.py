"""One mapping of codes to plain words (socialmap.model.labels), used by the window, the CLI's
human tables and the reports; files keep the codes."""

from __future__ import annotations

import doctest

from socialmap.model import kinds, labels


def test_every_code_of_the_vocabulary_has_a_label():
    for field, codes in (("org_type", kinds.ORG_TYPES), ("sector", kinds.SECTORS), ("type", kinds.TIE_TYPES),
                         ("kind", kinds.NODE_KINDS), ("activity", kinds.ACTIVITIES)):
        for code in codes:
            shown = labels.value_label(field, code)
            assert shown != code and "_" not in shown and shown[0].isupper(), (field, code, shown)
    for fields in kinds.KIND_FIELDS.values():
        for name in fields:
            assert "_" not in labels.field_label(name) and name in labels.FIELD_LABELS, name


def test_labels_examples():
    assert labels.value_label("org_type", "social_enterprise") == "Social enterprise"
    assert labels.value_label("org_type", "school_college") == "School or college"
    assert labels.value_label("sector", None) is None and labels.value_label("age", 17) == 17
    assert labels.field_label("area_code") == "Area" and labels.field_label("gi_class") == "Hotspot class (Gi*)"
    assert labels.group_key_label("area_code") == "Home area"
    assert labels.group_key_label("school") == "imported attribute 'school'"
    assert labels.org_type_choices()[2] == ("Social enterprise", "social_enterprise")
    assert doctest.testmod(labels).failed == 0


def test_cli_info_shows_words_and_json_keeps_codes(tmp_path, small_project, capsys):
    from socialmap.cli import main
    from socialmap.store import save_project

    path = tmp_path / "p.gpkg"
    save_project(small_project, path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Young person  3" in out and "Organisation  1" in out and "Attends   1" in out
    assert main(["info", str(path), "--json"]) == 0
    assert '"young_person": 3' in capsys.readouterr().out


def test_the_hot_spot_reason_of_a_zero_rate():
    from socialmap.disclosure import ZERO_RATE_HOT_SPOT, hot_spot_reason

    assert hot_spot_reason(3, 0.0) == ZERO_RATE_HOT_SPOT == "its neighbours' rates are high"
    assert hot_spot_reason(1, 0) == ZERO_RATE_HOT_SPOT  # a hot spot at 90% too
    assert hot_spot_reason(3, 0.25) == "" and hot_spot_reason(0, 0.0) == "" and hot_spot_reason(-2, 0.0) == ""
    assert hot_spot_reason(None, 0.0) == "" and hot_spot_reason(2, float("nan")) == ""


def test_the_evidence_pack_names_the_type_and_sector_in_words(tmp_path, small_project):
    """It printed 'Organisation type: school college' (the code with a space) and 'Sector: public'."""
    from pypdf import PdfReader

    from socialmap.reports.evidence import write_evidence_pack

    out = write_evidence_pack(small_project, "o1", tmp_path / "e.pdf")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(out).pages).split())
    assert "Organisation type: School or college · Sector: Public · Anchor institution: yes" in text
    assert "above the middle" not in text
    assert "For <5" not in text and "neighbourhood" not in text
