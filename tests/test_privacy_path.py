"""The small-number rules live in the core module socialmap.privacy; the old path still works."""

import socialmap.interchange.privacy as old_path
import socialmap.privacy as privacy


def test_old_import_path_gives_the_same_rules():
    for name in ("suppress", "is_suppressed", "public_area_table", "pseudonymise", "pseudonyms",
                 "spreadsheet_safe", "RATE_PARTS", "YOUNG_PEOPLE_COUNTS"):
        assert getattr(old_path, name) is getattr(privacy, name)
    assert old_path.suppress(3) == "<5" and old_path.suppress(5) == "5"
