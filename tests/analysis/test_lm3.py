"""LM3 (nef 2002, The Money Trail): templates, reading the files, the three rounds and the
multiplier, checked against hand calculations (sample_data/lm3/README.md has the sample's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialmap.cli import main
from socialmap.store import load_project, save_project

SAMPLE_LM3 = Path(__file__).resolve().parents[2] / "sample_data" / "lm3"


@pytest.fixture
def saved(tmp_path, small_project):
    path = tmp_path / "small.gpkg"
    save_project(small_project, path)
    return str(path)


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def _lm3(capsys, argv) -> dict:
    assert main(["lm3", *argv, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def spend(tmp_path) -> str:
    """Income £100,000. Suppliers: Castle Bakery £20,000 (area A1: local), Far Supplies £10,000 (a
    point in London: not), Corner Shop £10,000 (a point inside A2: local). Staff: £30,000 living
    in A2 (local), £10,000 at a point outside both areas."""
    return _write(tmp_path / "spend.csv", (
        "category,name,amount_gbp,area_code,postcode,lat,lon,notes\n"
        "income,Contract,\"£100,000\",,,,,\n"
        "supplier,Castle Bakery,20000,A1,,,,\n"
        "supplier,Far Supplies,10000,,,51.5,-0.1,\n"
        "supplier,Corner Shop,10000,,,53.405,-2.285,\n"
        "staff,Local staff,30000,A2,,,,\n"
        "staff,Commuters,10000,,,53.0,-2.0,\n"
    ))


@pytest.fixture
def surveys(tmp_path) -> tuple[str, str]:
    """Castle Bakery re-spends 50% locally; Far Supplies 90% (not local: left out); Corner Shop
    not surveyed. Staff: 40% and 60%."""
    suppliers = _write(tmp_path / "suppliers.csv",
                       "supplier,local_respend_share\ncastle  bakery,50%\nFar Supplies,0.9\n")
    staff = _write(tmp_path / "staff.csv", "respondent,local_spend_share\na,0.4\nb,60%\n")
    return suppliers, staff


def test_lm3_of_the_sample_matches_the_hand_calculation(tmp_path, capsys):
    """sample_data/lm3/README.md: R1 400,000; R2 65,000 + 180,000 = 245,000; R3 12,000 + 12,000 +
    7,200 (0.48, the paid-weighted mean of the surveyed) + 90,000 = 121,200; LM3 = 766,200 / 400,000."""
    project = tmp_path / "sample.gpkg"
    assert main(["sample", str(project)]) == 0
    capsys.readouterr()
    doc = _lm3(capsys, [str(project), "--org", "org05", "--spend", str(SAMPLE_LM3 / "spend.csv"),
                        "--supplier-survey", str(SAMPLE_LM3 / "supplier_survey.csv"),
                        "--staff-survey", str(SAMPLE_LM3 / "staff_survey.csv")])
    assert doc["round1"]["income_gbp"] == 400_000
    assert doc["round2"]["suppliers_local_gbp"] == 65_000 and doc["round2"]["staff_local_gbp"] == 180_000
    assert doc["round2"]["total_gbp"] == 245_000
    assert doc["round3"]["supplier_respend_share"] == pytest.approx(0.48)
    assert doc["round3"]["suppliers_gbp"] == pytest.approx(31_200)
    assert doc["round3"]["staff_gbp"] == pytest.approx(90_000)
    assert doc["lm3"] == pytest.approx(766_200 / 400_000)
    assert doc["round3"]["local_suppliers"] == 3 and doc["round3"]["suppliers_surveyed"] == 2


def test_rounds_and_multiplier_by_hand(saved, spend, surveys, capsys):
    """R2 = 20,000 + 10,000 + 30,000 = 60,000. Corner Shop takes Castle Bakery's 0.5: R3 = 0.5 x
    30,000 + 0.5 x 30,000 = 30,000. LM3 = 190,000 / 100,000 = 1.9."""
    doc = _lm3(capsys, [saved, "--org", "o1", "--spend", spend, "--supplier-survey", surveys[0],
                        "--staff-survey", surveys[1]])
    assert doc["round2"]["total_gbp"] == 60_000
    assert doc["round2"]["suppliers_total_gbp"] == 40_000 and doc["round2"]["staff_total_gbp"] == 40_000
    assert doc["round3"]["total_gbp"] == pytest.approx(30_000)
    assert doc["lm3"] == pytest.approx(1.9)
    by_name = {s["supplier"]: s for s in doc["suppliers"]}
    assert by_name["Corner Shop"]["respend_source"] == "mean of surveyed suppliers"
    assert by_name["Far Supplies"]["local"] is False and by_name["Far Supplies"]["respend_share"] is None
    assert any("not local" in c for c in doc["caveats"])
    assert any(c.startswith("Gross flows") for c in doc["caveats"])


def test_without_surveys_round_3_is_zero_and_said_so(saved, spend, capsys):
    doc = _lm3(capsys, [saved, "--org", "o1", "--spend", spend])
    assert doc["round3"]["total_gbp"] == 0 and doc["lm3"] == pytest.approx(1.6)
    assert sum("understated" in c for c in doc["caveats"]) == 2


def test_a_boundary_the_user_chooses_decides_local(tmp_path, saved, spend, surveys, capsys):
    """Boundary = A1 only: Corner Shop (in A2) and the A2 staff are no longer local. R2 = 20,000;
    R3 = 0.5 x 20,000 = 10,000 (no local staff); LM3 = 130,000 / 100,000 = 1.3."""
    boundary = _write(tmp_path / "boundary.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "B", "name": "West only"},
         "geometry": {"type": "Polygon", "coordinates": [[[-2.30, 53.40], [-2.29, 53.40], [-2.29, 53.41],
                                                          [-2.30, 53.41], [-2.30, 53.40]]]}}]}))
    doc = _lm3(capsys, [saved, "--org", "o1", "--spend", spend, "--supplier-survey", surveys[0],
                        "--staff-survey", surveys[1], "--boundary", boundary])
    assert doc["round2"]["total_gbp"] == 20_000
    assert doc["round3"]["total_gbp"] == pytest.approx(10_000)
    assert doc["lm3"] == pytest.approx(1.3)
    assert "boundary" in doc["local"]


def test_staff_pay_without_a_home_area_is_split_by_the_employee_figures(tmp_path, saved, capsys):
    """o1 records 60 of 100 employees as local: £50,000 of pay -> £30,000 local. LM3 = 1.3."""
    spend = _write(tmp_path / "s.csv", "category,name,amount_gbp\nincome,Grant,100000\nstaff,All staff,50000\n")
    doc = _lm3(capsys, [saved, "--org", "o1", "--spend", spend])
    assert doc["round2"]["staff_local_gbp"] == pytest.approx(30_000)
    assert doc["lm3"] == pytest.approx(1.3)
    assert any("employees_local / employees_total" in c for c in doc["caveats"])


def test_templates_are_written_and_read_back(tmp_path, saved, capsys):
    folder = tmp_path / "lm3"
    assert main(["lm3", "template", str(folder)]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["social_value_measures.csv", "spend.csv", "staff_survey.csv", "supplier_survey.csv"]
    header = (folder / "spend.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "category,name,amount_gbp,area_code,postcode,lat,lon,notes"
    # the guidance rows are passed over; the empty template has no income yet
    capsys.readouterr()
    assert main(["lm3", saved, "--org", "o1", "--spend", str(folder / "spend.csv")]) == 2
    assert "has no income row" in capsys.readouterr().err
    # filled under the guidance rows, it is read
    with open(folder / "spend.csv", "a", encoding="utf-8") as fh:
        fh.write("income,Contract,1000,,,,,\nsupplier,Castle Bakery,500,A1,,,,\n")
    with open(folder / "supplier_survey.csv", "a", encoding="utf-8") as fh:
        fh.write("Castle Bakery,0.2,\n")
    doc = _lm3(capsys, [saved, "--org", "o1", "--spend", str(folder / "spend.csv"),
                        "--supplier-survey", str(folder / "supplier_survey.csv"),
                        "--staff-survey", str(folder / "staff_survey.csv")])
    assert doc["lm3"] == pytest.approx((1000 + 500 + 100) / 1000)
    # a second template into the same folder is refused
    assert main(["lm3", "template", str(folder)]) == 2


@pytest.mark.parametrize("rows, expected", [
    ("income,C,100\nsupplier,X,-5,A1\n", "row 3, field 'amount_gbp': -5 is negative"),
    ("income,C,100\ndonation,X,5,A1\n", "row 3, field 'category': 'donation' is not one of income, supplier, staff"),
    ("income,C,100\nsupplier,X,5,Z9\n", "row 3, field 'area_code': unknown area code 'Z9'"),
    ("income,C,100\nsupplier,X,5,,M1 1AA\n", "row 3, field 'postcode': a postcode needs a postcode lookup"),
    ("income,C,100\nsupplier,X,5\n", "row 3, field 'postcode': a supplier row needs a place"),
    ("income,C,ten\n", "row 2, field 'amount_gbp': 'ten' is not a number"),
    ("income,C,0\n", "the income rows add up to 0"),
])
def test_bad_spend_rows_exit_2_with_file_row_field_reason(tmp_path, saved, capsys, rows, expected):
    spend = _write(tmp_path / "bad.csv", "category,name,amount_gbp,area_code,postcode\n" + rows)
    before = Path(saved).read_bytes()
    assert main(["lm3", saved, "--org", "o1", "--spend", spend, "--save"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "bad.csv" in err and "Traceback" not in err
    assert Path(saved).read_bytes() == before  # nothing changed


def test_bad_survey_and_arguments(tmp_path, saved, spend, capsys):
    survey = _write(tmp_path / "sv.csv", "supplier,local_respend_share\nCastle Bakery,1.5\nCastle Bakery,0.5\n")
    assert main(["lm3", saved, "--org", "o1", "--spend", spend, "--supplier-survey", survey]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "sv.csv, row 2, field 'local_respend_share': '1.5' is not a share between 0 and 1" in err[0]
    assert len(err) == 1  # row 3 is a good answer once row 2 is refused
    survey = _write(tmp_path / "sv.csv", "supplier,local_respend_share\nCastle Bakery,0.5\ncastle bakery,0.4\n")
    assert main(["lm3", saved, "--org", "o1", "--spend", spend, "--supplier-survey", survey]) == 2
    assert "row 3, field 'supplier': 'castle bakery' is already answered at row 2" in capsys.readouterr().err
    assert main(["lm3", saved, "--org", "yp1", "--spend", spend]) == 2
    assert "'yp1' is not an organisation" in capsys.readouterr().err
    assert main(["lm3", saved, "--spend", spend]) == 2
    assert "needs --org" in capsys.readouterr().err
    assert main(["lm3", saved, "--org", "o1", "--spend", str(tmp_path / "none.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_save_keeps_the_result_in_the_project(saved, spend, capsys):
    assert main(["lm3", saved, "--org", "o1", "--spend", spend, "--save"]) == 0
    out = capsys.readouterr().out
    assert "LM3 = (£100,000 + £60,000 + £0) / £100,000 = 1.60" in out
    project = load_project(saved)
    assert project.settings["lm3"]["o1"]["lm3"] == pytest.approx(1.6)


def test_save_into_an_encrypted_project_keeps_it_encrypted(saved, spend, tmp_path, capsys, monkeypatch):
    """``lm3 --save`` on an ``.smx`` project writes it back encrypted under the same passphrase
    (issue 10), never as a plain GeoPackage over it."""
    from socialmap.store import is_encrypted, open_project_file, save_project_file

    encrypted = tmp_path / "p.smx"
    save_project_file(load_project(saved), encrypted, "correct horse battery")
    monkeypatch.setenv("SOCIALMAP_PASSPHRASE", "correct horse battery")
    assert main(["lm3", str(encrypted), "--org", "o1", "--spend", spend, "--save"]) == 0
    capsys.readouterr()
    assert is_encrypted(encrypted)
    project = open_project_file(encrypted, "correct horse battery").project
    assert project.settings["lm3"]["o1"]["lm3"] == pytest.approx(1.6)
