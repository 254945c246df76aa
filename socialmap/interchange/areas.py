"""Reading areas (polygons with a code and a name) from GeoJSON, GeoPackage or shapefile.

Every importer that takes ``--areas`` uses :func:`read_areas`. The file is read
with pyogrio (GDAL), reprojected to EPSG:4326, and each feature checked:
a code that is present and unique, a polygonal geometry (an invalid one is
repaired with :func:`shapely.make_valid` when the repair still has polygonal
area, otherwise refused), and optional ``imd_decile`` / ``population_16_24``
columns that parse as whole numbers. Every problem is collected and raised
once as an :class:`~socialmap.errors.InputError` naming the file, the feature
(``feature N``: its position in the layer, counting from 1; a map layer has
features, not rows), the column and the reason (:class:`FeatureProblem`).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialmap.errors import InputError, Problem
from socialmap.model.project import Area


@dataclass(frozen=True)
class FeatureProblem(Problem):
    """A problem of one feature of a GeoJSON, GeoPackage or shapefile layer: ``row`` holds the
    feature's position (from 1), shown as ``feature N`` (file, feature N, field, reason)."""

    def __str__(self) -> str:
        where = [w for w in (self.file, f"sheet {self.sheet}" if self.sheet else None,
                             f"feature {self.row}" if self.row is not None else None, self.record,
                             f"field {self.field!r}" if self.field else None) if w]
        return (", ".join(where) + ": " if where else "") + self.reason


def as_feature_problem(problem: Problem) -> FeatureProblem:
    """``problem`` (about a feature of an areas file) shown as ``feature N`` rather than ``row N``."""
    if isinstance(problem, FeatureProblem):
        return problem
    return FeatureProblem(problem.reason, problem.file, problem.row, problem.field, problem.record, problem.sheet)

#: Column names (lower-case) taken as the area code when ``code_field`` is not given,
#: in order of preference; then any ONS-style ``<prefix><yy>cd`` column (LSOA21CD, lad19cd...).
CODE_NAMES = ("code", "area_code", "areacode", "geo_code", "geography_code")
NAME_NAMES = ("name", "area_name", "areaname", "geo_name", "geography_name")
#: Taken only when nothing above or ONS-style matches.
CODE_FALLBACK = ("id", "fid_code", "ref")
NAME_FALLBACK = ("label", "title")
IMD_NAMES = ("imd_decile", "imddecile", "imd_decil", "imd")
POPULATION_NAMES = ("population_16_24", "pop_16_24", "pop16_24", "population", "popn_16_24")
_ONS_CODE = re.compile(r"^([a-z]+)(\d{2})?cd$")
_ONS_NAME = re.compile(r"^([a-z]+)(\d{2})?nmw?$")

AREA_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")


def _pick_layer(path: Path, problems: list[Problem], wanted: str | None = None) -> str | None:
    """The polygon layer to read: the one named ``wanted`` (``--areas-layer``), else the only one,
    one called ``areas``, or the only polygon layer; otherwise a problem listing the layers."""
    import pyogrio

    layers = [(str(name), str(kind) if kind is not None else "") for name, kind in pyogrio.list_layers(path)]
    if not layers:
        problems.append(Problem("has no layers", file=str(path)))
        return None
    names = [n for n, _ in layers]
    described = ", ".join(f"{n} ({k.lower() or 'no geometry'})" for n, k in layers)
    if wanted is not None:
        kinds = dict(layers)
        if wanted not in kinds:
            by_lower = {n.lower(): n for n in names}
            if wanted.lower() not in by_lower:
                problems.append(Problem(f"has no layer {wanted!r} (given by --areas-layer); its layers are {described}",
                                        file=str(path)))
                return None
            wanted = by_lower[wanted.lower()]
        kind = kinds[wanted].lower()
        if kind and "polygon" not in kind and kind != "unknown":
            problems.append(Problem(f"layer {wanted!r} holds {kind} geometry, not polygons; its layers are "
                                    f"{described}", file=str(path)))
            return None
        return wanted
    if len(layers) == 1:
        return layers[0][0]
    if "areas" in names:
        return "areas"
    polygonal = [n for n, k in layers if "polygon" in k.lower()]
    if len(polygonal) == 1:
        return polygonal[0]
    if polygonal:
        reason = (f"has {len(polygonal)} polygon layers ({', '.join(polygonal)}) and none is called 'areas'; "
                  "choose one with --areas-layer NAME")
    else:
        reason = f"has several layers ({described}) and none holds polygons"
    problems.append(Problem(reason, file=str(path)))
    return None


