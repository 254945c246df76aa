"""Moved: the small-number and pseudonym rules now live in :mod:`socialmap.privacy`, the core
module every output uses (exports, reports, the window). This name is kept so older imports work."""

from socialmap.privacy import (  # noqa: F401 - re-exported under the old path
    RATE_PARTS,
    YOUNG_PEOPLE_COUNTS,
    is_suppressed,
    pseudonymise,
    pseudonyms,
    public_area_table,
    spreadsheet_safe,
    suppress,
)
