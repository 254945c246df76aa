/* SocialMap map page: labels, the criticality ranking, search marks and image export.
 *
 * A plugin of resources/map_bridge.js (window.SM_PLUGINS, run at the end of SM.init with the
 * bridge's internals). Text from data is drawn on canvases with fillText (never parsed as
 * HTML) or set with textContent.
 *
 * - Labels (SM.setVisible("labels", on)): area names at their centre point where the name
 *   fits inside the polygon (the label's box, corners and edge middles, inside the area's
 *   rings) and overlaps no other label, biggest areas first, 12 px then 10 px, at the centre
 *   or just above or below it; before them, organisation and service names beside their
 *   dots, where they overlap no other, at close zoom (PLACE_LABELS_ZOOM) or when few are in view. Names also show on hover (the
 *   bridge's tooltip). Young people are never labelled (SPEC 8).
 * - Ranking (SM.setRanking(items)): the criticality ranking's services and organisations as
 *   rings sized by the expected number of young people newly isolated, the first ten of each
 *   list numbered, with a key of its own; SM.setRanking(null) clears it.
 * - Search (SM.focus(kind, id), SM.markPoint(lat, lon, text), SM.clearMark()).
 * - Export (SM.exportImage(options)): the current view drawn again, layer by layer, on one
 *   canvas of the size asked for, with a title band, key and scale bar; a PNG data URL.
 */
