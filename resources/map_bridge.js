/* SocialMap map page bridge.
 *
 * Python builds the page once (socialmap.mapview.build_page) and afterwards
 * only calls the functions of window.SM. Every string from data is shown with
 * textContent, never as HTML.
 *
 * What is drawn, and how (a city of 100,000 young people has 125,000 drawn nodes and
 * 391,000 ties; half a million Leaflet objects took seconds to draw, select or zoom):
 *
 * - The data live in columns (typed arrays, SM.nodes and SM.tieData), decoded from the
 *   base64 columns of socialmap.mapview.binary and projected once to Web Mercator
 *   (unit square). Edits change rows in place or append them.
 * - Each layer is an object on its own canvas (CanvasLayer, a Leaflet renderer, so it
 *   pans and zooms with the map): SM.layers.ties, SM.layers.density, SM.layers.nodes,
 *   SM.layers.selection. A layer paints only what is in view (viewport culling) and
 *   only what can be read (level of detail): young people as dots when at most
 *   YP_DOTS_MAX are in view, otherwise as a circle per area sized by its count of young
 *   people (counts 1-4 read "<5", SPEC 8); ties when at most TIES_MAX are in view.
 *   The selection's own ties and dot are always drawn, on the selection layer: selecting
 *   repaints that layer only; fading the other ties is the tie canvas's CSS opacity.
 * - Areas are drawn by a layer of the same kind (SM.layers.areas, under the others): rings
 *   projected once per project, one fill per colour and one stroke per outline style, hit-tested
 *   by the page (click, hover). Reach lines stay Leaflet vectors (SM.renderer).
 * - A later layer (basemap, labels) is one more CanvasLayer or Leaflet layer in SM.layers.
 *
 * Python -> page: SM.loadPart, SM.upsertNode, SM.removeNode, SM.upsertTies, SM.removeTies, SM.batch,
 *   SM.select, SM.setAreaStyle, SM.setOutlines, SM.setReach, SM.setVisible, SM.setMode,
 *   SM.setTies, SM.hideTiesOf, SM.updateArea, SM.fit.
 * Page -> Python (QWebChannel object "bridge"): jsFeatureClicked(kind, id),
 *   jsMapClicked(lat, lon), jsLayersDrawn(countsJson), jsPageReady().
 */
