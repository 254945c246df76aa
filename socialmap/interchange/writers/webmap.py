"""A standalone HTML web map: one file that opens offline, e.g. from an email attachment.

Everything is inside the page: Leaflet's JavaScript and CSS (from the
``xstatic-leaflet`` package, its images as ``data:`` URIs), the script that
draws the map, and the data as one JSON document in a
``<script type="application/json">`` element in which every ``<`` is written
``\\u003c``, so no data text can close the element or open a tag. The script
reads it with ``JSON.parse`` and puts every text into the page with
``textContent``, never as HTML: an imported label such as
``<img src=x onerror=alert(1)>`` shows as those characters and never runs.
No tile server or other remote resource is used.

Young people appear only as counts per area, with counts of 1..4 shown as
``<5`` (SPEC section 8), unless ``include_people`` is given: then each is a
dot at their placed point (a deterministic point inside their home area)
labelled with their pseudonym; their ids are never written.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any

from socialmap.interchange.registry import ExportFormat
from socialmap.model.project import Project

#: Area measures offered for the choropleth (numbers only; counts are shown in popups).
MAP_MEASURES = {
    "neet_isolation_rate": "Share of NEET young people who are isolated",
    "mean_bridging": "Mean bridging ties per young person",
    "mean_linking": "Mean linking ties per young person",
    "ei_index": "E-I index (ties leaving the area)",
    "eet_connectedness": "EET connectedness of NEET young people",
    "nearest_service_km": "Distance to the nearest service (km)",
    "neet_opportunity_share": "Share of NEET young people with an opportunity within two hops",
}
POPUP_FIELDS = {
    "young_people": "Young people",
    "neet": "NEET",
    "isolated": "Isolated",
    "neet_isolated": "NEET and isolated",
    "neet_isolation_rate": "NEET isolation rate",
    "mean_bridging": "Mean bridging ties",
    "mean_linking": "Mean linking ties",
    "services_in_area": "Services in area",
    "nearest_service_km": "Nearest service (km)",
    "gi_class": "Hotspot class (Gi*)",
}


def _leaflet() -> tuple[str, str]:
    import xstatic.pkg.leaflet as leaflet

    base = Path(leaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        image = base / match.group(1)
        if not image.exists():
            return "none"
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[^)]+)\)", inline, css)
    # The attribution prefix links to leafletjs.com; the map turns it off, and the link is taken out
    # of the inlined library too so that the page names no remote address at all.
    js = js.replace('href="https://leafletjs.com"', 'href="#"')
    return js.replace("</", "<\\/"), css.replace("</", "<\\/")


def _num(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    try:
        import pandas as pd

        if value is pd.NA:
            return None
    except ImportError:  # pragma: no cover
        pass
    return value


def _round_coords(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(c), 6) for c in coords]
        return [_round_coords(c) for c in coords]
    return coords


def basemap_data(project: Project, project_path: str | os.PathLike | None = None) -> dict[str, Any] | None:
    """The project's basemap for the page (``basemap`` setting, :mod:`socialmap.mapview.basemap`), or
    None when it has none or its file cannot be read: the tiles covering the areas (with a 10%
    margin) as ``data:`` URIs keyed ``"z/x/y"``, from the zoom at which the extent is one tile
    down to the closest level that keeps them within the size cap, which the note then states."""
    from socialmap.mapview import basemap as bm

    archive = bm.project_basemap(project, project_path)
    if archive is None or not project.areas:
        return None
    try:
        import shapely

        bounds = tuple(shapely.total_bounds([a.geometry for a in project.areas.values()]).tolist())
        taken = bm.tiles_for_extent(archive, bounds)
    finally:
        archive.close()
    if not taken.tiles:
        return None
    mime = taken.info.mime_type
    return {
        "tiles": {f"{z}/{x}/{y}": f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
                  for (z, x, y), data in taken.tiles.items()},
        "minzoom": taken.min_zoom, "maxzoom": taken.max_zoom,
        "attribution": taken.info.attribution, "name": taken.info.name, "note": taken.note,
    }


def reference_data(project: Project, project_path: str | os.PathLike | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The project's shown reference layers for the page (:func:`socialmap.mapview.reference.for_export`:
    lines and polygon boundaries, never points): each ``{"name", "colour", "lines"}``, the lines
    as ``[lat, lon]`` pairs to six decimals (about 0.1 m), and the notes of what was left out."""
    import numpy as np

    from socialmap.mapview.reference import for_export

    layers, notes = for_export(project, project_path)
    return [{"name": layer.name, "colour": layer.colour,
             "lines": [np.round(line[:, ::-1], 6).tolist() for line in layer.lines]} for layer in layers], notes


