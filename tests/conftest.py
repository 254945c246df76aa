"""Shared fixtures. GUI tests run offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox")

import pytest
from shapely.geometry import Polygon, box

from socialmap.model import Area, Node, Project, Tie


@pytest.fixture(autouse=True)
def _cheap_key_derivation(monkeypatch):
    """Encrypted projects made by tests use a cheap scrypt cost (N=2**4) instead of the default
    memory-hard Argon2id (64 MiB, ~0.3 s a save or an open): the header records the cost, so
    the files read back the same. tests/store/test_encrypted.py checks the real default."""
    from socialmap.store import encrypted

    monkeypatch.setattr(encrypted, "DEFAULT_KDF", encrypted.KdfParams(encrypted.KDF_SCRYPT, 2**4, 8, 1))
    monkeypatch.delenv("SOCIALMAP_PASSPHRASE", raising=False)
    monkeypatch.delenv("SOCIALMAP_NEW_PASSPHRASE", raising=False)


@pytest.fixture
def two_areas() -> list[Area]:
    """Two adjoining 1x1 squares near Manchester (lon -2.3.., lat 53.4..)."""
    return [
        Area("A1", "West", box(-2.30, 53.40, -2.29, 53.41)),
        Area("A2", "East", box(-2.29, 53.40, -2.28, 53.41)),
    ]


@pytest.fixture
def small_project(two_areas) -> Project:
    """Three young people, a youth worker, an organisation and its service.

    yp1 (A1, NEET) -friend- yp2 (A1) -friend- yp3 (A2);
    yp1 -attends- s1; org o1 provides s1 and employs ad1 at s1; ad1 -worker- yp3.
    """
    p = Project()
    for a in two_areas:
        p.add_area(a)
    p.add_node(Node("yp1", "young_person", "Robin", area_code="A1", age=17, neet=True))
    p.add_node(Node("yp2", "young_person", "Sam", area_code="A1", age=18, neet=False))
    p.add_node(Node("yp3", "young_person", "Kai", area_code="A2", age=16, neet=False))
    p.add_node(Node("ad1", "adult", "Jo", area_code="A2", role="youth worker"))
    p.add_node(Node("o1", "organisation", "Northfield College", lat=53.405, lon=-2.295,
                    org_type="school_college", sector="public", is_anchor=True,
                    employees_total=100, employees_local=60, spend_total=1000, spend_local=400,
                    years_in_area=30))
    p.add_node(Node("s1", "service", "Youth club", lat=53.405, lon=-2.285, provider="o1",
                    service_type="youth club"))
    p.add_tie(Tie("yp1", "yp2", "friend"))
    p.add_tie(Tie("yp2", "yp3", "friend", context="s1"))
    p.add_tie(Tie("yp1", "s1", "attends"))
    p.add_tie(Tie("o1", "ad1", "employs", context="s1"))
    p.add_tie(Tie("ad1", "yp3", "worker"))
    return p


L_SHAPE = Polygon([(0, 0), (10, 0), (10, 10), (9, 10), (9, 1), (0, 1)])
