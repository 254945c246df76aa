"""CCIS client extracts: the young people a youth service tracks, with their activity (issue 15).

Local authorities in England keep a Client Caseload Information System (CCIS) of the young people
they track and report it each month to the DfE's National Client Caseload Information System
(NCCIS). The fields and the activity codes are those of the DfE's *NCCIS management information
requirement* (published each year on GOV.UK: "NCCIS management information requirement"; Appendix A
"Current activity" lists the codes, "Currency" the rule for an activity that has not been confirmed).

What is read, per row (one young person):

- the person id (the CCIS id), the date of birth, the home postcode, the current activity code,
  the activity's start and review dates, and the characteristics flags (care leaver, teenage parent,
  SEND, supervised by a youth offending team...), by their NCCIS names or the spellings of
  :data:`FIELD_NAMES` (``--field NAME=COLUMN`` for others);
- nothing else: names, addresses and every other column are never read into the project.

What is stored (SPEC section 8): the young person's home area (the LSOA their postcode lies in: the
postcode itself is not stored), their age at the reference date (not the date of birth), their
activity (:data:`ACTIVITY_GROUPS`), the characteristics as yes/no attributes, and an id that is a
keyed hash of the CCIS id (:func:`person_id`, HMAC-SHA256 with a secret kept in the project's
settings), so that a later extract finds the same young people and updates them.

The import is all or nothing: every bad row is reported (row, field, reason), never with a name,
date of birth or postcode in the message, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.model.kinds import (
    ACTIVITIES,
    EET,
    NEET_AVAILABLE,
    NEET_NOT_AVAILABLE,
    NOT_KNOWN,
    activity_from_text,
)
from socialmap.model.project import Area, Node, Project

#: The NCCIS current activity codes and their labels (NCCIS management information requirement,
#: Appendix A "Current activity"), grouped into the four activities of the model. 530
#: (re-engagement provision) and 710 (custody) are in none of the four groups: an extract that has
#: them is refused at those rows until ``--activity-map`` says where they belong.
ACTIVITY_CODES: dict[int, tuple[str, str | None]] = {
    210: ("Full-time education - school sixth form", EET),
    220: ("Full-time education - sixth form college", EET),
    230: ("Full-time education - further education", EET),
    240: ("Full-time education - higher education", EET),
    250: ("Part-time education", EET),
    260: ("Gap year students", EET),
    270: ("Full-time education - other", EET),
    280: ("Special post-16 institution", EET),
    290: ("Full-time education - custodial institution (juvenile offender)", EET),
    310: ("Apprenticeship", EET),
    320: ("Full-time employment with study (regulated qualification)", EET),
    330: ("Employment without training", EET),
    340: ("Employment with training (other)", EET),
    350: ("Temporary employment", EET),
    360: ("Part-time employment", EET),
    380: ("Self-employment", EET),
    381: ("Self-employment with study (regulated qualification)", EET),
    410: ("Work-based learning (ESFA funded)", EET),
    430: ("Other training", EET),
    440: ("DWP training and support programme", EET),
    450: ("Traineeship", EET),
    460: ("Supported internship", EET),
    550: ("Work not for reward with study (regulated qualification)", EET),
    530: ("Re-engagement provision", None),
    540: ("Working not for reward", NEET_AVAILABLE),
    610: ("Not yet ready for work or learning", NEET_AVAILABLE),
    615: ("Start date agreed (other)", NEET_AVAILABLE),
    616: ("Start date agreed (RPA compliant)", NEET_AVAILABLE),
    619: ("Seeking employment, education or training", NEET_AVAILABLE),
    620: ("Not available to labour market/learning - carer", NEET_NOT_AVAILABLE),
    630: ("Not available to labour market/learning - teenage parent", NEET_NOT_AVAILABLE),
    640: ("Not available to labour market/learning - illness", NEET_NOT_AVAILABLE),
    650: ("Not available to labour market/learning - pregnancy", NEET_NOT_AVAILABLE),
    660: ("Not available to labour market/learning - religious grounds", NEET_NOT_AVAILABLE),
    670: ("Not available to labour market/learning - unlikely ever to be economically active", NEET_NOT_AVAILABLE),
    680: ("Not available to labour market/learning - other reason", NEET_NOT_AVAILABLE),
    710: ("Custody (young adult offender)", None),
    810: ("Current situation not known", NOT_KNOWN),
    820: ("Cannot be contacted - no current address", NOT_KNOWN),
    830: ("Refused to disclose activity", NOT_KNOWN),
}
#: Code -> activity, the default grouping (:data:`ACTIVITY_CODES` without the ungrouped codes).
ACTIVITY_GROUPS: dict[int, str] = {code: group for code, (_, group) in ACTIVITY_CODES.items() if group}

#: Our field -> the column names (as :func:`~socialmap.interchange.tabular.norm_key` gives them)
#: it is found under: the NCCIS names first, then common local spellings.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "person_id": ("person_id", "ccis_id", "ccis_client_id", "client_id", "young_person_id", "yp_id", "unique_id"),
    "date_of_birth": ("date_of_birth", "dob", "birth_date", "birthdate"),
    "postcode": ("postcode", "address_postcode", "home_postcode", "post_code"),
    "activity_code": ("current_activity_code", "activity_code", "current_activity", "activity", "activity_status"),
    "activity_start_date": ("activity_start_date", "current_activity_start_date", "start_date", "activity_start"),
    "review_date": ("activity_review_date", "current_activity_review_date", "review_date", "date_ascertained",
                    "date_last_confirmed"),
}
#: Characteristics (the NCCIS individual characteristics) kept as yes/no attributes of the person.
CHARACTERISTICS: dict[str, tuple[str, ...]] = {
    "care_leaver": ("care_leaver", "nccis_care_leaver"),
    "looked_after": ("looked_after", "looked_after_in_care", "nccis_looked_after_in_care", "in_care"),
    "teenage_parent": ("teenage_parent", "teenage_mother", "nccis_teenage_mother", "parent", "nccis_parent"),
    "pregnancy": ("pregnancy", "pregnant", "nccis_pregnancy"),
    "send": ("send", "sen", "send_flag", "sen_support", "ehc_plan", "senprovision", "sen_provision"),
    "youth_offending": ("youth_offending", "supervised_by_yots", "supervised_by_yot", "nccis_supervised_by_yots",
                        "yot"),
    "carer": ("carer", "carer_not_own_child", "nccis_carer_not_own_child", "young_carer"),
    "caring_for_own_child": ("caring_for_own_child", "nccis_caring_for_own_child"),
    "refugee_asylum_seeker": ("refugee_asylum_seeker", "nccis_refugee_asylum_seeker"),
    "substance_misuse": ("substance_misuse", "nccis_substance_misuse"),
    "alternative_provision": ("alternative_provision", "nccis_alternative_provision"),
}
#: Columns recognised as personal data that is never read: named so the note can say they were left.
NEVER_READ = ("forename", "surname", "first_name", "last_name", "middle_name", "name", "full_name",
              "preferred_name", "address", "address_line_1", "address_line_2", "address_line_3", "address_1",
              "address_2", "town", "telephone", "phone", "mobile", "email", "upn", "uln", "nhs_number")
REQUIRED = ("person_id", "date_of_birth", "postcode", "activity_code")

#: Project settings of this importer (defaults in :data:`socialmap.model.project.DEFAULT_SETTINGS`).
KEY_SETTING = "ccis_id_key"
CURRENCY_SETTING = "activity_currency_days"
ID_PREFIX = "ccis-"


def person_id(ccis_id: str, key: str) -> str:
    """The node id of a young person: ``ccis-`` and the first 20 hex digits of the HMAC-SHA256 of
    their CCIS id (spaces trimmed, upper case) under the project's secret ``key`` (RFC 2104; Python's
    :mod:`hmac`). The same id in the same project gives the same node id; another project's key gives
    another, so ids cannot be matched across projects, and the CCIS id is not stored.

    >>> person_id("A123", "00" * 32) == person_id(" a123 ", "00" * 32)
    True
    >>> person_id("A123", "00" * 32) != person_id("A123", "11" * 32)
    True
    """
    digest = hmac.new(bytes.fromhex(key), ccis_id.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()
    return ID_PREFIX + digest[:20]


def new_key() -> str:
    """A new per-project secret: 32 random bytes as hex (:func:`secrets.token_hex`)."""
    return secrets.token_hex(32)


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years from ``born`` to ``day`` (a birthday on 29 February falls on 1 March).

    >>> age_on(dt.date(2008, 9, 1), dt.date(2026, 8, 31)), age_on(dt.date(2008, 9, 1), dt.date(2026, 9, 1))
    (17, 18)
    """
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def parse_activity_map(text: str | dict | None) -> dict[int, str]:
    """``--activity-map "530=eet,710=not_known"``: activity code -> one of the four activities."""
    if not text:
        return {}
    pairs = text.items() if isinstance(text, dict) else (p.split("=", 1) if "=" in p else (p, "")
                                                          for p in str(text).split(",") if p.strip())
    out: dict[int, str] = {}
    problems = []
    for code, group in pairs:
        code_text, group_text = str(code).strip(), str(group).strip()
        activity = activity_from_text(group_text)
        if not re.fullmatch(r"\d{3}", code_text):
            problems.append(Problem(f"{code_text!r} is not a three-digit activity code", field="activity-map"))
        elif activity is None:
            problems.append(Problem(f"code {code_text}: {group_text!r} is not an activity (one of "
                                    f"{', '.join(ACTIVITIES)})", field="activity-map"))
        else:
            out[int(code_text)] = activity
    if problems:
        raise InputError(problems)
    return out


