"""The Leaflet page of the map view, built once with folium from local assets.

folium renders the page skeleton (the map ``div`` and the ``L.map`` call);
its CDN script and style links are replaced by the Leaflet shipped in the
``xstatic-leaflet`` package, inlined into the page, so nothing is fetched
from the network. jQuery, Bootstrap and Awesome Markers, which folium's
template adds by default, are not needed and are dropped.

Data never enters this HTML: the UI sends it afterwards as JSON through
``runJavaScript`` (see :mod:`socialmap.mapview.payloads`), and the bridge
script in ``resources/map_bridge.js`` builds every popup with ``textContent``.
"""

from __future__ import annotations

import json
from pathlib import Path

from socialmap.model.labels import VALUE_LABELS

#: The folder of the repository's ``resources/`` (icon, style sheet, map bridge).
RESOURCES_DIR = Path(__file__).resolve().parents[2] / "resources"
BRIDGE_JS = RESOURCES_DIR / "map_bridge.js"
#: Scripts that add to the bridge (window.SM_PLUGINS, run by SM.init): labels, ranking, search
#: marks and image export.
PLUGIN_JS = (RESOURCES_DIR / "map_extras.js",)

#: Background colour of the map where there are no areas (no tile server is used).
BACKGROUND = "#eef1f4"


def leaflet_dir() -> Path:
    """The folder holding ``leaflet.js`` and ``leaflet.css`` of xstatic-leaflet."""
    import xstatic.pkg.leaflet as xleaflet

    return Path(xleaflet.BASE_DIR)


#: The coded popup fields' values as the popups show them (socialmap.model.labels).
POPUP_VALUE_LABELS = {name: dict(VALUE_LABELS[name]) for name in ("org_type", "sector", "activity")}


def _json_for_script(value) -> str:
    """JSON that can sit in an inline script: '<' escaped, so no text closes the script."""
    return json.dumps(value).replace("<", "\\u003c")


def _script(text: str) -> str:
    # A script body must not contain "</script"; Leaflet's does not, and our
    # own bridge is checked the same way.
    if "</script" in text.lower():
        raise ValueError("inline script contains a closing script tag")
    return f"<script>\n{text}\n</script>"


def build_page(
    center: tuple[float, float] = (53.48, -2.24),
    zoom: int = 12,
    *,
    extra_scripts: tuple[str, ...] = (),
) -> str:
    """The HTML of the map page, self-contained and offline.

    Parameters
    ----------
    center
        Initial (lat, lon) of the view; the UI fits the view to the project's
        areas once the data arrives.
    zoom
        Initial zoom level.
    extra_scripts
        JavaScript sources inlined before the bridge (the UI passes Qt's
        ``qwebchannel.js`` here, so this module needs no Qt).

    Returns
    -------
    str
        The page; ``window.SM`` (the bridge) is initialised with the folium
        map object once the page has loaded.
    """
    import folium

    fmap = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
    )
    # Drop every CDN link of folium's template: local Leaflet is inlined below.
    fmap.default_js = []
    fmap.default_css = []
    ldir = leaflet_dir()
    leaflet_css = (ldir / "leaflet.css").read_text(encoding="utf-8")
    leaflet_js = (ldir / "leaflet.js").read_text(encoding="utf-8")
    bridge_js = BRIDGE_JS.read_text(encoding="utf-8")
    root = fmap.get_root()
    head = "\n".join(
        [
            f"<style>\n{leaflet_css}\n</style>",
            f"<style>html, body {{ background: {BACKGROUND}; }} "
            f".leaflet-container {{ background: {BACKGROUND}; }}</style>",
            _script(leaflet_js),
        ]
    )
    root.header.add_child(folium.Element(head), name="socialmap_leaflet", index=0)
    tail = "\n".join(
        [*(_script(s) for s in extra_scripts), _script(bridge_js),
         *(_script(p.read_text(encoding="utf-8")) for p in PLUGIN_JS)]
        + [_script(f"SM.valueNames = {_json_for_script(POPUP_VALUE_LABELS)};"),
           _script(f"SM.init({json.dumps(fmap.get_name())});")]
    )
    html = root.render()
    # The bridge must run after folium's own script has created the map,
    # which folium puts after </body>; append ours at the very end.
    idx = html.rfind("</html>")
    html = html[:idx] + tail + "\n" + html[idx:]
    return html