(window.SM_PLUGINS = window.SM_PLUGINS || []).push(function (SM, I) {
  "use strict";

  //: Place names are drawn from this zoom (streets), when at most PLACE_LABELS_MAX places are
  //: in view; at any zoom when at most PLACE_LABELS_FEW are.
  var PLACE_LABELS_ZOOM = 15, PLACE_LABELS_MAX = 60, PLACE_LABELS_FEW = 12;
  //: The ranking's rings drawn at most in a view: the largest (a city's 4,600 at town zoom
  //: covered it, and took the page 180 ms to draw); zooming in shows the others.
  var RANK_RINGS_MAX = 150;
  var AREA_FONTS = [12, 10];
  var LABEL_COLOUR = "#1d2b36";
  var BACKGROUND = "#eef1f4";
  var map = SM.map;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  /* ------------------------------------------------------------ area rings in world units */

  var ringsOf = null, ringsFor = null;

  /* Each area's rings and world bounding box (the bridge's, projected once per project). */
  function areaRings() {
    if (ringsFor === SM.areaList && ringsOf) return ringsOf;
    ringsOf = {};
    ringsFor = SM.areaList;
    SM.areaList.forEach(function (a) {
      ringsOf[a.feature.properties.id] = { rings: a.rings, x0: a.x0, y0: a.y0, x1: a.x1, y1: a.y1,
                                           size: (a.x1 - a.x0) * (a.y1 - a.y0) };
    });
    return ringsOf;
  }

  /* Even-odd point in polygon over all rings (outer rings and holes alike). */
  function inside(rings, x, y) {
    var odd = false;
    for (var r = 0; r < rings.length; r++) {
      var ring = rings[r], n = ring.length / 2;
      for (var i = 0, j = n - 1; i < n; j = i++) {
        var xi = ring[2 * i], yi = ring[2 * i + 1], xj = ring[2 * j], yj = ring[2 * j + 1];
        if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) odd = !odd;
      }
    }
    return odd;
  }

  function overlaps(box, placed) {
    for (var i = 0; i < placed.length; i++) {
      var b = placed[i];
      if (box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]) return true;
    }
    return false;
  }

  /* ------------------------------------------------------------ labels */

  SM.labelsOn = true;

  function halo(ctx, text, x, y) {
    ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.9)"; ctx.lineJoin = "round";
    ctx.strokeText(text, x, y);
    ctx.fillText(text, x, y);
  }

  /* Organisation and service names at close zoom, then area names where they fit around them. */
  //: Widths of label texts by font, measured once (measureText was a tenth of a town's paint).
  var widths = new Map();
  function textWidth(ctx, text) {
    var key = ctx.font + "|" + text, w = widths.get(key);
    if (w === undefined) {
      if (widths.size > 20000) widths.clear();
      widths.set(key, w = ctx.measureText(text).width);
    }
    return w;
  }

  function paintLabels(ctx, v, state) {
    state.areas = []; state.places = [];
    if (!SM.labelsOn || !SM.nodes) return false;
    var s = v.scale, ox = v.ox, oy = v.oy, placed = [], d = SM.nodes;
    ctx.textBaseline = "middle";
    // organisations and services in view (never young people), at close zoom or when few
    var showKind = { 1: SM.tieVisible.service !== false, 2: SM.tieVisible.organisation !== false };
    // from the bridge's list of places (not a pass over every young person at every paint)
    var places = d.n ? I.placesIn(v.x0, v.y0, v.x1, v.y1, Infinity).filter(function (r) {
      return showKind[d.kind[r]] && !(d.flags[r] & I.F_GONE);
    }).slice(0, PLACE_LABELS_MAX + 1) : [];
    if (places.length <= PLACE_LABELS_FEW || (v.zoom >= PLACE_LABELS_ZOOM && places.length <= PLACE_LABELS_MAX)) {
      ctx.font = "bold 11px sans-serif"; ctx.textAlign = "left"; ctx.fillStyle = "#2d1f66";
      places.forEach(function (row) {
        var text = d.labels[row];
        if (!text) return;
        var x = d.wx[row] * s - ox + 10, y = d.wy[row] * s - oy, w = textWidth(ctx, text);
        var box = [x - 1, y - 7, x + w + 1, y + 7];
        if (overlaps(box, placed)) return;
        placed.push(box);
        I.drawLabel(ctx, v, text, x, y, "bold 11px sans-serif", "#2d1f66", "rgba(255,255,255,0.9)", "left");
        state.places.push(d.ids[row]);
      });
    }
    // areas, biggest first
    var rings = areaRings(), codes = [];
    Object.keys(rings).forEach(function (code) {
      var r = rings[code];
      if (r.x1 < v.x0 || r.x0 > v.x1 || r.y1 < v.y0 || r.y0 > v.y1) return;
      if ((r.x1 - r.x0) * s < 30) return;  // too small on screen for any name
      codes.push(code);
    });
    codes.sort(function (a, b) { return rings[b].size - rings[a].size; });
    ctx.textAlign = "center";
    codes.forEach(function (code) {
      var layer = SM.areaIndex[code], props = layer.feature.properties, text = props.label;
      var row = SM.areaRow[code];
      if (!text || row === undefined || !SM.areaCentre) return;
      var cx = SM.areaCentre[2 * row], cy = SM.areaCentre[2 * row + 1], r = rings[code];
      for (var f = 0; f < AREA_FONTS.length; f++) {
        var size = AREA_FONTS[f];
        ctx.font = (f === 0 ? "bold " : "") + size + "px sans-serif";
        var w = textWidth(ctx, text) + 4, h = size + 4;
        if (w > (r.x1 - r.x0) * s) continue;
        // at the area's centre point, else just above or below it (a place's name can be there)
        for (var shift = 0; shift < 3; shift++) {
          var x = cx * s - ox, y = cy * s - oy + [0, -1.5 * h, 1.5 * h][shift];
          var box = [x - w / 2, y - h / 2, x + w / 2, y + h / 2];
          if (overlaps(box, placed)) continue;
          var fits = true;
          for (var px = 0; px < 3 && fits; px++) {
            for (var py = 0; py < 3 && fits; py++) {
              var tx = (box[0] + (box[2] - box[0]) * px / 2 + ox) / s, ty = (box[1] + (box[3] - box[1]) * py / 2 + oy) / s;
              fits = inside(r.rings, tx, ty);
            }
          }
          if (!fits) continue;
          placed.push(box);
          I.drawLabel(ctx, v, text, x, y, ctx.font, LABEL_COLOUR, "rgba(255,255,255,0.9)", "center");
          state.areas.push(code);
          return;
        }
      }
    });
    ctx.textAlign = "start";
    return state.areas.length + state.places.length > 0;  // an empty canvas is left out of compositing
  }

  /* ------------------------------------------------------------ ranking */

  SM.ranking = null;

  /* items: [{id, kind ("service"|"organisation"), rank (1 = most damaging), isolated}] */
  SM.setRanking = function (items) {
    SM.ranking = items && items.length ? items : null;
    SM.layers.rank.repaint();
    var div = SM.rankKey.getContainer();
    div.textContent = "";
    div.style.display = SM.ranking ? "block" : "none";
    if (SM.ranking) {
      div.appendChild(el("b", "Criticality ranking"));
      [["#238b45", "service: rank if decommissioned"], ["#3f2c8c", "organisation: rank if closed"]].forEach(function (k) {
        var row = el("div");
        var badge = el("span", "1");
        badge.style.cssText = "display:inline-block;width:16px;height:16px;border-radius:50%;color:#fff;" +
          "text-align:center;font:bold 10px/16px sans-serif;margin-right:6px;background:" + k[0];
        row.appendChild(badge);
        row.appendChild(document.createTextNode(k[1]));
        div.appendChild(row);
      });
      div.appendChild(el("div", "Ring size: expected young people newly isolated. The first ten of each list are numbered. " +
                         "With more than " + RANK_RINGS_MAX + " in view, the " + RANK_RINGS_MAX + " largest: zoom in for the others.",
                         "sm-lod"));
    }
    return SM.ranking ? SM.ranking.length : 0;
  };

  function paintRank(ctx, v, state) {
    state.drawn = 0; state.numbered = 0;
    if (!SM.ranking) return false;
    var s = v.scale, ox = v.ox, oy = v.oy, d = SM.nodes, max = 0;
    SM.ranking.forEach(function (it) { max = Math.max(max, it.isolated || 0); });
    var numbered = [], ringed = [];
    SM.ranking.forEach(function (it) {
      var row = I.liveRow(it.id);
      if (row === undefined || !I.inView(v, d.wx[row], d.wy[row], 30 / s)) return;
      var x = d.wx[row] * s - ox, y = d.wy[row] * s - oy;
      var colour = it.kind === "service" ? "#238b45" : "#3f2c8c";
      if (max > 0 && it.isolated > 0) ringed.push([it.isolated, x, y, it.kind === "service"]);
      if (it.rank <= 10) numbered.push([x, y, colour, String(it.rank)]);
    });
    if (ringed.length > RANK_RINGS_MAX) {
      ringed.sort(function (a, b) { return b[0] - a[0]; });
      ringed.length = RANK_RINGS_MAX;
    }
    // the rings of each colour as one path, filled once and stroked once (a fill and a stroke
    // per ring had the page busy 180 ms for a city's 4,600 at town zoom)
    var rings = { service: new Path2D(), organisation: new Path2D() };
    ringed.forEach(function (g) {
      var r = 8 + 22 * Math.sqrt(g[0] / max), path = g[3] ? rings.service : rings.organisation;
      path.moveTo(g[1] + r, g[2]); path.arc(g[1], g[2], r, 0, 2 * Math.PI);
    });
    state.drawn = ringed.length;
    [["service", "#238b45"], ["organisation", "#3f2c8c"]].forEach(function (k) {
      ctx.globalAlpha = 0.18; ctx.fillStyle = k[1]; ctx.fill(rings[k[0]]);
      ctx.globalAlpha = 0.9; ctx.lineWidth = 2; ctx.strokeStyle = k[1]; ctx.stroke(rings[k[0]]);
    });
    ctx.globalAlpha = 1;
    ctx.font = "bold 11px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
    numbered.forEach(function (b) {
      ctx.beginPath(); ctx.arc(b[0] + 9, b[1] - 9, 8, 0, 2 * Math.PI);
      ctx.fillStyle = b[2]; ctx.fill(); ctx.lineWidth = 1.5; ctx.strokeStyle = "#ffffff"; ctx.stroke();
      ctx.fillStyle = "#ffffff"; ctx.fillText(b[3], b[0] + 9, b[1] - 9 + 0.5);
    });
    ctx.textAlign = "start";
    state.numbered = numbered.length;
    return state.drawn + state.numbered > 0;
  }

  /* ------------------------------------------------------------ layers */

  [["labels", paintLabels, 445], ["rank", paintRank, 442]].forEach(function (spec) {
    var pane = map.createPane("sm-" + spec[0]);
    pane.style.zIndex = spec[2];
    pane.style.pointerEvents = "none";
    SM.layers[spec[0]] = new I.CanvasLayer(spec[0], spec[1], { pane: "sm-" + spec[0] });
    SM.layers[spec[0]].addTo(map);
    SM.extraLayers.push(SM.layers[spec[0]]);
  });
  SM.rankKey = L.control({ position: "bottomleft" });
  SM.rankKey.onAdd = function () {
    var div = L.DomUtil.create("div", "sm-legend sm-rank-key");
    div.style.cssText = "background:rgba(255,255,255,0.92);padding:6px 9px;border-radius:4px;display:none;" +
      "font:12px sans-serif;line-height:18px;box-shadow:0 1px 4px rgba(0,0,0,0.3);max-width:240px";
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  SM.rankKey.addTo(map);

  var baseSetVisible = SM.setVisible;
  SM.setVisible = function (name, visible) {
    if (name === "labels") {
      SM.labelsOn = !!visible;
      SM.layers.labels.repaint();
      return SM.labelsOn;
    }
    var shown = baseSetVisible(name, visible);
    // a place kind hidden takes its names with it; a tie class changes no name
    if (I.CLASSES.indexOf(name) < 0) SM.layers.labels.schedule();
    return shown;
  };
  var baseSetAreaStyle = SM.setAreaStyle;
  SM.setAreaStyle = function (style) {
    SM.areaLegend = style && style.legend ? style.legend : null;  // for the exported image's key
    return baseSetAreaStyle(style);
  };

  /* What the labels and ranking layers drew in their last paint (tests). */
  SM.labelsDrawn = function () {
    SM.flushPaints();
    var st = SM.layers.labels.state;
    return { areas: (st.areas || []).slice().sort(), places: (st.places || []).slice().sort() };
  };
  /* Another most of rings drawn (tests: a small project seen as a city); returns the old. */
  SM.setRankRingsMax = function (n) {
    var old = RANK_RINGS_MAX;
    RANK_RINGS_MAX = n;
    SM.layers.rank.repaint();
    return old;
  };
  SM.rankDrawn = function () {
    SM.flushPaints();
    var st = SM.layers.rank.state;
    return { rings: st.drawn || 0, numbered: st.numbered || 0, items: SM.ranking ? SM.ranking.length : 0,
             key: SM.rankKey.getContainer().style.display !== "none" };
  };

  /* ------------------------------------------------------------ search */

  SM.mark = null;

  /* A zoom animation still running (the fit after a project opens) would refuse a new view,
   * and at its end move the map back to its own target: finish it now. */
  function settle() {
    if (map._animatingZoom && map._onZoomTransitionEnd) map._onZoomTransitionEnd();
  }

  /* Show a search result: an area fitted in view, a node centred at street zoom. */
  SM.focus = function (kind, id) {
    settle();
    if (kind === "area") {
      var area = SM.areaIndex[id];
      if (!area) return null;
      map.fitBounds(area.getBounds(), { padding: [40, 40], maxZoom: 16, animate: false });
      return id;
    }
    var ll = SM.nodeLatLng(id);
    if (!ll) return null;
    map.setView(ll, Math.max(map.getZoom(), 16), { animate: false });
    return id;
  };

  /* A searched point (a postcode): a marker with its text, the map centred on it. */
  SM.markPoint = function (lat, lon, text) {
    SM.clearMark();
    settle();
    var group = L.featureGroup();
    L.circleMarker([lat, lon], { radius: 11, color: "#d7191c", weight: 3, fill: false, interactive: false }).addTo(group);
    L.circleMarker([lat, lon], { radius: 3, color: "#d7191c", weight: 1, fillColor: "#d7191c", fillOpacity: 1,
                                 interactive: false }).addTo(group);
    var tip = el("div", text);
    group.bindTooltip(tip, { permanent: true, direction: "right", offset: [12, 0] });
    SM.mark = { layer: group.addTo(map), lat: lat, lon: lon, text: String(text) };
    group.openTooltip(L.latLng(lat, lon));
    map.setView([lat, lon], Math.max(map.getZoom(), 16), { animate: false });
    return true;
  };
  SM.clearMark = function () {
    if (SM.mark) map.removeLayer(SM.mark.layer);
    SM.mark = null;
  };
  SM.marked = function () {
    var c = map.getCenter();
    return { mark: SM.mark ? { lat: SM.mark.lat, lon: SM.mark.lon, text: SM.mark.text } : null,
             centre: [c.lat, c.lng], zoom: map.getZoom() };
  };

  /* ------------------------------------------------------------ image export */

  function niceLength(metres) {
    var p = Math.pow(10, Math.floor(Math.log10(metres))), f = metres / p;
    return (f >= 5 ? 5 : f >= 2 ? 2 : 1) * p;
  }

  /* The Leaflet vectors of the shared canvas renderer (the reach lines), drawn again by
   * Leaflet's own code onto ``ctx`` (same layer coordinates). */
  function drawVectors(ctx) {
    var r = SM.renderer, saved = r._ctx, drawing = r._drawing;
    r._ctx = ctx; r._drawing = true;
    try {
      for (var order = r._drawFirst; order; order = order.next) order.layer._updatePath();
    } finally {
      r._ctx = saved; r._drawing = drawing;
    }
  }

  function drawKey(ctx, x, y, u) {
    // u: output px per CSS px; returns the key's height
    var rows = [];
    if (SM.areaLegend) {
      rows.push({ title: SM.areaLegend.title });
      SM.areaLegend.entries.forEach(function (e) { rows.push({ swatch: e.colour, text: e.label }); });
    }
    if (Object.keys(SM.outlines).length) rows.push({ dash: "#b30000", text: "flagged by the scenario" });
    [["Anchor institution", "#3f2c8c", "#111111"], ["Organisation", "#3f2c8c", "#ffffff"],
     ["Service", "#238b45", "#ffffff"], ["Young person", "#e6550d", "#ffffff"]].forEach(function (k) {
      if (SM.tieVisible[k[0] === "Service" ? "service" : k[0] === "Young person" ? "young_person" : "organisation"] !== false)
        rows.push({ dot: k[1], ring: k[2], text: k[0] });
    });
    if (SM.ranking) rows.push({ dot: "#238b45", ring: "#ffffff", text: "Numbered: criticality rank" });
    if (SM.mark) rows.push({ circle: "#d7191c", text: "Searched postcode" });
    var line = 17 * u, width = 0;
    ctx.font = 12 * u + "px sans-serif";
    rows.forEach(function (row) { width = Math.max(width, ctx.measureText(row.text || row.title).width); });
    var w = width + 40 * u, h = rows.length * line + 10 * u;
    ctx.fillStyle = "rgba(255,255,255,0.92)"; ctx.fillRect(x - w, y - h, w, h);
    ctx.strokeStyle = "#999999"; ctx.lineWidth = u; ctx.strokeRect(x - w, y - h, w, h);
    ctx.textBaseline = "middle"; ctx.textAlign = "left";
    rows.forEach(function (row, i) {
      var cy = y - h + 5 * u + line * (i + 0.5), sx = x - w + 8 * u;
      if (row.title) {
        ctx.font = "bold " + 12 * u + "px sans-serif"; ctx.fillStyle = "#111111"; ctx.fillText(row.title, sx, cy);
        ctx.font = 12 * u + "px sans-serif";
        return;
      }
      if (row.swatch) {
        ctx.fillStyle = row.swatch; ctx.fillRect(sx, cy - 6 * u, 16 * u, 12 * u);
        ctx.strokeStyle = "#777777"; ctx.strokeRect(sx, cy - 6 * u, 16 * u, 12 * u);
      } else if (row.dash) {
        ctx.setLineDash([4 * u, 2 * u]); ctx.strokeStyle = row.dash; ctx.lineWidth = 2 * u;
        ctx.strokeRect(sx, cy - 6 * u, 16 * u, 12 * u); ctx.setLineDash([]); ctx.lineWidth = u;
      } else if (row.dot) {
        ctx.beginPath(); ctx.arc(sx + 8 * u, cy, 5 * u, 0, 2 * Math.PI); ctx.fillStyle = row.dot; ctx.fill();
        ctx.strokeStyle = row.ring; ctx.lineWidth = 1.5 * u; ctx.stroke(); ctx.lineWidth = u;
      } else if (row.circle) {
        ctx.beginPath(); ctx.arc(sx + 8 * u, cy, 6 * u, 0, 2 * Math.PI); ctx.strokeStyle = row.circle;
        ctx.lineWidth = 2 * u; ctx.stroke(); ctx.lineWidth = u;
      }
      ctx.fillStyle = "#111111"; ctx.fillText(row.text, sx + 24 * u, cy);
    });
    return h;
  }

  function drawScaleBar(ctx, x, y, u, k) {
    // metres per CSS px at the view's centre (Web Mercator: the equator's length over the
    // world's width in px, times cos(latitude))
    var c = map.getCenter(), scale = map.options.crs.scale(map.getZoom());
    var perCss = 40075016.686 * Math.cos(c.lat * Math.PI / 180) / scale;
    var perOut = perCss / k;  // metres per output px
    var metres = niceLength(perOut * 150 * u), len = metres / perOut;
    var text = metres >= 1000 ? metres / 1000 + " km" : metres + " m";
    ctx.fillStyle = "rgba(255,255,255,0.85)"; ctx.fillRect(x - 6 * u, y - 24 * u, len + 12 * u, 30 * u);
    ctx.strokeStyle = "#111111"; ctx.lineWidth = 2 * u;
    ctx.beginPath(); ctx.moveTo(x, y - 6 * u); ctx.lineTo(x, y); ctx.lineTo(x + len, y); ctx.lineTo(x + len, y - 6 * u);
    ctx.stroke();
    ctx.font = 12 * u + "px sans-serif"; ctx.fillStyle = "#111111"; ctx.textAlign = "center"; ctx.textBaseline = "bottom";
    ctx.fillText(text, x + len / 2, y - 7 * u);
    ctx.textAlign = "start";
    return { metres: metres, px: len };
  }

  /* The current view as a PNG data URL of ``width`` x ``height`` px: the map (every layer
   * drawn again at the image's scale, so nothing is blurred), a title band when ``title``
   * is given, the key (``key``) and a scale bar (``scale``). The view's centre stays the
   * image's centre and all of the view is shown (more of the map along the longer side
   * when the shapes differ). ``dpi`` sizes the text: 96 dpi is the screen's. */
  SM.exportImage = function (o) {
    var W = Math.round(o.width), H = Math.round(o.height), size = map.getSize();
    if (!(W > 0 && H > 0) || !size.x || !size.y) return null;
    SM.flushPaints();
    var u = Math.max(1, (o.dpi || 96) / 96);  // output px per CSS px of text and symbols
    var titleH = o.title ? Math.round(34 * u) : 0, mapH = H - titleH;
    var k = Math.max(Math.min(W / size.x, mapH / size.y), 1e-6);  // output px per layer px
    var ew = W / k, eh = mapH / k, centre = map.latLngToLayerPoint(map.getCenter());
    var minx = centre.x - ew / 2, miny = centre.y - eh / 2;
    var canvas = document.createElement("canvas");
    canvas.width = W; canvas.height = H;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, W, H);
    ctx.save();
    ctx.beginPath(); ctx.rect(0, titleH, W, mapH); ctx.clip();
    ctx.fillStyle = BACKGROUND; ctx.fillRect(0, titleH, W, mapH);
    ctx.setTransform(k, 0, 0, k, -minx * k, titleH - miny * k);
    var po = map.getPixelOrigin(), scale = map.options.crs.scale(map.getZoom());
    var v = { scale: scale, ox: po.x, oy: po.y, zoom: map.getZoom(), minx: minx, miny: miny,
              x0: (minx + po.x) / scale, x1: (minx + ew + po.x) / scale,
              y0: (miny + po.y) / scale, y1: (miny + eh + po.y) / scale };
    // the basemap's tiles shown, under the areas (map_bridge.js; loaded with CORS, so the canvas stays readable)
    var basemapDrawn = SM.drawBasemapInto ? SM.drawBasemapInto(ctx, v) : 0;
    I.paint.areas(ctx, v, {});  // the areas, their outlines and the selected area's
    if (SM.reachLayer) drawVectors(ctx);
    // reference layers (roads, buildings: resources/map_bridge.js) over the areas, at their
    // canvas's opacity.
    var ref = SM.layers.reference;
    if (ref && ref._map && ref.paint) {
      var rc = document.createElement("canvas");
      rc.width = W; rc.height = H;
      var rctx = rc.getContext("2d");
      rctx.setTransform(k, 0, 0, k, -minx * k, titleH - miny * k);
      var refOpacity = ref._container ? parseFloat(ref._container.style.opacity || "1") : 1;
      ref.paint(rctx, v, {});
      if (ref._container) ref._container.style.opacity = String(refOpacity);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.globalAlpha = isNaN(refOpacity) ? 1 : refOpacity;
      ctx.drawImage(rc, 0, 0);
      ctx.globalAlpha = 1;
      ctx.setTransform(k, 0, 0, k, -minx * k, titleH - miny * k);
    }
    // ties on a layer of their own, faded as on screen while something is selected
    var tc = document.createElement("canvas");
    tc.width = W; tc.height = H;
    var tctx = tc.getContext("2d");
    tctx.setTransform(k, 0, 0, k, -minx * k, titleH - miny * k);
    I.paint.ties(tctx, v, {});
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = SM.faded ? I.FADE : 1;
    ctx.drawImage(tc, 0, 0);
    ctx.globalAlpha = 1;
    ctx.setTransform(k, 0, 0, k, -minx * k, titleH - miny * k);
    var nodeState = {};
    I.paint.nodes(ctx, v, nodeState);
    var saved = SM.layers.nodes.state;
    SM.layers.nodes.state = nodeState;  // the per-area circles read what the nodes found in view
    try { I.paint.density(ctx, v, {}); } finally { SM.layers.nodes.state = saved; }
    paintRank(ctx, v, {});
    I.paint.selection(ctx, v, {});
    paintLabels(ctx, v, {});
    if (SM.mark) {
      var mp = map.latLngToLayerPoint([SM.mark.lat, SM.mark.lon]);
      ctx.beginPath(); ctx.arc(mp.x, mp.y, 11, 0, 2 * Math.PI);
      ctx.strokeStyle = "#d7191c"; ctx.lineWidth = 3; ctx.stroke();
      ctx.font = "bold 12px sans-serif"; ctx.fillStyle = "#d7191c"; ctx.textBaseline = "middle";
      halo(ctx, SM.mark.text, mp.x + 16, mp.y);
    }
    ctx.restore();
    var out = { width: W, height: H, k: k, basemapLeftOut: !!(SM.basemap && map.hasLayer(SM.basemap)) && !basemapDrawn };
    // map furniture at the image's text scale
    if (o.title) {
      ctx.fillStyle = "#111111"; ctx.font = "bold " + 18 * u + "px sans-serif";
      ctx.textBaseline = "middle"; ctx.textAlign = "left";
      ctx.fillText(String(o.title), 10 * u, titleH / 2, W - 20 * u);
      ctx.strokeStyle = "#999999"; ctx.lineWidth = u;
      ctx.beginPath(); ctx.moveTo(0, titleH - u / 2); ctx.lineTo(W, titleH - u / 2); ctx.stroke();
    }
    if (o.key) out.keyHeight = drawKey(ctx, W - 10 * u, H - 10 * u, u);
    if (o.scale) out.scaleBar = drawScaleBar(ctx, 16 * u, H - 14 * u, u, k);
    if (o.scale) {  // north arrow (Web Mercator: north is up)
      var ax = W - 26 * u, ay = titleH + 16 * u;
      ctx.fillStyle = "#111111"; ctx.beginPath();
      ctx.moveTo(ax, ay); ctx.lineTo(ax + 8 * u, ay + 22 * u); ctx.lineTo(ax, ay + 17 * u); ctx.lineTo(ax - 8 * u, ay + 22 * u);
      ctx.closePath(); ctx.fill();
      ctx.font = "bold " + 12 * u + "px sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "top";
      ctx.fillText("N", ax, ay + 24 * u);
    }
    out.data = canvas.toDataURL("image/png");
    return out;
  };
});