(function () {
  "use strict";

  var KINDS = ["young_person", "service", "organisation"];  // kind codes 0, 1, 2
  var CLASSES = ["bonding", "bridging", "linking", "institutional", "unclassified"];
  var REMOVED_TIE = 255;
  var F_NEET = 1, F_ANCHOR = 2, F_REMOVED = 4, F_GONE = 8;  // node flags
  //: Level of detail: most young people drawn as dots in view, most ties drawn in view.
  var YP_DOTS_MAX = 6000;
  var TIES_MAX = 5000;
  //: More places than this in view: drawn smaller, without a border.
  var PLACES_FULL_MAX = 250;
  //: More than this in view: drawn as specks.
  var PLACES_MANY = 1500;
  //: Rows or ties an edit added or moved that are kept beside the grid (or the adjacency)
  //: before it is built again.
  var LOOSE_MAX = 4000;
  //: A tie longer than three times this (px), or with one end off the canvas, is drawn as a
  //: stub this long from each end on the canvas towards the other (partial edge drawing:
  //: Bruckdorfer and Kaufmann, "Mad at edge crossings? Break the edges!", FUN 2012): drawn
  //: full length, the ties of the people in a street crossed the whole view as a carpet of
  //: lines, and cost most of the paint. The selection's own are drawn in full.
  var STUB_PX = 40;
  //: Where single ties are too many to draw: at most this many lines between areas.
  var FLOWS_MAX = 600;

  var NODE_STYLE = {
    young_person: { radius: 3.5, color: "#ffffff", weight: 0.8, fillColor: "#e6550d", fillOpacity: 1.0 },
    service: { radius: 6.5, color: "#ffffff", weight: 1.5, fillColor: "#238b45", fillOpacity: 1.0 },
    organisation: { radius: 7.5, color: "#ffffff", weight: 1.5, fillColor: "#3f2c8c", fillOpacity: 1.0 },
  };
  var NEET_COLOUR = "#a63603";
  var TIE_COLOUR = {
    bonding: "#7b7b7b",
    bridging: "#e7298a",
    linking: "#1f78b4",
    institutional: "#222222",
    unclassified: "#bdbdbd",
  };
  // Light enough that 1,800 ties over a town leave the areas, places and people readable;
  // the selected person's or place's own ties are drawn strong on top (selection layer).
  var TIE_OPACITY = { bonding: 0.25, bridging: 0.45, linking: 0.22, institutional: 0.3, unclassified: 0.2 };
  var TIE_WEIGHT = { bonding: 0.9, bridging: 1.2, linking: 0.9, institutional: 0.9, unclassified: 0.8 };
  //: While a person or place is selected, the other ties fade to this share of their opacity.
  var FADE = 0.4;
  var FIELD_NAMES = {
    area_code: "Home area", age: "Age", neet: "NEET", activity: "Activity", org_type: "Type", sector: "Sector",
    is_anchor: "Anchor institution", years_in_area: "Years in area", provider: "Provider",
    service_type: "Service type", commissioner: "Commissioner", contract_end: "Contract ends",
    imd_decile: "IMD decile", population_16_24: "Population 16-24", value: "Value",
  };
  var KIND_NAMES = { area: "Area", young_person: "Young person", service: "Service", organisation: "Organisation" };

  var SM = {
    map: null, renderer: null, bridge: null, layers: {},
    areaList: [], areaIndex: {}, areaStyle: {}, outlines: {}, reachAreas: {},
    areaCodes: [], areaRow: {}, areaCount: new Int32Array(0), areaCentre: null, areaSize: null,
    nodes: null, tieData: null, adj: null,
    tieVisible: {}, selection: null, reachLayer: null, hiddenNodes: null,
    legend: null, mode: "none", tooltip: null, popup: null, drawnAt: null, focused: 0, extraLayers: [],
    stats: { paints: 0, paintMs: 0, longestPaintMs: 0, byLayer: {}, adjacencies: 0 },
    index: null, looseTies: [], countCache: null, flowData: null, viewCache: null, nodeVersion: 0, panSkips: 0,
  };
  window.SM = SM;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function describe(props, detailed) {
    var box = el("div", null, "sm-pop");
    box.appendChild(el("b", props.label));
    box.appendChild(el("div", KIND_NAMES[props.kind] || props.kind, "sm-kind"));
    if (detailed) {
      var table = el("table");
      Object.keys(props).forEach(function (k) {
        if (k === "kind" || k === "id" || k === "label" || k === "centre") return;
        var v = props[k];
        if (v === null || v === undefined || v === "") return;
        if (v === true) v = "yes";
        if (v === false) v = "no";
        var names = SM.valueNames && SM.valueNames[k];  // a code as its label (socialmap.model.labels)
        if (names && Object.prototype.hasOwnProperty.call(names, v)) v = names[v];
        var tr = el("tr");
        tr.appendChild(el("th", FIELD_NAMES[k] || k));
        tr.appendChild(el("td", v));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    return box;
  }

  function send(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (SM.bridge && SM.bridge[name]) SM.bridge[name].apply(SM.bridge, args);
  }

  /* ------------------------------------------------------------------ columns */

  function decode(text, Type) {
    var bin = atob(text);
    var n = bin.length;
    var bytes = new Uint8Array(n);
    for (var i = 0; i < n; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  function grow(arr, cap) {
    var out = new arr.constructor(cap);
    out.set(arr.subarray(0, Math.min(arr.length, cap)));
    return out;
  }

  // Web Mercator of Leaflet's EPSG3857, in the unit square: layer px = world * crs.scale(zoom) - origin.
  function worldX(lon) { return (lon + 180) / 360; }
  function worldY(lat) {
    var s = Math.sin(lat * Math.PI / 180);
    s = Math.max(Math.min(s, 0.9999999), -0.9999999);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }

  function emptyNodes() {
    return { n: 0, ids: [], labels: [], row: new Map(), kind: new Uint8Array(0), flags: new Uint8Array(0),
             age: new Uint8Array(0), area: new Int32Array(0), lat: new Float64Array(0), lon: new Float64Array(0),
             wx: new Float64Array(0), wy: new Float64Array(0), props: {} };
  }

  function emptyTies() {
    return { n: 0, a: new Uint32Array(0), b: new Uint32Array(0), cls: new Uint8Array(0) };
  }

  function ensureNodeCapacity(cap) {
    var d = SM.nodes;
    if (d.kind.length >= cap) return;
    cap = Math.max(cap, 2 * d.kind.length, 64);
    ["kind", "flags", "age", "area", "lat", "lon", "wx", "wy"].forEach(function (k) { d[k] = grow(d[k], cap); });
  }

  function ensureTieCapacity(cap) {
    var t = SM.tieData;
    if (t.cls.length >= cap) return;
    cap = Math.max(cap, 2 * t.cls.length, 64);
    ["a", "b", "cls"].forEach(function (k) { t[k] = grow(t[k], cap); });
  }

  function setNodeBlock(block) {
    var d = emptyNodes();
    var n = block.n;
    d.n = n; d.ids = block.ids; d.labels = block.labels;
    d.kind = decode(block.kind, Uint8Array); d.flags = decode(block.flags, Uint8Array);
    d.age = decode(block.age, Uint8Array); d.area = decode(block.area, Int32Array);
    var lat32 = decode(block.lat, Float32Array), lon32 = decode(block.lon, Float32Array);
    d.lat = new Float64Array(n); d.lon = new Float64Array(n); d.wx = new Float64Array(n); d.wy = new Float64Array(n);
    for (var i = 0; i < n; i++) {
      d.lat[i] = lat32[i]; d.lon[i] = lon32[i];
      d.wx[i] = worldX(lon32[i]); d.wy[i] = worldY(lat32[i]);
      d.row.set(d.ids[i], i);
    }
    block.places.forEach(function (p) { d.props[p[0]] = p[1]; });
    SM.nodes = d;
    nodesReplaced();
    recountAreas();
  }

  /* Every node is new: the grid, the adjacency, the counts and the flows are made again. */
  function nodesReplaced() {
    SM.index = null; SM.nodeVersion += 1;
    tiesReplaced();
  }

  function setTieBlock(block) {
    var t = emptyTies(), old = SM.tieData;
    t.n = block.n;
    t.a = decode(block.a, Uint32Array); t.b = decode(block.b, Uint32Array); t.cls = decode(block.cls, Uint8Array);
    SM.tieData = t;
    if (SM.adj && sameEnds(old, t)) {
      // an analysis's classes for the ties drawn already, row for row: the adjacency (made
      // when first needed, 20 ms at 100,000 young people, inside the first edit after an
      // analysis) and the loose ties hold for the new rows as they are
      SM.countCache = null; SM.flowData = null;
    } else {
      tiesReplaced();
    }
  }

  /* Whether tie data ``a`` and ``b`` have the same ends in the same rows. */
  function sameEnds(a, b) {
    if (!a || !b || a.n !== b.n) return false;
    for (var i = 0; i < a.n; i++) if (a.a[i] !== b.a[i] || a.b[i] !== b.b[i]) return false;
    return true;
  }

  function tiesFromRecords(records) {
    var t = emptyTies(), rows = SM.nodes.row, seen = new Map(), n = SM.nodes.n + 1;
    SM.tieData = t;
    tiesReplaced();
    ensureTieCapacity(records.length);
    records.forEach(function (r) {
      var ends = r.key.split("|");
      var a = rows.get(ends[0]), b = rows.get(ends[1]);
      if (a === undefined || b === undefined) return;
      var key = Math.min(a, b) * n + Math.max(a, b), at = seen.get(key);
      if (at === undefined) { at = t.n++; seen.set(key, at); t.a[at] = a; t.b[at] = b; }
      t.cls[at] = CLASSES.indexOf(r.cls);
    });
  }

  /* Every tie is new: the adjacency, the counts and the flows between areas are made again
   * when next needed. */
  function tiesReplaced() {
    SM.adj = null; SM.looseTies = []; SM.countCache = null; SM.flowData = null;
  }

  /* Add or reclassify ties from records {key: "a|b", cls}; returns how many changed. */
  function addTieRecords(records) {
    var t = SM.tieData, rows = SM.nodes.row, changes = 0;
    records.forEach(function (r) {
      var ends = r.key.split("|");
      var a = rows.get(ends[0]), b = rows.get(ends[1]);
      if (a === undefined || b === undefined) return;
      var at = findTie(a, b), cls = CLASSES.indexOf(r.cls);
      if (at >= 0) {
        if (t.cls[at] === cls) return;
        account(at, -1); t.cls[at] = cls; account(at, 1); changes++;
        return;
      }
      ensureTieCapacity(t.n + 1);  // doubles
      t.a[t.n] = a; t.b[t.n] = b; t.cls[t.n] = cls;
      SM.looseTies.push(t.n);  // not in the adjacency: found through this list until it is rebuilt
      account(t.n, 1);
      t.n += 1; changes++;
    });
    if (SM.looseTies.length > LOOSE_MAX) SM.adj = null;
    return changes;
  }

  /* Node row -> its tie rows, as CSR arrays over the ties there were when it was built (built
   * when first needed after the ties were replaced). Ties appended since are SM.looseTies,
   * rows appended since have none in it. */
  function adjacency() {
    if (SM.adj) return SM.adj;
    SM.stats.adjacencies += 1;
    var t = SM.tieData, n = SM.nodes.n;
    var start = new Int32Array(n + 1);
    for (var i = 0; i < t.n; i++) { start[t.a[i] + 1]++; start[t.b[i] + 1]++; }
    for (var j = 0; j < n; j++) start[j + 1] += start[j];
    var fill = start.slice(0, n), list = new Int32Array(2 * t.n);
    for (i = 0; i < t.n; i++) { list[fill[t.a[i]]++] = i; list[fill[t.b[i]]++] = i; }
    SM.adj = { start: start, list: list };
    SM.looseTies = [];
    return SM.adj;
  }

  /* The rows of the ties of node ``row`` (not removed), the loose ones included. */
  function tieRowsOf(row) {
    var adj = adjacency(), t = SM.tieData, out = [];
    if (row === undefined) return out;
    if (row + 1 < adj.start.length) {
      for (var k = adj.start[row]; k < adj.start[row + 1]; k++) {
        if (t.cls[adj.list[k]] !== REMOVED_TIE) out.push(adj.list[k]);
      }
    }
    SM.looseTies.forEach(function (r) {
      if (t.cls[r] !== REMOVED_TIE && (t.a[r] === row || t.b[r] === row)) out.push(r);
    });
    return out;
  }

  function findTie(a, b) {
    if (a === undefined || b === undefined) return -1;
    var adj = adjacency(), t = SM.tieData, k, r;
    if (a + 1 < adj.start.length) {
      for (k = adj.start[a]; k < adj.start[a + 1]; k++) {
        r = adj.list[k];
        if (t.a[r] === b || t.b[r] === b) return r;
      }
    }
    for (k = 0; k < SM.looseTies.length; k++) {
      r = SM.looseTies[k];
      if ((t.a[r] === a && t.b[r] === b) || (t.a[r] === b && t.b[r] === a)) return r;
    }
    return -1;
  }

  /* ------------------------------------------------------------------ spatial index */

  /* Young people by cell of a grid over where they live, built once per load of the nodes:
   * a paint, a click or a hover visits the cells in view only, not every row (a city has
   * 100,000 young people; a street view shows a few hundred). Places (a few thousand) are a
   * list of their own. Rows an edit added or moved since the grid was built are "loose":
   * visited by every query, so an edit costs what it changes, until there are LOOSE_MAX of
   * them and the grid is built again. */
  function nodeIndex() {
    var ix = SM.index;
    if (ix && ix.loose.length <= LOOSE_MAX) return ix;
    var d = SM.nodes, n = d.n, young = 0, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, i;
    for (i = 0; i < n; i++) {
      if (d.kind[i] !== 0) continue;
      young++;
      var x = d.wx[i], y = d.wy[i];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    if (!young) { x0 = y0 = 0; x1 = y1 = 1; }
    var g = Math.max(1, Math.min(512, Math.round(Math.sqrt(young / 8))));
    var sx = g / Math.max(x1 - x0, 1e-12), sy = g / Math.max(y1 - y0, 1e-12);
    var cell = new Int32Array(n), start = new Int32Array(g * g + 1), places = [];
    for (i = 0; i < n; i++) {
      if (d.kind[i] !== 0) { places.push(i); cell[i] = -1; continue; }
      var cx = Math.min(g - 1, Math.floor((d.wx[i] - x0) * sx)), cy = Math.min(g - 1, Math.floor((d.wy[i] - y0) * sy));
      cell[i] = cy * g + cx;
      start[cell[i] + 1]++;
    }
    for (i = 0; i < g * g; i++) start[i + 1] += start[i];
    var fill = start.slice(0, g * g), rows = new Int32Array(young);
    for (i = 0; i < n; i++) if (cell[i] >= 0) rows[fill[cell[i]]++] = i;
    // bad: per cell, its rows an edit made loose or removed since (never counted from the grid)
    SM.index = { g: g, x0: x0, y0: y0, sx: sx, sy: sy, start: start, rows: rows, places: places, cellOf: cell,
                 bad: new Int32Array(g * g), isBad: new Uint8Array(n),
                 loose: [], isLoose: new Uint8Array(Math.max(n, 64)) };
    return SM.index;
  }

  function markLoose(row) {
    var ix = SM.index;
    if (!ix) return;
    if (row >= ix.isLoose.length) ix.isLoose = grow(ix.isLoose, 2 * (row + 1));
    if (!ix.isLoose[row]) { ix.isLoose[row] = 1; ix.loose.push(row); }
    markBad(row);
  }

  /* Row ``row`` of the grid is no longer counted from its cell (loose, or removed). */
  function markBad(row) {
    var ix = SM.index;
    if (!ix || row >= ix.cellOf.length || ix.cellOf[row] < 0 || ix.isBad[row]) return;
    ix.isBad[row] = 1;
    ix.bad[ix.cellOf[row]] += 1;
  }

  /* The live nodes in the world box [x0, x1] x [y0, y1]: {young: rows (at most youngCap),
   * youngCount, places: rows}. */
  function nodesIn(x0, y0, x1, y1, youngCap) {
    var ix = nodeIndex(), d = SM.nodes, wx = d.wx, wy = d.wy, fl = d.flags, loose = ix.isLoose;
    var young = [], places = [], count = 0, r, k;
    var g = ix.g, cx0 = Math.floor((x0 - ix.x0) * ix.sx), cx1 = Math.floor((x1 - ix.x0) * ix.sx);
    var cy0 = Math.floor((y0 - ix.y0) * ix.sy), cy1 = Math.floor((y1 - ix.y0) * ix.sy);
    cx0 = Math.max(cx0, 0); cy0 = Math.max(cy0, 0); cx1 = Math.min(cx1, g - 1); cy1 = Math.min(cy1, g - 1);
    for (var cy = cy0; cy <= cy1; cy++) {
      var rowInside = ix.y0 + cy / ix.sy >= y0 && ix.y0 + (cy + 1) / ix.sy <= y1;
      for (var c = cy * g + cx0, end = cy * g + cx1; c <= end; c++) {
        // enough rows taken: a cell wholly in the box is counted, not visited
        if (count >= youngCap && rowInside) {
          var cx = c - cy * g;
          if (ix.x0 + cx / ix.sx >= x0 && ix.x0 + (cx + 1) / ix.sx <= x1) {
            count += ix.start[c + 1] - ix.start[c] - ix.bad[c];
            continue;
          }
        }
        for (k = ix.start[c]; k < ix.start[c + 1]; k++) {
          r = ix.rows[k];
          if (loose[r] || (fl[r] & F_REMOVED)) continue;
          var x = wx[r], y = wy[r];
          if (x < x0 || x > x1 || y < y0 || y > y1) continue;
          if (count++ < youngCap) young.push(r);
        }
      }
    }
    function other(r) {
      if (fl[r] & F_REMOVED) return;
      var x = wx[r], y = wy[r];
      if (x < x0 || x > x1 || y < y0 || y > y1) return;
      if (d.kind[r] !== 0) places.push(r);
      else if (count++ < youngCap) young.push(r);
    }
    for (k = 0; k < ix.places.length; k++) if (!loose[ix.places[k]]) other(ix.places[k]);
    ix.loose.forEach(other);
    return { young: young, youngCount: count, places: places };
  }

  /* The nodes on a layer's canvas (its painted box and a dot's radius round it), shared by
   * the layers painting the same view. */
  function viewNodes(v) {
    var key = [v.zoom, v.ox, v.oy, v.x0, v.y0, v.x1, v.y1, SM.nodeVersion].join(" ");
    if (SM.viewCache && SM.viewCache.key === key) return SM.viewCache.nodes;
    var pad = 12 / v.scale;
    var nodes = nodesIn(v.x0 - pad, v.y0 - pad, v.x1 + pad, v.y1 + pad, YP_DOTS_MAX + 1);
    SM.viewCache = { key: key, nodes: nodes };
    return nodes;
  }

  /* The live places (services and organisations) in the world box [x0, x1] x [y0, y1], in row
   * order, at most ``cap``: the index's list of places, not a pass over every row. */
  function placesIn(x0, y0, x1, y1, cap) {
    var ix = nodeIndex(), d = SM.nodes, wx = d.wx, wy = d.wy, fl = d.flags, out = [];
    function take(r) {
      if (d.kind[r] === 0 || (fl[r] & F_REMOVED)) return;
      var x = wx[r], y = wy[r];
      if (x >= x0 && x <= x1 && y >= y0 && y <= y1) out.push(r);
    }
    for (var k = 0; k < ix.places.length && out.length < cap; k++) if (!ix.isLoose[ix.places[k]]) take(ix.places[k]);
    for (k = 0; k < ix.loose.length && out.length < cap; k++) take(ix.loose[k]);
    return out;
  }

  /* ------------------------------------------------------------------ counts kept by the edits */

  function tieLive(r) {
    var t = SM.tieData, fl = SM.nodes.flags;
    return t.cls[r] !== REMOVED_TIE && !((fl[t.a[r]] | fl[t.b[r]]) & (F_REMOVED | F_GONE));
  }

  /* Tie row ``r`` counted (sign 1) or uncounted (-1) in the counts the page reports and the
   * flows between areas, if it is drawn; an edit uncounts what it changes, changes it and
   * counts it again. */
  function account(r, sign) {
    if (!tieLive(r)) return;
    var c = SM.tieData.cls[r];
    if (SM.countCache) SM.countCache.ties[CLASSES[c]] += sign;
    if (SM.flowData) flowAdd(SM.flowData, r, sign);
  }

  function accountNode(row, sign) {
    if (SM.countCache && !(SM.nodes.flags[row] & F_REMOVED)) SM.countCache[KINDS[SM.nodes.kind[row]]] += sign;
    tieRowsOf(row).forEach(function (r) { account(r, sign); });
  }

  /* ------------------------------------------------------------------ flows between areas */

  /* The area a node is counted in for the flows: its home area, or for a place without one
   * the area whose centre is nearest (a young person without a home area: none). */
  function flowArea(row) {
    var d = SM.nodes;
    if (d.area[row] >= 0 || d.kind[row] === 0) return d.area[row];
    var best = -1, bestD = Infinity, c = SM.areaCentre, n = SM.areaCodes.length;
    for (var i = 0; i < n; i++) {
      var dx = c[2 * i] - d.wx[row], dy = c[2 * i + 1] - d.wy[row], dd = dx * dx + dy * dy;
      if (dd < bestD) { bestD = dd; best = i; }
    }
    return best;
  }

  /* After an edit of node ``row`` (its ties uncounted before it): where the flows count it. */
  function refreshFlowArea(row) {
    var f = SM.flowData;
    if (!f) return;
    if (row >= f.areaOf.length) f.areaOf = grow(f.areaOf, 2 * (row + 1));
    f.areaOf[row] = flowArea(row);
  }

  /* Ties between areas, per pair of areas and class (built when first drawn after the ties
   * were replaced, then kept by the edits): what the map draws where single ties are too
   * many to read. */
  function flowTable() {
    if (SM.flowData) return SM.flowData;
    var t = SM.tieData, d = SM.nodes, f = { pairs: new Map(), a: [], b: [], counts: [], areaOf: new Int32Array(d.n) };
    for (var i = 0; i < d.n; i++) f.areaOf[i] = flowArea(i);
    for (i = 0; i < t.n; i++) if (tieLive(i)) flowAdd(f, i, 1);
    SM.flowData = f;
    return f;
  }

  /* The pairs of areas with a tie of a shown class, most ties first (ties between them
   * ``total``, commonest shown class ``main``), kept per set of classes shown until the flows
   * change: a tie class switched off and on again finds both orders made. Sorted as numbers
   * (a typed array, -total * n + pair: most ties first, then the pair's order), not with a
   * comparator: 23,000 pairs of the 100,000 city took 5-10 ms of a toggle. */
  function flowOrder(f, show) {
    var key = show.join(",");
    var kept = f.ranked || (f.ranked = {});
    if (kept[key]) return kept[key];
    var n = f.a.length, total = new Int32Array(n), main = new Int8Array(n), keys = new Float64Array(n), m = 0;
    for (var i = 0; i < n; i++) {
      var counts = f.counts[i], sum = 0, best = -1;
      for (var k = 0; k < counts.length; k++) {
        if (!show[k] || counts[k] <= 0) continue;
        sum += counts[k];
        if (best < 0 || counts[k] > counts[best]) best = k;
      }
      total[i] = sum; main[i] = best;
      if (sum > 0) keys[m++] = -sum * n + i;
    }
    var sorted = keys.subarray(0, m).sort(), order = new Int32Array(m);
    for (var j = 0; j < m; j++) order[j] = ((sorted[j] % n) + n) % n;
    kept[key] = { key: key, order: order, total: total, main: main };
    return kept[key];
  }

  function flowAdd(f, r, sign) {
    var t = SM.tieData, a = t.a[r], b = t.b[r];
    var ia = a < f.areaOf.length ? f.areaOf[a] : flowArea(a), ib = b < f.areaOf.length ? f.areaOf[b] : flowArea(b);
    if (ia < 0 || ib < 0 || ia === ib) return;
    var lo = Math.min(ia, ib), hi = Math.max(ia, ib), key = lo * (SM.areaCodes.length + 1) + hi, at = f.pairs.get(key);
    if (at === undefined) {
      if (sign < 0) return;
      at = f.a.length;
      f.pairs.set(key, at); f.a.push(lo); f.b.push(hi); f.counts.push(new Int32Array(CLASSES.length));
    }
    f.counts[at][t.cls[r]] += sign;
    f.ranked = null;  // every order kept is made again
  }

  function recountAreas() {
    var d = SM.nodes, counts = new Int32Array(SM.areaCodes.length);
    for (var i = 0; i < d.n; i++) {
      if (d.kind[i] === 0 && !(d.flags[i] & F_REMOVED) && d.area[i] >= 0) counts[d.area[i]]++;
    }
    SM.areaCount = counts;
  }

  function nodeProps(row) {
    var d = SM.nodes, kind = KINDS[d.kind[row]];
    var props = { kind: kind, id: d.ids[row], label: d.labels[row] };
    if (kind === "young_person") {
      props.area_code = d.area[row] >= 0 ? SM.areaCodes[d.area[row]] : null;
      props.age = d.age[row] === 255 ? null : d.age[row];
      props.neet = !!(d.flags[row] & F_NEET);
    } else {
      Object.assign(props, d.props[row] || {});
    }
    return props;
  }

  function liveRow(id) {
    var row = SM.nodes ? SM.nodes.row.get(id) : undefined;
    return row !== undefined && !(SM.nodes.flags[row] & F_REMOVED) ? row : undefined;
  }

  /* ------------------------------------------------------------------ canvas layers */

  /* An edit's calls run as one (SM.batch): a layer they ask to paint again is painted once, at
   * the end, and the page reports its counts once. (A deleted young person's ties and node
   * came as two calls, each painting the ties' flows and reporting.) */
  var batchRepaints = null, batchReport = false;
  SM.batch = function (calls) {
    // each call on its own, as if it were a script of its own: one that fails does not stop the
    // others (its error is thrown once they have run and the layers are painted)
    var failed = null;
    batchRepaints = []; batchReport = false;
    calls.forEach(function (fn) {
      try { fn(); } catch (e) { if (!failed) failed = e; }
    });
    var layers = batchRepaints, again = batchReport;
    batchRepaints = null; batchReport = false;
    layers.forEach(function (layer) { layer.repaint(); });
    if (again) report();
    if (failed) throw failed;
    return 0;
  };

  /* A layer drawn on a canvas of its own, positioned and scaled with the map like Leaflet's
   * renderers. ``paint(ctx, view)`` draws it; view = {scale, ox, oy, x0, y0, x1, y1, zoom}:
   * layer px = world * scale - origin, and [x0, x1] x [y0, y1] is the painted world box. */
  var CanvasLayer = L.Renderer.extend({
    // painted 15% of the view beyond each side (Leaflet's renderers: 10%): a short drag shows
    // what was painted; the rasteriser's work grows with the canvas (30% was 2.6 times the view)
    options: { padding: 0.15 },
    initialize: function (name, paint, options) {
      L.Renderer.prototype.initialize.call(this, options);
      this.name = name;
      this.paint = paint;
      this.state = {};
      this._frame = null;
    },
    _initContainer: function () {
      var c = this._container = document.createElement("canvas");
      c.style.pointerEvents = "none";
      c.className = "sm-layer sm-layer-" + this.name;
      this._ctx = c.getContext("2d");
    },
    _destroyContainer: function () {
      if (this._frame) cancelAnimationFrame(this._frame);
      L.DomUtil.remove(this._container);
      delete this._ctx;
      delete this._container;
    },
    _updatePaths: function () {},
    /* A zoom or a move: painted again in the paint queue's turn (see queueUpdate); meanwhile
     * the canvas keeps what it painted, scaled and moved with the map as during a zoom's
     * animation (so Leaflet's reset of that transform at a view reset is left out). */
    _update: function () {
      if (this._map._animatingZoom && this._bounds) return;
      if (!this._bounds) { this._doUpdate(); return; }  // added to the map: painted at once
      queueUpdate(this, this._forceUpdate);
    },
    _reset: function () {
      this._update();
      if (!this._pending) this._updateTransform(this._center, this._zoom);
    },
    _doUpdate: function () {
      if (!this._map) return;
      if (panInside(this)) return;
      L.Renderer.prototype._update.call(this);
      var b = this._bounds, c = this._container, size = b.getSize(), m = window.devicePixelRatio || 1;
      L.DomUtil.setPosition(c, b.min);
      if (c.width !== m * size.x || c.height !== m * size.y) {  // a new size clears and reallocates
        c.width = m * size.x; c.height = m * size.y;
        c.style.width = size.x + "px"; c.style.height = size.y + "px";
      }
      this._m = m;
      painted(this);
      this.repaint();
    },
    view: function () {
      var map = this._map, zoom = map.getZoom(), scale = map.options.crs.scale(zoom), o = map.getPixelOrigin();
      var b = this._bounds;
      return { scale: scale, ox: o.x, oy: o.y, zoom: zoom, sprites: true, m: this._m || 1,
               x0: (b.min.x + o.x) / scale, x1: (b.max.x + o.x) / scale,
               y0: (b.min.y + o.y) / scale, y1: (b.max.y + o.y) / scale, minx: b.min.x, miny: b.min.y };
    },
    /* Paint now (the layer's data changed, or the view). */
    repaint: function () {
      if (batchRepaints) { if (batchRepaints.indexOf(this) < 0) batchRepaints.push(this); return; }  // at its end
      if (this._pending) { runUpdate(this); return; }  // the view changed: placed, then painted
      if (!this._map || !this._ctx || !this._bounds) return;
      if (this._frame) { cancelAnimationFrame(this._frame); this._frame = null; }
      var t0 = performance.now(), ctx = this._ctx, b = this._bounds, m = this._m || 1;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, this._container.width, this._container.height);
      ctx.setTransform(m, 0, 0, m, -b.min.x * m, -b.min.y * m);
      var drew = this.paint(ctx, this.view(), this.state);
      // a canvas with nothing on it is left out of the page's compositing
      this._container.style.display = drew === false ? "none" : "";
      var ms = performance.now() - t0;
      SM.stats.paints += 1; SM.stats.paintMs += ms; SM.stats.longestPaintMs = Math.max(SM.stats.longestPaintMs, ms);
      SM.stats.byLayer[this.name] = (SM.stats.byLayer[this.name] || 0) + 1;
    },
    /* Paint again only what lies in the world box [x0, x1] x [y0, y1] (an edit's
     * neighbourhood): the canvas is cleared and painted inside the box only, with the level of
     * detail of the last full paint. The paint may ask for a full one (state.needFull). */
    repaintBox: function (x0, y0, x1, y1) {
      if (batchRepaints && batchRepaints.indexOf(this) >= 0) return;  // painted whole at the batch's end
      if (this._pending) { runUpdate(this); return; }
      if (!this._map || !this._ctx || !this._bounds) return;
      if (this._frame || this._container.style.display === "none") { this.repaint(); return; }
      var t0 = performance.now(), ctx = this._ctx, b = this._bounds, m = this._m || 1, v = this.view();
      var px0 = Math.floor(x0 * v.scale - v.ox), py0 = Math.floor(y0 * v.scale - v.oy);
      var px1 = Math.ceil(x1 * v.scale - v.ox), py1 = Math.ceil(y1 * v.scale - v.oy);
      ctx.save();
      ctx.setTransform(m, 0, 0, m, -b.min.x * m, -b.min.y * m);
      ctx.beginPath(); ctx.rect(px0, py0, px1 - px0, py1 - py0); ctx.clip();
      ctx.clearRect(px0, py0, px1 - px0, py1 - py0);
      v.partial = [x0, y0, x1, y1];
      this.state.needFull = false;
      this.paint(ctx, v, this.state);
      ctx.restore();
      var ms = performance.now() - t0;
      SM.stats.paints += 1; SM.stats.paintMs += ms; SM.stats.longestPaintMs = Math.max(SM.stats.longestPaintMs, ms);
      SM.stats.byLayer[this.name] = (SM.stats.byLayer[this.name] || 0) + 1;
      if (this.state.needFull) this.repaint();
    },
    /* Paint at the next animation frame (several changes in one script paint once). */
    schedule: function () {
      var self = this;
      if (this._frame || !this._map || this._pending) return;
      this._frame = requestAnimationFrame(function () { self._frame = null; self.repaint(); });
    },
  });

  /* The paint queue. A zoom or a pan used to paint every layer again in the task of the zoom
   * (areas, ties, young people per area, nodes, labels: 100-150 ms of the page's main thread at
   * a town's zoom of the 100,000 city, most of it Chromium's software rasteriser, which draws a
   * canvas's recorded paths at the end of the task that drew them). The layers whose view changed
   * are queued instead, bottom first, and painted in tasks of their own (setTimeout), each task
   * taking layers until one of them has drawn something or its paints have taken TASK_MS:
   * between them the page answers the mouse
   * (a wheel step, a click) and the layers not yet painted show what they painted before, scaled
   * and moved with the map. Whatever reads what the layers drew (a click's hit test, SM.drawn,
   * an exported image) paints the queue first (flushPaints). */
  var paintQueue = [], queueTimer = null;
  //: A task of the paint queue takes no more layers once its paints have taken this long (ms).
  var TASK_MS = 4;
  //: The queue's next task is this much later (ms).
  var YIELD_MS = 2;

  function zOf(layer) { var pane = layer.getPane && layer.getPane(); return pane ? +pane.style.zIndex || 0 : 0; }

  function queueUpdate(layer, force) {
    layer._pending = true;
    layer._pendingForce = layer._pendingForce || !!force;
    if (paintQueue.indexOf(layer) < 0) {
      paintQueue.push(layer);
      paintQueue.sort(function (p, q) { return zOf(p) - zOf(q); });
    }
    if (!queueTimer) queueTimer = setTimeout(runQueue, 0);
  }

  function runUpdate(layer) {
    var at = paintQueue.indexOf(layer);
    if (at >= 0) paintQueue.splice(at, 1);
    if (!layer._pending) return;
    layer._pending = false;
    var force = layer._pendingForce;
    layer._pendingForce = false;
    layer._forceUpdate = force;
    try { layer._doUpdate(); } finally { layer._forceUpdate = false; }
  }

  function runQueue() {
    queueTimer = null;
    var t0 = performance.now();
    while (paintQueue.length && performance.now() - t0 < TASK_MS) {
      var layer = paintQueue[0], paints = SM.stats.paints;
      runUpdate(layer);
      // one layer with something on it per task: the rasteriser's work at the end of the task
      // (most of a paint's cost) grows with what was drawn, not with the paint's JavaScript
      if (SM.stats.paints > paints && layer._container && layer._container.style.display !== "none") break;
    }
    var ms = performance.now() - t0;
    SM.stats.longestTaskMs = Math.max(SM.stats.longestTaskMs || 0, ms);
    // a little later, not at once: the timers already due (and input) run first
    if (paintQueue.length) queueTimer = setTimeout(runQueue, YIELD_MS);
    else lodNote();
  }

  function flushPaints() {
    var queued = paintQueue.length;
    while (paintQueue.length) runUpdate(paintQueue[0]);
    if (queueTimer) { clearTimeout(queueTimer); queueTimer = null; }
    if (queued) lodNote();  // the legend's note on what is drawn, as the queue's end would
    Object.keys(SM.layers).forEach(function (k) { if (SM.layers[k]._frame) SM.layers[k].repaint(); });  // scheduled
  }

  /* Whether every layer has painted the current view (the benchmark waits for it). */
  SM.settled = function () { return !paintQueue.length; };
  SM.flushPaints = function () { flushPaints(); return true; };

  /* A pan that keeps the view inside what a canvas has painted (same zoom, same pixel
   * origin) moves the canvas with the map's pane and paints nothing: Leaflet's renderers
   * painted everything again at every moveend. The canvas is painted again round the new
   * centre once the map has been still for RECENTRE_MS. */
  var RECENTRE_MS = 400;
  function panInside(layer) {
    var map = layer._map, p = layer._painted;
    if (!layer._bounds || !p || layer._forceUpdate) return false;
    var size = map.getSize();
    if (p.zoom !== map.getZoom() || !p.origin.equals(map.getPixelOrigin()) || !p.size.equals(size)) return false;
    var tl = map.containerPointToLayerPoint([0, 0]), br = map.containerPointToLayerPoint(size);
    if (!layer._bounds.contains(tl) || !layer._bounds.contains(br)) return false;
    SM.panSkips += 1;
    if (SM._recentre) clearTimeout(SM._recentre);
    SM._recentre = setTimeout(recentre, RECENTRE_MS);
    return true;
  }

  function painted(layer) {
    var map = layer._map;
    layer._painted = { zoom: map.getZoom(), origin: map.getPixelOrigin(), size: map.getSize() };
  }

  function recentre() {
    SM._recentre = null;
    var map = SM.map;
    if (!map || map._animatingZoom) return;
    var layers = Object.keys(SM.layers).map(function (k) { return SM.layers[k]; }).concat([SM.renderer]);
    layers.forEach(function (layer) {
      if (!layer._map) return;
      var c = map.getCenter();
      if (layer._center && layer._center.equals(c)) return;
      layer._forceUpdate = true;
      try { layer._update(); } finally { layer._forceUpdate = false; }
    });
  }

  /* The areas' renderer (Leaflet's canvas), moved without painting on a pan as the layers are. */
  var AreaCanvas = L.Canvas.extend({
    _update: function () {
      if (this._map._animatingZoom && this._bounds) return;
      if (panInside(this)) return;
      L.Canvas.prototype._update.call(this);
      painted(this);
    },
  });

  function inView(v, x, y, pad) {
    return x >= v.x0 - pad && x <= v.x1 + pad && y >= v.y0 - pad && y <= v.y1 + pad;
  }

  /* Ties: those with an end on the canvas, one path per class, when at most TIES_MAX; a tie
   * with only one end there drawn as a stub of STUB_PX from it. More: the flows between
   * areas instead (paintFlows). Found from the nodes in view (the grid) and their adjacency,
   * not by a pass over every tie. The selection's own ties are on the selection layer. */
  function paintTies(ctx, v, state) {
    var t = SM.tieData, d = SM.nodes;
    if (!v.partial) { state.inView = 0; state.drawn = 0; state.flows = 0; state.stubs = 0; state.mode = "none"; }
    if (!t || !d || !t.n || !d.n) return false;
    var show = CLASSES.map(function (c) { return SM.tieVisible[c] !== false; });
    if (!show.some(Boolean)) return false;
    var q = viewNodes(v);
    var picked = q.youngCount > YP_DOTS_MAX ? null : tiesOnCanvas(v, q, show);
    var mode = picked && picked.length <= TIES_MAX ? "ties" : "flows";
    if (v.partial && mode !== state.mode) { state.needFull = true; return true; }
    if (!v.partial) state.inView = picked ? picked.length : -1;
    if (mode === "flows") return paintFlows(ctx, v, state, show);
    state.mode = "ties";
    var wx = d.wx, wy = d.wy, a = t.a, b = t.b, cls = t.cls, count = picked.length;
    var s = v.scale, ox = v.ox, oy = v.oy, x0 = v.x0, x1 = v.x1, y0 = v.y0, y1 = v.y1, stub = STUB_PX, stubs = 0;
    // width 1: Skia's fast path for thin lines (0.9 and 1.2 px lines took three times as long)
    ctx.lineWidth = 1;
    for (var k = 0; k < CLASSES.length; k++) {
      if (!show[k]) continue;
      ctx.beginPath();
      var any = false;
      for (var j = 0; j < count; j++) {
        var r = picked[j];
        if (cls[r] !== k) continue;
        var ax = wx[a[r]], ay = wy[a[r]], bx = wx[b[r]], by = wy[b[r]];
        var inA = ax >= x0 && ax <= x1 && ay >= y0 && ay <= y1, inB = bx >= x0 && bx <= x1 && by >= y0 && by <= y1;
        var px = (inA ? ax : bx) * s - ox, py = (inA ? ay : by) * s - oy;
        var qx = (inA ? bx : ax) * s - ox, qy = (inA ? by : ay) * s - oy;
        var len = Math.hypot(qx - px, qy - py);
        ctx.moveTo(px, py);
        if (inA && inB && len <= 3 * stub) {
          ctx.lineTo(qx, qy);
        } else if (len > stub) {  // a stub from each end on the canvas
          var ux = (qx - px) * stub / len, uy = (qy - py) * stub / len;
          ctx.lineTo(px + ux, py + uy);
          if (inA && inB) { ctx.moveTo(qx, qy); ctx.lineTo(qx - ux, qy - uy); }
          stubs++;
        } else {
          ctx.lineTo(qx, qy);
        }
        any = true;
      }
      if (!any) continue;
      var name = CLASSES[k];
      ctx.strokeStyle = TIE_COLOUR[name]; ctx.globalAlpha = TIE_OPACITY[name];
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    if (!v.partial) { state.drawn = count; state.stubs = stubs; }
    return count > 0;
  }

  /* The rows of the live ties of a shown class with an end on the canvas, each once (up to
   * TIES_MAX + 1: beyond that they are not drawn one by one). */
  function tiesOnCanvas(v, q, show) {
    var t = SM.tieData, d = SM.nodes, adj = adjacency(), wx = d.wx, wy = d.wy, fl = d.flags;
    var a = t.a, b = t.b, cls = t.cls, x0 = v.x0, x1 = v.x1, y0 = v.y0, y1 = v.y1;
    var out = [], cap = TIES_MAX + 1, hide = F_REMOVED | F_GONE;
    function onCanvas(u) { var x = wx[u], y = wy[u]; return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
    function from(rows) {
      for (var j = 0; j < rows.length && out.length < cap; j++) {
        var u = rows[j];
        if ((fl[u] & hide) || !onCanvas(u) || u + 1 >= adj.start.length) continue;
        for (var k = adj.start[u]; k < adj.start[u + 1]; k++) {
          var r = adj.list[k], c = cls[r];
          if (c === REMOVED_TIE || !show[c]) continue;
          var o = a[r] === u ? b[r] : a[r];
          if (fl[o] & hide) continue;
          if (a[r] !== u && onCanvas(o)) continue;  // counted at its other end
          out.push(r);
        }
      }
    }
    from(q.young);
    from(q.places);
    SM.looseTies.forEach(function (r) {
      var c = cls[r];
      if (out.length >= cap || c === REMOVED_TIE || !show[c] || ((fl[a[r]] | fl[b[r]]) & hide)) return;
      if (onCanvas(a[r]) || onCanvas(b[r])) out.push(r);
    });
    return out;
  }

  /* Flows between areas (where single ties are too many to read): a line between the centres
   * of two areas with ties between them, as wide as the square root of their number, in the
   * colour of their commonest class; the FLOWS_MAX with the most ties with an end in view. */
  function paintFlows(ctx, v, state, show) {
    state.mode = "flows"; state.flows = 0; state.flowsInView = 0; state.flowPairs = [];
    if (!SM.areaCentre || !SM.areaCodes.length) return false;
    var f = flowTable(), c = SM.areaCentre, pad = SM.typicalAreaSize || 0;
    var x0 = v.x0 - pad, x1 = v.x1 + pad, y0 = v.y0 - pad, y1 = v.y1 + pad;
    var ranked = flowOrder(f, show), order = ranked.order, total = ranked.total, main = ranked.main, cand = [];
    // the pairs with most ties first: the first FLOWS_MAX in view are the ones drawn
    for (var j0 = 0; j0 < order.length; j0++) {
      var i = order[j0], ia = f.a[i], ib = f.b[i];
      var ax = c[2 * ia], ay = c[2 * ia + 1], bx = c[2 * ib], by = c[2 * ib + 1];
      if (!((ax >= x0 && ax <= x1 && ay >= y0 && ay <= y1) || (bx >= x0 && bx <= x1 && by >= y0 && by <= y1))) continue;
      if (cand.length < FLOWS_MAX) cand.push(i);
      state.flowsInView++;
    }
    if (!cand.length) return false;
    var most = total[cand[0]], s = v.scale, ox = v.ox, oy = v.oy;
    // four widths (one path each per class): 1, 2, 3.5, 5 px by the square root of the share;
    // the lines sorted into their (width, class) paths in one pass
    var WIDTHS = [1, 2, 3.5, 5], paths = [];
    for (var j = 0; j < cand.length; j++) {
      var p = cand[j], w = Math.min(3, Math.floor(4 * Math.sqrt(total[p] / most) - 1e-9)), key = w * CLASSES.length + main[p];
      var path = paths[key] || (paths[key] = new Path2D());
      path.moveTo(c[2 * f.a[p]] * s - ox, c[2 * f.a[p] + 1] * s - oy);
      path.lineTo(c[2 * f.b[p]] * s - ox, c[2 * f.b[p] + 1] * s - oy);
    }
    ctx.lineCap = "round"; ctx.globalAlpha = 0.55;
    for (var key2 = 0; key2 < paths.length; key2++) {
      if (!paths[key2]) continue;
      ctx.strokeStyle = TIE_COLOUR[CLASSES[key2 % CLASSES.length]];
      ctx.lineWidth = WIDTHS[Math.floor(key2 / CLASSES.length)];
      ctx.stroke(paths[key2]);
    }
    ctx.globalAlpha = 1; ctx.lineCap = "butt";
    state.flows = cand.length;
    state.flowPairs = cand.map(function (p) { return [p, total[p], main[p]]; });
    state.flowMost = most;
    return true;
  }

  function dotPath(ctx, rows, n, v, r) {
    var d = SM.nodes, s = v.scale, ox = v.ox, oy = v.oy;
    ctx.beginPath();
    for (var j = 0; j < n; j++) {
      var x = d.wx[rows[j]] * s - ox, y = d.wy[rows[j]] * s - oy;
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }

  //: From this many dots of one style, a layer on screen draws them as copies of one small
  //: picture of the dot (a sprite) at whole pixels: Chromium's software rasteriser filled 5,000
  //: anti-aliased circles with a border in about 25 ms, and copies 5,000 sprites in about 2 ms.
  //: Dots smaller than SPECK_R without a border are drawn as squares (as fast, and the same at
  //: that size). An exported image draws circles (v.sprites unset: it is drawn at its own scale).
  var SPRITES_FROM = 40, SPECK_R = 1.5;
  var sprites = {};

  var spriteCount = 0;

  /* Sprites are made when the page is idle, not in the paint that first needs them: making one
   * (drawing it and rasterising it to copy it) cost three times drawing it on the layer, so the
   * first view of a zoom draws what has no sprite yet as before, and asks for it (wantSprite);
   * the sprites are made after the paint queue has emptied, SPRITE_TASK_MS at a time. */
  var spriteWants = [], spriteWanted = new Set(), spriteTimer = null;
  var SPRITE_TASK_MS = 8;

  function wantSprite(key, make) {
    if (spriteWanted.has(key)) return;
    spriteWanted.add(key);
    spriteWants.push(make);
    if (!spriteTimer) spriteTimer = setTimeout(makeSprites, 30);
  }

  function makeSprites() {
    spriteTimer = null;
    if (paintQueue.length) { spriteTimer = setTimeout(makeSprites, 30); return; }
    var t0 = performance.now();
    while (spriteWants.length && performance.now() - t0 < SPRITE_TASK_MS) spriteWants.shift()();
    if (spriteWants.length) spriteTimer = setTimeout(makeSprites, YIELD_MS);
    else spriteWanted.clear();
  }

  /* A dot of radius ``r`` filled with ``fill`` at ``alpha``, with its ``border`` (its own alpha,
   * else ``alpha``), drawn once on a small canvas of ``m`` device px per px; null (and asked
   * for) while it is not made yet. */
  function sprite(r, fill, border, alpha, m) {
    var key = [r, fill, border ? [border.color, border.weight, border.alpha].join("/") : "", alpha, m].join(" ");
    var sp = sprites[key];
    if (sp) return sp;
    wantSprite(key, function () {
      if (++spriteCount > 400) { sprites = {}; spriteCount = 1; }
      var half = Math.ceil(r + (border ? border.weight : 0) + 1), c = document.createElement("canvas");
      c.width = c.height = 2 * half * m;
      var g = c.getContext("2d");
      g.setTransform(m, 0, 0, m, 0, 0);
      g.globalAlpha = alpha;
      g.beginPath(); g.arc(half, half, r, 0, 2 * Math.PI);
      g.fillStyle = fill; g.fill();
      if (border) {
        g.globalAlpha = border.alpha !== undefined ? border.alpha : alpha;
        g.strokeStyle = border.color; g.lineWidth = border.weight; g.stroke();
      }
      g.getImageData(0, 0, 1, 1);  // rasterised now, in the idle task
      sprites[key] = { canvas: c, half: half };
    });
    return null;
  }

  function drawDots(ctx, rows, n, v, st, fill, border, alpha) {
    if (!n) return;
    var r = st.radius, d = SM.nodes, s = v.scale, ox = v.ox, oy = v.oy, j, x, y;
    if (v.sprites && !border && r <= SPECK_R && n >= SPRITES_FROM) {
      ctx.beginPath();
      for (j = 0; j < n; j++) {
        x = d.wx[rows[j]] * s - ox; y = d.wy[rows[j]] * s - oy;
        ctx.rect(x - r, y - r, 2 * r, 2 * r);
      }
      ctx.globalAlpha = alpha; ctx.fillStyle = fill; ctx.fill(); ctx.globalAlpha = 1;
      return;
    }
    var sp = v.sprites && n >= SPRITES_FROM ? sprite(r, fill, border, alpha, v.m || 1) : null;
    if (sp) {
      var m = v.m || 1, c = sp.canvas, h = sp.half, w = 2 * h;
      for (j = 0; j < n; j++) {
        // at whole device pixels: the copy is then a plain blit
        x = Math.round((d.wx[rows[j]] * s - ox - h) * m) / m; y = Math.round((d.wy[rows[j]] * s - oy - h) * m) / m;
        ctx.drawImage(c, x, y, w, w);
      }
      return;
    }
    dotPath(ctx, rows, n, v, r);
    ctx.globalAlpha = alpha;
    ctx.fillStyle = fill;
    ctx.fill();
    if (border) { ctx.strokeStyle = border.color; ctx.lineWidth = border.weight; ctx.stroke(); }
    ctx.globalAlpha = 1;
  }

  /* Nodes: places always; young people as dots when at most YP_DOTS_MAX are in view (found
   * through the grid). A partial paint (v.partial, an edit's box) keeps the level of detail of
   * the last full one. */
  function paintNodes(ctx, v, state) {
    var d = SM.nodes;
    if (!v.partial) { state.youngInView = 0; state.youngDrawn = 0; }
    if (!d || !d.n) return false;
    var q;
    if (v.partial) {
      var pad = 12 / v.scale, box = v.partial;
      q = nodesIn(box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad, Infinity);
    } else {
      q = viewNodes(v);
    }
    var groups = { yp: [], neet: [], service: [], org: [], anchor: [], gone: [] };
    var showKind = KINDS.map(function (k) { return SM.tieVisible[k] !== false; });
    function sort(i) {
      var k = d.kind[i], f = d.flags[i];
      if (!showKind[k]) return;
      if (f & F_GONE) groups.gone.push(i);
      else if (k === 0) (f & F_NEET ? groups.neet : groups.yp).push(i);
      else if (k === 1) groups.service.push(i);
      else (f & F_ANCHOR ? groups.anchor : groups.org).push(i);
    }
    var dotsShown = v.partial ? !!state.dotsShown : q.youngCount <= YP_DOTS_MAX;
    if (dotsShown) q.young.forEach(sort);
    q.places.forEach(sort);
    var young = groups.yp.length + groups.neet.length;
    if (!v.partial) {
      state.youngInView = showKind[0] ? q.youngCount : 0;
      state.dotsShown = dotsShown;
    }
    if (dotsShown) {
      var dense = v.partial ? state.dense : young > 3000;  // thousands: smaller dots without a border
      var yst = dense ? { radius: 2 } : NODE_STYLE.young_person;
      var yborder = dense ? null : { color: "#ffffff", weight: 0.8 };
      drawDots(ctx, groups.yp, groups.yp.length, v, yst, NODE_STYLE.young_person.fillColor, yborder, 1);
      drawDots(ctx, groups.neet, groups.neet.length, v, yst, NEET_COLOUR, yborder, 1);
      if (!v.partial) { state.youngDrawn = young; state.dense = dense; }
    }
    var places = groups.service.length + groups.org.length + groups.anchor.length;
    var full = v.partial ? state.placesFull : places <= PLACES_FULL_MAX;
    // thousands of places over a town (ten an area) were dark blots over the areas' circles:
    // drawn as specks, the anchors still marked
    var many = v.partial ? state.placesMany : places > PLACES_MANY;
    var border = full ? { color: "#ffffff", weight: 1.5 } : null, small = { radius: many ? 1.3 : 2.5 };
    drawDots(ctx, groups.service, groups.service.length, v, full ? NODE_STYLE.service : small,
             NODE_STYLE.service.fillColor, border, many ? 0.7 : 1);
    drawDots(ctx, groups.org, groups.org.length, v, full ? NODE_STYLE.organisation : small,
             NODE_STYLE.organisation.fillColor, border, many ? 0.7 : 1);
    drawDots(ctx, groups.anchor, groups.anchor.length, v, { radius: full ? 9 : (many ? 3 : 4.5) },
             NODE_STYLE.organisation.fillColor, { color: "#111111", weight: full ? 2 : 1.2 }, 1);
    if (!v.partial) state.placesMany = many;
    var goneShown = dotsShown ? groups.gone : groups.gone.filter(function (r) { return d.kind[r] !== 0; });
    drawDots(ctx, goneShown, goneShown.length, v, { radius: 5 }, "#888888", { color: "#ffffff", weight: 1 }, 0.3);
    if (!v.partial) state.placesFull = full;
    return young + places + goneShown.length > 0;
  }

  //: Circles of young people per area up to this radius (px) are copies of a sprite (see
  //: SPRITES_FROM; radii to the half pixel): Chromium's software rasteriser took 20-25 ms to
  //: fill and outline 460 translucent circles of a town's view as paths.
  var CIRCLE_SPRITE_MAX_R = 48;

  /* Per-area circles [x, y, r, ...] in layer px: translucent orange, a white outline. */
  function drawCircles(ctx, circles, v) {
    var k, count = circles.length / 3;
    if (v.sprites && count >= SPRITES_FROM) {
      var m = v.m || 1, big = [];
      for (k = 0; k < circles.length; k += 3) {
        var r = Math.round(2 * circles[k + 2]) / 2;
        if (r > CIRCLE_SPRITE_MAX_R) { big.push(circles[k], circles[k + 1], circles[k + 2]); continue; }
        var sp = sprite(r, "#e6550d", { color: "#ffffff", weight: 1, alpha: 0.9 }, 0.45, m), h = sp ? sp.half : 0;
        if (!sp) { big.push(circles[k], circles[k + 1], circles[k + 2]); continue; }  // not made yet
        ctx.drawImage(sp.canvas, Math.round((circles[k] - h) * m) / m, Math.round((circles[k + 1] - h) * m) / m, 2 * h, 2 * h);
      }
      circles = big;
    }
    if (!circles.length) return;
    ctx.beginPath();
    for (k = 0; k < circles.length; k += 3) {
      ctx.moveTo(circles[k] + circles[k + 2], circles[k + 1]);
      ctx.arc(circles[k], circles[k + 1], circles[k + 2], 0, 2 * Math.PI);
    }
    ctx.fillStyle = "#e6550d"; ctx.globalAlpha = 0.45; ctx.fill();
    ctx.globalAlpha = 0.9; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 1; ctx.stroke();
    ctx.globalAlpha = 1;
  }

  /* Text with a halo (a 3 px outline of ``halo`` under it), ``align`` "left" or "center" at x,
   * its middle at y. On a layer on screen each (font, text, colours) is drawn once on a small
   * canvas and copied at whole device pixels: Chromium shaped and stroked the text again at every
   * paint (the 300 counts and area names of a town's view, a third of their layers' time). */
  var textSprites = new Map();
  function drawLabel(ctx, v, text, x, y, font, fill, halo, align) {
    ctx.font = font;
    if (!v.sprites) {
      ctx.textAlign = align; ctx.textBaseline = "middle";
      ctx.lineWidth = 3; ctx.strokeStyle = halo; ctx.lineJoin = "round";
      ctx.strokeText(text, x, y);
      ctx.fillStyle = fill; ctx.fillText(text, x, y);
      return;
    }
    var m = v.m || 1, key = [font, fill, halo, m, text].join("|"), sp = textSprites.get(key);
    if (!sp) {  // drawn as text this time; its sprite made when the page is idle
      ctx.textAlign = align; ctx.textBaseline = "middle";
      ctx.lineWidth = 3; ctx.strokeStyle = halo; ctx.lineJoin = "round";
      ctx.strokeText(text, x, y);
      ctx.fillStyle = fill; ctx.fillText(text, x, y);
      wantSprite(key, function () {
        if (textSprites.size > 5000) textSprites.clear();
        var g0 = document.createElement("canvas").getContext("2d");
        g0.font = font;
        var w = g0.measureText(text).width, size = parseFloat(font.replace(/^\D*/, "")) || 12;
        var W = Math.ceil(w + 8), H = Math.ceil(size * 1.4 + 6), c = g0.canvas;
        c.width = W * m; c.height = H * m;
        var g = c.getContext("2d");
        g.setTransform(m, 0, 0, m, 0, 0);
        g.font = font; g.textAlign = "left"; g.textBaseline = "middle";
        g.lineWidth = 3; g.strokeStyle = halo; g.lineJoin = "round";
        g.strokeText(text, 4, H / 2);
        g.fillStyle = fill; g.fillText(text, 4, H / 2);
        g.getImageData(0, 0, 1, 1);  // rasterised now, in the idle task
        textSprites.set(key, { canvas: c, w: W, h: H, text: w });
      });
      return;
    }
    var left = align === "center" ? x - sp.text / 2 - 4 : x - 4;
    ctx.drawImage(sp.canvas, Math.round(left * m) / m, Math.round((y - sp.h / 2) * m) / m, sp.w, sp.h);
  }

  function countText(n) { return n >= 1 && n <= 4 ? "<5" : String(n); }

  /* Young people per area: a circle at a point inside each area, its surface proportional to
   * the count, when the young people are too many in view to draw as dots. */
  function paintDensity(ctx, v, state) {
    state.drawn = 0;
    if (!SM.areaCentre || SM.tieVisible.young_person === false || !SM.nodes.n) return false;
    if (!(viewNodes(v).youngCount > YP_DOTS_MAX)) return false;
    var counts = SM.areaCount, n = counts.length, max = 0;
    for (var i = 0; i < n; i++) max = Math.max(max, counts[i]);
    if (!max) return false;
    var s = v.scale, ox = v.ox, oy = v.oy;
    var rmax = 0.4 * SM.typicalAreaSize * s;  // the biggest count fills most of a typical area
    ctx.font = "bold 11px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    var labels = [], circles = [];
    for (i = 0; i < n; i++) {
      if (!counts[i]) continue;
      var cx = SM.areaCentre[2 * i], cy = SM.areaCentre[2 * i + 1];
      if (!inView(v, cx, cy, SM.typicalAreaSize)) continue;
      var r = Math.max(2.5, rmax * Math.sqrt(counts[i] / max)), x = cx * s - ox, y = cy * s - oy;
      circles.push(x, y, r);
      if (r >= 7) labels.push([x, y, countText(counts[i]), r < 9]);
      state.drawn += 1;
    }
    drawCircles(ctx, circles, v);
    // a count that would overlap one already written is left out (areas whose circles sit
    // close together at a town's zoom)
    var placed = [];
    labels = labels.filter(function (l) {
      var w = (l[3] ? 6 : 7) * l[2].length + 2, hgt = l[3] ? 10 : 12;
      var box = [l[0] - w / 2, l[1] - hgt / 2, l[0] + w / 2, l[1] + hgt / 2];
      for (var k = 0; k < placed.length; k++) {
        var q = placed[k];
        if (box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3]) return false;
      }
      placed.push(box);
      return true;
    });
    labels.forEach(function (l) {
      // a town's small circles too
      drawLabel(ctx, v, l[2], l[0], l[1], l[3] ? "bold 9px sans-serif" : "bold 11px sans-serif",
                "#3a1a05", "rgba(255,255,255,0.85)", "center");
    });
    return state.drawn > 0;
  }

  /* The selection: its ring, and a person's or place's own ties strong (and its young
   * neighbours as dots, drawn even where the young people are shown per area). */
  function paintSelection(ctx, v, state) {
    state.ties = 0; state.tieRows = []; state.dots = []; state.ring = null;
    var sel = SM.selection;
    if (!sel || sel.kind === "area" || !SM.nodes) return false;
    var row = liveRow(sel.id);
    if (row === undefined) return false;
    var d = SM.nodes, t = SM.tieData, s = v.scale, ox = v.ox, oy = v.oy;
    var byClass = {}, ends = [];
    tieRowsOf(row).forEach(function (r) {
      var name = CLASSES[t.cls[r]];
      if (!name || SM.tieVisible[name] === false) return;
      if ((d.flags[t.a[r]] | d.flags[t.b[r]]) & (F_REMOVED | F_GONE)) return;
      (byClass[name] = byClass[name] || []).push(r);
      ends.push(t.a[r] === row ? t.b[r] : t.a[r]);
      state.ties += 1;
      state.tieRows.push(r);
    });
    ctx.lineWidth = 2.6; ctx.globalAlpha = 0.95;
    Object.keys(byClass).forEach(function (name) {
      ctx.beginPath();
      byClass[name].forEach(function (r) {
        ctx.moveTo(d.wx[t.a[r]] * s - ox, d.wy[t.a[r]] * s - oy);
        ctx.lineTo(d.wx[t.b[r]] * s - ox, d.wy[t.b[r]] * s - oy);
      });
      ctx.strokeStyle = TIE_COLOUR[name];
      ctx.stroke();
    });
    ctx.globalAlpha = 1;
    var young = ends.filter(function (r) { return d.kind[r] === 0; });
    drawDots(ctx, young, young.length, v, NODE_STYLE.young_person, NODE_STYLE.young_person.fillColor,
             { color: "#ffffff", weight: 0.8 }, 1);
    state.dots = young; state.ring = row;
    var x = d.wx[row] * s - ox, y = d.wy[row] * s - oy, st = NODE_STYLE[KINDS[d.kind[row]]];
    ctx.beginPath(); ctx.arc(x, y, st.radius, 0, 2 * Math.PI);
    ctx.fillStyle = d.kind[row] === 0 && (d.flags[row] & F_NEET) ? NEET_COLOUR : st.fillColor; ctx.fill();
    ctx.beginPath(); ctx.arc(x, y, st.radius + 6, 0, 2 * Math.PI);
    ctx.strokeStyle = "#ffd400"; ctx.lineWidth = 4; ctx.stroke();
    return true;
  }

  function fadeTies() {
    var id = SM.selection && SM.selection.kind !== "area" ? SM.selection.id : null;
    var fade = !!id || !!SM.reachLayer;  // an organisation's reach is drawn over faded ties too
    var c = SM.layers.ties && SM.layers.ties._container;
    if (c) c.style.opacity = fade ? String(FADE) : "1";
    SM.faded = fade;
  }

  /* Repaint the layers whose data changed: ties, nodes (and with them the per-area circles). */
  function changed(what) {
    if (what.nodes) SM.nodeVersion += 1;
    if (what.ties) SM.layers.ties.repaint();
    if (what.nodes) { SM.layers.nodes.repaint(); SM.layers.density.repaint(); }
    SM.layers.selection.repaint();
    // labels and the ranking's rings (map_extras.js) are drawn at nodes: ties leave them be
    if (what.nodes) SM.extraLayers.forEach(function (layer) { layer.schedule(); });
    lodNote();
  }

  function lodNote() {
    var div = SM.legend && SM.legend.getContainer().querySelector(".sm-lod");
    if (!div) return;
    var parts = [];
    if (SM.layers.density.state.drawn) parts.push("Circles: young people per area.");
    var ts = SM.layers.ties.state;
    if (ts.mode === "flows" && ts.flows) parts.push("Lines: ties between areas, wider for more.");
    if (parts.length) parts.push("Zoom in for each person and tie.");
    else if (ts.stubs) parts.push("Long ties are drawn short from each end; select someone to see theirs.");
    var text = parts.join(" "), display = parts.length ? "block" : "none";
    // set only when it changes: a new text is laid out again (each toggle, each pan)
    if (div.textContent !== text) div.textContent = text;
    if (div.style.display !== display) div.style.display = display;
  }

  /* ------------------------------------------------------------------ hit testing */

  /* The node drawn at a point of the map (a place over a young person), found through the
   * grid: the nodes a layer draws at the level of detail of its last paint, and the selection. */
  function nodeAt(containerPoint, latlng) {
    var layer = SM.layers.nodes;
    if (!layer || !layer._map || !SM.nodes || !SM.nodes.n) return undefined;
    if (!containerPoint) {
      if (!latlng) return undefined;
      containerPoint = SM.map.latLngToContainerPoint(latlng);
    }
    var v = layer.view(), d = SM.nodes;
    var p = SM.map.containerPointToLayerPoint(containerPoint);
    var wx = (p.x + v.ox) / v.scale, wy = (p.y + v.oy) / v.scale, reach = 12 / v.scale;
    var q = nodesIn(wx - reach, wy - reach, wx + reach, wy + reach, Infinity);
    var showKind = KINDS.map(function (k) { return SM.tieVisible[k] !== false; });
    var dots = !!layer.state.dotsShown;
    var candidates = (dots ? q.young : []).concat(q.places).filter(function (r) {
      return showKind[d.kind[r]] && (dots || d.kind[r] !== 0);
    });
    var sel = SM.selection ? liveRow(SM.selection.id) : undefined;
    if (sel !== undefined) candidates.push(sel);
    var best, bestD = Infinity;
    for (var j = 0; j < candidates.length; j++) {
      var r = candidates[j];
      var x = d.wx[r] * v.scale - v.ox, y = d.wy[r] * v.scale - v.oy;
      var dist = Math.hypot(x - p.x, y - p.y);
      var within = (d.kind[r] === 0 ? 3.5 : 7.5) + 3;
      if (dist <= within && (dist < bestD || d.kind[r] !== 0)) {  // places are drawn on top
        if (best !== undefined && d.kind[best] !== 0 && d.kind[r] === 0) continue;
        best = r; bestD = dist;
      }
    }
    return best;
  }

  function clickNode(row, latlng) {
    var props = nodeProps(row);
    if (SM.mode === "add") {  // adding a place: a click on a feature is a click on the map
      send("jsMapClicked", latlng.lat, latlng.lng);
      return;
    }
    // the window told first: it selects while the page lays the popup out (5-30 ms of a
    // city's first click, most of it the page's layout)
    send("jsFeatureClicked", props.kind, String(props.id));
    SM.popup = L.popup({ maxWidth: 320 }).setLatLng(latlng).setContent(describe(props, true)).openOn(SM.map);
  }

  /* The tooltip of what is under the mouse: a node's (at its point), else the area's (where the
   * mouse entered it, as Leaflet's polygons did); the pointer over either. */
  function hoverAt(e) {
    var row = nodeAt(e.containerPoint, e.latlng);
    var area = row === undefined && SM.mode !== "add" ?
      areaAt(e.latlng || (e.containerPoint && SM.map.containerPointToLatLng(e.containerPoint))) : null;
    SM.map.getContainer().style.cursor = row !== undefined || area ? "pointer" : (SM.mode === "add" ? "crosshair" : "");
    if (row === SM.hoverRow && (row !== undefined || area === SM.hoverArea)) return;
    SM.hoverRow = row;
    SM.hoverArea = area;
    if (SM.tooltip) SM.map.closeTooltip(SM.tooltip);
    SM.tooltip = null;
    if (row !== undefined) {
      SM.tooltip = L.tooltip({ direction: "top", offset: [0, -6] })
        .setLatLng([SM.nodes.lat[row], SM.nodes.lon[row]]).setContent(describe(nodeProps(row), false));
    } else if (area) {
      SM.tooltip = L.tooltip({ direction: "top", offset: [0, -6] })
        .setLatLng(e.latlng || SM.map.containerPointToLatLng(e.containerPoint)).setContent(describe(area.feature.properties, false));
    }
    if (SM.tooltip) SM.map.openTooltip(SM.tooltip);
  }

  function hoverOut() {
    if (SM.tooltip) SM.map.closeTooltip(SM.tooltip);
    SM.tooltip = null; SM.hoverRow = undefined; SM.hoverArea = null;
  }

  /* ------------------------------------------------------------------ areas */

  /* An area as the page keeps it: its GeoJSON feature (what its popup and tooltip show), its
   * rings in world units (x, y pairs of Web Mercator's unit square, projected once per project,
   * not again at every zoom as Leaflet's polygons were), their box (world units and degrees), and
   * the style it is drawn with (``options``, in Leaflet's path option names). */
  function AreaShape(feature) {
    var self = this;
    this.feature = feature;
    this.rings = [];
    this.x0 = this.y0 = Infinity; this.x1 = this.y1 = -Infinity;
    this.south = this.west = Infinity; this.north = this.east = -Infinity;
    this.options = {};
    function ring(coords) {
      var r = new Float64Array(2 * coords.length);
      for (var i = 0; i < coords.length; i++) {
        var lon = coords[i][0], lat = coords[i][1], x = worldX(lon), y = worldY(lat);
        r[2 * i] = x; r[2 * i + 1] = y;
        if (x < self.x0) self.x0 = x;
        if (x > self.x1) self.x1 = x;
        if (y < self.y0) self.y0 = y;
        if (y > self.y1) self.y1 = y;
        if (lat < self.south) self.south = lat;
        if (lat > self.north) self.north = lat;
        if (lon < self.west) self.west = lon;
        if (lon > self.east) self.east = lon;
      }
      if (coords.length > 1) self.rings.push(r);
    }
    (function geometry(g) {
      if (!g) return;
      if (g.type === "Polygon") g.coordinates.forEach(ring);
      else if (g.type === "MultiPolygon") g.coordinates.forEach(function (poly) { poly.forEach(ring); });
      else if (g.type === "GeometryCollection") (g.geometries || []).forEach(geometry);
    })(feature.geometry);
  }
  AreaShape.prototype.getBounds = function () {
    return L.latLngBounds([this.south, this.west], [this.north, this.east]);
  };
  /* Merge ``style`` into the area's options and paint the areas again (as Leaflet's setStyle). */
  AreaShape.prototype.setStyle = function (style) {
    Object.assign(this.options, style);
    if (SM.layers.areas) SM.layers.areas.schedule();
    return this;
  };

  function areasShown() { return SM.tieVisible.area !== false && !!SM.areaList.length; }

  /* The area's rings added to ``path`` in layer px, vertices closer than ``step`` (world units)
   * to the last one drawn left out. */
  function traceArea(path, a, s, ox, oy, step) {
    for (var r = 0; r < a.rings.length; r++) {
      var ring = a.rings[r], n = ring.length, lx = ring[0], ly = ring[1];
      path.moveTo(lx * s - ox, ly * s - oy);
      for (var k = 2; k < n; k += 2) {
        var x = ring[k], y = ring[k + 1];
        if (k < n - 2 && Math.abs(x - lx) < step && Math.abs(y - ly) < step) continue;
        path.lineTo(x * s - ox, y * s - oy);
        lx = x; ly = y;
      }
      path.closePath();
    }
  }

  //: More areas than this in view: their plain outlines are drawn one pixel wide (the
  //: rasteriser's fast path for thin lines), not 1.3 px.
  var AREAS_THIN_OVER = 150;

  /* The areas (bottom layer of the page): those whose box meets the canvas, one fill per colour
   * and opacity and one stroke per outline style (Leaflet drew 500 polygons one by one, each
   * with its own fill and stroke, and projected and clipped them again at every zoom and pan);
   * the plain outlines first, then the reach's and the scenario's (dashed), then the selected
   * area's. */
  function paintAreas(ctx, v, state) {
    state.drawn = 0;
    if (!areasShown()) return false;
    var list = SM.areaList, s = v.scale, ox = v.ox, oy = v.oy, step = 0.7 / s, shown = [];
    for (var i = 0; i < list.length; i++) {
      var a = list[i];
      if (a.x1 < v.x0 || a.x0 > v.x1 || a.y1 < v.y0 || a.y0 > v.y1 || !a.rings.length) continue;
      if (v.partial && (a.x1 < v.partial[0] || a.x0 > v.partial[2] || a.y1 < v.partial[1] || a.y0 > v.partial[3])) continue;
      shown.push(a);
    }
    state.drawn = shown.length; state.dashed = []; state.selected = null;
    if (!shown.length && !v.partial) return false;
    var fills = new Map(), strokes = new Map(), thin = shown.length > AREAS_THIN_OVER;
    shown.forEach(function (a) {
      var o = a.options, path = new Path2D();
      traceArea(path, a, s, ox, oy, step);
      if (o.fill !== false && o.fillOpacity > 0) {
        var fk = o.fillColor + " " + o.fillOpacity, f = fills.get(fk);
        if (!f) fills.set(fk, f = { colour: o.fillColor, alpha: o.fillOpacity, path: new Path2D() });
        f.path.addPath(path);
      }
      if (o.dashArray) state.dashed.push(a.feature.properties.id);
      if (o.stroke !== false && o.weight > 0) {
        var sk = [o.color, o.weight, o.opacity, o.dashArray || ""].join(" "), g = strokes.get(sk);
        if (!g) strokes.set(sk, g = { colour: o.color, weight: o.weight, alpha: o.opacity, dash: o.dashArray, path: new Path2D() });
        g.path.addPath(path);
      }
    });
    fills.forEach(function (f) {
      ctx.globalAlpha = f.alpha; ctx.fillStyle = f.colour; ctx.fill(f.path, "evenodd");
    });
    ctx.lineJoin = "round"; ctx.lineCap = "round";
    Array.from(strokes.values()).sort(function (p, q) { return p.weight - q.weight; }).forEach(function (g) {
      ctx.globalAlpha = g.alpha; ctx.strokeStyle = g.colour;
      ctx.lineWidth = thin && g.weight <= 1.5 && !g.dash ? 1 : g.weight;
      ctx.setLineDash(g.dash ? String(g.dash).split(/[ ,]+/).map(Number) : []);
      ctx.stroke(g.path);
    });
    ctx.setLineDash([]);
    var sel = SM.selection && SM.selection.kind === "area" ? SM.areaIndex[SM.selection.id] : null;
    if (sel && shown.indexOf(sel) >= 0) {
      var sp = new Path2D();
      traceArea(sp, sel, s, ox, oy, step);
      ctx.globalAlpha = 1; ctx.strokeStyle = "#ffd400"; ctx.lineWidth = 5;
      ctx.stroke(sp);
      state.selected = sel.feature.properties.id;
    }
    ctx.globalAlpha = 1; ctx.lineJoin = "miter"; ctx.lineCap = "butt";
    return true;
  }

  /* Even-odd point in polygon over all of an area's rings (outer rings and holes alike). */
  function insideArea(a, x, y) {
    if (x < a.x0 || x > a.x1 || y < a.y0 || y > a.y1) return false;
    var odd = false;
    for (var r = 0; r < a.rings.length; r++) {
      var ring = a.rings[r], n = ring.length / 2;
      for (var i = 0, j = n - 1; i < n; j = i++) {
        var xi = ring[2 * i], yi = ring[2 * i + 1], xj = ring[2 * j], yj = ring[2 * j + 1];
        if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) odd = !odd;
      }
    }
    return odd;
  }

  /* The area drawn at a point of the map (none while the areas are hidden). */
  function areaAt(latlng) {
    if (!latlng || !areasShown()) return null;
    var x = worldX(latlng.lng), y = worldY(latlng.lat), list = SM.areaList;
    for (var i = list.length - 1; i >= 0; i--) if (insideArea(list[i], x, y)) return list[i];
    return null;
  }

  function clickArea(area, latlng) {
    var props = area.feature.properties;
    send("jsFeatureClicked", "area", String(props.id));  // the window first, as for a node
    SM.popup = L.popup({ maxWidth: 320 }).setLatLng(latlng).setContent(describe(props, true)).openOn(SM.map);
  }

  /* ------------------------------------------------------------------ set-up and loading */

  function areaStyleFor(code) {
    var s = { color: "#4a5a6a", weight: 1.3, opacity: 0.9,
              fillColor: SM.areaStyle[code] || "#fbfbfb", fillOpacity: basemapShown() ? (SM.areaStyle[code] ? 0.5 : 0.05) : 0.6,
              dashArray: null };  // a flagged area's dash is undone when its flag goes
    if (SM.reachAreas[code]) {
      s.color = "#ff7f00"; s.weight = 3; s.opacity = 1;
    }
    if (SM.outlines[code]) {
      s.color = "#b30000"; s.weight = 3.5; s.dashArray = "6 3"; s.opacity = 1;
    }
    return s;
  }

  function report() {
    if (batchRepaints) { batchReport = true; return; }  // once, at the end of the batch (SM.batch)
    SM.drawnAt = Date.now();
    send("jsLayersDrawn", JSON.stringify(SM.counts()));
  }

  SM.init = function (mapName) {
    SM.map = window[mapName];
    SM.map.options.zoomSnap = 0.25;
    SM.map.options.zoomDelta = 0.5;
    SM.renderer = new AreaCanvas({ padding: 0.5, tolerance: 3 });  // the reach lines
    SM.nodes = emptyNodes();
    SM.tieData = emptyTies();
    // bottom to top: areas (Leaflet), ties, young people per area, nodes, the selection
    // each in a pane of its own, stacked above the areas (overlayPane, z-index 400) and below
    // Leaflet's markers, tooltips and popups (600 and up)
    // the per-area circles of young people (and their counts) over the places, which are drawn
    // small when there are many
    // the areas under everything of the page's own (over the basemap's tiles, 200, and under
    // Leaflet's overlay pane, 400, where the reach lines are drawn)
    [["areas", paintAreas, 390], ["ties", paintTies, 410], ["nodes", paintNodes, 420], ["density", paintDensity, 430],
     ["selection", paintSelection, 440]].forEach(function (spec) {
      var pane = SM.map.createPane("sm-" + spec[0]);
      pane.style.zIndex = spec[2];
      pane.style.pointerEvents = "none";
      SM.layers[spec[0]] = new CanvasLayer(spec[0], spec[1], { pane: "sm-" + spec[0] });
    });
    // added in this order so that on a move the nodes layer paints before the density layer,
    // which reads how many young people the nodes layer found in view
    ["areas", "ties", "nodes", "density", "selection"].forEach(function (k) { SM.layers[k].addTo(SM.map); });
    initReference();
    SM.map.on("moveend zoomend", lodNote);
    // a click selects the node drawn there, else the area (adding a place: the point)
    SM.map.on("click", function (e) {
      // what is hit is what the nodes layer draws now: painted first if a zoom or a pan left it
      // in the paint queue (the other layers are painted in the queue's own tasks, after)
      if (SM.layers.nodes._pending) runUpdate(SM.layers.nodes);
      var row = nodeAt(e.containerPoint, e.latlng);
      if (row !== undefined) { clickNode(row, e.latlng); return; }
      if (SM.mode === "add") { send("jsMapClicked", e.latlng.lat, e.latlng.lng); return; }
      var area = areaAt(e.latlng);
      if (area) clickArea(area, e.latlng);
    });
    SM.map.on("mousemove", hoverAt);
    SM.map.on("mouseout", hoverOut);
    SM.map.on("resize", fitIfSized);
    SM.legend = L.control({ position: "bottomright" });
    SM.legend.onAdd = function () {
      var div = L.DomUtil.create("div", "sm-legend");
      div.style.cssText = "background:rgba(255,255,255,0.92);padding:6px 9px;border-radius:4px;" +
        "font:13px sans-serif;line-height:18px;box-shadow:0 1px 4px rgba(0,0,0,0.3);max-width:260px";
      L.DomEvent.disableClickPropagation(div);  // a click on the legend is not a click on the map
      return div;
    };
    SM.legend.addTo(SM.map);
    addKey(SM.legend.getContainer());
    // the layers of resources/map_extras.js (labels, ranking, search marks, image export)
    (window.SM_PLUGINS || []).forEach(function (plugin) {
      plugin(SM, { CanvasLayer: CanvasLayer, liveRow: liveRow, CLASSES: CLASSES, nodeProps: nodeProps, inView: inView,
                   worldX: worldX, worldY: worldY, F_REMOVED: F_REMOVED, F_GONE: F_GONE, FADE: FADE,
                   placesIn: placesIn, drawLabel: drawLabel,
                   paint: { areas: paintAreas, ties: paintTies, nodes: paintNodes, density: paintDensity,
                            selection: paintSelection } });
    });
    var style = document.createElement("style");
    style.textContent = ".sm-pop table{border-collapse:collapse;margin-top:4px;font-size:12px}" +
      ".sm-pop th{text-align:left;padding-right:8px;color:#555;font-weight:normal}" +
      ".sm-kind{color:#666;font-size:11px}.sm-sw{display:inline-block;width:14px;height:12px;" +
      "margin-right:6px;border:1px solid #777;vertical-align:middle}" +
      ".sm-lod{margin-top:4px;font-size:11px;color:#444;line-height:14px}";
    document.head.appendChild(style);
    if (window.qt && window.qt.webChannelTransport && window.QWebChannel) {
      new QWebChannel(window.qt.webChannelTransport, function (channel) {
        SM.bridge = channel.objects.bridge;
        send("jsPageReady");
      });
    }
  };

  /* One part of a project's payload (socialmap.mapview.binary.parts): "areas" replaces the
   * project (areas drawn, view fitted), then "nodes", then "ties" (and the report). */
  SM.loadPart = function (part) {
    if (part.part === "areas") {
      resetProject(part);
    } else if (part.part === "nodes") {
      setNodeBlock(part.nodes);
      changed({ nodes: true });
    } else if (part.part === "ties") {
      setTieBlock(part.ties);
      changed({ ties: true });
      report();
      // the adjacency (a selection's ties, an edit's) in a task of its own, before it is needed
      var data = SM.tieData;
      setTimeout(function () { if (SM.tieData === data) adjacency(); }, 0);
    }
    return part.part;
  };

  function resetProject(part) {
    var map = SM.map;
    SM.areaIndex = {}; SM.outlines = {}; SM.reachAreas = {}; SM.selection = null; SM.hiddenNodes = null;
    SM.hoverRow = undefined; SM.hoverArea = null;
    if (SM.reachLayer) { map.removeLayer(SM.reachLayer); SM.reachLayer = null; }
    SM.nodes = emptyNodes();
    SM.tieData = emptyTies();
    nodesReplaced();
    SM.areaCodes = part.area_codes || [];
    SM.areaRow = {};
    SM.areaCodes.forEach(function (c, i) { SM.areaRow[c] = i; });
    SM.areaList = ((part.areas && part.areas.features) || []).map(function (f) {
      var a = new AreaShape(f);
      SM.areaIndex[f.properties.id] = a;
      a.options = areaStyleFor(f.properties.id);
      return a;
    });
    var n = SM.areaCodes.length, sizes = [];
    SM.areaCentre = new Float64Array(2 * n);
    SM.areaList.forEach(function (a) {
      var f = a.feature, i = SM.areaRow[f.properties.id], c = f.properties.centre;
      if (i === undefined || !c) return;
      SM.areaCentre[2 * i] = worldX(c[1]); SM.areaCentre[2 * i + 1] = worldY(c[0]);
      sizes.push(Math.sqrt(Math.abs((a.x1 - a.x0) * (a.y1 - a.y0))));
    });
    sizes.sort(function (x, y) { return x - y; });
    SM.typicalAreaSize = sizes.length ? sizes[Math.floor(sizes.length / 2)] : 0;
    SM.areaCount = new Int32Array(n);
    fadeTies();
    SM.bounds = part.bounds;
    SM.fitted = false;
    fitIfSized();
    SM.layers.areas.repaint();
    changed({ ties: true, nodes: true });
  }

  /* A whole project in one call (small projects; tests): parts as socialmap.mapview.binary.parts. */
  SM.load = function (parts) { parts.forEach(SM.loadPart); };

  /* A long JSON text handed over a piece at a time (socialmap.ui.mapwidget: one call of a
   * city's 4-5 MB text held the window's UI thread 30-40 ms, and up to 130 ms while the loading
   * job shared Python's lock with it): the pieces are kept until the last, then the whole text
   * is parsed as JSON (data, never run as script) and given to SM.loadPart, or to the call
   * named (SM.setTies, SM.setReference: their one argument). */
  var pieces = [], PIECED_CALLS = { loadPart: true, setTies: true, setReference: true };
  SM.piece = function (text, last, call) {
    pieces.push(text);
    if (!last) return pieces.length;
    var whole = pieces.join("");
    pieces = [];
    var name = call || "loadPart";
    if (!PIECED_CALLS[name]) throw new Error("SM.piece: not a call taking pieces: " + name);
    return SM[name](JSON.parse(whole));
  };

  /* The "after" view of a scenario: removed services/organisations drawn faded, their ties not. */
  SM.hideTiesOf = function (ids) {
    var d = SM.nodes, rows = [];
    Object.keys(SM.hiddenNodes || {}).forEach(function (i) {
      var row = d.row.get(i);
      if (row !== undefined) rows.push([row, false]);
    });
    SM.hiddenNodes = null;
    if (ids && ids.length) {
      SM.hiddenNodes = {};
      ids.forEach(function (i) {
        SM.hiddenNodes[i] = true;
        var row = d.row.get(i);
        if (row !== undefined) rows.push([row, true]);
      });
    }
    // the counts and the flows between areas follow the ties of the nodes that change
    rows.forEach(function (r) {
      var gone = r[1] || (SM.hiddenNodes && SM.hiddenNodes[d.ids[r[0]]]);
      if (!!(d.flags[r[0]] & F_GONE) === !!gone) return;
      accountNode(r[0], -1);
      d.flags[r[0]] = gone ? d.flags[r[0]] | F_GONE : d.flags[r[0]] & ~F_GONE;
      accountNode(r[0], 1);
    });
    changed({ ties: true, nodes: true });
    report();
    return Object.keys(SM.hiddenNodes || {}).length;
  };

  /* How many ties of the selection are drawn strong (tests). */
  SM.focusCount = function () { flushPaints(); return SM.layers.selection.state.ties || 0; };
  /* What the selection's layer drew in its last paint (tests): the node ringed, its ties drawn
   * strong ("a|b", the ends' ids in order) and its young neighbours drawn as dots. */
  SM.selectionDrawn = function () {
    flushPaints();
    var st = SM.layers.selection.state, d = SM.nodes, t = SM.tieData;
    return { ring: st.ring === null || st.ring === undefined ? null : d.ids[st.ring],
             ties: (st.tieRows || []).map(function (r) { return [d.ids[t.a[r]], d.ids[t.b[r]]].sort().join("|"); }).sort(),
             dots: (st.dots || []).map(function (r) { return d.ids[r]; }).sort() };
  };
  /* The flows the ties' layer drew in its last paint, in the order drawn (tests):
   * [[area code, area code, ties of the classes shown, commonest class shown], ...]. */
  SM.flowsDrawn = function () {
    flushPaints();
    var st = SM.layers.ties.state, f = SM.flowData;
    if (st.mode !== "flows" || !f || !st.flowPairs) return [];
    return st.flowPairs.map(function (p) {
      return [SM.areaCodes[f.a[p[0]]], SM.areaCodes[f.b[p[0]]], p[1], CLASSES[p[2]]];
    });
  };
  /* The opacity a tie class is drawn with now (faded while a person or place is selected). */
  SM.tieOpacity = function (cls) { return TIE_OPACITY[cls] * (SM.faded ? FADE : 1); };
  /* What the level of detail drew in the last paint (tests, the benchmark). */
  SM.drawn = function () {
    flushPaints();
    return { young_people_in_view: SM.layers.nodes.state.youngInView || 0,
             young_people_drawn: SM.layers.nodes.state.youngDrawn || 0,
             area_circles: SM.layers.density.state.drawn || 0,
             ties_in_view: SM.layers.ties.state.inView, ties_drawn: SM.layers.ties.state.drawn || 0,
             tie_flows_drawn: SM.layers.ties.state.flows || 0, tie_stubs: SM.layers.ties.state.stubs || 0 };
  };
  /* What the areas' layer drew in its last paint (tests): how many areas, the codes of those
   * drawn dashed (flagged by a scenario), the selected area's code. */
  SM.areasDrawn = function () {
    flushPaints();
    var st = SM.layers.areas.state;
    return { drawn: st.drawn || 0, dashed: (st.dashed || []).slice().sort(), selected: st.selected || null };
  };
  /* Hover at a point of the map as the mouse would; the tooltip's text (tests). */
  SM.hoverAt = function (lat, lon) {
    var ll = L.latLng(lat, lon);
    hoverAt({ latlng: ll, containerPoint: SM.map.latLngToContainerPoint(ll) });
    return SM.tooltip && SM.tooltip.getElement() ? SM.tooltip.getElement().textContent : null;
  };
  /* Flows between areas now, [[area code, area code, ties], ...] in the order of the codes
   * (tests). */
  SM.flows = function () {
    var f = flowTable(), out = [];
    for (var i = 0; i < f.a.length; i++) {
      var n = f.counts[i].reduce(function (x, y) { return x + y; }, 0);
      if (n > 0) out.push([SM.areaCodes[f.a[i]], SM.areaCodes[f.b[i]], n]);
    }
    return out.sort();
  };
  /* The counts of SM.counts made again from every row (tests: the edits keep them). */
  SM.recount = function () {
    var c = countAll(), out = { area: SM.areaList.length, ties: c.ties };
    KINDS.forEach(function (k) { out[k] = c[k]; });
    return out;
  };
  /* Other thresholds of the level of detail (tests: a small project seen as a city), then a
   * full paint: {youngDots, ties, flows}. */
  SM.setLod = function (lod) {
    if (lod.youngDots !== undefined) YP_DOTS_MAX = lod.youngDots;
    if (lod.ties !== undefined) TIES_MAX = lod.ties;
    if (lod.flows !== undefined) FLOWS_MAX = lod.flows;
    SM.viewCache = null;
    changed({ ties: true, nodes: true });
    return [YP_DOTS_MAX, TIES_MAX, FLOWS_MAX];
  };
  SM.tieCount = function () {
    var t = SM.tieData, n = 0;
    for (var i = 0; i < t.n; i++) if (t.cls[i] !== REMOVED_TIE) n++;
    return n;
  };
  /* Where a node is drawn, [lat, lon] (tests). */
  SM.nodeLatLng = function (id) {
    var row = liveRow(id);
    return row === undefined ? null : [SM.nodes.lat[row], SM.nodes.lon[row]];
  };
  /* Click or hover at a node's point, as the mouse would (tests). */
  SM.clickNode = function (id) {
    var ll = SM.nodeLatLng(id);
    if (!ll) return false;
    SM.map.fire("click", { latlng: L.latLng(ll), containerPoint: SM.map.latLngToContainerPoint(ll) });
    return true;
  };
  SM.hoverNode = function (id) {
    var ll = SM.nodeLatLng(id);
    if (!ll) return null;
    hoverAt({ containerPoint: SM.map.latLngToContainerPoint(ll) });
    return SM.tooltip && SM.tooltip.getElement() ? SM.tooltip.getElement().textContent : null;
  };

  function fitIfSized(still) {
    var size = SM.map.getSize();
    if (!SM.fitted && SM.bounds && size.x > 0 && size.y > 0) {
      // room on the right for the legend when the map is wide enough to spare it
      var legend = SM.legend.getContainer().offsetWidth || 0;
      SM.map.fitBounds(SM.bounds, { paddingTopLeft: [12, 12], animate: still ? false : undefined,
                                    paddingBottomRight: [size.x > 2.5 * legend ? legend + 12 : 12, 12] });
      SM.fitted = true;
    }
  }

  function setRow(row, feature) {
    var d = SM.nodes, p = feature.properties, c = feature.geometry.coordinates;
    d.kind[row] = KINDS.indexOf(p.kind);
    d.flags[row] = (p.neet === true ? F_NEET : 0) | (p.is_anchor === true ? F_ANCHOR : 0) |
      (SM.hiddenNodes && SM.hiddenNodes[p.id] ? F_GONE : 0);
    d.age[row] = typeof p.age === "number" && p.age >= 0 && p.age < 255 ? p.age : 255;
    var area = p.area_code !== undefined && p.area_code !== null ? SM.areaRow[p.area_code] : undefined;
    d.area[row] = area === undefined ? -1 : area;
    // a point within the precision of the loaded columns (Float32, about 0.4 m) and of the
    // features (6 decimals) of where it is drawn stays there: a new label moves nothing
    var lat = c[1], lon = c[0];
    if (!(Math.abs(lat - d.lat[row]) < 1e-5 && Math.abs(lon - d.lon[row]) < 1e-5)) {
      d.lat[row] = lat; d.lon[row] = lon; d.wx[row] = worldX(lon); d.wy[row] = worldY(lat);
    }
    d.labels[row] = p.label;
    if (p.kind !== "young_person") {
      var props = Object.assign({}, p);
      delete props.kind; delete props.id; delete props.label;
      d.props[row] = props;
    }
  }

  function countArea(row, delta) {
    var d = SM.nodes;
    if (d.kind[row] === 0 && d.area[row] >= 0 && d.area[row] < SM.areaCount.length) SM.areaCount[d.area[row]] += delta;
  }

  /* What a node's drawing depends on: kind, flags, place, home area. */
  function drawnAs(row) {
    var d = SM.nodes;
    return [d.kind[row], d.flags[row], d.wx[row], d.wy[row], d.area[row]];
  }

  /* Paint again what an edit of node ``row`` changed (its drawing was ``before``, null if it
   * is new): nothing for a new label or a field the map does not show; else the dots round
   * its old and new place, its ties (found from the nodes in view, not every tie), the
   * per-area circles if its area's count changed, and the selection. */
  function nodeEdited(row, before) {
    var after = drawnAs(row), same = before !== null;
    for (var i = 0; same && i < after.length; i++) same = before[i] === after[i];
    if (same) return;
    SM.nodeVersion += 1;
    if (before === null || before[0] !== after[0] || before[2] !== after[2] || before[3] !== after[3]) markLoose(row);
    var layer = SM.layers.nodes, v = layer._map ? layer.view() : null;
    if (v) {
      var r = 16 / v.scale, xs = [after[2]], ys = [after[3]];
      if (before !== null) { xs.push(before[2]); ys.push(before[3]); }
      var bx0 = Math.min.apply(null, xs) - r, bx1 = Math.max.apply(null, xs) + r;
      var by0 = Math.min.apply(null, ys) - r, by1 = Math.max.apply(null, ys) + r;
      if (bx1 >= v.x0 && bx0 <= v.x1 && by1 >= v.y0 && by0 <= v.y1) layer.repaintBox(bx0, by0, bx1, by1);
      if (layer.state.dotsShown !== (viewNodes(v).youngCount <= YP_DOTS_MAX)) layer.repaint();
    }
    if (tieRowsOf(row).length || SM.layers.ties.state.mode === "flows") SM.layers.ties.repaint();
    if (before === null || before[4] !== after[4] || ((before[1] ^ after[1]) & F_REMOVED) || before[0] !== after[0]) {
      SM.layers.density.repaint();
    }
    SM.layers.selection.repaint();
    lodNote();
  }

  /* A node added or changed (a GeoJSON feature of socialmap.mapview.payloads.node_feature). */
  SM.upsertNode = function (feature) {
    var d = SM.nodes, id = feature.properties.id, row = d.row.get(id), before = null;
    if (row === undefined) {
      ensureNodeCapacity(d.n + 1);
      row = d.n;
      d.n += 1;
      d.ids[row] = id;
      d.row.set(id, row);
      d.flags[row] = F_REMOVED;  // counted below, once it is set
    } else {
      before = d.flags[row] & F_REMOVED ? null : drawnAs(row);
      if (!(d.flags[row] & F_REMOVED)) countArea(row, -1);
    }
    accountNode(row, -1);
    setRow(row, feature);
    refreshFlowArea(row);
    accountNode(row, 1);
    countArea(row, 1);
    nodeEdited(row, before);
    report();
  };

  SM.removeNode = function (id, quiet) {
    var d = SM.nodes, row = liveRow(id);
    if (row !== undefined) {
      var before = drawnAs(row);
      countArea(row, -1);
      accountNode(row, -1);
      d.flags[row] |= F_REMOVED;
      markBad(row);
      accountNode(row, 1);
      nodeEdited(row, before);
    }
    if (!quiet) {
      if (SM.selection && SM.selection.id === id) SM.select(null, null, false);
      report();
    }
  };

  /* Ties added or reclassified (records {key: "a|b", cls}) and removed (keys). */
  SM.upsertTies = function (records, removedKeys) {
    var rows = SM.nodes.row, t = SM.tieData, changes = 0;
    (removedKeys || []).forEach(function (k) {
      var ends = k.split("|");
      var i = findTie(rows.get(ends[0]), rows.get(ends[1]));
      if (i >= 0 && t.cls[i] !== REMOVED_TIE) { account(i, -1); t.cls[i] = REMOVED_TIE; changes++; }
    });
    changes += addTieRecords(records || []);
    if (!changes) return;  // the same ties again (a node's new label): nothing to draw
    changed({ ties: true });
    report();
  };

  SM.removeTies = function (keys) { SM.upsertTies([], keys); };

  SM.select = function (kind, id, pan) {
    var map = SM.map, wasArea = SM.selection && SM.selection.kind === "area";
    SM.selection = id ? { kind: kind, id: id } : null;
    fadeTies();
    SM.layers.selection.repaint();
    // the selected area's outline is drawn with the areas
    if (wasArea || (SM.selection && kind === "area")) SM.layers.areas.repaint();
    if (!id) return null;
    if (kind === "area") {
      var area = SM.areaIndex[id];
      if (!area) return null;
      if (pan && !map.getBounds().contains(area.getBounds())) {
        map.fitBounds(area.getBounds(), { maxZoom: map.getZoom(), padding: [40, 40] });
      }
      return id;
    }
    var ll = SM.nodeLatLng(id);
    if (!ll) return null;
    if (pan && !map.getBounds().pad(-0.1).contains(ll)) map.panTo(ll);
    return id;
  };

  SM.selected = function () { return SM.selection; };

  /* New name or census fields of an area (its shape never changes). */
  SM.updateArea = function (feature) {
    var layer = SM.areaIndex[feature.properties.id];
    if (!layer) return false;
    feature.properties.centre = layer.feature.properties.centre;
    layer.feature.properties = feature.properties;
    SM.extraLayers.forEach(function (l) { l.schedule(); });  // its name (map_extras.js)
    return true;
  };

  /* Fit the view to the project (``animate`` false: at once, without a zoom animation). */
  SM.fit = function (animate) {
    SM.fitted = false;
    fitIfSized(animate === false);
  };

  SM.setAreaStyle = function (style) {
    SM.areaStyle = (style && style.colours) || {};
    restyleAreas();
    var div = SM.legend.getContainer();
    div.textContent = "";
    if (!style || !style.legend) { addKey(div); lodNote(); return; }
    div.appendChild(el("b", style.legend.title));
    style.legend.entries.forEach(function (entry) {
      var row = el("div");
      var sw = el("span", null, "sm-sw");
      sw.style.background = entry.colour;
      row.appendChild(sw);
      row.appendChild(document.createTextNode(entry.label));
      if (entry.title) row.title = entry.title;  // a class's plain meaning, on hover
      div.appendChild(row);
    });
    addKey(div);
    if (Object.keys(SM.outlines).length) {
      var row = el("div");
      var sw = el("span", null, "sm-sw");
      sw.style.border = "2px dashed #b30000";
      row.appendChild(sw);
      row.appendChild(document.createTextNode("flagged by the scenario"));
      div.appendChild(row);
    }
    lodNote();
  };

  /* The symbols' key can be folded away (on a 1366 x 768 laptop it covered a third of the
   * map); folded from the start when the map is less than 560 px high. */
  SM.keyOpen = null;
  SM.toggleKey = function () {
    SM.keyOpen = !SM.keyShown();
    var key = SM.legend.getContainer().querySelector(".sm-key");
    var toggle = SM.legend.getContainer().querySelector(".sm-key-toggle");
    if (key) key.style.display = SM.keyOpen ? "grid" : "none";
    if (toggle) toggle.textContent = SM.keyOpen ? "Key \u25BE" : "Key \u25B8";
    return SM.keyOpen;
  };
  SM.keyShown = function () {
    return SM.keyOpen === null ? SM.map.getSize().y >= 560 : SM.keyOpen;
  };

  function addKey(div) {
    var open = SM.keyShown();
    var toggle = el("div", open ? "Key \u25BE" : "Key \u25B8", "sm-key-toggle");
    toggle.style.cssText = "margin-top:4px;cursor:pointer;color:#1f4e79;font-size:12px;user-select:none";
    toggle.title = "Show or hide the key to the symbols";
    L.DomEvent.on(toggle, "click", function (e) { L.DomEvent.stop(e); SM.toggleKey(); });
    div.appendChild(toggle);
    var key = el("div", null, "sm-key");
    key.style.cssText = "margin-top:2px;display:" + (open ? "grid" : "none") +
      ";grid-template-columns:auto auto;column-gap:10px;font-size:12px";
    [["Anchor institution", "#3f2c8c", "#111111", 9], ["Organisation", "#3f2c8c", "#ffffff", 7],
     ["Service", "#238b45", "#ffffff", 6], ["Young person", "#e6550d", "#ffffff", 4],
     ["NEET young person", "#a63603", "#ffffff", 4]].forEach(function (k) {
      var row = el("div");
      var dot = el("span");
      dot.style.cssText = "display:inline-block;vertical-align:middle;margin:0 " + (16 - 2 * k[3]) / 2 +
        "px 0 " + (16 - 2 * k[3]) / 2 + "px;border-radius:50%;width:" + 2 * k[3] + "px;height:" +
        2 * k[3] + "px;background:" + k[1] + ";border:2px solid " + k[2];
      row.appendChild(dot);
      row.appendChild(document.createTextNode(" " + k[0]));
      key.appendChild(row);
    });
    ["bonding", "bridging", "linking", "institutional"].forEach(function (cls) {
      var row = el("div");
      var line = el("span");
      line.style.cssText = "display:inline-block;vertical-align:middle;width:20px;height:0;margin-right:4px;" +
        "border-top:3px solid " + TIE_COLOUR[cls];
      row.appendChild(line);
      row.appendChild(document.createTextNode(cls.charAt(0).toUpperCase() + cls.slice(1) + " tie"));
      key.appendChild(row);
    });
    div.appendChild(key);
    var lod = el("div", null, "sm-lod");
    lod.style.display = "none";
    div.appendChild(lod);
  }

  /* Style every area again, or only those of ``codes`` (a scenario's outlines: the areas
   * whose outline comes or goes, not all 500 of a city). */
  function restyleAreas(codes) {
    if (!SM.areaList.length) return;
    (codes || Object.keys(SM.areaIndex)).forEach(function (c) {
      if (SM.areaIndex[c]) SM.areaIndex[c].options = areaStyleFor(c);
    });
    SM.layers.areas.schedule();
  }

  SM.setOutlines = function (codes) {
    var before = SM.outlines, changedCodes = [];
    SM.outlines = {};
    (codes || []).forEach(function (c) { SM.outlines[c] = true; if (!before[c]) changedCodes.push(c); });
    Object.keys(before).forEach(function (c) { if (!SM.outlines[c]) changedCodes.push(c); });
    restyleAreas(changedCodes);
    return Object.keys(SM.outlines).length;
  };

  SM.outlined = function () { return Object.keys(SM.outlines).sort(); };
  SM.reached = function () { return Object.keys(SM.reachAreas).sort(); };

  /* Replace every tie (after an analysis with another group key): tie records
   * [{key, cls}, ...], or columns {n, a, b, cls} of socialmap.mapview.binary.ties_block. */
  SM.setTies = function (ties) {
    if (Array.isArray(ties)) tiesFromRecords(ties);
    else setTieBlock(ties);
    changed({ ties: true });
    report();
  };

  SM.setReach = function (origin, points, codes) {
    var map = SM.map;
    if (SM.reachLayer) { map.removeLayer(SM.reachLayer); SM.reachLayer = null; }
    var reached = Object.keys(SM.reachAreas);
    SM.reachAreas = {};
    if (!origin) { restyleAreas(reached); fadeTies(); return 0; }
    var group = L.featureGroup();
    (points || []).forEach(function (p) {
      L.polyline([origin, p], { renderer: SM.renderer, color: "#ff7f00", weight: 1.2, opacity: 0.7,
                               interactive: false }).addTo(group);
      L.circleMarker(p, { renderer: SM.renderer, radius: 6, color: "#ff7f00", weight: 2, fill: false,
                          interactive: false }).addTo(group);
    });
    L.circleMarker(origin, { renderer: SM.renderer, radius: 14, color: "#ff7f00", weight: 3,
                             fill: false, interactive: false }).addTo(group);
    SM.reachLayer = group.addTo(map);
    (codes || []).forEach(function (c) { SM.reachAreas[c] = true; });
    restyleAreas();
    fadeTies();
    return (points || []).length;
  };

  /* Show or hide a tie class, a node kind or the areas; returns whether it is shown. */
  SM.setVisible = function (name, visible) {
    SM.tieVisible[name] = visible;
    if (CLASSES.indexOf(name) >= 0) { changed({ ties: true }); return visible; }
    if (KINDS.indexOf(name) >= 0) { changed({ nodes: true, ties: false }); return visible; }
    if (name !== "area" || !SM.areaList.length) return false;
    SM.layers.areas.repaint();
    return areasShown();
  };

  SM.setMode = function (mode) {
    SM.mode = mode;
    SM.map.getContainer().style.cursor = mode === "add" ? "crosshair" : "";
  };

  /* How many areas, nodes of each kind and ties of each class there are to draw (all of them,
   * whatever the zoom shows). */
  SM.counts = function () {
    if (!SM.countCache) SM.countCache = countAll();
    var c = SM.countCache, out = { area: SM.areaList.length, ties: Object.assign({}, c.ties) };
    KINDS.forEach(function (k) { out[k] = c[k]; });
    return out;
  };

  /* The counts of SM.counts from every row (then kept by the edits: account, accountNode). */
  function countAll() {
    var out = { ties: {} };
    var d = SM.nodes, t = SM.tieData;
    KINDS.forEach(function (k) { out[k] = 0; });
    for (var i = 0; i < d.n; i++) if (!(d.flags[i] & F_REMOVED)) out[KINDS[d.kind[i]]] += 1;
    var byClass = new Int32Array(CLASSES.length);
    for (i = 0; i < t.n; i++) {
      var c = t.cls[i];
      if (c === REMOVED_TIE || ((d.flags[t.a[i]] | d.flags[t.b[i]]) & (F_REMOVED | F_GONE))) continue;
      byClass[c] += 1;
    }
    CLASSES.forEach(function (c, k) { out.ties[c] = byClass[k]; });
    return out;
  }

  /* Open the popup of a feature as a click would (used by tests and the UI). */
  SM.openPopup = function (kind, id) {
    var props, ll;
    if (kind === "area") {
      var layer = SM.areaIndex[id];
      if (!layer) return null;
      props = layer.feature.properties; ll = layer.getBounds().getCenter();
    } else {
      var row = liveRow(id);
      if (row === undefined) return null;
      props = nodeProps(row); ll = L.latLng(SM.nodes.lat[row], SM.nodes.lon[row]);
    }
    SM.popup = L.popup({ maxWidth: 320 }).setLatLng(ll).setContent(describe(props, true)).openOn(SM.map);
    return SM.popup.getElement().textContent;
  };

  /* ------------------------------------------------------------------ basemap and reference layers
   * The basemap is a Leaflet tile layer (tile pane, under the areas) whose URLs are smtiles:KEY/z/x/y,
   * answered inside the application from the user's MBTiles or PMTiles file (socialmap.ui.tilescheme);
   * its attribution, from the file, is shown as text. Reference layers (roads, buildings, ward
   * boundaries read from the user's files) are drawn read-only on one canvas above the areas and
   * under the ties: parts culled by their boxes, vertices closer than 0.7 px skipped, so 50,000
   * roads pan and zoom as one layer. */

  function basemapShown() { return !!(SM.basemap && SM.map && SM.map.hasLayer(SM.basemap)); }

  function textAsHtml(text) { var d = document.createElement("div"); d.textContent = text || ""; return d.innerHTML; }

  SM.setBasemap = function (spec) {
    if (SM.basemap) { SM.map.removeLayer(SM.basemap); SM.basemap = null; }
    SM.basemapStats = { loaded: 0, errors: 0, urls: [] };
    if (!spec) { restyleAreas(); return false; }
    var b = spec.bounds;
    var layer = L.tileLayer(spec.url, {
      minNativeZoom: spec.minzoom, maxNativeZoom: spec.maxzoom, minZoom: 0, maxZoom: 22,
      opacity: spec.opacity, attribution: textAsHtml(spec.attribution), keepBuffer: 2,
      crossOrigin: "anonymous",  // the scheme answers with CORS: a map image may copy the tiles
      bounds: b ? L.latLngBounds([b[1], b[0]], [b[3], b[2]]) : undefined,
    });
    var stats = SM.basemapStats;
    layer.on("tileload", function (e) { stats.loaded += 1; if (stats.urls.length < 200) stats.urls.push(e.tile.src); });
    layer.on("tileerror", function () { stats.errors += 1; });
    SM.basemap = layer;
    if (spec.visible) layer.addTo(SM.map);
    restyleAreas();
    return basemapShown();
  };

  SM.setBasemapOpacity = function (opacity) {
    if (SM.basemap) SM.basemap.setOpacity(opacity);
    return SM.basemap ? SM.basemap.options.opacity : null;
  };

  SM.setBasemapVisible = function (visible) {
    if (!SM.basemap) return false;
    if (visible && !SM.map.hasLayer(SM.basemap)) SM.basemap.addTo(SM.map);
    else if (!visible && SM.map.hasLayer(SM.basemap)) SM.map.removeLayer(SM.basemap);
    restyleAreas();
    return basemapShown();
  };

  /* What the basemap drew (tests): tiles loaded and failed, their URLs, the attribution shown. */
  SM.basemapState = function () {
    var st = SM.basemapStats || { loaded: 0, errors: 0, urls: [] };
    var attr = SM.map.attributionControl ? SM.map.attributionControl.getContainer().textContent : "";
    var imgs = SM.basemap && SM.basemap.getContainer() ? SM.basemap.getContainer().querySelectorAll("img.leaflet-tile-loaded") : [];
    return { on: basemapShown(), loaded: st.loaded, errors: st.errors, urls: st.urls.slice(), attribution: attr,
             opacity: SM.basemap ? SM.basemap.options.opacity : null, shown: imgs.length };
  };

  /* For a picture of the map (SM.exportImage): the basemap tiles shown now, painted into ctx,
   * whose transform maps layer px as the canvas layers' do (view v); how many were drawn. */
  SM.drawBasemapInto = function (ctx, v) {
    if (!basemapShown()) return 0;
    var drawn = 0, tiles = SM.basemap._tiles || {};
    ctx.save();
    ctx.globalAlpha = SM.basemap.options.opacity;
    Object.keys(tiles).forEach(function (key) {
      var t = tiles[key], img = t.el, c = t.coords, n = Math.pow(2, c.z);
      if (!img || !img.complete || !img.naturalWidth || !t.current) return;
      var x0 = c.x / n, y0 = c.y / n;
      ctx.drawImage(img, x0 * v.scale - v.ox, y0 * v.scale - v.oy, v.scale / n, v.scale / n);
      drawn += 1;
    });
    ctx.restore();
    return drawn;
  };

  SM.reference = {};
  SM.referenceOrder = [];

  function initReference() {
    var pane = SM.map.createPane("sm-reference");
    pane.style.zIndex = 405;  // over the areas (400), under the ties (410)
    pane.style.pointerEvents = "none";
    SM.layers.reference = new CanvasLayer("reference", paintReference, { pane: "sm-reference" });
    SM.layers.reference.addTo(SM.map);
  }

  /* A reference layer: {id, name, colour, visible, n, kinds (0 point, 1 line, 2 polygon ring),
   * starts (n + 1 vertex offsets), xy (lon, lat pairs)}, columns as base64 typed arrays
   * (socialmap.mapview.reference.layer_payload). */
  SM.setReference = function (spec) {
    var n = spec.n, kinds = decode(spec.kinds, Uint8Array), starts = decode(spec.starts, Int32Array);
    var xy = decode(spec.xy, Float32Array), m = xy.length / 2;
    var wx = new Float64Array(m), wy = new Float64Array(m), box = new Float64Array(4 * n);
    for (var i = 0; i < m; i++) { wx[i] = worldX(xy[2 * i]); wy[i] = worldY(xy[2 * i + 1]); }
    for (var p = 0; p < n; p++) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var k = starts[p]; k < starts[p + 1]; k++) {
        if (wx[k] < x0) x0 = wx[k]; if (wx[k] > x1) x1 = wx[k];
        if (wy[k] < y0) y0 = wy[k]; if (wy[k] > y1) y1 = wy[k];
      }
      box[4 * p] = x0; box[4 * p + 1] = y0; box[4 * p + 2] = x1; box[4 * p + 3] = y1;
    }
    if (!SM.reference[spec.id]) SM.referenceOrder.push(spec.id);
    SM.reference[spec.id] = { name: spec.name, colour: spec.colour, visible: spec.visible !== false, n: n,
                              kinds: kinds, starts: starts, wx: wx, wy: wy, box: box, drawn: 0 };
    SM.layers.reference.repaint();
    return n;
  };

  SM.setReferenceStyle = function (id, colour, visible) {
    var r = SM.reference[id];
    if (!r) return false;
    if (colour) r.colour = colour;
    if (visible !== null && visible !== undefined) r.visible = !!visible;
    SM.layers.reference.repaint();
    return r.visible;
  };

  SM.removeReference = function (id) {
    if (!SM.reference[id]) return false;
    delete SM.reference[id];
    SM.referenceOrder = SM.referenceOrder.filter(function (k) { return k !== id; });
    SM.layers.reference.repaint();
    return true;
  };

  /* Each reference layer: its name, parts, parts drawn in the last paint, whether shown (tests). */
  SM.referenceState = function () {
    flushPaints();
    var out = {};
    SM.referenceOrder.forEach(function (id) {
      var r = SM.reference[id];
      out[id] = { name: r.name, parts: r.n, drawn: r.drawn, visible: r.visible, colour: r.colour };
    });
    out._paintMs = SM.layers.reference.state.ms || 0;
    return out;
  };

  /* Paths are stroked in batches of REF_BATCH parts, opaque (the canvas itself is drawn at
   * REF_OPACITY), and one pixel wide when more than REF_THIN_OVER parts are in view: without a
   * GPU, a stroke of 50,000 roads 1.4 px wide with an alpha took the rasteriser seconds a frame
   * (their outlines and overlaps worked out as one shape); one-pixel lines are drawn as
   * hairlines, a few tens of ms. */
  var REF_BATCH = 300, REF_OPACITY = 0.85, REF_THIN_OVER = 3000;

  function paintReference(ctx, v, state) {
    var t0 = performance.now(), s = v.scale, ox = v.ox, oy = v.oy, step = 0.7 / s, any = false;
    var c = SM.layers.reference && SM.layers.reference._container;
    if (c) c.style.opacity = String(REF_OPACITY);
    SM.referenceOrder.forEach(function (id) {
      var r = SM.reference[id];
      r.drawn = 0;
      if (!r.visible) return;
      var shown = r.inView && r.inView.length >= r.n ? r.inView : (r.inView = new Int32Array(r.n)), count = 0;
      for (var p = 0; p < r.n; p++) {
        var b = 4 * p;
        if (r.box[b + 2] < v.x0 || r.box[b] > v.x1 || r.box[b + 3] < v.y0 || r.box[b + 1] > v.y1) continue;
        if (r.starts[p + 1] > r.starts[p]) shown[count++] = p;
      }
      r.drawn = count;
      any = any || count > 0;
      var thin = count > REF_THIN_OVER;
      ctx.strokeStyle = r.colour; ctx.fillStyle = r.colour;
      var batch = [0, 0, 0], paths = [new Path2D(), new Path2D(), new Path2D()];
      function flush(kind) {
        if (!batch[kind]) return;
        if (kind === 2) {
          ctx.globalAlpha = 0.14; ctx.fill(paths[2], "evenodd");
          ctx.globalAlpha = 1; ctx.lineWidth = thin ? 1 : 2.2; ctx.stroke(paths[2]);
        } else if (kind === 1) {
          ctx.globalAlpha = 1; ctx.lineWidth = thin ? 1 : 1.6; ctx.stroke(paths[1]);
        } else {
          ctx.globalAlpha = 1; ctx.fill(paths[0]);
        }
        paths[kind] = new Path2D();
        batch[kind] = 0;
      }
      for (var j = 0; j < count; j++) {
        var q = shown[j], bq = 4 * q, kind = r.kinds[q], a = r.starts[q], e = r.starts[q + 1];
        var path = paths[kind];
        if (kind === 0) {
          var px = r.wx[a] * s - ox, py = r.wy[a] * s - oy, rad = thin ? 2 : 3;
          path.moveTo(px + rad, py); path.arc(px, py, rad, 0, 2 * Math.PI);
        } else {
          if (r.box[bq + 2] - r.box[bq] < step && r.box[bq + 3] - r.box[bq + 1] < step) continue;  // under a pixel
          var lx = r.wx[a], ly = r.wy[a];
          path.moveTo(lx * s - ox, ly * s - oy);
          for (var k = a + 1; k < e; k++) {
            var x = r.wx[k], y = r.wy[k];
            if (k < e - 1 && Math.abs(x - lx) < step && Math.abs(y - ly) < step) continue;
            path.lineTo(x * s - ox, y * s - oy);
            lx = x; ly = y;
          }
          if (kind === 2) path.closePath();
        }
        if (++batch[kind] >= REF_BATCH) flush(kind);
      }
      flush(2); flush(1); flush(0);
      ctx.globalAlpha = 1;
    });
    state.ms = performance.now() - t0;
    return any;  // an empty canvas is left out of compositing
  }

  /* Longest gap of a 10 ms timer in the page (the benchmark's page-busy measure). */
  SM.gapWatch = function (on) {
    if (on) {
      if (SM._gapTimer) clearInterval(SM._gapTimer);
      SM._gapLast = performance.now(); SM._gapMax = 0;
      SM._gapTimer = setInterval(function () {
        var now = performance.now();
        SM._gapMax = Math.max(SM._gapMax, now - SM._gapLast);
        SM._gapLast = now;
      }, 10);
      return 0;
    }
    var now = performance.now();
    var gap = Math.max(SM._gapMax || 0, now - (SM._gapLast || now));
    if (SM._gapTimer) clearInterval(SM._gapTimer);
    SM._gapTimer = null;
    return gap;
  };

})();