def _detect(columns: list[str], given: str | None, role: str, preferred: tuple[str, ...],
            pattern: re.Pattern, fallback: tuple[str, ...], path: Path, problems: list[Problem],
            pair_with: str | None = None) -> str | None:
    """The column holding the area code or name: the one given, or one found by name."""
    option = f"--area-{role}-field"
    if given is not None:
        if given in columns:
            return given
        by_lower = {c.lower(): c for c in columns}
        if given.lower() in by_lower:
            return by_lower[given.lower()]
        problems.append(
            Problem(
                f"has no column {given!r} (given by {option}); its columns are {', '.join(columns) or 'none'}",
                file=str(path),
                field=given,
            )
        )
        return None
    lower = {c.lower(): c for c in columns}
    for name in preferred:
        if name in lower:
            return lower[name]
    matches = [c for c in columns if pattern.match(c.lower())]
    if pair_with is not None and _ONS_CODE.match(pair_with.lower()):
        # the name column that goes with the detected code column: LSOA21CD -> LSOA21NM
        stem = pair_with.lower()[:-2]
        paired = [c for c in matches if c.lower() in (stem + "nm", stem + "nmw")]
        if paired:
            return sorted(paired, key=lambda c: c.lower().endswith("nmw"))[0]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        problems.append(
            Problem(
                f"has several columns that could hold the area {role} ({', '.join(matches)}); "
                f"choose one with {option}",
                file=str(path),
            )
        )
        return None
    for name in fallback:
        if name in lower:
            return lower[name]
    return None


