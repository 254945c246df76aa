"""The map's search index (socialmap.mapview.search): tiers, kinds and areas of the hits."""

from __future__ import annotations

from socialmap.mapview.search import SearchIndex
from socialmap.model import Node


def test_exact_id_comes_first_and_each_hit_names_its_kind_and_area(small_project):
    index = SearchIndex(small_project)
    hits = index.search("YP2")
    assert hits[0].kind == "young_person" and hits[0].ident == "yp2"
    assert hits[0].text() == "Sam \u2013 Young person, West (yp2)"


def test_two_people_of_one_name_are_told_apart_by_area(small_project):
    small_project.add_node(Node("yp9", "young_person", "Sam", area_code="A2"))
    hits = SearchIndex(small_project).search("sam")
    assert [(h.ident, h.area) for h in hits] == [("yp2", "West"), ("yp9", "East")]


def test_tiers_prefix_then_word_then_contains(small_project):
    """'co' : 'Northfield College' has a word starting 'co' (tier 4); nothing starts with 'co';
    no other label or id contains it."""
    index = SearchIndex(small_project)
    assert [h.ident for h in index.search("co")] == ["o1"]
    # 'y' starts 'Youth club' (prefix, a place) and is in the ids yp1, yp2, yp3 (contains)
    assert [h.ident for h in index.search("y")][:1] == ["s1"]
    assert {h.ident for h in index.search("yp")} == {"yp1", "yp2", "yp3"}
    # an area by its name and by its code
    assert index.search("east")[0].kind == "area" and index.search("a1")[0].ident == "A1"


def test_typing_on_narrows_and_blank_finds_nothing(small_project):
    index = SearchIndex(small_project)
    assert index.search("  ") == []
    assert {h.ident for h in index.search("o")} >= {"o1", "yp1"}  # Northfield..., Robin
    assert [h.ident for h in index.search("obi")] == ["yp1"]  # narrowed from the last matches
    assert [h.ident for h in index.search("nothing like it")] == []


def test_index_knows_when_it_is_stale(small_project):
    index = SearchIndex(small_project)
    assert index.current(small_project)
    small_project.add_node(Node("s9", "service", "Drop-in", lat=53.405, lon=-2.29))
    assert not index.current(small_project)
    assert SearchIndex(small_project).search("drop")[0].ident == "s9"


def test_rare_and_common_queries_find_the_same_as_a_plain_scan(small_project):
    """Rare needles are found with str.find over all the texts joined, common ones with an
    `in` per entry: 120 young people "Person 0".."Person 119" and one "Zed Mary"."""
    for i in range(120):
        small_project.add_node(Node(f"p{i}", "young_person", f"Person {i}", area_code="A1"))
    small_project.add_node(Node("z1", "young_person", "Zed Mary", area_code="A2"))
    index = SearchIndex(small_project)
    assert [h.ident for h in index.search("mary")] == ["z1"]  # a word of the label (rare path)
    assert [h.ident for h in index.search("ed ma")] == ["z1"]  # inside the label (rare path)
    hits = [h.ident for h in index.search("son 11", limit=20)]  # common path: 11, 110..119
    assert sorted(hits) == sorted(["p11", *[f"p{i}" for i in range(110, 120)]])
    assert [h.ident for h in index.search("p119")] == ["p119"]  # the id itself


def test_the_type_ahead_index_matches_in_tiers_by_label_and_id_not_by_kind_or_area():
    """By hand: "jo" gives the id-less exact... tiers: labels starting "jo" (Jo, Joanne, in label
    order), then a word starting "jo" (Ben Jones), then any part (Majo); an id exactly comes
    first ("AD3" finds Majo before labels); the kind and area in a text are never matched
    ("east" finds no one though three texts say East); at most ``limit``."""
    from socialmap.mapview.search import ChoiceIndex

    texts = {"Millbrook Youth Club · service, West · s1": ("Millbrook Youth Club", "s1"),
             "Joanne · young person, East · yp9": ("Joanne", "yp9"),
             "Jo · adult, West · ad1": ("Jo", "ad1"),
             "Ben Jones · adult, East · ad2": ("Ben Jones", "ad2"),
             "Majo · adult, East · ad3": ("Majo", "ad3")}
    index = ChoiceIndex(texts)
    assert index.match("jo", 10) == ["Jo · adult, West · ad1", "Joanne · young person, East · yp9",
                                     "Ben Jones · adult, East · ad2", "Majo · adult, East · ad3"]
    assert index.match("  JO ", 2) == ["Jo · adult, West · ad1", "Joanne · young person, East · yp9"]
    assert index.match("youth", 10) == index.match("club", 10) == ["Millbrook Youth Club · service, West · s1"]
    assert index.match("AD3", 10)[0] == "Majo · adult, East · ad3"
    assert index.match("east", 10) == [] and index.match("adult", 10) == [] and index.match("", 10) == []
    assert index.match("yp", 10) == ["Joanne · young person, East · yp9"]  # part of an id