def parse_field_options(items: list[str] | dict[str, str] | None) -> dict[str, str]:
    """``--field NAME=COLUMN`` (repeatable): our field -> the extract's column name."""
    if not items:
        return {}
    pairs = items.items() if isinstance(items, dict) else (i.split("=", 1) if "=" in i else (i, "") for i in items)
    known = set(FIELD_NAMES) | set(CHARACTERISTICS)
    out, problems = {}, []
    for name, column in pairs:
        name, column = name.strip(), column.strip()
        if name not in known:
            problems.append(Problem(f"unknown field {name!r}; the fields are {', '.join([*FIELD_NAMES, *CHARACTERISTICS])}",
                                    field="field"))
        elif not column:
            problems.append(Problem(f"no column given for {name} (write {name}=COLUMN)", field="field"))
        else:
            out[name] = column
    if problems:
        raise InputError(problems)
    return out


@dataclass
class ExtractColumns:
    """Which column of the extract holds each field (``None``: not in the extract)."""

    fields: dict[str, str | None]
    characteristics: dict[str, str]
    never_read: list[str]
    ignored: list[str]


def match_columns(headers: list[str], given: dict[str, str] | None = None, *, file: str | None = None) -> ExtractColumns:
    """The extract's columns for each field: those given by ``--field``, else found by name.
    Raises :class:`InputError` for a given column that is not there or a required field not found."""
    from socialmap.interchange.tabular import norm_key

    given = dict(given or {})
    by_key = {norm_key(h): h for h in headers}
    by_text = {h.strip(): h for h in headers} | {h.strip().lower(): h for h in headers}
    problems: list[Problem] = []
    used: set[str] = set()

    def find(name: str, names: tuple[str, ...]) -> str | None:
        if name in given:
            col = by_text.get(given[name].strip()) or by_text.get(given[name].strip().lower()) or \
                by_key.get(norm_key(given[name]))
            if col is None:
                problems.append(Problem(f"has no column {given[name]!r} (given by --field {name}=...); its columns "
                                        f"are {', '.join(headers)}", file=file, field=name))
            return col
        for candidate in names:
            col = by_key.get(candidate)
            if col is not None and col not in used:
                return col
        return None

    fields: dict[str, str | None] = {}
    for name, names in FIELD_NAMES.items():
        fields[name] = find(name, names)
        if fields[name]:
            used.add(fields[name])
    chars: dict[str, str] = {}
    for name, names in CHARACTERISTICS.items():
        col = find(name, names)
        if col and col not in used:
            chars[name] = col
            used.add(col)
    for name in REQUIRED:
        if fields[name] is None and name not in given:
            looked = ", ".join(FIELD_NAMES[name][:4])
            problems.append(Problem(f"has no {name.replace('_', ' ')} column (looked for {looked}...); name it with "
                                    f"--field {name}=COLUMN", file=file, row=1))
    if problems:
        raise InputError(problems)
    rest = [h for h in headers if h not in used]
    never = [h for h in rest if norm_key(h) in NEVER_READ]
    return ExtractColumns(fields, chars, never, [h for h in rest if h not in never])


