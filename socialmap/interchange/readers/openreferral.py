"""Importing Open Referral UK service directory data as organisations and services.

Open Referral UK (openreferraluk.org) is the UK profile of the Human Services
Data Specification (HSDS). It is published either as a folder of CSV tables
or through an API returning JSON. This importer reads both:

- **CSV tables** (file names singular or plural): ``organization``
  (``id``, ``name``, ``description``, ``email``, ``url``/``website``),
  ``service`` (``id``, ``organization_id``, ``name``, ``description``,
  ``status``, ``url``, ``email``, ``minimum_age``, ``maximum_age``),
  ``location`` (``id``, ``name``, ``latitude``, ``longitude``, optionally
  ``organization_id``), ``service_at_location`` (``id``, ``service_id``,
  ``location_id``) and ``physical_address`` (or HSDS 3's ``address``:
  ``location_id``, ``address_1``, ``city``, ``postal_code``);
- **a JSON export of the API**: a list of services, or a page
  (``{"content": [...]}`` in ORUK 1, ``{"contents": [...]}`` in HSDS 3), each
  service carrying its ``organization`` and ``service_at_locations`` with the
  nested ``location`` (and its ``physical_addresses``/``addresses``); or a list
  of organisations each with nested ``services``.

Mapping: every organisation becomes an ``organisation`` node (id = its
Open Referral id) placed at its own location when a location names it, else
at the first site of its services; every *service at a location* becomes a
``service`` node (id = the ``service_at_location`` id) at that location, with
the organisation as provider (so a ``provides`` tie). A location without
coordinates is placed by its postcode with ``--postcodes``. Services with no
physical location (online or telephone only) and organisations with no
located service are skipped and counted in the notes, since they cannot be
drawn on a map; so are services whose ``status`` is ``inactive`` or
``defunct`` (they no longer run). A directory with no organisations and no
services at all is refused rather than making an empty project.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.interchange.merge import ImportBatch
from socialmap.interchange.registry import ImportFormat, Option
from socialmap.interchange.tabular import (
    BadValue,
    Table,
    as_float,
    as_text,
    norm_key,
    read_csv_table,
)
from socialmap.model.project import Node

TABLE_NAMES = {
    "organization": ("organization", "organizations", "organisation", "organisations"),
    "service": ("service", "services"),
    "location": ("location", "locations"),
    "service_at_location": ("service_at_location", "service_at_locations", "services_at_location",
                            "services_at_locations"),
    "physical_address": ("physical_address", "physical_addresses", "address", "addresses"),
}
_ORG_ATTRS = ("description", "email", "url", "website")
#: Service ``status`` values (HSDS/ORUK: active, inactive, defunct, temporarily closed) of a service that
#: no longer runs; such services are skipped and counted in a note.
CLOSED_STATUSES = frozenset({"inactive", "defunct"})
_SERVICE_ATTRS = ("description", "email", "url", "status", "minimum_age", "maximum_age")

Where = tuple  # (file, sheet, row, record)


class _Data:
    """The directory, flattened to plain dicts whatever it was read from."""

    def __init__(self, source: str):
        self.source = source
        self.orgs: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.locations: dict[str, dict[str, Any]] = {}
        self.sals: dict[str, dict[str, Any]] = {}
        self.problems: list[Problem] = []

    def bad(self, where: Where, reason: str, field: str | None = None) -> None:
        file, sheet, row, record = where
        self.problems.append(Problem(reason, file=file, sheet=sheet, row=row, field=field, record=record))

    def put(self, table: dict, kind: str, item: dict, where: Where) -> str | None:
        item_id = as_text(item.get("id"))
        if item_id is None:
            self.bad(where, f"the {kind} has no id", "id")
            return None
        if item_id in table:
            first = table[item_id]["_where"]
            if {k: v for k, v in table[item_id].items() if k != "_where"} == item:
                return item_id  # the same record again (pages of a feed overlap)
            if _nested(first) or _nested(where):
                return item_id  # a JSON export repeats an organisation or location under each service
            self.bad(where, f"duplicate {kind} id {item_id!r} (first at row {first[2]})", "id")
            return None
        table[item_id] = {**item, "_where": where}
        return item_id


def _nested(where: Where) -> bool:
    record = where[3] or ""
    return record.endswith(" organization") or record.endswith(" location")


# ----------------------------------------------------------------- reading
def _find_tables(folder: Path) -> dict[str, Path]:
    files = {norm_key(p.stem): p for p in folder.iterdir() if p.suffix.lower() == ".csv"}
    found = {}
    for table, names in TABLE_NAMES.items():
        for name in names:
            if name in files:
                found[table] = files[name]
                break
    return found


def _read_folder(folder: Path) -> _Data:
    data = _Data(str(folder))
    paths = _find_tables(folder)
    missing = [t for t in ("organization", "service") if t not in paths]
    if missing:
        raise InputError(Problem(
            f"has no {' or '.join(m + '.csv' for m in missing)}; an Open Referral folder needs at least "
            "organization.csv and service.csv (with location.csv and service_at_location.csv to place services)",
            file=str(folder)))
    tables: dict[str, Table] = {name: read_csv_table(path) for name, path in paths.items()}

    def rows(name: str):
        table = tables.get(name)
        if table is None:
            return
        lower = {norm_key(h): h for h in table.headers}
        for row, cells in table.rows:
            item = {key: cells.get(h) for key, h in lower.items()}
            yield item, (table.file, None, row, None)

    for item, where in rows("organization"):
        data.put(data.orgs, "organisation", item, where)
    for item, where in rows("service"):
        data.put(data.services, "service", item, where)
    for item, where in rows("location"):
        data.put(data.locations, "location", item, where)
    for item, where in rows("physical_address"):
        loc = as_text(item.get("location_id"))
        if loc is None:
            data.bad(where, "the address has no location_id", "location_id")
        elif loc not in data.locations:
            data.bad(where, f"location_id {loc!r} is not in location.csv", "location_id")
        else:
            data.locations[loc].setdefault("_addresses", []).append(item)
    for item, where in rows("service_at_location"):
        if as_text(item.get("id")) is None and as_text(item.get("service_id")) and as_text(item.get("location_id")):
            # an id-less link row is still a clear fact; give it a stable id of its own
            item = {**item, "id": f"{as_text(item['service_id'])}@{as_text(item['location_id'])}"}
        data.put(data.sals, "service_at_location", item, where)
    if "service_at_location" not in tables and data.services:
        data.problems.append(Problem("has no service_at_location.csv, so no service can be placed at a location",
                                     file=str(folder)))
    return data


def _items(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if "id" in document and "name" in document:
            return [document]  # one service or organisation (GET /services/{id}, /organizations/{id})
        for key in ("content", "contents", "items", "services", "organizations", "data"):
            if isinstance(document.get(key), list):
                return document[key]
        if "id" in document:
            return [document]
    raise InputError(Problem("is not an Open Referral export: expected a list of services or organisations, "
                             "or a page with 'content'"))


def _read_json(path: Path, data: _Data | None = None) -> _Data:
    from socialmap.interchange.limits import load_json

    data = data if data is not None else _Data(str(path))
    document = load_json(path)  # size, UTF-8, JSON and nesting depth checked, each with its reason
    try:
        items = _items(document)
    except InputError as exc:
        raise InputError([Problem(p.reason, file=str(path)) for p in exc.problems]) from None
    file = str(path)
    for i, item in enumerate(items):
        path_text = f"item {i + 1}"
        where = (file, None, i + 1, path_text)
        if not isinstance(item, dict):
            data.bad(where, "is not an object")
            continue
        if _is_organisation(item):
            org_id = data.put(data.orgs, "organisation", _flat(item), where)
            for j, svc in enumerate(item["services"]):
                if isinstance(svc, dict):
                    svc = {**svc, "organization_id": svc.get("organization_id", org_id)}
                    _json_service(data, svc, (file, None, i + 1, f"{path_text} services[{j}]"))
        else:
            _json_service(data, item, where)
    return data


_SERVICE_KEYS = ("organization", "organization_id", "service_at_locations", "locations", "status", "eligibilitys",
                 "eligibility", "service_taxonomys", "attributes", "attending_type", "fees", "cost_options")


def _is_organisation(item: dict) -> bool:
    """An organisation object (``/organizations/{id}``: with its ``services``, or alone) rather
    than a service (which names its organisation, locations, status or eligibility)."""
    if isinstance(item.get("services"), list):
        return "organization" not in item and "organization_id" not in item
    return not any(k in item for k in _SERVICE_KEYS)


def _terms(svc: dict) -> list[str]:
    """Taxonomy term names of a service: ORUK 1 ``service_taxonomys[].taxonomy.name``, HSDS 3
    ``attributes[].taxonomy_term.name`` (or ``.term``)."""
    out = []
    for link in (svc.get("service_taxonomys") or []) + (svc.get("attributes") or []):
        if not isinstance(link, dict):
            continue
        term = link.get("taxonomy") or link.get("taxonomy_term") or {}
        name = as_text(term.get("name") or term.get("term")) if isinstance(term, dict) else None
        if name:
            out.append(name)
    return out


def _ages(svc: dict) -> tuple[Any, Any, list[str]]:
    """Eligibility: the youngest and oldest age a service takes (the service's own
    ``minimum_age``/``maximum_age`` or its ORUK 1 ``eligibilitys``) and the eligibility words."""
    low, high = svc.get("minimum_age"), svc.get("maximum_age")
    words = []
    for e in svc.get("eligibilitys") or svc.get("eligibility") or []:
        if not isinstance(e, dict):
            continue
        if as_text(e.get("eligibility")):
            words.append(as_text(e.get("eligibility")))
        for key, pick in (("minimum_age", min), ("maximum_age", max)):
            value = e.get(key)
            if value is not None:
                current = low if key == "minimum_age" else high
                chosen = value if current is None else pick(current, value)
                if key == "minimum_age":
                    low = chosen
                else:
                    high = chosen
    return low, high, words


def _flat(item: dict) -> dict:
    return {k: v for k, v in item.items() if not isinstance(v, (list, dict))}


def _json_service(data: _Data, svc: dict, where: Where) -> None:
    file, _, row, text = where
    org = svc.get("organization")
    item = _flat(svc)
    if isinstance(org, dict):
        org_id = data.put(data.orgs, "organisation", _flat(org), (file, None, row, f"{text} organization"))
        item["organization_id"] = org_id
    terms = _terms(svc)
    if terms:
        item["_taxonomy"] = terms
    low, high, words = _ages(svc)
    if low is not None:
        item["minimum_age"] = low
    if high is not None:
        item["maximum_age"] = high
    if words:
        item["eligibility"] = "; ".join(words)
    service_id = data.put(data.services, "service", item, where)
    if service_id is None:
        return
    links = list(svc.get("service_at_locations") or [])
    links += [{"location": loc} for loc in (svc.get("locations") or []) if isinstance(loc, dict)]
    for k, sal in enumerate(links):
        sal_where = (file, None, row, f"{text} service_at_locations[{k}]")
        if not isinstance(sal, dict):
            data.bad(sal_where, "is not an object")
            continue
        loc = sal.get("location")
        loc_id = as_text(sal.get("location_id"))
        if isinstance(loc, dict):
            loc_item = _flat(loc)
            # physical addresses only: a postal address is where letters go, not where the service is
            addresses = [a for a in (loc.get("physical_addresses") or loc.get("addresses") or [])
                         if isinstance(a, dict) and norm_key(as_text(a.get("address_type")) or "physical") != "postal"]
            loc_id = data.put(data.locations, "location", loc_item, (file, None, row, f"{sal_where[3]} location"))
            if loc_id is not None and addresses:
                data.locations[loc_id].setdefault("_addresses", addresses)
        sal_id = as_text(sal.get("id")) or (f"{service_id}@{loc_id}" if loc_id else None)
        data.put(data.sals, "service_at_location",
                 {"id": sal_id, "service_id": service_id, "location_id": loc_id}, sal_where)


# ----------------------------------------------------------------- building
def read_openreferral(
    source: str | os.PathLike,
    *,
    lookup: Any = None,
    areas: dict[str, Any] | None = None,
    existing: Any = None,
) -> ImportBatch:
    """Read an Open Referral UK folder of CSV tables or a JSON export into an :class:`ImportBatch`."""
    source = Path(source)
    if not source.exists():
        raise InputError(Problem("no such file or folder", file=str(source)))
    if source.is_dir() and not _find_tables(source) and sorted(source.glob("*.json")):
        # a folder of API pages (page1.json, page2.json...), read as one directory
        data = _Data(str(source))
        pages = sorted(source.glob("*.json"))
        for page in pages:
            _read_json(page, data)
        data.pages = len(pages)
    else:
        data = _read_folder(source) if source.is_dir() else _read_json(source)
    if not data.orgs and not data.services and not data.problems:
        what = "its organization and service tables have no rows" if source.is_dir() else "the export's list is empty"
        raise InputError(Problem(f"has no organisations or services to import ({what})", file=str(source)))
    batch = ImportBatch(str(source))
    problems = data.problems

    # places of locations: their own coordinates, else their postcode
    located: dict[str, tuple[float, float, str | None, str | None]] = {}
    used_locations = {as_text(s.get("location_id")) for s in data.sals.values()}
    used_locations |= {loc_id for loc_id, loc in data.locations.items() if as_text(loc.get("organization_id"))}
    pending = []
    not_sites: dict[str, str] = {}
    for loc_id in sorted(x for x in used_locations if x is not None and x in data.locations):
        loc = data.locations[loc_id]
        file, sheet, row, record = loc["_where"]
        kind = norm_key(as_text(loc.get("location_type")) or "physical")
        if kind in ("virtual", "postal"):
            not_sites[loc_id] = kind  # online, or an address for letters: not a place on the map
            continue
        coordinates = {}
        for name in ("latitude", "longitude"):
            try:
                coordinates[name] = as_float(loc.get(name))
            except BadValue as exc:
                data.bad(loc["_where"], f"location {loc_id!r}: {exc}", name)
        if len(coordinates) < 2:
            continue
        lat, lon = coordinates["latitude"], coordinates["longitude"]
        out_of_range = [(name, value, limit) for name, value, limit in (("latitude", lat, 90), ("longitude", lon, 180))
                        if value is not None and not -limit <= value <= limit]
        for name, value, limit in out_of_range:  # reported here, where the cell is, not at its services
            data.bad(loc["_where"], f"location {loc_id!r}: {name} {value:g} is out of range -{limit}..{limit}", name)
        if out_of_range:
            continue
        postcode = next((as_text(a.get("postal_code")) for a in loc.get("_addresses", ()) if as_text(a.get("postal_code"))),
                        as_text(loc.get("postal_code")))
        rec = {"kind": "service", "lat": lat, "lon": lon, "postcode": postcode, "_loc": loc_id, "_row": row,
               "_file": file, "_sheet": sheet, "_record": record or f"location {loc_id!r}"}
        pending.append(rec)
    if lookup is not None:
        from socialmap.interchange.postcodes import apply_postcodes

        problems += apply_postcodes(pending, lookup, area_codes=set(areas or ()))
    for rec in pending:
        loc = data.locations[rec["_loc"]]
        if rec.get("lat") is None or rec.get("lon") is None:
            if lookup is None or not rec.get("postcode"):
                data.bad(loc["_where"], f"location {rec['_loc']!r} has no latitude/longitude"
                         + (" and no postcode" if not rec.get("postcode") else "; give --postcodes to place it by its postcode"),
                         "latitude")
            continue
        located[rec["_loc"]] = (rec["lat"], rec["lon"], rec.get("postcode"), rec.get("area_code"))

    # which services stand where
    sites: dict[str, list[tuple[str, str]]] = {}
    for sal_id, sal in data.sals.items():
        svc_id, loc_id = as_text(sal.get("service_id")), as_text(sal.get("location_id"))
        bad = len(problems)
        if svc_id is None or svc_id not in data.services:
            data.bad(sal["_where"], f"service_id {svc_id!r} is not a service of this directory", "service_id")
        if loc_id is None:
            # as the UK profile's own example service gives it: {"id": ...} and nothing else
            data.bad(sal["_where"], f"service_at_location {sal_id!r} gives no location (neither a nested location "
                                    "nor a location_id), so the service has no site", "location_id")
        elif loc_id not in data.locations:
            data.bad(sal["_where"], f"location_id {loc_id!r} is not a location of this directory", "location_id")
        if len(problems) == bad and loc_id in located:
            sites.setdefault(svc_id, []).append((sal_id, loc_id))

    org_place: dict[str, tuple] = {}
    for loc_id, loc in data.locations.items():
        owner = as_text(loc.get("organization_id"))
        if owner and loc_id in located and owner not in org_place:
            org_place[owner] = located[loc_id]
    skipped_services = 0
    closed: set[str] = set()
    borrowed: set[str] = set()  # organisations placed at their first service's site
    for svc_id, svc in data.services.items():
        if norm_key(as_text(svc.get("status")) or "") in CLOSED_STATUSES:
            closed.add(svc_id)  # no longer runs: not on the map, and its references are not checked
            continue
        org_id = as_text(svc.get("organization_id"))
        if org_id is None:
            data.bad(svc["_where"], f"service {svc_id!r} has no organization_id", "organization_id")
            continue
        if org_id not in data.orgs:
            data.bad(svc["_where"], f"organization_id {org_id!r} is not an organisation of this directory",
                     "organization_id")
            continue
        if as_text(svc.get("name")) is None:
            data.bad(svc["_where"], f"service {svc_id!r} has no name", "name")
        if svc_id not in sites:
            skipped_services += 1
            continue
        if org_id not in org_place:
            org_place[org_id] = located[sites[svc_id][0][1]]
            borrowed.add(org_id)

    for org_id, org in data.orgs.items():
        name = as_text(org.get("name"))
        if name is None:
            data.bad(org["_where"], f"organisation {org_id!r} has no name", "name")
            continue
        if org_id not in org_place:
            continue
        lat, lon, postcode, area_code = org_place[org_id]
        attrs = {k: as_text(org.get(k)) for k in _ORG_ATTRS if as_text(org.get(k))}
        attrs["openreferral_id"] = org_id
        if org_id in borrowed:
            attrs["placed_by"] = "first service"
        file, sheet, row, _ = org["_where"]
        batch.add_node(Node(org_id, "organisation", name, area_code=area_code, lat=lat, lon=lon, attrs=attrs),
                       file, sheet, row)
    skipped_orgs = sum(1 for o in data.orgs if o not in org_place)

    for svc_id, here in sites.items():
        if svc_id in closed:
            continue
        svc = data.services[svc_id]
        name = as_text(svc.get("name")) or svc_id
        org_id = as_text(svc.get("organization_id"))
        if org_id not in org_place:
            continue
        for sal_id, loc_id in here:
            lat, lon, postcode, area_code = located[loc_id]
            loc = data.locations[loc_id]
            loc_name = as_text(loc.get("name"))
            label = f"{name} ({loc_name})" if len(here) > 1 and loc_name else name
            attrs = {k: as_text(svc.get(k)) for k in _SERVICE_ATTRS if as_text(svc.get(k))}
            if svc.get("eligibility"):
                attrs["eligibility"] = as_text(svc.get("eligibility"))
            if svc.get("_taxonomy"):
                attrs["taxonomy"] = "; ".join(svc["_taxonomy"])
            attrs.update({"openreferral_service_id": svc_id, "openreferral_location_id": loc_id})
            if loc_name:
                attrs["location_name"] = loc_name
            if postcode:
                attrs["postcode"] = postcode
            file, sheet, row, _ = data.sals[sal_id]["_where"]
            service_type = (svc["_taxonomy"][0].lower() if svc.get("_taxonomy")
                            else as_text(svc.get("service_type")))
            batch.add_node(Node(sal_id, "service", label, area_code=area_code, lat=lat, lon=lon, provider=org_id,
                                service_type=service_type, attrs=attrs), file, sheet, row)
    paused = [s for s in sites if s not in closed and norm_key(as_text(data.services[s].get("status")) or "")
              == "temporarily_closed"]
    if paused:
        batch.notes.append(f"{source}: {len(paused)} service(s) are temporarily closed (imported, with their status): "
                           f"{', '.join(sorted(paused)[:10])}")
    if not_sites:
        virtual = sum(1 for k in not_sites.values() if k == "virtual")
        postal = len(not_sites) - virtual
        batch.notes.append(f"{source}: {virtual} virtual and {postal} postal location(s) skipped (not places on "
                           "the map)")
    if closed:
        batch.notes.append(f"{source}: {len(closed)} service(s) whose status is inactive or defunct were skipped")
    if skipped_services:
        batch.notes.append(f"{source}: {skipped_services} service(s) with no physical location were skipped "
                           "(online or telephone only, or no service_at_location)")
    if skipped_orgs:
        batch.notes.append(f"{source}: {skipped_orgs} organisation(s) with no located service were skipped")
    batch.problems = problems
    if not batch.nodes and not problems:
        raise InputError(Problem(
            f"would import no organisation and no service: of its {len(data.services)} service(s), "
            f"{len(closed)} are inactive or defunct and {skipped_services} have no physical location "
            f"(online or telephone only, virtual or postal addresses, or no service_at_location)", file=str(source)))
    batch.updates = True  # a feed read again, or its next page, updates the records with the same ids
    return batch


# --------------------------------------------------------------------- registry
FORMATS = (
    ImportFormat(
        "openreferral", "Open Referral UK directory", "Open Referral UK tables (folder of CSVs or a JSON export)",
        ("*.json",), "socialmap.interchange.readers.openreferral:read_openreferral",
        options=(Option(("source",), metavar="DIR_OR_JSON"),),
        folder=True, placeholder="folder of Open Referral CSV tables, or a JSON export", order=20),
)
