"""The format registry builds the CLI's import/export sub-commands (SPEC 9 kept word for word)."""

import pytest

from socialmap.cli import build_parser
from socialmap.errors import InputError
from socialmap.interchange.registry import (
    export_format,
    export_formats,
    import_format,
    import_formats,
)


def test_every_format_of_spec_9_is_registered_in_the_order_of_the_contract():
    exports = [f.name for f in export_formats()]
    contract = ["graphml", "gexf", "geojson", "csv", "html", "report", "evidence", "scenario-report"]
    assert [n for n in exports if n in contract] == contract
    assert {"csv", "kumu", "openreferral"} <= {f.name for f in import_formats()}


def test_folder_formats_and_menus_come_from_the_declarations():
    assert export_format("geojson").folder and export_format("csv").folder
    assert not export_format("graphml").folder
    assert export_format("evidence").menu == "report" and export_format("gexf").menu == "export"
    assert import_format("openreferral").folder and not import_format("csv").assign_areas


def test_unknown_format_names_the_known_ones():
    with pytest.raises(InputError, match="unknown import format 'nope'; expected one of .*kumu"):
        import_format("nope")


@pytest.mark.parametrize("argv", [
    ["import", "csv", "--nodes", "n.csv", "--ties", "t.csv", "--areas", "a.geojson", "out.gpkg"],
    ["import", "kumu", "map.xlsx", "--kind-map", "Person=young_person", "--areas", "a.geojson", "out.gpkg"],
    ["import", "kumu", "el.csv", "--connections", "c.csv", "--tie-map", "Knows=peer", "--into", "p.gpkg"],
    ["import", "openreferral", "dir", "--postcodes", "pc.csv", "--into", "p.gpkg"],
    ["export", "evidence", "p.gpkg", "out.pdf", "--org", "org01"],
    ["export", "scenario-report", "p.gpkg", "out.pdf", "--decommission", "svc01"],
])
def test_the_contract_command_lines_still_parse(argv):
    args, extra = build_parser().parse_known_args(argv)
    assert args.handler.startswith("socialmap.commands.interchange:")
    assert extra in ([], ["out.gpkg"])


def test_import_values_reach_the_reader_by_option_name():
    args = build_parser().parse_args(["import", "kumu", "map.xlsx", "--kind-map", "P=adult", "--into", "p.gpkg"])
    fmt = import_format(args.import_format)
    values = {o.name: getattr(args, o.name) for o in fmt.options}
    assert values["file"] == "map.xlsx" and values["kind_map"] == "P=adult" and values["connections"] is None
