"""The map page and its JSON payloads, without Qt."""

from __future__ import annotations

import json
import re

from socialmap.mapview import (
    build_page,
    choropleth,
    full_payload,
    nodes_payload,
    ties_payload,
)
from socialmap.mapview.payloads import CHOROPLETH_COLOURS, NO_DATA_COLOUR, tie_class
from socialmap.model import Node, Tie


def test_the_page_loads_nothing_from_the_network():
    html = build_page(extra_scripts=("window.extraLoaded = true;",))
    remote_script = re.search(r"<script[^>]*\bsrc\s*=\s*['\"]?(https?:)?//", html, re.I)
    remote_link = re.search(r"<link[^>]*\bhref\s*=\s*['\"]?(https?:)?//", html, re.I)
    assert remote_script is None and remote_link is None
    assert "@import" not in html
    assert "L.version" in html or "Leaflet" in html  # Leaflet itself is inlined
    assert "window.extraLoaded = true;" in html
    assert html.rstrip().endswith("</html>")
    assert html.index("SM.init(") > html.index("L.map(")  # the bridge runs after folium made the map


def test_nodes_payload_draws_places_and_young_people_not_adults(small_project):
    yp = nodes_payload(small_project, "young_person")
    assert sorted(f["id"] for f in yp["features"]) == ["yp1", "yp2", "yp3"]
    assert nodes_payload(small_project, "adult")["features"] == []
    feature = next(f for f in yp["features"] if f["id"] == "yp1")
    node = small_project.nodes["yp1"]
    assert feature["geometry"]["coordinates"] == [round(node.lon, 6), round(node.lat, 6)]
    assert feature["properties"] == {"kind": "young_person", "id": "yp1", "label": "Robin",
                                     "area_code": "A1", "age": 17, "neet": True, "activity": "neet_available"}


def test_tie_classes_follow_the_spec_for_the_small_project(small_project):
    """yp1-yp2 share A1: bonding; yp2 (A1)-yp3 (A2): bridging; yp1-s1 attends:
    linking; o1-s1 provides: institutional. The two ties of the adult ad1 (no
    location) are not drawn."""
    drawn = {r["key"]: r["cls"] for r in ties_payload(small_project)}
    assert drawn == {"yp1|yp2": "bonding", "yp2|yp3": "bridging", "s1|yp1": "linking", "o1|s1": "institutional"}
    assert tie_class(small_project, small_project.get_tie("ad1", "yp3")) == "linking"  # worker tie
    assert tie_class(small_project, small_project.get_tie("ad1", "o1")) == "linking"  # employs


def test_a_person_tie_with_an_unknown_key_is_unclassified(small_project):
    small_project.add_node(Node("ad2", "adult", "Chris"))  # no area
    small_project.add_tie(Tie("ad2", "yp1", "family"))
    assert tie_class(small_project, small_project.get_tie("ad2", "yp1")) == "unclassified"


def test_choropleth_classes_and_legend():
    """Equal-width classes over 1..3 (width 0.4): 1 falls in the first class, 1.5 in the
    second ((1.5 - 1) / 0.4 = 1.25), 2 in the third, 3 in the last; None is grey "no data"."""
    style = choropleth({"A": 1.0, "B": 3.0, "C": None, "D": 2.0, "E": 1.5}, "Measure")
    assert style["colours"] == {"A": CHOROPLETH_COLOURS[0], "B": CHOROPLETH_COLOURS[4],
                                "C": NO_DATA_COLOUR, "D": CHOROPLETH_COLOURS[2], "E": CHOROPLETH_COLOURS[1]}
    labels = [e["label"] for e in style["legend"]["entries"]]
    assert labels[0] == "1.00 – 1.40" and labels[-2] == "2.60 – 3.00" and labels[-1] == "no data"