def _whole_number(value: Any) -> int | None | str:
    """An int from a cell, ``None`` for an empty one, or the text of a bad one."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int,)):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return int(value)
        return repr(value)
    if hasattr(value, "item"):  # numpy scalar
        return _whole_number(value.item())
    text = str(value).strip()
    if not text:
        return None
    from socialmap.interchange.cells import BadValue, parse_int

    try:  # the importers' one rule for whole numbers ("1,200" yes, "2,5" no)
        return parse_int(text)
    except BadValue:
        return text


def _code_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if hasattr(value, "item") and not isinstance(value, str):
        return _code_text(value.item())
    text = str(value).strip()
    return text or None


def repair_polygon(geom) -> tuple[Any, str | None]:
    """A valid polygonal geometry from ``geom``, and why it was refused (else None).

    Invalid geometry (self-intersections, bow-ties, wrong ring order) is passed
    through :func:`shapely.make_valid`; the repair is kept only when its
    polygonal part still has area, so a polygon collapsed to a line is refused
    rather than silently dropped.
    """
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    if geom is None or geom.is_empty:
        return None, "has no geometry"
    geom = shapely.force_2d(geom)
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        if not parts:
            return None, "geometry has no polygon in it"
        geom = shapely.union_all(parts)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None, f"geometry is a {geom.geom_type}, not a polygon"
    if geom.is_valid:
        return geom, None
    reason = shapely.is_valid_reason(geom)
    fixed = shapely.make_valid(geom)
    if fixed.geom_type == "GeometryCollection":
        parts = [g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(parts) if parts else Polygon()
    if fixed.geom_type not in ("Polygon", "MultiPolygon") or fixed.is_empty or fixed.area <= 0 or not fixed.is_valid:
        return None, f"geometry is not valid ({reason}) and cannot be repaired into a polygon with area"
    if fixed.geom_type == "MultiPolygon" and len(fixed.geoms) == 1:
        fixed = fixed.geoms[0]
    if not isinstance(fixed, (Polygon, MultiPolygon)):
        return None, f"geometry is not valid ({reason})"
    return fixed, None


def read_areas(
    path: str | os.PathLike,
    code_field: str | None = None,
    name_field: str | None = None,
    *,
    layer: str | None = None,
    warnings: list[str] | None = None,
) -> list[Area]:
    """Read areas from a GeoJSON, GeoPackage or shapefile, in EPSG:4326.

    Parameters
    ----------
    path
        The areas file (``.geojson``/``.json``, ``.gpkg``, ``.shp`` or a zipped shapefile).
        A GeoPackage with several layers must have one called ``areas`` or only one
        polygon layer, unless ``layer`` names the one to read.
    code_field, name_field
        Columns holding the area code and name. When not given they are found by
        name: ``code``/``area_code``... or an ONS-style ``LSOA21CD``/``lad19cd``
        column, and the ``...NM`` column that goes with it (or ``name``). Without
        a name column the code is used as the name.
    layer
        The layer to read (``--areas-layer``), for a GeoPackage with several polygon layers.
    warnings
        When given, notes about repaired geometry or an assumed CRS are appended.

    Returns
    -------
    The areas, in file order.

    Raises
    ------
    InputError
        Listing every problem: an unreadable file, a missing column, a missing or
        duplicate code, a geometry that is not (and cannot be repaired into) a
        polygon, a bad ``imd_decile`` or ``population_16_24``.
    """
    path = Path(path)
    problems: list[Problem] = []
    where = str(path)
    if not path.exists():
        raise InputError(Problem("no such areas file", file=where))
    if path.is_dir():
        raise InputError(Problem("is a folder, not an areas file (GeoJSON, GeoPackage or shapefile)", file=where))
    if path.stat().st_size == 0:
        raise InputError(Problem("is empty", file=where))

    import pyogrio

    try:
        layer = _pick_layer(path, problems, layer)
        if problems:
            raise InputError(problems)
        frame = pyogrio.read_dataframe(path, layer=layer)
    except InputError:
        raise
    except Exception as exc:  # GDAL reports unreadable files in many ways
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        message = message.split("; It might help")[0].replace(f"'{path}' ", "").rstrip(".")
        raise InputError(
            Problem(
                f"cannot be read as GeoJSON, GeoPackage or shapefile ({message})",
                file=where,
            )
        ) from None
    if "geometry" not in frame.columns or getattr(frame, "geometry", None) is None:
        raise InputError(Problem("has no geometry column: it is not a map layer", file=where))
    if len(frame) == 0:
        raise InputError(Problem("has no areas in it", file=where))

    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            if warnings is not None:
                warnings.append(f"{where}: no coordinate reference system given; taken as longitude/latitude (EPSG:4326)")
        else:
            raise InputError(
                Problem(
                    "has no coordinate reference system (for a shapefile, the .prj file is missing) "
                    "and its coordinates are not longitude/latitude",
                    file=where,
                )
            )
    elif frame.crs.to_epsg() != 4326:
        try:
            frame = frame.to_crs(4326)
        except Exception as exc:  # pyproj raises several error types
            raise InputError(Problem(f"cannot be reprojected to EPSG:4326 ({exc})", file=where)) from None

    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    code_col = _detect(columns, code_field, "code", CODE_NAMES, _ONS_CODE, CODE_FALLBACK, path, problems)
    if code_col is None and code_field is None and not problems:
        problems.append(
            Problem(
                f"has no column recognisable as the area code (its columns are {', '.join(columns) or 'none'}); "
                "choose one with --area-code-field",
                file=where,
            )
        )
    name_col = _detect(columns, name_field, "name", NAME_NAMES, _ONS_NAME, NAME_FALLBACK, path, problems, pair_with=code_col)
    if problems:
        raise InputError(problems)
    lower = {c.lower(): c for c in columns}
    imd_col = next((lower[n] for n in IMD_NAMES if n in lower and lower[n] not in (code_col, name_col)), None)
    pop_col = next((lower[n] for n in POPULATION_NAMES if n in lower and lower[n] not in (code_col, name_col)), None)

    codes = frame[code_col].tolist()
    names = frame[name_col].tolist() if name_col else [None] * len(frame)
    imds = frame[imd_col].tolist() if imd_col else [None] * len(frame)
    pops = frame[pop_col].tolist() if pop_col else [None] * len(frame)
    geoms = frame.geometry.tolist()
    areas: list[Area] = []
    first_row: dict[str, int] = {}
    repaired: list[str] = []
    for i, (code_v, name_v, imd_v, pop_v, geom) in enumerate(zip(codes, names, imds, pops, geoms, strict=True)):
        row = i + 1
        bad = len(problems)
        code = _code_text(code_v)
        rec = f"area {code!r}" if code else None
        if code is None:
            problems.append(FeatureProblem("the area code is empty", file=where, row=row, field=code_col))
        elif code in first_row:
            problems.append(
                FeatureProblem(f"duplicate area code (first at feature {first_row[code]})", file=where, row=row,
                        field=code_col, record=rec)
            )
        else:
            first_row[code] = row
        fixed, why = repair_polygon(geom)
        if why is not None:
            problems.append(FeatureProblem(why, file=where, row=row, field="geometry", record=rec))
        elif fixed is not geom and geom is not None and not geom.equals(fixed) and not geom.is_valid:
            repaired.append(code or f"feature {row}")
        if fixed is not None:
            minx, miny, maxx, maxy = fixed.bounds
            if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
                problems.append(
                    FeatureProblem("coordinates are not longitude/latitude after reprojection; check the file's CRS",
                            file=where, row=row, field="geometry", record=rec)
                )
        imd = _whole_number(imd_v)
        if isinstance(imd, str):
            problems.append(FeatureProblem(f"{imd!r} is not a whole number", file=where, row=row, field=imd_col, record=rec))
        elif imd is not None and not 1 <= imd <= 10:
            problems.append(FeatureProblem(f"IMD decile {imd} is not 1..10", file=where, row=row, field=imd_col, record=rec))
        pop = _whole_number(pop_v)
        if isinstance(pop, str):
            problems.append(FeatureProblem(f"{pop!r} is not a whole number", file=where, row=row, field=pop_col, record=rec))
        elif pop is not None and pop < 0:
            problems.append(FeatureProblem(f"{pop} is negative", file=where, row=row, field=pop_col, record=rec))
        if len(problems) == bad:
            name = _code_text(name_v) if name_col else None
            areas.append(Area(code, name if name is not None else code, fixed,
                              imd if isinstance(imd, int) else None,
                              pop if isinstance(pop, int) else None))
    if problems:
        raise InputError(problems)
    if repaired and warnings is not None:
        shown = ", ".join(repaired[:5]) + (f" and {len(repaired) - 5} more" if len(repaired) > 5 else "")
        warnings.append(f"{where}: repaired invalid geometry of {len(repaired)} area(s) ({shown}) with make_valid")
    return areas
