"""The LM3 input files: CSV templates that ``socialmap lm3 template DIR`` writes, and the
readers behind ``socialmap lm3 P.gpkg --org ID --spend spend.csv``.

``spend.csv`` (one row per figure)
    ``category`` income | supplier | staff; ``name`` (the supplier's name, matched with the
    supplier survey; a description for the others); ``amount_gbp``; and where the money
    went: ``area_code`` (a project area), ``postcode`` (needs ``--postcodes LOOKUP.csv``) or
    ``lat`` and ``lon``. Income rows need no place. A staff row with no place is split by
    the organisation's recorded employees_local / employees_total.
``supplier_survey.csv``
    ``supplier``, ``local_respend_share``: the share (0..1, or a percentage such as ``45%``)
    of what the supplier was paid that it spends locally, on local staff and suppliers.
``staff_survey.csv``
    ``respondent`` (any label, or empty), ``local_spend_share``: the share of their pay a
    member of local staff spends locally.
``social_value_measures.csv``
    The user's own social value measures (none are bundled: the National TOMs proxy values
    are licensed, not ours to copy): ``code``, ``description``, ``unit``,
    ``proxy_value_gbp``, ``source`` and ``evidence`` (which figure of the project it is
    multiplied by; see :data:`socialmap.reports.social_value.EVIDENCE`).

Every reader collects every bad row (file, row, field, reason) and raises once.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from socialmap.analysis.lm3 import CATEGORIES, INCOME, STAFF, SUPPLIER, SpendRow, supplier_key
from socialmap.errors import InputError, Problem
from socialmap.interchange.cells import BadValue, is_blank, parse_number
from socialmap.model.project import Project

SPEND_COLUMNS = ("category", "name", "amount_gbp", "area_code", "postcode", "lat", "lon", "notes")
SUPPLIER_SURVEY_COLUMNS = ("supplier", "local_respend_share", "notes")
STAFF_SURVEY_COLUMNS = ("respondent", "local_spend_share", "notes")
MEASURE_COLUMNS = ("code", "description", "unit", "proxy_value_gbp", "source", "evidence")

_TEMPLATES = {
    "spend.csv": (SPEND_COLUMNS, [
        ["income", "", "", "", "", "", "", "round 1: the income or the contract's value (one row or several)"],
        ["supplier", "", "", "", "", "", "", "one row per supplier payment: a postcode, lat and lon, or area_code"],
        ["staff", "", "", "", "", "", "", "staff pay by home area (area_code or postcode), or one row with no "
         "place to split by the organisation's local employees"],
    ]),
    "supplier_survey.csv": (SUPPLIER_SURVEY_COLUMNS, [
        ["", "", "share of what you paid them that the supplier spends locally (0 to 1, or 45%)"],
    ]),
    "staff_survey.csv": (STAFF_SURVEY_COLUMNS, [
        ["", "", "share of their pay a member of local staff spends locally (0 to 1, or 45%)"],
    ]),
    "social_value_measures.csv": (MEASURE_COLUMNS, []),
}


def write_templates(folder: str | os.PathLike) -> list[Path]:
    """Write the four CSV templates into ``folder`` (made if missing); refuse to overwrite one.

    The rows are guidance only: with no name and no amount they are passed over when read, so
    the filled rows can go under them.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem("is a file; give a folder for the templates", file=str(folder)))
    clash = [name for name in _TEMPLATES if (folder / name).exists()]
    if clash:
        raise InputError(Problem(f"{clash[0]} is already there; choose an empty folder", file=str(folder)))
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, (columns, rows) in _TEMPLATES.items():
        path = folder / name
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            w.writerows(rows)
        out.append(path)
    return out


def _read(path: str | os.PathLike, required: tuple[str, ...], known: tuple[str, ...]):
    from socialmap.interchange.tabular import read_csv_table

    where = str(path)
    if not Path(path).exists():
        raise InputError(Problem("no such file", file=where))
    table = read_csv_table(path)
    lower = {h.strip().lower(): h for h in table.headers if h}
    missing = [c for c in required if c not in lower]
    if missing:
        raise InputError(Problem(f"has no {', '.join(missing)} column (its columns: {', '.join(table.headers)}); "
                                 f"the template has {', '.join(known)}", file=where))
    rows = [(row, {k.strip().lower(): v for k, v in rec.items()}) for row, rec in table.rows]
    return where, rows


def parse_share(value: Any) -> float:
    """A share from a cell: ``0.45``, ``45%`` or ``45 %``; refused outside 0..1.

    >>> parse_share("45%"), parse_share("0.3"), parse_share("1")
    (0.45, 0.3, 1.0)
    """
    text = str(value).strip()
    percent = text.endswith("%")
    number = parse_number(text.rstrip("%").strip() if percent else text)
    share = number / 100 if percent else number
    if not 0 <= share <= 1:
        raise BadValue(f"{text!r} is not a share between 0 and 1 (or 0% and 100%)")
    return share