def map_data(project: Project, *, include_people: bool = False, title: str | None = None,
             project_path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The JSON document the page draws (no young person's id; labels only with ``include_people``)."""
    from shapely.geometry import mapping

    from socialmap.interchange.layers import public_areas

    areas = public_areas(project)
    features = []
    columns = [c for c in set(MAP_MEASURES) | set(POPUP_FIELDS) if c in areas.columns]
    for code in areas.index.tolist():
        row = areas.loc[code]
        props = {"code": code, "name": project.areas[code].name}
        props.update({c: _num(row[c]) for c in columns})
        geometry = mapping(project.areas[code].geometry)
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": geometry["type"], "coordinates": _round_coords(geometry["coordinates"])}})
    labels = {n.id: n.label for n in project.nodes.values() if n.kind == "organisation"}
    organisations = [
        {"label": n.label, "lat": n.lat, "lon": n.lon, "org_type": n.org_type, "anchor": bool(n.is_anchor)}
        for n in project.nodes.values() if n.kind == "organisation" and n.lat is not None]
    services = [
        {"label": n.label, "lat": n.lat, "lon": n.lon, "service_type": n.service_type,
         "provider": labels.get(n.provider)}
        for n in project.nodes.values() if n.kind == "service" and n.lat is not None]
    people = []
    if include_people:
        people = [{"label": n.label, "lat": round(n.lat, 6), "lon": round(n.lon, 6), "neet": bool(n.neet)}
                  for n in project.nodes.values() if n.kind == "young_person" and n.lat is not None]
    reference, reference_notes = reference_data(project, project_path)
    return {
        "basemap": basemap_data(project, project_path),
        "reference": reference,
        "reference_notes": reference_notes,
        "title": title or "SocialMap web map",
        "made": dt.date.today().isoformat(),
        "measures": MAP_MEASURES,
        "popup_fields": POPUP_FIELDS,
        "areas": {"type": "FeatureCollection", "features": features},
        "organisations": organisations,
        "services": services,
        "people": people,
        "people_shown": include_people,
    }


def safe_json(document: Any) -> str:
    """JSON for inside a ``<script>`` element: every ``<``, ``>`` and ``&`` as a ``\\u`` escape."""
    text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("socialmap-data").textContent);
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function show(v) {
    if (v === null || v === undefined) { return "not available"; }
    if (v === true) { return "yes"; }
    if (v === false) { return "no"; }
    if (typeof v === "number") { return (Math.round(v * 100) / 100).toString(); }
    return String(v);
  }
  document.getElementById("title").textContent = data.title;
  var map = L.map("map", {preferCanvas: true, zoomSnap: 0.25});
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("SocialMap export " + data.made.replace(/[^0-9-]/g, ""));
  if (data.basemap) {  // the project's basemap: its tiles are in the page, as data: URIs
    var blank = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
    var Embedded = L.TileLayer.extend({getTileUrl: function (c) {
      return data.basemap.tiles[this._getZoomForUrl() + "/" + c.x + "/" + c.y] || blank;
    }});
    var credit = el("span", data.basemap.attribution || data.basemap.name);
    new Embedded("", {minNativeZoom: data.basemap.minzoom, maxNativeZoom: data.basemap.maxzoom, maxZoom: 20,
                      attribution: credit.outerHTML}).addTo(map);
  }
  var palette = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  var measure = Object.keys(data.measures)[0];
  function breaks(name) {
    var vals = data.areas.features.map(function (f) { return f.properties[name]; })
      .filter(function (v) { return typeof v === "number"; }).sort(function (a, b) { return a - b; });
    if (!vals.length) { return []; }
    var lo = vals[0], hi = vals[vals.length - 1];
    if (hi <= lo) { return [lo]; }
    var out = [];  // equal intervals between the lowest and highest value
    for (var i = 1; i < palette.length; i++) { out.push(lo + (hi - lo) * i / palette.length); }
    return out;
  }
  var cuts = breaks(measure);
  function colour(v) {
    if (typeof v !== "number") { return "#d9d9d9"; }
    var k = 0;
    while (k < cuts.length && v > cuts[k]) { k++; }
    return palette[k];
  }
  function areaStyle(f) {
    var hot = f.properties.hotspot === true;
    return {fillColor: colour(f.properties[measure]), fillOpacity: data.basemap ? 0.5 : 0.75, color: hot ? "#b10026" : "#555",
            weight: hot ? 3 : 1};
  }
  function areaPopup(f) {
    var box = el("div");
    box.appendChild(el("strong", f.properties.name));
    box.appendChild(el("div", f.properties.code, "code"));
    var table = el("table");
    Object.keys(data.popup_fields).forEach(function (k) {
      if (!(k in f.properties)) { return; }
      var tr = el("tr");
      tr.appendChild(el("th", data.popup_fields[k]));
      tr.appendChild(el("td", show(f.properties[k])));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }
  var areas = L.geoJSON(data.areas, {style: areaStyle, onEachFeature: function (f, layer) {
    layer.bindPopup(function () { return areaPopup(f); });
  }}).addTo(map);
  if (areas.getBounds().isValid()) { map.fitBounds(areas.getBounds()); } else { map.setView([54, -2], 6); }
  // the reference layers (roads, ward boundaries) over the areas and under the points, as in the
  // window (drawn in the order added, once the map has its view); a name is data: shown in the
  // layer list as text, never as markup
  var references = [];
  data.reference.forEach(function (r) {
    references.push([r.name, L.polyline(r.lines, {color: r.colour, weight: 1.5, opacity: 0.85,
                                                  interactive: false}).addTo(map)]);
  });
  function pointPopup(p, kind) {
    var box = el("div");
    box.appendChild(el("strong", p.label));
    box.appendChild(el("div", kind));
    if (p.provider) { box.appendChild(el("div", "Provided by " + p.provider)); }
    if (p.service_type) { box.appendChild(el("div", p.service_type)); }
    if (p.org_type) { box.appendChild(el("div", p.org_type.replace(/_/g, " "))); }
    return box;
  }
  var orgs = L.layerGroup(data.organisations.map(function (p) {
    return L.circleMarker([p.lat, p.lon], {radius: p.anchor ? 8 : 6, color: "#08306b", weight: 2,
      fillColor: p.anchor ? "#2171b5" : "#6baed6", fillOpacity: 0.9})
      .bindPopup(function () { return pointPopup(p, p.anchor ? "Anchor organisation" : "Organisation"); });
  })).addTo(map);
  var services = L.layerGroup(data.services.map(function (p) {
    return L.circleMarker([p.lat, p.lon], {radius: 5, color: "#00441b", weight: 2, fillColor: "#41ab5d",
      fillOpacity: 0.9}).bindPopup(function () { return pointPopup(p, "Service"); });
  })).addTo(map);
  var overlays = {"Organisations": orgs, "Services": services};
  references.forEach(function (r, i) {
    var name = el("span", r[0]).outerHTML;
    while (name in overlays) { name = name + " "; }  // two layers of one name: both listed
    overlays[name] = r[1];
  });
  if (data.people_shown) {
    var people = L.layerGroup(data.people.map(function (p) {
      return L.circleMarker([p.lat, p.lon], {radius: 3, weight: 1, color: p.neet ? "#a50f15" : "#525252",
        fillOpacity: 0.8}).bindTooltip(function () { return el("span", p.label); });
    }));
    overlays["Young people (pseudonyms, placed inside home area)"] = people;
  }
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);

  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var box = el("div", null, "legend");
    var select = el("select");
    Object.keys(data.measures).forEach(function (k) {
      var o = el("option", data.measures[k]);
      o.value = k;
      select.appendChild(o);
    });
    select.addEventListener("change", function () {
      measure = select.value; cuts = breaks(measure); areas.setStyle(areaStyle); draw();
    });
    L.DomEvent.disableClickPropagation(box);
    box.appendChild(select);
    var keys = el("div");
    box.appendChild(keys);
    function draw() {
      keys.textContent = "";
      var lo = null;
      palette.forEach(function (c, i) {
        if (i > cuts.length) { return; }
        var row = el("div");
        var sw = el("span", null, "swatch");
        sw.style.background = c;
        row.appendChild(sw);
        var hi = i < cuts.length ? cuts[i] : null;
        row.appendChild(el("span", (lo === null ? "up to " : show(lo) + " to ") + (hi === null ? "above" : show(hi))));
        keys.appendChild(row);
        lo = hi;
      });
      var row = el("div"); var sw = el("span", null, "swatch"); sw.style.background = "#d9d9d9";
      row.appendChild(sw); row.appendChild(el("span", "no value, or withheld")); keys.appendChild(row);
      var hot = el("div"); var hs = el("span", null, "swatch hot"); hot.appendChild(hs);
      hot.appendChild(el("span", "hotspot (Gi* hot spot, 95% confidence or more)")); keys.appendChild(hot);
    }
    draw();
    box.appendChild(el("p", "Counts of 1 to 4 young people are shown as <5; figures that would give them back are withheld.", "note"));
    if (data.basemap && data.basemap.note) { box.appendChild(el("p", data.basemap.note, "note")); }
    data.reference_notes.forEach(function (note) { box.appendChild(el("p", note, "note")); });
    return box;
  };
  legend.addTo(map);
})();
"""

_STYLE = """
html, body { height: 100%; margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
header { padding: 6px 12px; background: #08306b; color: #fff; font-size: 16px; }
#map { position: absolute; top: 34px; bottom: 0; left: 0; right: 0; background: #f7f7f7; }
.legend { background: #fff; padding: 8px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); font-size: 12px; max-width: 260px; }
.legend select { max-width: 240px; margin-bottom: 6px; }
.swatch { display: inline-block; width: 14px; height: 12px; margin-right: 6px; border: 1px solid #777; vertical-align: middle; }
.swatch.hot { border: 3px solid #b10026; width: 10px; height: 8px; }
.note { margin: 6px 0 0; color: #555; }
.code { color: #666; font-size: 11px; margin-bottom: 4px; }
.leaflet-popup-content table { border-collapse: collapse; }
.leaflet-popup-content th { text-align: left; font-weight: normal; color: #444; padding-right: 8px; }
"""


def build_webmap(project: Project, *, include_people: bool = False, title: str | None = None,
                 project_path: str | os.PathLike | None = None) -> str:
    """The whole page as text (``project_path``: the project's file, where a basemap's relative path starts)."""
    js, css = _leaflet()
    data = map_data(project, include_people=include_people, title=title, project_path=project_path)
    page_title = html.escape(data["title"])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{page_title}</title>\n<style>{css}</style>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        "<header id=\"title\"></header>\n<div id=\"map\"></div>\n"
        f"<script type=\"application/json\" id=\"socialmap-data\">{safe_json(data)}</script>\n"
        f"<script>{js}</script>\n<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )


def write_webmap(project: Project, path: str | os.PathLike, *, include_people: bool = False,
                 title: str | None = None) -> Path:
    """Write the standalone page to ``path``. Returns the path."""
    path = Path(path)
    path.write_text(build_webmap(project, include_people=include_people, title=title), encoding="utf-8")
    return path


def export_html(project: Project, out: Path, *, include_people: bool = False, source: str | None = None,
                **_: Any) -> list[Path]:
    """``socialmap export html``: the standalone web map, written atomically."""
    from socialmap.interchange.exporting import atomic_file

    title = f"SocialMap: {Path(source).stem}" if source else None
    atomic_file(out, lambda p: write_webmap(project, p, include_people=include_people, title=title))
    return [out]


FORMATS = (
    ExportFormat("html", "Standalone web map (HTML)…", "a standalone web map (one HTML file)",
                 "socialmap.interchange.writers.webmap:export_html", patterns=("*.html",), suffix=".html",
                 order=50),
)
