/* SocialMap map page bridge.
 *
 * Python builds the page once (socialmap.mapview.build_page) and afterwards
 * only calls the functions of window.SM with JSON payloads. Every string
 * from data is shown with textContent, never as HTML.
 *
 * Python -> page: SM.load, SM.upsertNode, SM.removeNode, SM.upsertTies,
 *   SM.removeTies, SM.select, SM.setAreaStyle, SM.setOutlines, SM.setReach,
 *   SM.setVisible, SM.setMode, SM.setTies, SM.hideTiesOf, SM.updateArea, SM.fit.
 * Page -> Python (QWebChannel object "bridge"): jsFeatureClicked(kind, id),
 *   jsMapClicked(lat, lon), jsLayersDrawn(countsJson), jsPageReady().
 */
(function () {
  "use strict";

  var NODE_STYLE = {
    young_person: { radius: 3.5, color: "#ffffff", weight: 0.8, fillColor: "#e6550d", fillOpacity: 1.0 },
    service: { radius: 6.5, color: "#ffffff", weight: 1.5, fillColor: "#238b45", fillOpacity: 1.0 },
    organisation: { radius: 7.5, color: "#ffffff", weight: 1.5, fillColor: "#3f2c8c", fillOpacity: 1.0 },
  };
  var TIE_COLOUR = {
    bonding: "#7b7b7b",
    bridging: "#e7298a",
    linking: "#1f78b4",
    institutional: "#222222",
    unclassified: "#bdbdbd",
  };
  // Light enough that 1,800 ties over a town leave the areas, places and people readable;
  // the selected person's or place's own ties are drawn strong on top (see focusTies).
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
    map: null, renderer: null, bridge: null,
    areas: null, areaIndex: {}, areaStyle: {}, outlines: {}, reachAreas: {},
    nodeGroups: {}, nodeIndex: {},
    ties: {}, tieLayers: {}, tieVisible: {},
    selection: null, selectionLayer: null, focusLayer: null, reachLayer: null,
    legend: null, mode: "none", tooltip: null, popup: null, drawnAt: null,
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
        if (k === "kind" || k === "id" || k === "label") return;
        var v = props[k];
        if (v === null || v === undefined || v === "") return;
        if (v === true) v = "yes";
        if (v === false) v = "no";
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

  function wire(group) {
    group.on("click", function (e) {
      var props = e.layer.feature.properties;
      L.DomEvent.stopPropagation(e);
      if (SM.mode === "add") {  // adding a place: a click on a feature is a click on the map
        send("jsMapClicked", e.latlng.lat, e.latlng.lng);
        return;
      }
      SM.popup = L.popup({ maxWidth: 320 }).setLatLng(e.latlng).setContent(describe(props, true)).openOn(SM.map);
      send("jsFeatureClicked", props.kind, String(props.id));
    });
    group.on("mouseover", function (e) {
      var props = e.layer.feature.properties;
      SM.tooltip = L.tooltip({ direction: "top", offset: [0, -6] })
        .setLatLng(e.latlng).setContent(describe(props, false));
      SM.map.openTooltip(SM.tooltip);
    });
    group.on("mouseout", function () {
      if (SM.tooltip) SM.map.closeTooltip(SM.tooltip);
    });
  }

  function areaStyleFor(code) {
    var s = { renderer: SM.renderer, color: "#4a5a6a", weight: 1.3, opacity: 0.9,
              fillColor: SM.areaStyle[code] || "#fbfbfb", fillOpacity: 0.6 };
    if (SM.reachAreas[code]) {
      s.color = "#ff7f00"; s.weight = 3; s.opacity = 1;
    }
    if (SM.outlines[code]) {
      s.color = "#b30000"; s.weight = 3.5; s.dashArray = "6 3"; s.opacity = 1;
    }
    return s;
  }

  function nodeLayer(feature, latlng) {
    var kind = feature.properties.kind;
    var st = Object.assign({ renderer: SM.renderer }, NODE_STYLE[kind]);
    if (kind === "organisation" && feature.properties.is_anchor) {
      st.radius = 9; st.color = "#111111"; st.weight = 2;
    }
    if (kind === "young_person") {
      if (feature.properties.neet) st.fillColor = "#a63603";
      if (SM.dense) { st.radius = 2; st.weight = 0; }
    }
    var layer = L.circleMarker(latlng, st);
    SM.nodeIndex[feature.properties.id] = layer;
    return layer;
  }

  function report() {
    SM.drawnAt = Date.now();
    send("jsLayersDrawn", JSON.stringify(SM.counts()));
  }

  SM.init = function (mapName) {
    SM.map = window[mapName];
    SM.map.options.zoomSnap = 0.25;
    SM.map.options.zoomDelta = 0.5;
    SM.renderer = L.canvas({ padding: 0.5, tolerance: 3 });
    SM.map.on("click", function (e) {
      if (SM.mode === "add") send("jsMapClicked", e.latlng.lat, e.latlng.lng);
    });
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
    var style = document.createElement("style");
    style.textContent = ".sm-pop table{border-collapse:collapse;margin-top:4px;font-size:12px}" +
      ".sm-pop th{text-align:left;padding-right:8px;color:#555;font-weight:normal}" +
      ".sm-kind{color:#666;font-size:11px}.sm-sw{display:inline-block;width:14px;height:12px;" +
      "margin-right:6px;border:1px solid #777;vertical-align:middle}";
    document.head.appendChild(style);
    if (window.qt && window.qt.webChannelTransport && window.QWebChannel) {
      new QWebChannel(window.qt.webChannelTransport, function (channel) {
        SM.bridge = channel.objects.bridge;
        send("jsPageReady");
      });
    }
  };

  SM.load = function (payload) {
    var map = SM.map;
    if (SM.areas) map.removeLayer(SM.areas);
    Object.keys(SM.nodeGroups).forEach(function (k) { map.removeLayer(SM.nodeGroups[k]); });
    Object.keys(SM.tieLayers).forEach(function (k) { map.removeLayer(SM.tieLayers[k]); });
    SM.areaIndex = {}; SM.nodeIndex = {}; SM.nodeGroups = {}; SM.ties = {}; SM.tieLayers = {};
    SM.outlines = {}; SM.reachAreas = {}; SM.selection = null; SM.hiddenNodes = null;
    if (SM.selectionLayer) { map.removeLayer(SM.selectionLayer); SM.selectionLayer = null; }
    if (SM.reachLayer) { map.removeLayer(SM.reachLayer); SM.reachLayer = null; }
    SM.areas = L.geoJSON(payload.areas, {
      style: function (f) { return areaStyleFor(f.properties.id); },
      onEachFeature: function (f, layer) { SM.areaIndex[f.properties.id] = layer; },
    }).addTo(map);
    wire(SM.areas);
    ["bonding", "bridging", "linking", "institutional", "unclassified"].forEach(function (cls) {
      SM.tieLayers[cls] = L.polyline([], {
        renderer: SM.renderer, color: TIE_COLOUR[cls], weight: TIE_WEIGHT[cls],
        opacity: TIE_OPACITY[cls], interactive: false,
      });
      if (SM.tieVisible[cls] !== false) SM.tieLayers[cls].addTo(map);
    });
    (payload.ties || []).forEach(function (t) { SM.ties[t.key] = t; });
    redrawTies();
    // Thousands of young people: smaller dots without a border, so the
    // areas and the places stay readable.
    SM.dense = ((payload.nodes.young_person || {}).features || []).length > 3000;
    ["young_person", "service", "organisation"].forEach(function (kind) {
      var fc = payload.nodes[kind] || { type: "FeatureCollection", features: [] };
      var group = L.geoJSON(fc, { pointToLayer: nodeLayer });
      wire(group);
      SM.nodeGroups[kind] = group;
      if (SM.tieVisible[kind] !== false) group.addTo(map);
    });
    SM.bounds = payload.bounds;
    SM.fitted = false;
    fitIfSized();
    report();
  };

  function tieHidden(key) {
    if (!SM.hiddenNodes) return false;
    var ends = key.split("|");
    return SM.hiddenNodes[ends[0]] === true || SM.hiddenNodes[ends[1]] === true;
  }

  /* The "after" view of a scenario: ties of removed services/organisations are not drawn. */
  SM.hideTiesOf = function (ids) {
    Object.keys(SM.hiddenNodes || {}).forEach(function (i) {
      var layer = SM.nodeIndex[i];
      if (layer) layer.setStyle({ opacity: 1, fillOpacity: NODE_STYLE[layer.feature.properties.kind].fillOpacity });
    });
    SM.hiddenNodes = null;
    if (ids && ids.length) {
      SM.hiddenNodes = {};
      ids.forEach(function (i) {
        SM.hiddenNodes[i] = true;
        var layer = SM.nodeIndex[i];
        if (layer) layer.setStyle({ opacity: 0.3, fillOpacity: 0.2 });  // gone in this scenario
      });
    }
    redrawTies();
    report();
    return Object.keys(SM.hiddenNodes || {}).length;
  };

  function redrawTies(onlyClasses) {
    SM.tieIndex = null;  // the ties changed (every change of SM.ties redraws them)
    var lines = {};
    Object.keys(SM.tieLayers).forEach(function (c) { lines[c] = []; });
    Object.keys(SM.ties).forEach(function (k) {
      var t = SM.ties[k];
      if (lines[t.cls] && !tieHidden(k)) lines[t.cls].push(t.ends);
    });
    Object.keys(SM.tieLayers).forEach(function (c) {
      if (!onlyClasses || onlyClasses[c]) SM.tieLayers[c].setLatLngs(lines[c]);
    });
    focusTies();
  }

  /* The selected person's or place's ties, strong and on top, the other ties faded (a town's
   * 1,800 ties at once hide whose tie is whose). Ties of a class switched off stay off. */
  function focusTies() {
    var map = SM.map;
    if (SM.focusLayer) { map.removeLayer(SM.focusLayer); SM.focusLayer = null; }
    var id = SM.selection && SM.selection.kind !== "area" ? SM.selection.id : null;
    var lines = {};
    var n = 0;
    if (id) {
      tiesOf(id).forEach(function (k) {
        var t = SM.ties[k];
        if (tieHidden(k) || SM.tieVisible[t.cls] === false || !SM.tieLayers[t.cls]) return;
        (lines[t.cls] = lines[t.cls] || []).push(t.ends);
        n += 1;
      });
    }
    var fade = !!id || !!SM.reachLayer;  // an organisation's reach is drawn over faded ties too
    Object.keys(SM.tieLayers).forEach(function (c) {
      SM.tieLayers[c].setStyle({ opacity: fade ? TIE_OPACITY[c] * FADE : TIE_OPACITY[c] });
    });
    if (n) {
      var group = L.featureGroup();
      Object.keys(lines).forEach(function (c) {
        L.polyline(lines[c], { renderer: SM.renderer, color: TIE_COLOUR[c], weight: 2.6, opacity: 0.95,
                               interactive: false }).addTo(group);
      });
      SM.focusLayer = group.addTo(map);
      ["young_person", "service", "organisation"].forEach(function (kind) {
        var g = SM.nodeGroups[kind];
        if (g && map.hasLayer(g)) g.bringToFront();
      });
      if (SM.selectionLayer) SM.selectionLayer.bringToFront();
    }
    SM.focused = n;
  }

  /* The keys of a node's ties, from an index built once per change of the ties (a city's
   * 400,000 ties are not scanned on every click). */
  function tiesOf(id) {
    if (!SM.tieIndex) {
      SM.tieIndex = {};
      Object.keys(SM.ties).forEach(function (k) {
        var ends = k.split("|");
        (SM.tieIndex[ends[0]] = SM.tieIndex[ends[0]] || []).push(k);
        (SM.tieIndex[ends[1]] = SM.tieIndex[ends[1]] || []).push(k);
      });
    }
    return (SM.tieIndex[id] || []).filter(function (k) { return SM.ties[k]; });
  }

  /* How many ties of the selection are drawn strong (tests). */
  SM.focusCount = function () { return SM.focused || 0; };

  function fitIfSized() {
    var size = SM.map.getSize();
    if (!SM.fitted && SM.bounds && size.x > 0 && size.y > 0) {
      // room on the right for the legend when the map is wide enough to spare it
      var legend = SM.legend.getContainer().offsetWidth || 0;
      SM.map.fitBounds(SM.bounds, { paddingTopLeft: [12, 12],
                                    paddingBottomRight: [size.x > 2.5 * legend ? legend + 12 : 12, 12] });
      SM.fitted = true;
    }
  }

  SM.upsertNode = function (feature) {
    var id = feature.properties.id;
    SM.removeNode(id, true);
    var group = SM.nodeGroups[feature.properties.kind];
    if (group) group.addData(feature);
    if (SM.selection && SM.selection.id === id) SM.select(SM.selection.kind, id, false);
    report();
  };

  SM.removeNode = function (id, quiet) {
    var layer = SM.nodeIndex[id];
    if (layer) {
      Object.keys(SM.nodeGroups).forEach(function (k) {
        if (SM.nodeGroups[k].hasLayer(layer)) SM.nodeGroups[k].removeLayer(layer);
      });
      delete SM.nodeIndex[id];
    }
    if (!quiet) {
      if (SM.selection && SM.selection.id === id) SM.select(null, null, false);
      report();
    }
  };

  SM.upsertTies = function (records, removedKeys) {
    (removedKeys || []).forEach(function (k) { delete SM.ties[k]; });
    (records || []).forEach(function (t) { SM.ties[t.key] = t; });
    redrawTies();
    report();
  };

  SM.removeTies = function (keys) { SM.upsertTies([], keys); };

  SM.select = function (kind, id, pan) {
    var map = SM.map;
    if (SM.selectionLayer) { map.removeLayer(SM.selectionLayer); SM.selectionLayer = null; }
    SM.selection = id ? { kind: kind, id: id } : null;
    focusTies();
    if (!id) return null;
    if (kind === "area") {
      var area = SM.areaIndex[id];
      if (!area) return null;
      SM.selectionLayer = L.geoJSON(area.feature, {
        style: { renderer: SM.renderer, color: "#ffd400", weight: 5, fill: false, interactive: false },
        interactive: false,
      }).addTo(map);
      if (pan && !map.getBounds().contains(area.getBounds())) {
        map.fitBounds(area.getBounds(), { maxZoom: map.getZoom(), padding: [40, 40] });
      }
      return id;
    }
    var layer = SM.nodeIndex[id];
    if (!layer) return null;
    SM.selectionLayer = L.circleMarker(layer.getLatLng(), {
      renderer: SM.renderer, radius: layer.options.radius + 6, color: "#ffd400", weight: 4,
      fill: false, interactive: false,
    }).addTo(map);
    if (pan && !map.getBounds().pad(-0.1).contains(layer.getLatLng())) map.panTo(layer.getLatLng());
    return id;
  };

  SM.selected = function () { return SM.selection; };

  /* New name or census fields of an area (its shape never changes). */
  SM.updateArea = function (feature) {
    var layer = SM.areaIndex[feature.properties.id];
    if (!layer) return false;
    layer.feature.properties = feature.properties;
    return true;
  };

  SM.fit = function () {
    SM.fitted = false;
    fitIfSized();
  };

  SM.setAreaStyle = function (style) {
    SM.areaStyle = (style && style.colours) || {};
    if (SM.areas) SM.areas.setStyle(function (f) { return areaStyleFor(f.properties.id); });
    var div = SM.legend.getContainer();
    div.textContent = "";
    if (!style || !style.legend) { addKey(div); return; }
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
  }

  function restyleAreas() {
    if (SM.areas) SM.areas.setStyle(function (f) { return areaStyleFor(f.properties.id); });
  }

  SM.setOutlines = function (codes) {
    SM.outlines = {};
    (codes || []).forEach(function (c) { SM.outlines[c] = true; });
    restyleAreas();
    return Object.keys(SM.outlines).length;
  };

  SM.outlined = function () { return Object.keys(SM.outlines).sort(); };
  SM.reached = function () { return Object.keys(SM.reachAreas).sort(); };

  /* Replace every tie (after an analysis with another group key). */
  SM.setTies = function (records) {
    SM.ties = {};
    (records || []).forEach(function (t) { SM.ties[t.key] = t; });
    redrawTies();
    report();
  };

  SM.setReach = function (origin, points, codes) {
    var map = SM.map;
    if (SM.reachLayer) { map.removeLayer(SM.reachLayer); SM.reachLayer = null; }
    SM.reachAreas = {};
    if (!origin) { restyleAreas(); focusTies(); return 0; }
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
    focusTies();
    return (points || []).length;
  };

  SM.setVisible = function (name, visible) {
    SM.tieVisible[name] = visible;
    var layer = SM.tieLayers[name] || SM.nodeGroups[name] || (name === "area" ? SM.areas : null);
    if (!layer) return false;
    if (visible && !SM.map.hasLayer(layer)) {
      layer.addTo(SM.map);
      ["young_person", "service", "organisation"].forEach(function (k) {
        var g = SM.nodeGroups[k];
        if (g && SM.map.hasLayer(g)) g.bringToFront();
      });
    } else if (!visible && SM.map.hasLayer(layer)) {
      SM.map.removeLayer(layer);
    }
    if (SM.tieLayers[name]) focusTies();
    return SM.map.hasLayer(layer);
  };

  SM.setMode = function (mode) {
    SM.mode = mode;
    SM.map.getContainer().style.cursor = mode === "add" ? "crosshair" : "";
  };

  SM.counts = function () {
    var out = { area: SM.areas ? SM.areas.getLayers().length : 0, ties: {} };
    Object.keys(SM.nodeGroups).forEach(function (k) { out[k] = SM.nodeGroups[k].getLayers().length; });
    Object.keys(SM.tieLayers).forEach(function (c) { out.ties[c] = 0; });
    Object.keys(SM.ties).forEach(function (k) { if (!tieHidden(k)) out.ties[SM.ties[k].cls] += 1; });
    return out;
  };

  /* Open the popup of a feature as a click would (used by tests and the UI). */
  SM.openPopup = function (kind, id) {
    var layer = kind === "area" ? SM.areaIndex[id] : SM.nodeIndex[id];
    if (!layer) return null;
    var ll = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
    SM.popup = L.popup({ maxWidth: 320 }).setLatLng(ll).setContent(describe(layer.feature.properties, true))
      .openOn(SM.map);
    return SM.popup.getElement().textContent;
  };
})();