def read_spend(
    path: str | os.PathLike,
    project: Project,
    org_id: str,
    *,
    boundary=None,
    postcodes=None,
) -> list[SpendRow]:
    """The rows of a spend table, each supplier and staff row decided local or not.

    Local means inside ``boundary`` (a shapely polygon, EPSG:4326) when one is given, else
    inside one of the project's areas: a row with ``area_code`` names a project area (with a
    boundary, local when the area's representative point lies in it); a ``postcode`` is
    looked up in ``postcodes`` (a :class:`~socialmap.interchange.postcodes.PostcodeLookup`);
    ``lat``/``lon`` is a point.
    """
    import shapely
    from shapely.geometry import Point

    where, rows = _read(path, ("category", "amount_gbp"), SPEND_COLUMNS)
    org = project.nodes[org_id]
    problems: list[Problem] = []
    out: list[SpendRow] = []
    areas = project.areas
    tree_geoms = [a.geometry for a in areas.values()]
    tree = shapely.STRtree(tree_geoms) if tree_geoms and boundary is None else None

    def bad(row: int, name: str, reason: str) -> None:
        problems.append(Problem(reason, file=where, row=row, field=name))

    def inside(lon: float, lat: float) -> bool:
        point = Point(lon, lat)
        if boundary is not None:
            return bool(boundary.covers(point))
        return tree is not None and any(tree_geoms[i].covers(point) for i in tree.query(point))

    for row, rec in rows:
        category = (rec.get("category") or "").strip().lower()
        name = (rec.get("name") or "").strip()
        if category not in CATEGORIES:
            bad(row, "category", f"{rec.get('category', '')!r} is not one of {', '.join(CATEGORIES)}")
            continue
        text = rec.get("amount_gbp", "")
        if is_blank(text) and not name:
            continue  # a guidance row of the template (no name, no amount)
        if is_blank(text):
            bad(row, "amount_gbp", "is empty: give the amount in pounds")
            continue
        try:
            amount = parse_number(text)
        except BadValue as exc:
            bad(row, "amount_gbp", str(exc))
            continue
        if amount < 0:
            bad(row, "amount_gbp", f"{amount:g} is negative")
            continue
        if category == SUPPLIER and not name:
            bad(row, "name", "a supplier row needs the supplier's name (it is matched with the supplier survey)")
            continue
        if category == INCOME:
            out.append(SpendRow(row, INCOME, name or "income", amount, None, ""))
            continue
        code = (rec.get("area_code") or "").strip()
        postcode = (rec.get("postcode") or "").strip()
        lat_text, lon_text = (rec.get("lat") or "").strip(), (rec.get("lon") or "").strip()
        local: bool | None = None
        said = ""
        if code:
            if code not in areas:
                bad(row, "area_code", f"unknown area code {code!r}: not an area of this project")
                continue
            if boundary is None:
                local, said = True, f"area {code}"
            else:
                local = bool(boundary.covers(areas[code].geometry.representative_point()))
                said = f"area {code} {'inside' if local else 'outside'} the boundary"
        elif postcode:
            if postcodes is None:
                bad(row, "postcode", "a postcode needs a postcode lookup: give --postcodes LOOKUP.csv "
                                     "(or give lat and lon, or area_code)")
                continue
            found = postcodes.get(postcode)
            if found is None:
                bad(row, "postcode", f"postcode {postcode!r} is not in the postcode lookup")
                continue
            lat, lon, lsoa = found
            if boundary is None and lsoa and lsoa in areas:
                local, said = True, f"postcode {postcode} in area {lsoa}"
            elif lat is None or lon is None:
                bad(row, "postcode", f"postcode {postcode!r} has no grid reference in the lookup")
                continue
            else:
                local = inside(lon, lat)
                said = f"postcode {postcode} {'inside' if local else 'outside'} " + (
                    "the boundary" if boundary is not None else "the project's areas")
        elif lat_text or lon_text:
            try:
                lat, lon = parse_number(lat_text), parse_number(lon_text)
            except BadValue as exc:
                bad(row, "lat" if not lat_text or not _is_number(lat_text) else "lon", f"{exc} (give both lat and lon)")
                continue
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                bad(row, "lat", f"{lat:g}, {lon:g} is not a latitude and longitude")
                continue
            local = inside(lon, lat)
            said = f"{lat:.5f}, {lon:.5f} {'inside' if local else 'outside'} " + (
                "the boundary" if boundary is not None else "the project's areas")
        elif category == STAFF:
            total, local_staff = org.employees_total, org.employees_local
            if not total or local_staff is None:
                bad(row, "area_code", "a staff row with no home area (area_code, postcode or lat/lon) is split by the "
                                      "organisation's employees_local / employees_total, which are not recorded")
                continue
            out.append(SpendRow(row, STAFF, name or "staff pay", amount, None,
                                "split by recorded local employees", local_share=local_staff / total))
            continue
        else:
            bad(row, "postcode", "a supplier row needs a place: a postcode, lat and lon, or area_code")
            continue
        out.append(SpendRow(row, category, name or category, amount, local, said))
    if not any(r.category == INCOME for r in out) and not problems:
        problems.append(Problem("has no income row: round 1 (the income, or the contract's value) is needed",
                                file=where, field="category"))
    elif not problems and sum(r.amount_gbp for r in out if r.category == INCOME) <= 0:
        problems.append(Problem("the income rows add up to 0: LM3 divides by round 1", file=where, field="amount_gbp"))
    if problems:
        raise InputError(problems)
    return out


