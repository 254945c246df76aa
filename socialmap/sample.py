"""The bundled sample project: Millbrook, a fictional northern English town.

Everything here is invented. Area codes start with ``X`` (not an ONS prefix)
so no one mistakes them for real LSOAs, young people carry single first-name
pseudonyms, and the town sits around lon -2.2, lat 53.5 (Greater
Manchester-like) so that distances are measured in British National Grid.

The town is built to show what SocialMap is for:

* 25 areas tile an irregular town outline (Voronoi cells of seeded points
  relaxed twice, clipped to the outline), so queen contiguity is meaningful;
* a cluster of five adjoining deprived areas in the south-east (the old mill
  valley) has far more NEET young people, few services and few service links,
  so NEET isolation clusters there and Getis-Ord Gi* finds hotspots;
* family and friends mostly live in the same area, some friends and peers
  live next door, and young people who attend the same service befriend each
  other across areas (those ties record the service as their ``context``);
* youth workers, mentors and staff are employed by organisations (``employs``
  with the service they work at as ``context``) and hold ``worker`` /
  ``mentor`` ties with young people; organisations partner and refer.

:func:`generate_sample_project` is pure and deterministic: the same seed
always gives the same project.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from socialmap.model import Area, Node, Project, Tie, tie_key

TOWN = "Millbrook"
CENTRE_LON = -2.2
CENTRE_LAT = 53.5
KM_PER_DEG_LAT = 111.32
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(CENTRE_LAT))

N_AREAS = 25
N_YOUNG_PEOPLE = 400
NEET_SHARE = 0.12
#: Centre (km east, km north of the town centre) of the deprived mill valley.
VALLEY_CENTRE_KM = (1.7, -1.1)
VALLEY_AREAS = 5

#: Names of the areas in the deprived valley, then of the others.
VALLEY_NAMES = ("Cloughside", "Weaver's Bridge", "Old Mill Estate", "Tanners Green", "Redbrook")
AREA_NAMES = (
    "Hollin Bank", "Stanner Moor", "Greenacre Fold", "Brookhouse", "Lower Fold",
    "Top o' th' Moor", "Birchen Hill", "Kiln Lane", "Sladen Park", "Mossgate",
    "Fernlea", "Bankfield", "Crowther Vale", "Ashby Clough", "Netherton Heights",
    "Heathfield", "Lark Hill",
)
COMPASS_NAMES = (
    ("Millbrook North", (0.0, 1.5)),
    ("Millbrook East", (1.6, 0.1)),
    ("Millbrook South", (0.0, -1.4)),
    ("Millbrook West", (-1.8, 0.0)),
)

FIRST_NAMES = (
    "Robin", "Aisha", "Kai", "Maya", "Callum", "Zara", "Jayden", "Amelia", "Reece", "Hana",
    "Tyler", "Nadia", "Ellis", "Freya", "Bilal", "Chloe", "Owen", "Imani", "Declan", "Leah",
    "Ibrahim", "Ruby", "Connor", "Sana", "Lewis", "Grace", "Hamza", "Evie", "Kieran", "Amira",
    "Jordan", "Poppy", "Tariq", "Isla", "Jamie", "Layla", "Mason", "Yasmin", "Ryan", "Niamh",
    "Ayaan", "Holly", "Ethan", "Maryam", "Liam", "Summer", "Zain", "Megan", "Dylan", "Keira",
    "Adam", "Millie", "Rhys", "Fatima", "Luke", "Jade", "Oliver", "Precious", "Harvey", "Esme",
    "Yusuf", "Lily", "Charlie", "Ayesha", "Aaron", "Sophie", "Kacper", "Elif", "Nathan", "Tia",
    "Ali", "Caitlin", "Jake", "Mariam", "Harley", "Abbie", "Samuel", "Noor", "Kyle", "Amber",
    "Joel", "Safiya", "Rory", "Kayla", "Idris", "Ellie", "Finley", "Zoya", "Cameron", "Lacey",
    "Oskar", "Tanisha", "Joseph", "Iqra", "Bradley", "Mia", "Leon", "Abigail", "Reuben", "Halima",
    "Alfie", "Hollie", "Kofi", "Daisy", "Bailey", "Anaya", "Toby", "Courtney", "Musa", "Willow",
    "Riley", "Nikita", "Jack", "Olivia", "Sami", "Georgia", "Louis", "Aaliyah", "Max", "Shannon",
    "Aidan", "Inaya", "Lucas", "Paige", "Mohammed", "Skye", "Tom", "Rosie", "Dominik", "Lexi",
    "Ahmed", "Bethany", "Sean", "Maisie", "Umar", "Phoebe", "Archie", "Ruqayyah", "Jacob", "Faith",
)
ADULT_FIRST_NAMES = (
    "Sandra", "Gary", "Nasreen", "Paul", "Janet", "Tony", "Shabana", "Darren", "Karen", "Imran",
    "Michelle", "Steve", "Yvonne", "Arif", "Lorraine", "Wayne", "Bushra", "Neil", "Denise", "Kevin",
    "Tracey", "Asif", "Julie", "Mark", "Samina", "Dave", "Gillian", "Rizwan", "Angela", "Lee",
    "Nicola", "Shahid", "Dawn", "Carl", "Rukhsana", "Jason", "Helen", "Faisal", "Claire", "Dean",
)

#: label, org_type, sector, is_anchor, employees_total, local employment share,
#: spend_total (GBP), local spend share, years_in_area, where it is sited.
ORGANISATIONS: tuple[tuple, ...] = (
    ("Millbrook College", "school_college", "public", True, 620, 0.62, 38_500_000, 0.31, 64, "centre"),
    ("Millbrook and Pennine NHS Foundation Trust", "public_body", "public", True, 3_400, 0.41, 210_000_000, 0.18, 72, "centre"),
    ("Moorside Homes", "anchor", "social", True, 410, 0.55, 52_000_000, 0.36, 31, "any"),
    ("Millbrook Council", "public_body", "public", True, 2_100, 0.58, 180_000_000, 0.27, 52, "centre"),
    ("Cloughside Community Enterprise", "social_enterprise", "social", True, 85, 0.81, 3_200_000, 0.64, 19, "valley"),
    ("Brookside Works Trust", "social_enterprise", "social", True, 140, 0.74, 6_800_000, 0.52, 23, "any"),
    ("Threadworks CIC", "social_enterprise", "social", False, 14, 0.86, 420_000, 0.58, 7, "any"),
    ("Pedal Millbrook CIC", "social_enterprise", "social", False, 9, 0.89, 260_000, 0.61, 5, "any"),
    ("The Kiln Cafe CIC", "social_enterprise", "social", False, 18, 0.83, 540_000, 0.66, 9, "centre"),
    ("Millbrook Youth Trust", "charity", "voluntary", False, 32, 0.78, 1_150_000, 0.49, 41, "centre"),
    ("Open Door Millbrook", "charity", "voluntary", False, 26, 0.65, 980_000, 0.38, 16, "any"),
    ("Step Up Mentoring", "charity", "voluntary", False, 11, 0.73, 390_000, 0.41, 8, "any"),
    ("Millbrook Foodbank", "charity", "voluntary", False, 4, 1.0, 120_000, 0.72, 12, "valley"),
    ("Pennine Carers Centre", "charity", "voluntary", False, 21, 0.67, 760_000, 0.44, 27, "any"),
    ("Young Voices Millbrook", "charity", "voluntary", False, 6, 0.83, 150_000, 0.55, 6, "any"),
    ("New Roots Refugee Support", "charity", "voluntary", False, 8, 0.75, 210_000, 0.47, 11, "any"),
    ("Hollin Bank Residents' Association", "community_group", "voluntary", False, 0, 0.0, 6_500, 0.9, 34, "any"),
    ("St Barnabas Church Hall Group", "community_group", "voluntary", False, 1, 1.0, 18_000, 0.8, 88, "any"),
    ("Cloughside Allotment Society", "community_group", "voluntary", False, 0, 0.0, 3_200, 0.95, 46, "valley"),
    ("Millbrook Rovers JFC", "community_group", "voluntary", False, 2, 1.0, 41_000, 0.7, 38, "any"),
    ("Al-Noor Mosque Youth Circle", "community_group", "voluntary", False, 1, 1.0, 22_000, 0.85, 21, "any"),
    ("Stanner Moor Boxing Club", "community_group", "voluntary", False, 3, 1.0, 37_000, 0.75, 15, "any"),
    ("Pathway Training Ltd", "private_provider", "private", False, 46, 0.39, 2_300_000, 0.22, 10, "centre"),
    ("Northern Skills Academy Ltd", "private_provider", "private", False, 120, 0.28, 7_400_000, 0.15, 14, "any"),
    ("Brightwork Recruitment Ltd", "private_provider", "private", False, 23, 0.52, 900_000, 0.3, 6, "centre"),
    ("Millbrook Logistics Ltd", "employer", "private", False, 380, 0.47, 41_000_000, 0.12, 17, "any"),
    ("Castle Mill Bakery Ltd", "employer", "private", False, 95, 0.71, 8_200_000, 0.33, 58, "valley"),
    ("Jobcentre Plus Millbrook", "public_body", "public", False, 48, 0.6, 2_900_000, 0.1, 30, "centre"),
    ("Millbrook High School", "school_college", "public", False, 160, 0.66, 9_800_000, 0.28, 61, "any"),
    ("Pennine Housing Advice Line", "service_provider", "voluntary", False, 12, 0.58, 480_000, 0.35, 13, "any"),
)

#: label, service_type, provider (organisation label), commissioner,
#: annual value range (GBP), hours per week, where it is sited
#: ("org" = at its provider's site).
SERVICES: tuple[tuple, ...] = (
    ("Millbrook Youth Club", "youth club", "Millbrook Youth Trust", "Millbrook Council", (55_000, 90_000), 12, "centre"),
    ("Hollin Bank Youth Club", "youth club", "Millbrook Youth Trust", "Millbrook Council", (40_000, 70_000), 9, "any"),
    ("Cloughside Detached Youth Work", "outreach", "Millbrook Youth Trust", "Millbrook Council", (35_000, 60_000), 8, "valley"),
    ("Careers Hub", "careers advice", "Millbrook College", "Greater Pennine Combined Authority", (80_000, 140_000), 30, "org"),
    ("Pathways Study Programme", "education", "Millbrook College", "Greater Pennine Combined Authority", (180_000, 320_000), 25, "org"),
    ("Supported Internships", "education", "Millbrook College", "Millbrook Council", (90_000, 160_000), 20, "org"),
    ("Young People's Mental Health Drop-in", "mental health", "Open Door Millbrook", "Integrated Care Board", (120_000, 260_000), 16, "any"),
    ("Talk It Out Counselling", "mental health", "Open Door Millbrook", "Integrated Care Board", (90_000, 180_000), 20, "org"),
    ("Youth Sexual Health Clinic", "health", "Millbrook and Pennine NHS Foundation Trust", "Millbrook Council", (140_000, 240_000), 10, "centre"),
    ("NHS Healthcare Cadets", "work experience", "Millbrook and Pennine NHS Foundation Trust", "Integrated Care Board", (40_000, 75_000), 6, "org"),
    ("Early Help Family Support", "family support", "Millbrook Council", "Millbrook Council", (300_000, 450_000), 37, "any"),
    ("Youth Justice Team", "youth justice", "Millbrook Council", "Millbrook Council", (250_000, 420_000), 37, "org"),
    ("Library Code Club", "digital skills", "Millbrook Council", "Millbrook Council", (12_000, 25_000), 4, "centre"),
    ("Step Up Mentoring Programme", "mentoring", "Step Up Mentoring", "National Lottery Community Fund", (110_000, 190_000), 20, "org"),
    ("Kickstart Skills", "employability", "Pathway Training Ltd", "Department for Work and Pensions", (150_000, 280_000), 30, "org"),
    ("Apprenticeship Academy", "apprenticeships", "Northern Skills Academy Ltd", "Greater Pennine Combined Authority", (200_000, 380_000), 35, "org"),
    ("Youth Employment Hub", "employment support", "Jobcentre Plus Millbrook", "Department for Work and Pensions", (90_000, 170_000), 30, "org"),
    ("Young People's Tenancy Support", "housing support", "Moorside Homes", "Millbrook Council", (70_000, 130_000), 25, "any"),
    ("Moorside Foyer", "supported housing", "Moorside Homes", "Millbrook Council", (220_000, 380_000), 40, "any"),
    ("Community Kitchen Training", "training", "Cloughside Community Enterprise", "Greater Pennine Combined Authority", (45_000, 90_000), 15, "org"),
    ("Cloughside Food Pantry", "food support", "Millbrook Foodbank", "National Lottery Community Fund", (15_000, 30_000), 6, "org"),
    ("Bike Workshop", "skills", "Pedal Millbrook CIC", "National Lottery Community Fund", (20_000, 45_000), 10, "org"),
    ("Threadworks Sewing School", "skills", "Threadworks CIC", "Greater Pennine Combined Authority", (25_000, 50_000), 12, "org"),
    ("Brookside Construction Skills", "training", "Brookside Works Trust", "Greater Pennine Combined Authority", (90_000, 170_000), 30, "org"),
    ("Young Carers Group", "carers support", "Pennine Carers Centre", "Millbrook Council", (35_000, 65_000), 6, "org"),
    ("Youth Voice Forum", "participation", "Young Voices Millbrook", "Millbrook Council", (18_000, 35_000), 4, "centre"),
    ("ESOL for Young People", "language", "New Roots Refugee Support", "Greater Pennine Combined Authority", (30_000, 60_000), 8, "org"),
    ("Stanner Moor Boxing Sessions", "sport", "Stanner Moor Boxing Club", "National Lottery Community Fund", (8_000, 16_000), 6, "org"),
    ("Rovers Youth Football", "sport", "Millbrook Rovers JFC", "Sport England", (6_000, 14_000), 5, "org"),
    ("Barista Training", "training", "The Kiln Cafe CIC", "Greater Pennine Combined Authority", (20_000, 40_000), 10, "org"),
)
CONTRACT_ENDS = tuple(
    dt.date.fromisoformat(d)
    for d in ("2026-12-31", "2027-03-31", "2027-09-30", "2028-03-31", "2028-09-30", "2029-03-31")
)
#: Services whose staff include youth workers (service label: how many).
YOUTH_WORK_SERVICES = {
    "Millbrook Youth Club": 3,
    "Hollin Bank Youth Club": 2,
    "Cloughside Detached Youth Work": 2,
    "Young People's Mental Health Drop-in": 2,
    "Moorside Foyer": 1,
    "Young Carers Group": 1,
    "Youth Voice Forum": 1,
    "Community Kitchen Training": 1,
    "Brookside Construction Skills": 1,
}
#: Other staff: role, employer, the service they work at (None: the organisation at large).
STAFF = (
    ("college tutor", "Millbrook College", "Pathways Study Programme"),
    ("college tutor", "Millbrook College", "Supported Internships"),
    ("careers adviser", "Millbrook College", "Careers Hub"),
    ("careers adviser", "Jobcentre Plus Millbrook", "Youth Employment Hub"),
    ("job coach", "Pathway Training Ltd", "Kickstart Skills"),
    ("job coach", "Northern Skills Academy Ltd", "Apprenticeship Academy"),
    ("housing officer", "Moorside Homes", "Young People's Tenancy Support"),
    ("family support worker", "Millbrook Council", "Early Help Family Support"),
    ("family support worker", "Millbrook Council", "Early Help Family Support"),
    ("youth justice officer", "Millbrook Council", "Youth Justice Team"),
    ("nurse", "Millbrook and Pennine NHS Foundation Trust", "NHS Healthcare Cadets"),
    ("counsellor", "Open Door Millbrook", "Talk It Out Counselling"),
)
N_PARENTS = 34
N_PAID_MENTORS = 5
N_VOLUNTEER_MENTORS = 3
N_VOLUNTEERS = 12
VOLUNTEER_GROUPS = (
    "Hollin Bank Residents' Association", "St Barnabas Church Hall Group",
    "Cloughside Allotment Society", "Millbrook Rovers JFC", "Al-Noor Mosque Youth Circle",
    "Stanner Moor Boxing Club", "Millbrook Foodbank", "Young Voices Millbrook",
)
YOUTH_GROUPS = (
    "Millbrook Rovers JFC", "Al-Noor Mosque Youth Circle", "Stanner Moor Boxing Club",
    "St Barnabas Church Hall Group", "Young Voices Millbrook",
)


# ----------------------------------------------------------------- geometry
def km_to_lonlat(x_km, y_km):
    """Local kilometres east/north of the town centre to (lon, lat) degrees."""
    return CENTRE_LON + np.asarray(x_km) / KM_PER_DEG_LON, CENTRE_LAT + np.asarray(y_km) / KM_PER_DEG_LAT


def _polygon_to_lonlat(geom_km):
    lonlat = shapely.transform(
        geom_km, lambda xy: np.column_stack(km_to_lonlat(xy[:, 0], xy[:, 1]))
    )
    # Snap to a 1e-7 degree (~1 cm) grid: shared vertices stay identical and the file stays tidy.
    return shapely.set_precision(lonlat, 1e-7)


def _town_outline(rng: np.random.Generator) -> Polygon:
    """An irregular, roughly elliptical town boundary about 7 km by 5.5 km."""
    theta = np.linspace(0.0, 2 * math.pi, 73)[:-1]
    phase = rng.uniform(0, 2 * math.pi, 3)
    radius = 1 + 0.07 * np.sin(2 * theta + phase[0]) + 0.05 * np.sin(3 * theta + phase[1]) + 0.03 * np.sin(5 * theta + phase[2])
    return Polygon(np.column_stack([3.6 * radius * np.cos(theta), 2.8 * radius * np.sin(theta)]))


def _voronoi_cells(points: np.ndarray, outline: Polygon) -> list:
    """The Voronoi cell of each point, clipped to ``outline``, in the points' order."""
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline.buffer(10.0))
    )
    pts = shapely.points(points)
    ordered = []
    for pt in pts:
        owner = next(c for c in cells if c.contains(pt))
        ordered.append(owner.intersection(outline))
    return ordered


