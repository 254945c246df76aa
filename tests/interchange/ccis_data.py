"""Made-up CCIS extracts, postcode lookups and LSOA-like areas for the CCIS tests (issue 15).

The extract's columns are the NCCIS management information requirement's young person, current
activity and individual characteristics items as a CCIS export names them; names, addresses,
dates of birth and postcodes are invented (and made distinctive so a test can look for them in a
saved file's bytes).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from pathlib import Path

#: 2021 LSOA codes of the areas (the project's), and the 2011 codes the lookup's lsoa11 column gives
LSOA21 = [f"E0103{3000 + i}" for i in range(6)]
LSOA11 = [f"E0100{5000 + i}" for i in range(6)]
HEADER = ["Person ID", "Forename", "Surname", "Date of Birth", "Address Line 1", "Postcode",
          "Current Activity Code", "Activity Start Date", "Activity Review Date", "Care Leaver", "Teenage Parent",
          "SEND", "Supervised by YOTs"]


def write_areas(path: Path) -> Path:
    """Six 1 km-ish squares near Manchester with 2021 LSOA codes."""
    features = []
    for i, code in enumerate(LSOA21):
        x0, y0 = -2.30 + 0.02 * (i % 3), 53.40 + 0.02 * (i // 3)
        ring = [[x0, y0], [x0 + 0.02, y0], [x0 + 0.02, y0 + 0.02], [x0, y0 + 0.02], [x0, y0]]
        features.append({"type": "Feature", "properties": {"LSOA21CD": code, "LSOA21NM": f"Manchester 0{i}A"},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def postcode(i: int) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"M{1 + i // 400} {i % 9 + 1}{letters[(i // 9) % 20]}{letters[(i // 180) % 20]}"


def write_lookup(path: Path, n: int, terminated: tuple[int, ...] = ()) -> Path:
    """An ONSPD-style lookup: postcode i lies in area i % 6, both census years' LSOA codes given."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["pcd", "pcds", "dointr", "doterm", "lat", "long", "lsoa11", "lsoa21"])
        for i in range(n):
            a = i % 6
            lat, lon = 53.41 + 0.02 * (a // 3), -2.29 + 0.02 * (a % 3)
            pc = postcode(i)
            w.writerow([pc.replace(" ", ""), pc, "199801", "202001" if i in terminated else "", f"{lat:.6f}",
                        f"{lon:.6f}", LSOA11[a], LSOA21[a]])
    return path


#: activity codes given out in turn: EET, NEET available, NEET not available and not known
CODES = [210, 230, 310, 330, 410, 619, 610, 540, 630, 620, 810, 820]


def people(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        born = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))
        out.append({"Person ID": f"CC{100000 + i}", "Forename": f"Zorvanel{i}", "Surname": f"Quistrow{i}",
                    "Date of Birth": born.strftime("%d/%m/%Y"), "Address Line 1": f"{i} Wrenfold Lane",
                    "Postcode": postcode(i), "Current Activity Code": str(CODES[i % len(CODES)]),
                    "Activity Start Date": "01/09/2026", "Activity Review Date": "15/11/2026",
                    "Care Leaver": "Y" if i % 17 == 0 else "N", "Teenage Parent": "Y" if i % 23 == 0 else "N",
                    "SEND": "Y" if i % 7 == 0 else "N", "Supervised by YOTs": "N"})
    return out


def write_extract(path: Path, rows: list[dict], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path