def test_legend_bounds_have_as_few_decimals_as_the_class_width_needs():
    """Bridging loss 0..10.53 %: classes 2.106 wide read with one decimal; a population of
    135..258 (124 whole values) in whole-number classes 135 + 124 * i // 5; a withheld value
    is named."""
    style = choropleth({"A": 0.0, "B": 10.53, "C": None}, "Bridging ties lost (%)", missing_label="withheld")
    labels = [e["label"] for e in style["legend"]["entries"]]
    assert labels == ["0.0 – 2.1", "2.1 – 4.2", "4.2 – 6.3", "6.3 – 8.4", "8.4 – 10.5", "withheld"]
    style = choropleth({"A": 135, "B": 258}, "Population 16-24")
    assert [e["label"] for e in style["legend"]["entries"]] == [
        "135 – 158", "159 – 183", "184 – 208", "209 – 233", "234 – 258"]


def test_whole_numbers_given_as_floats_get_classes_that_do_not_overlap():
    """Services in an area (floats from the analysis) 0, 1, 3, 5: six whole values in five
    classes, 0 | 1 | 2 | 3 | 4-5, not "0 – 1", "1 – 2"... with 1 in doubt; 3 is in the fourth."""
    style = choropleth({"A": 0.0, "B": 1.0, "C": 3.0, "D": 5.0}, "Services in area")
    assert [e["label"] for e in style["legend"]["entries"]] == ["0", "1", "2", "3", "4 – 5"]
    assert style["colours"]["C"] == CHOROPLETH_COLOURS[3] and style["colours"]["D"] == CHOROPLETH_COLOURS[4]


def test_whole_number_measures_get_whole_number_classes():
    """IMD deciles 1..10 in five classes of two deciles each."""
    style = choropleth({f"A{d}": d for d in range(1, 11)}, "IMD decile")
    assert [e["label"] for e in style["legend"]["entries"]] == ["1 – 2", "3 – 4", "5 – 6", "7 – 8", "9 – 10"]
    assert style["colours"]["A2"] == style["colours"]["A1"] == CHOROPLETH_COLOURS[0]
    assert style["colours"]["A10"] == CHOROPLETH_COLOURS[4]


def test_gi_bin_style_colours_each_class():
    from socialmap.mapview import gi_bin_style

    style = gi_bin_style({"A": 3, "B": 0, "C": -2, "D": None})
    assert style["colours"]["A"] == "#b2182b" and style["colours"]["C"] == "#67a9cf" and "D" not in style["colours"]
    labels = [e["label"] for e in style["legend"]["entries"]]
    assert labels == ["Hot spot, 99% confidence", "Not significant", "Cold spot, 95% confidence",
                      "no Gi* (see the area's note)"]  # the classes on the map only


def test_full_payload_is_plain_json_and_keeps_markup_as_data(small_project):
    small_project.update_node("yp1", label="<img src=x onerror=alert(1)>")
    text = json.dumps(full_payload(small_project))
    assert json.loads(text)["nodes"]["young_person"]["features"][0]["properties"]["label"] == "<img src=x onerror=alert(1)>"
    assert full_payload(small_project)["bounds"] == [[53.40, -2.30], [53.41, -2.28]]


def test_a_change_map_keeps_no_change_neutral_and_losses_red():
    """Lost ties 0, 1, 4 (positive is a loss): 0 is 'no change' grey, 4 the darkest red, and a
    fall of mean ties (negative, not a loss) red too; gains blue."""
    from socialmap.mapview import change_style
    from socialmap.mapview.payloads import GAIN_COLOURS, LOSS_COLOURS, NO_CHANGE_COLOUR

    lost = change_style({"A": 0, "B": 1, "C": 4}, "Lost linking", positive_is_loss=True)
    assert lost["colours"] == {"A": NO_CHANGE_COLOUR, "B": LOSS_COLOURS[0], "C": LOSS_COLOURS[2]}
    assert [e["label"] for e in lost["legend"]["entries"]] == ["no change", "loss 0 – 1", "loss 1 – 3", "loss 3 – 4"]
    mean = change_style({"A": -0.2, "B": 0.1}, "Change in mean linking")
    assert mean["colours"] == {"A": LOSS_COLOURS[2], "B": GAIN_COLOURS[2]}