def _point_inside(poly, rng: np.random.Generator) -> tuple[float, float]:
    """A random point inside ``poly`` (rejection sampling in its bounds), kept
    away from the edge so it is clearly inside."""
    inner = poly.buffer(-0.08)
    target = inner if not inner.is_empty else poly
    minx, miny, maxx, maxy = target.bounds
    for _ in range(1000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if target.contains(Point(x, y)):
            return x, y
    rp = target.representative_point()
    return rp.x, rp.y


@dataclass
class _Place:
    code: str
    name: str
    cell_km: Polygon
    centroid_km: np.ndarray
    imd_decile: int
    population_16_24: int
    in_valley: bool
    neighbours: list[int]


def _areas(rng: np.random.Generator) -> list[_Place]:
    outline = _town_outline(rng)
    minx, miny, maxx, maxy = outline.bounds
    points = []
    while len(points) < N_AREAS:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if outline.contains(Point(x, y)):
            points.append((x, y))
    points = np.array(points)
    for _ in range(2):  # Lloyd relaxation: evenly sized but still irregular cells
        cells = _voronoi_cells(points, outline)
        points = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    cells = _voronoi_cells(points, outline)
    centroids = np.array([[c.centroid.x, c.centroid.y] for c in cells])

    # Codes north to south, then west to east.
    order = sorted(range(N_AREAS), key=lambda i: (-round(centroids[i, 1] * 2) / 2, centroids[i, 0]))
    cells = [cells[i] for i in order]
    centroids = centroids[order]

    neighbours = [
        [j for j in range(N_AREAS) if j != i and cells[i].intersects(cells[j])] for i in range(N_AREAS)
    ]
    valley_dist = np.hypot(centroids[:, 0] - VALLEY_CENTRE_KM[0], centroids[:, 1] - VALLEY_CENTRE_KM[1])
    seed_area = int(np.argmin(valley_dist))
    near = sorted(neighbours[seed_area], key=lambda j: valley_dist[j])[: VALLEY_AREAS - 1]
    valley = {seed_area, *near}

    names: list[str | None] = [None] * N_AREAS
    central = int(np.argmin(np.hypot(centroids[:, 0], centroids[:, 1])))
    names[central] = f"{TOWN} Central"
    for name, (cx, cy) in COMPASS_NAMES:
        free = [i for i in range(N_AREAS) if names[i] is None and i not in valley]
        best = min(free, key=lambda i: math.hypot(centroids[i, 0] - cx, centroids[i, 1] - cy))
        names[best] = name
    valley_names, other_names = iter(VALLEY_NAMES), iter(AREA_NAMES)
    names = [n if n is not None else next(valley_names if i in valley else other_names) for i, n in enumerate(names)]

    places = []
    for i in range(N_AREAS):
        if i in valley:
            imd = 1 if i == seed_area or rng.random() < 0.5 else 2
            pop = int(rng.integers(250, 340))
        else:
            imd = int(np.clip(round(2.2 + 1.5 * valley_dist[i] + rng.normal(0, 0.8)), 3, 10))
            pop = int(rng.integers(130, 260))
        places.append(
            _Place(f"X0100{i + 1:04d}", names[i], cells[i], centroids[i], imd, pop, i in valley, neighbours[i])
        )
    return places


def _pseudonyms(count: int, rng: np.random.Generator, pool: Sequence[str]) -> list[str]:
    """``count`` first-name pseudonyms, a letter suffix on repeats ("Robin B")."""
    picks = rng.permutation(np.resize(np.arange(len(pool)), count))
    seen: dict[str, int] = {}
    out = []
    for k in picks:
        name = pool[int(k)]
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(name if n == 0 else f"{name} {chr(ord('A') + n)}")
    return out


# ----------------------------------------------------------------- the town
def generate_sample_project(seed: int = 2026) -> Project:
    """Millbrook: a fictional northern English town for trying SocialMap.

    About 25 areas, 400 young people aged 14-24 (12% NEET, concentrated in
    a deprived valley of five adjoining areas), 80 adults, 30 organisations
    (anchors among them), 30 commissioned services and 1,200-2,000 ties.

    Parameters
    ----------
    seed
        Seed of the random draws; the same seed always gives the same project.

    Returns
    -------
    Project
        A validated project; young people are placed inside their home areas.
    """
    rng = np.random.default_rng(seed)
    places = _areas(rng)
    areas = [
        Area(p.code, p.name, _polygon_to_lonlat(p.cell_km), p.imd_decile, p.population_16_24) for p in places
    ]
    nodes: list[Node] = []
    ties: dict[tuple[str, str], Tie] = {}

    def tie(a: str, b: str, kind: str, context: str | None = None, strength: int | None = None) -> bool:
        key = tie_key(a, b)
        if a == b or key in ties:
            return False
        ties[key] = Tie(a, b, kind, context, strength)
        return True

    def site(where: str, home: int | None = None) -> tuple[int, float, float]:
        """(area index, x km, y km) for an organisation or service."""
        if where == "org" and home is not None:
            i = home
        elif where == "centre":
            central = next(k for k, p in enumerate(places) if p.name == f"{TOWN} Central")
            pool = [central, central, *places[central].neighbours]
            pool = [k for k in pool if not places[k].in_valley]
            i = int(rng.choice(pool))
        elif where == "valley":
            i = int(rng.choice([k for k, p in enumerate(places) if p.in_valley]))
        else:
            i = int(rng.choice([k for k, p in enumerate(places) if not p.in_valley]))
        x, y = _point_inside(places[i].cell_km, rng)
        return i, x, y

    # ---- organisations
    org_id: dict[str, str] = {}
    org_area: dict[str, int] = {}
    for k, (label, org_type, sector, anchor, staff, local_staff, spend, local_spend, years, where) in enumerate(ORGANISATIONS):
        i, x, y = site(where)
        lon, lat = km_to_lonlat(x, y)
        oid = f"org{k + 1:02d}"
        org_id[label], org_area[oid] = oid, i
        nodes.append(
            Node(
                oid, "organisation", label, area_code=places[i].code,
                lat=round(float(lat), 6), lon=round(float(lon), 6),
                org_type=org_type, sector=sector, is_anchor=anchor,
                employees_total=float(staff), employees_local=float(round(staff * local_staff)),
                spend_total=float(spend), spend_local=float(round(spend * local_spend, -3)),
                years_in_area=float(years),
            )
        )

    # ---- services
    svc_id: dict[str, str] = {}
    svc_xy: list[tuple[float, float]] = []
    svc_ids: list[str] = []
    svc_type: list[str] = []
    for k, (label, service_type, provider, commissioner, (lo, hi), hours, where) in enumerate(SERVICES):
        prov = org_id[provider]
        i, x, y = site(where, home=org_area[prov])
        lon, lat = km_to_lonlat(x, y)
        sid = f"svc{k + 1:02d}"
        svc_id[label] = sid
        svc_xy.append((x, y))
        svc_ids.append(sid)
        svc_type.append(service_type)
        nodes.append(
            Node(
                sid, "service", label, area_code=places[i].code,
                lat=round(float(lat), 6), lon=round(float(lon), 6),
                provider=prov, service_type=service_type, commissioner=commissioner,
                contract_end=CONTRACT_ENDS[int(rng.integers(len(CONTRACT_ENDS)))],
                annual_value=float(round(rng.uniform(lo, hi), -2)), hours_per_week=float(hours),
            )
        )
    svc_xy_arr = np.array(svc_xy)

    # ---- young people: at least six per area, the rest in proportion to population
    pops = np.array([p.population_16_24 for p in places], dtype=float)
    per_area = 6 + rng.multinomial(N_YOUNG_PEOPLE - 6 * N_AREAS, pops / pops.sum())
    yp_area = np.repeat(np.arange(N_AREAS), per_area)
    ages = rng.integers(14, 25, N_YOUNG_PEOPLE)
    in_valley = np.array([places[i].in_valley for i in yp_area])
    weights = np.where(ages >= 16, 1.0, 0.0) * np.where(in_valley, 6.0, 1.0)
    weights *= np.array([1.5 if places[i].imd_decile <= 4 and not places[i].in_valley else 1.0 for i in yp_area])
    n_neet = round(NEET_SHARE * N_YOUNG_PEOPLE)
    neet = np.zeros(N_YOUNG_PEOPLE, dtype=bool)
    neet[rng.choice(N_YOUNG_PEOPLE, n_neet, replace=False, p=weights / weights.sum())] = True
    labels = _pseudonyms(N_YOUNG_PEOPLE, rng, FIRST_NAMES)
    yp_ids = [f"yp{k + 1:03d}" for k in range(N_YOUNG_PEOPLE)]
    for k, pid in enumerate(yp_ids):
        nodes.append(
            Node(pid, "young_person", labels[k], area_code=places[yp_area[k]].code, age=int(ages[k]), neet=bool(neet[k]))
        )
    residents = [np.nonzero(yp_area == i)[0] for i in range(N_AREAS)]
    # A young person's reach: valley NEET young people are the most cut off.
    reach = np.where(in_valley & neet, 0.15, np.where(in_valley, 0.7, np.where(neet, 0.85, 1.0)))
    reach[ages < 16] *= 0.8

    # ---- family and friends inside areas, friends and peers next door
    for members in residents:
        n = len(members)
        for _ in range(round(0.12 * n)):  # siblings
            a, b = rng.choice(members, 2, replace=False)
            tie(yp_ids[a], yp_ids[b], "family", strength=3)
        for _ in range(round(1.1 * n)):
            a, b = rng.choice(members, 2, replace=False)
            tie(yp_ids[a], yp_ids[b], "friend", strength=int(rng.integers(1, 4)))
        for _ in range(round(0.15 * n)):
            a, b = rng.choice(members, 2, replace=False)
            tie(yp_ids[a], yp_ids[b], "neighbour", strength=1)
    college = org_id["Millbrook College"]
    high_school = org_id["Millbrook High School"]
    for k in range(N_YOUNG_PEOPLE):
        if rng.random() < 0.32 * reach[k]:
            j = int(rng.choice(places[yp_area[k]].neighbours))
            other = int(rng.choice(residents[j]))
            both_age = (16 <= ages[k] <= 18 and 16 <= ages[other] <= 18 and not neet[k] and not neet[other])
            school = ages[k] < 16 and ages[other] < 16
            if both_age or school:
                tie(yp_ids[k], yp_ids[other], "peer", college if both_age else high_school, 2)
            else:
                tie(yp_ids[k], yp_ids[other], "friend", strength=int(rng.integers(1, 4)))

    # ---- membership of the college, school and youth groups
    for k in range(N_YOUNG_PEOPLE):
        if 16 <= ages[k] <= 18 and not neet[k] and rng.random() < 0.55:
            tie(yp_ids[k], college, "member", strength=2)
        elif ages[k] < 16 and rng.random() < 0.6 * reach[k]:
            tie(yp_ids[k], high_school, "member", strength=2)
        if rng.random() < 0.18 * reach[k]:
            tie(yp_ids[k], org_id[str(rng.choice(YOUTH_GROUPS))], "member", strength=1)

    # ---- attending services, mostly near home
    centroids = np.array([p.centroid_km for p in places])
    attendees: dict[str, list[int]] = {s: [] for s in svc_ids}
    employment_types = {"employability", "employment support", "apprenticeships", "training", "careers advice"}
    for k in range(N_YOUNG_PEOPLE):
        mean = 1.35 * reach[k]
        count = min(int(rng.poisson(mean)), 3)
        if count == 0:
            continue
        dist = np.hypot(*(svc_xy_arr - centroids[yp_area[k]]).T)
        w = np.exp(-dist / 1.2)
        if neet[k]:
            w *= np.array([3.0 if t in employment_types else 1.0 for t in svc_type])
        for s in rng.choice(len(svc_ids), count, replace=False, p=w / w.sum()):
            if tie(yp_ids[k], svc_ids[s], "attends", strength=2):
                attendees[svc_ids[s]].append(k)

    # ---- friendships made at services bridge areas (context = the service)
    for sid, people in attendees.items():
        if len(people) < 2:
            continue
        for _ in range(round(0.4 * len(people))):
            a, b = rng.choice(people, 2, replace=False)
            if yp_area[a] == yp_area[b]:
                continue
            kind = "peer" if rng.random() < 0.4 else "friend"
            tie(yp_ids[a], yp_ids[b], kind, sid, int(rng.integers(1, 3)))

    # ---- adults
    adult_labels = _pseudonyms(80, rng, ADULT_FIRST_NAMES)
    initials = rng.integers(0, 26, 80)
    adult_count = 0

    def new_adult(role: str, area: int | None) -> str:
        nonlocal adult_count
        aid = f"ad{adult_count + 1:03d}"
        label = f"{adult_labels[adult_count]} {chr(ord('A') + int(initials[adult_count]))}."
        adult_count += 1
        nodes.append(Node(aid, "adult", label, area_code=None if area is None else places[area].code, role=role))
        return aid

    def non_valley_area() -> int:
        return int(rng.choice([k for k, p in enumerate(places) if not p.in_valley]))

    # parents: family of one to three young people in their own area
    for _ in range(N_PARENTS):
        k = int(rng.integers(N_YOUNG_PEOPLE))
        i = int(yp_area[k])
        parent = new_adult("parent", i)
        tie(parent, yp_ids[k], "family", strength=3)
        for _ in range(int(rng.integers(0, 3))):
            tie(parent, yp_ids[int(rng.choice(residents[i]))], "family", strength=3)
        if rng.random() < 0.3:
            tie(parent, org_id["Hollin Bank Residents' Association" if not places[i].in_valley else "Cloughside Allotment Society"], "member")

    def work_with(adult: str, kind: str, pool: Sequence[int], count: int, context: str | None = None) -> None:
        pool = list(pool)
        if not pool:
            return
        p = reach[pool] / reach[pool].sum()
        for k in rng.choice(pool, min(count, len(pool)), replace=False, p=p):
            tie(adult, yp_ids[int(k)], kind, context, 2)

    # youth workers: employed at a service, working with its young people
    for label, n in YOUTH_WORK_SERVICES.items():
        sid = svc_id[label]
        provider = next(nd.provider for nd in nodes if nd.id == sid)
        for _ in range(n):
            worker = new_adult("youth worker", non_valley_area() if rng.random() < 0.8 else None)
            tie(provider, worker, "employs", sid)
            work_with(worker, "worker", attendees[sid], int(rng.integers(3, 7)))

    # staff of other services
    for role, employer, service in STAFF:
        sid = svc_id[service]
        staff = new_adult(role, non_valley_area() if rng.random() < 0.7 else None)
        tie(org_id[employer], staff, "employs", sid)
        work_with(staff, "worker", attendees[sid], int(rng.integers(2, 5)))

    # mentors: paid ones at the mentoring programme, volunteers too
    mentoring = svc_id["Step Up Mentoring Programme"]
    outside_valley = [k for k in range(N_YOUNG_PEOPLE) if not in_valley[k] and ages[k] >= 15]
    for n in range(N_PAID_MENTORS + N_VOLUNTEER_MENTORS):
        paid = n < N_PAID_MENTORS
        mentor = new_adult("mentor" if paid else "volunteer mentor", non_valley_area())
        if paid:
            tie(org_id["Step Up Mentoring"], mentor, "employs", mentoring)
        else:
            tie(mentor, org_id["Step Up Mentoring"], "member")
        pool = attendees[mentoring] + outside_valley
        work_with(mentor, "mentor", sorted(set(pool)), int(rng.integers(2, 5)))

    # volunteers: members of community groups, some coaching young people
    for _ in range(N_VOLUNTEERS):
        i = int(rng.integers(N_AREAS))
        volunteer = new_adult("volunteer", i)
        groups = rng.choice(len(VOLUNTEER_GROUPS), int(rng.integers(1, 3)), replace=False)
        for g in groups:
            tie(volunteer, org_id[VOLUNTEER_GROUPS[int(g)]], "member", strength=2)
        if rng.random() < 0.5:
            group = org_id[VOLUNTEER_GROUPS[int(groups[0])]]
            members = [int(k) for k in range(N_YOUNG_PEOPLE) if tie_key(yp_ids[k], group) in ties]
            work_with(volunteer, "worker", members, int(rng.integers(1, 4)))
    # neighbours among adults living in the same area
    adults_by_area: dict[str, list[str]] = {}
    for nd in nodes:
        if nd.kind == "adult" and nd.area_code:
            adults_by_area.setdefault(nd.area_code, []).append(nd.id)
    for people in adults_by_area.values():
        if len(people) >= 2 and rng.random() < 0.6:
            a, b = rng.choice(people, 2, replace=False)
            tie(str(a), str(b), "neighbour", strength=1)
    assert adult_count == 80, adult_count

    # ---- organisations: provision, partnership, referral, supply
    org_ids = list(org_id.values())
    anchors = [org_id[o[0]] for o in ORGANISATIONS if o[3]]
    for a in anchors:
        for b in rng.choice(org_ids, int(rng.integers(3, 6)), replace=False):
            tie(a, str(b), "partner")
    for o in org_ids:
        if o not in anchors and rng.random() < 0.6:
            tie(o, str(rng.choice(org_ids)), "partner")
    mental_health = [svc_id["Young People's Mental Health Drop-in"], svc_id["Talk It Out Counselling"]]
    employment = [svc_ids[s] for s, t in enumerate(svc_type) if t in employment_types]
    for s, sid in enumerate(svc_ids):
        targets = mental_health if svc_type[s] in ("youth club", "outreach", "education") else employment
        for t in rng.choice(targets, min(2, len(targets)), replace=False):
            tie(sid, str(t), "refers")
    tie(org_id["Castle Mill Bakery Ltd"], org_id["The Kiln Cafe CIC"], "supplies")
    tie(org_id["Castle Mill Bakery Ltd"], org_id["Millbrook Foodbank"], "supplies")
    tie(org_id["Brookside Works Trust"], org_id["Moorside Homes"], "supplies")
    tie(org_id["Millbrook Logistics Ltd"], org_id["Millbrook and Pennine NHS Foundation Trust"], "supplies")

    # parents recorded as in paid work: two in three (after the RNG draws, so nothing else moves);
    # staff of the organisations are in work by their employs tie
    parents = [n for n in nodes if n.kind == "adult" and n.role == "parent"]
    for i, n in enumerate(parents):
        n.in_work = i % 3 != 2

    return Project.build(areas, nodes, ties.values())


__all__ = ["generate_sample_project", "km_to_lonlat", "CENTRE_LON", "CENTRE_LAT"]