@dataclass
class CcisResult:
    """What an import of one extract did (the summary shown before and after it is written)."""

    project: Project
    #: per area code: tracked, eet, neet, not_known (exact counts; suppress them to show them)
    areas: dict[str, dict[str, int]]
    totals: dict[str, int]
    notes: list[str] = field(default_factory=list)
    columns: ExtractColumns | None = None

    def to_json(self) -> dict[str, Any]:
        return {"totals": dict(self.totals), "areas": {c: dict(v) for c, v in self.areas.items()},
                "notes": list(self.notes)}


def _lsoa_census_year(column: str | None) -> str | None:
    if column is None:
        return None
    m = re.search(r"(11|21)", column)
    return None if m is None else f"20{m.group(1)}"


def _other_lsoa_fields(lookup_path: str, chosen: str | None, postcodes: list[str], area_codes) -> list[tuple[str, int]]:
    """For a lookup whose LSOA column left postcodes outside the project's areas: each other LSOA
    column of the lookup (``lsoa11``/``lsoa21``...) and how many of ``postcodes`` it would place."""
    import pandas as pd

    from socialmap.interchange.postcodes import LSOA_NAMES, POSTCODE_NAMES, normalise_postcode

    header = [str(h).strip() for h in pd.read_csv(lookup_path, nrows=0, encoding="utf-8-sig").columns]
    lower = {h.lower(): h for h in header}
    pc = next((lower[n] for n in POSTCODE_NAMES if n in lower), None)
    others = [lower[n] for n in LSOA_NAMES if n in lower and lower[n] != chosen]
    if pc is None or not others:
        return []
    frame = pd.read_csv(lookup_path, usecols=[pc, *others], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    keys = frame[pc].map(normalise_postcode)
    wanted = set(postcodes)
    rows = frame[keys.isin(wanted)]
    found = []
    for col in others:
        n = int(rows[col].str.strip().isin(set(area_codes)).sum())
        found.append((col, n))
    return sorted(found, key=lambda item: -item[1])


def read_extract(
    path: str | os.PathLike,
    base: Project,
    lookup,
    *,
    as_of: dt.date | None = None,
    fields: dict[str, str] | None = None,
    activity_map: dict[int, str] | None = None,
    expect_total: int | None = None,
    lookup_path: str | None = None,
) -> CcisResult:
    """The project that results from importing the CCIS extract at ``path`` into (a copy of) ``base``.

    Young people already in ``base`` with the same keyed-hash id are updated (home area, age,
    activity, characteristics; their label and ties stay); the others are added. ``base`` is not
    changed. Raises one :class:`InputError` listing every bad row, or for a total that is not
    ``expect_total``.
    """
    from socialmap.interchange.cells import BadValue
    from socialmap.interchange.merge import stamp_imported
    from socialmap.interchange.postcodes import normalise_postcode
    from socialmap.interchange.tabular import as_bool, as_date, as_text, read_csv_table
    from socialmap.model.dates import today

    where = str(path)
    as_of = as_of or dt.date.today()
    table = read_csv_table(path)
    cols = match_columns(table.headers, fields, file=where)
    groups = {**ACTIVITY_GROUPS, **(activity_map or {})}
    window_days = base.setting(CURRENCY_SETTING)
    key = base.settings.get(KEY_SETTING)
    settings = dict(base.settings)
    if not key:
        key = new_key()
        settings[KEY_SETTING] = key
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    rows: list[tuple[int, dict[str, Any]]] = []
    terminated = stale = 0
    unplaced_lsoa: list[str] = []  # postcodes (normalised) whose LSOA is not an area: for the hint
    unplaced_rows: list[int] = []

    def bad(row: int, name: str, reason: str) -> None:
        problems.append(Problem(reason, file=where, row=row, field=cols.fields.get(name) or cols.characteristics.get(name) or name))

    f = cols.fields
    for row, cells in table.rows:
        ccis_id = as_text(cells.get(f["person_id"]))
        if ccis_id is None:
            bad(row, "person_id", "the person id is empty")
            continue
        hid = person_id(ccis_id, key)
        if hid in seen:
            bad(row, "person_id", f"the same person id as row {seen[hid]}")
            continue
        seen[hid] = row
        rec: dict[str, Any] = {"id": hid}
        try:
            born = as_date(cells.get(f["date_of_birth"]))
        except BadValue:
            born = None
            bad(row, "date_of_birth", "the date of birth is not a date (use 2008-09-01 or 01/09/2008)")
        else:
            if born is None:
                bad(row, "date_of_birth", "the date of birth is empty")
            elif born > as_of:
                bad(row, "date_of_birth", f"the date of birth is after the reference date {as_of.isoformat()}")
            elif age_on(born, as_of) > 120:
                bad(row, "date_of_birth", "the date of birth gives an age over 120")
            else:
                rec["age"] = age_on(born, as_of)
        code_text = as_text(cells.get(f["activity_code"]))
        activity = None
        if code_text is None:
            bad(row, "activity_code", "the activity code is empty")
        else:
            code = int(code_text) if re.fullmatch(r"\d{3}", code_text) else None
            if code is None:
                # the cell is not echoed: a cell swallowing others (a stray quote) would hold names
                bad(row, "activity_code", "the activity code is not an NCCIS activity code (three digits, e.g. 610)")
            elif code not in groups:
                known = ACTIVITY_CODES.get(code)
                why = (f"activity code {code} ({known[0]}) is in none of the four groups" if known
                       else f"unknown activity code {code}")
                bad(row, "activity_code", f"{why}; say which with --activity-map {code}=eet (or neet_available, "
                                          "neet_not_available, not_known)")
            else:
                activity = groups[code]
        dates = {}
        for name in ("activity_start_date", "review_date"):
            if f[name] is None:
                continue
            try:
                dates[name] = as_date(cells.get(f[name]))
            except BadValue:  # not str(exc): it quotes the cell, which may hold other people's details
                bad(row, name, "is not a date (use 2026-09-01 or 01/09/2026)")
        confirmed = max((d for d in dates.values() if d is not None), default=None)
        if activity is not None and activity != NOT_KNOWN and confirmed is not None and window_days and \
                (as_of - confirmed).days > window_days:
            activity = NOT_KNOWN  # NCCIS currency: an activity not confirmed within the window lapses
            stale += 1
        rec["activity"] = activity
        attrs = {}
        for name, col in cols.characteristics.items():
            try:
                value = as_bool(cells.get(col))
            except BadValue:  # not str(exc): it quotes the cell, which may hold other people's details
                bad(row, name, "is not yes or no (Y/N, yes/no, true/false, 1/0)")
                continue
            if value is not None:
                attrs[name] = value
        rec["attrs"] = attrs
        raw_pc = cells.get(f["postcode"])
        key_pc = normalise_postcode(raw_pc)
        if as_text(raw_pc) is None:
            bad(row, "postcode", "the postcode is empty")
        elif key_pc is None:
            bad(row, "postcode", "the postcode is not a UK postcode")
        elif lookup is None:
            bad(row, "postcode", "no postcode lookup was given (--postcodes LOOKUP.csv) to place the person")
        else:
            hit = lookup.points.get(key_pc)
            if hit is None:
                bad(row, "postcode", f"the postcode is not in the postcode lookup {Path(lookup.source).name}")
            elif hit[2] is None:
                bad(row, "postcode", "the postcode has no LSOA code in the postcode lookup")
            elif hit[2] not in base.areas:
                unplaced_lsoa.append(key_pc)
                unplaced_rows.append(row)
                bad(row, "postcode", f"the postcode lies in LSOA {hit[2]}, which is not an area of this project")
            else:
                rec["area_code"] = hit[2]
                terminated += key_pc in lookup.terminated
        rows.append((row, rec))
    if unplaced_lsoa and lookup is not None:
        problems.insert(0, _geography_hint(lookup, lookup_path, unplaced_lsoa, base.areas, where))
    if expect_total is not None and len(rows) != expect_total:
        problems.insert(0, Problem(f"the extract has {len(rows)} young people but --expect-total is {expect_total}: "
                                   "is it a partial extract? nothing was imported", file=where, field="expect-total"))
    if not table.rows:
        problems.append(Problem("has no young people in it (only its header)", file=where))
    if problems:
        raise InputError(problems)

    nodes = {i: replace(n, attrs=dict(n.attrs)) for i, n in base.nodes.items()}
    added = updated = 0
    for _row, rec in rows:
        old = nodes.get(rec["id"])
        if old is not None and old.kind != "young_person":
            problems.append(Problem(f"the id {rec['id']} is a {old.kind} of the project", file=where, row=_row))
            continue
        if old is None:
            node = Node(rec["id"], "young_person", f"young person {rec['id'][len(ID_PREFIX):][:6]}",
                        area_code=rec["area_code"], age=rec.get("age"), activity=rec["activity"], attrs=rec["attrs"])
            stamp_imported([node])  # first recorded and last updated today (issue 18)
            nodes[rec["id"]] = node
            added += 1
        else:
            moved = old.area_code != rec["area_code"]
            attrs = {**old.attrs, **rec["attrs"]}
            changed = moved or old.age != rec.get("age") or old.activity != rec["activity"] or attrs != old.attrs
            nodes[rec["id"]] = replace(old, area_code=rec["area_code"], age=rec.get("age"), activity=rec["activity"],
                                       neet=None, attrs=attrs, lat=None if moved else old.lat,
                                       lon=None if moved else old.lon,
                                       updated=max(today(), old.recorded or today()) if changed else old.updated)
            updated += 1
    if problems:
        raise InputError(problems)
    project = Project.build(list(base.areas.values()), list(nodes.values()), list(base.ties.values()), settings,
                            base.scenarios, place_young_people=False, source=where)
    from socialmap.model.placement import place_in_area

    for node in project.nodes.values():  # newcomers and movers are placed in their (new) home area
        if node.kind == "young_person" and node.lat is None:
            node.lon, node.lat = place_in_area(node.id, project.areas[node.area_code].geometry)
    areas: dict[str, dict[str, int]] = {}
    for _row, rec in rows:
        a = areas.setdefault(rec["area_code"], {"tracked": 0, "eet": 0, "neet": 0, "not_known": 0})
        a["tracked"] += 1
        a["eet" if rec["activity"] == EET else "not_known" if rec["activity"] == NOT_KNOWN else "neet"] += 1
    totals = {name: sum(a[name] for a in areas.values()) for name in ("tracked", "eet", "neet", "not_known")}
    totals.update(added=added, updated=updated, lapsed_to_not_known=stale, terminated_postcodes=terminated)
    earlier = sum(1 for n in base.nodes.values() if n.id.startswith(ID_PREFIX) and n.id not in seen)
    totals["earlier_not_in_extract"] = earlier
    notes = []
    if stale:
        notes.append(f"{stale} young people's activity had not been confirmed within {window_days} days of "
                     f"{as_of.isoformat()} and counts as not known (NCCIS currency; project setting {CURRENCY_SETTING})")
    if terminated:
        notes.append(f"{terminated} postcodes are terminated in the postcode lookup (doterm set); their young people "
                     "were placed in the LSOA the lookup still gives")
    if earlier:
        notes.append(f"{earlier} young people of an earlier extract are not in this one; they are kept as they were")
    if cols.never_read or cols.ignored:
        notes.append(f"columns not imported: {', '.join([*cols.never_read, *cols.ignored])}")
    return CcisResult(project, dict(sorted(areas.items())), totals, notes, cols)


def _geography_hint(lookup, lookup_path: str | None, postcodes: list[str], area_codes, where: str) -> Problem:
    """Why the postcodes' LSOAs are not areas of the project, when the census years differ."""
    chosen = lookup.fields.get("lsoa")
    year = _lsoa_census_year(chosen)
    text = (f"{len(postcodes)} postcodes lie in LSOAs that are not areas of this project, by the lookup's "
            f"{chosen} column{f' ({year} LSOA codes)' if year else ''}")
    others = _other_lsoa_fields(lookup_path or lookup.source, chosen, postcodes, area_codes) if lookup_path or \
        lookup.source else []
    best = next(((c, n) for c, n in others if n), None)
    if best is not None:
        other_year = _lsoa_census_year(best[0])
        text += (f"; the lookup's {best[0]} column{f' ({other_year} codes)' if other_year else ''} places {best[1]} of "
                 f"them: the project's areas are {other_year or 'another'} LSOAs, so give --lsoa-field {best[0]}")
    else:
        text += ("; if the project's areas are LSOAs of another census (2011 or 2021), name the lookup's matching "
                 "column with --lsoa-field lsoa11 or --lsoa-field lsoa21")
    return Problem(text, file=where, field="postcode")


def import_ccis(
    path: str | os.PathLike,
    *,
    base: Project | None = None,
    areas_path: str | os.PathLike | None = None,
    area_code_field: str | None = None,
    area_name_field: str | None = None,
    areas_layer: str | None = None,
    postcodes: str | os.PathLike | None = None,
    postcode_fields: dict[str, str | None] | None = None,
    **options: Any,
) -> CcisResult:
    """Import an extract into ``base`` (not changed) or a new project over ``areas_path``; see
    :func:`read_extract` for ``options``. Nothing is written: the caller saves ``result.project``."""
    from socialmap.interchange.merge import INTO_WITH_AREAS

    if (base is None) == (areas_path is None):
        raise InputError(Problem(INTO_WITH_AREAS if base is not None else
                                 "an areas file is needed to make a new project (--areas)"))
    warnings: list[str] = []
    if base is None:
        from socialmap.interchange.areas import read_areas

        areas: list[Area] = read_areas(areas_path, area_code_field, area_name_field, layer=areas_layer,
                                       warnings=warnings)
        base = Project.build(areas, [], [], place_young_people=False, source=str(areas_path))
    if postcodes is None:
        raise InputError(Problem("a CCIS extract needs a postcode lookup to place young people in their LSOA "
                                 "(--postcodes LOOKUP.csv)", field="postcodes"))
    from socialmap.interchange.postcodes import load_postcode_lookup

    lookup = load_postcode_lookup(postcodes, **{k: v for k, v in (postcode_fields or {}).items() if v})
    result = read_extract(path, base, lookup, lookup_path=str(postcodes), **options)
    result.notes[:0] = warnings
    return result