def _is_number(text: str) -> bool:
    try:
        parse_number(text)
        return True
    except BadValue:
        return False


def read_supplier_survey(path: str | os.PathLike) -> dict[str, float]:
    """``supplier_key(name) -> local re-spend share`` from a supplier survey file."""
    where, rows = _read(path, ("supplier", "local_respend_share"), SUPPLIER_SURVEY_COLUMNS)
    problems: list[Problem] = []
    out: dict[str, float] = {}
    first: dict[str, int] = {}
    for row, rec in rows:
        name = (rec.get("supplier") or "").strip()
        text = rec.get("local_respend_share", "")
        if not name and is_blank(text):
            continue  # the template's guidance row, or an empty one
        if not name:
            problems.append(Problem("is empty: name the supplier as in the spend table", file=where, row=row,
                                    field="supplier"))
            continue
        key = supplier_key(name)
        if key in first:
            problems.append(Problem(f"{name!r} is already answered at row {first[key]}", file=where, row=row,
                                    field="supplier"))
            continue
        try:
            out[key] = parse_share(text)
            first[key] = row
        except BadValue as exc:
            problems.append(Problem(str(exc) if not is_blank(text) else "is empty", file=where, row=row,
                                    field="local_respend_share"))
    if problems:
        raise InputError(problems)
    return out


def read_staff_survey(path: str | os.PathLike) -> list[float]:
    """Each respondent's local spend share from a staff survey file."""
    where, rows = _read(path, ("local_spend_share",), STAFF_SURVEY_COLUMNS)
    problems: list[Problem] = []
    out: list[float] = []
    for row, rec in rows:
        text = rec.get("local_spend_share", "")
        if is_blank(text):
            if (rec.get("respondent") or "").strip():
                problems.append(Problem("is empty", file=where, row=row, field="local_spend_share"))
            continue
        try:
            out.append(parse_share(text))
        except BadValue as exc:
            problems.append(Problem(str(exc), file=where, row=row, field="local_spend_share"))
    if problems:
        raise InputError(problems)
    return out


def read_boundary(path: str | os.PathLike, layer: str | None = None):
    """The union of the polygons of a boundary file (GeoJSON, GeoPackage or shapefile, read as an
    areas file), in EPSG:4326."""
    import shapely

    from socialmap.interchange.areas import read_areas

    areas = read_areas(path, layer=layer)
    return shapely.union_all([a.geometry for a in areas])


def read_measures(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The user's social value measures: one dict per row with ``code``, ``description``, ``unit``,
    ``proxy_value_gbp`` (float), ``source`` and ``evidence`` (one of
    :data:`socialmap.reports.social_value.EVIDENCE`, or None when the project cannot evidence it)."""
    from socialmap.reports.social_value import EVIDENCE

    where, rows = _read(path, ("code", "description", "proxy_value_gbp"), MEASURE_COLUMNS)
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row, rec in rows:
        code = (rec.get("code") or "").strip()
        if not code:
            problems.append(Problem("is empty: every measure needs its code", file=where, row=row, field="code"))
            continue
        if code in seen:
            problems.append(Problem(f"{code!r} is already at row {seen[code]}", file=where, row=row, field="code"))
            continue
        seen[code] = row
        text = rec.get("proxy_value_gbp", "")
        try:
            value = parse_number(text)
            if value < 0:
                raise BadValue(f"{value:g} is negative")
        except BadValue as exc:
            problems.append(Problem(str(exc) if not is_blank(text) else "is empty: give your proxy value in £",
                                    file=where, row=row, field="proxy_value_gbp"))
            continue
        evidence = (rec.get("evidence") or "").strip().lower() or None
        if evidence is not None and evidence not in EVIDENCE:
            problems.append(Problem(f"{evidence!r} is not a figure the project evidences; use one of "
                                    f"{', '.join(EVIDENCE)} (or leave it empty)", file=where, row=row,
                                    field="evidence"))
            continue
        out.append({"code": code, "description": (rec.get("description") or "").strip(),
                    "unit": (rec.get("unit") or "").strip(), "proxy_value_gbp": value,
                    "source": (rec.get("source") or "").strip(), "evidence": evidence})
    if problems:
        raise InputError(problems)
    return out
