"""BEEM"s published figures for the 17 instances ported in specs/classic/.

Stage: test data (tests/test_beem.py reads it; bench/ may too).  Every figure
here is copied from BEEM, never from a modelcheck run: the state, edge and
BFS level counts (and the per-level state counts) from each instance"s
`NAME.stat.xml`, the property answers from the BEEM README table
(../shared/beem/README.md).  An answer"s `length` is the length DiVinE
reported for its witness or lasso (not necessarily the shortest); `None`
where BEEM gives none.  peterson.4 and bakery.5 have no stat.xml: only their
state counts are published.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Answer:
    """One published property answer, under our property name."""

    prop: str  # the property"s name in specs/classic/NAME.mig
    beem: str  # BEEM"s name: p1 .. p4
    holds: bool  # LTL: the formula holds; reachability: the goal is reachable
    length: int | None  # DiVinE"s witness / lasso length, where published


@dataclass(frozen=True, slots=True)
class Instance:
    name: str
    params: str
    states: int
    transitions: int | None
    levels: int | None
    level_states: tuple[int, ...] | None  # states per BFS level, level 0 first
    reach: Answer | None  # property 1 as a reachability goal (None for phils)
    ltl: tuple[Answer, ...]


INSTANCES: dict[str, Instance] = {}


def _add(inst: Instance) -> None:
    INSTANCES[inst.name] = inst


# fmt: off
_add(Instance(
    "adding.1", "MAX=20, VAL=17", 7372, 11144, 31,
    (1, 2, 3, 4, 7, 11, 15, 21, 32, 47, 66, 99, 136, 179, 265, 367, 435, 606, 737, 656, 787, 794,
     467, 524, 467, 176, 200, 168, 42, 36, 22,),
    Answer("p1_c_is_val", "p1", True, 16),
    (),
))
_add(Instance(
    "anderson.2", "N=3", 1459, 3705, 46,
    (1, 3, 9, 21, 33, 37, 33, 27, 27, 39, 45, 45, 45, 57, 75, 93, 90, 84, 84, 72, 60, 48, 48, 60,
     60, 42, 27, 21, 33, 33, 27, 15, 6, 6, 6, 6, 6, 6, 6, 6, 4, 3, 3, 3, 3, 1,),
    Answer("collision", "p1", False, None),
    (
        Answer("p2_wait_leads_to_cs", "p2", True, None),
        Answer("p3_cs_infinitely_often", "p3", False, 17),
        Answer("p4_someone_in_cs", "p4", True, None),
    ),
))
_add(Instance(
    "anderson.4", "N=4", 29641, 97516, 81,
    (1, 4, 16, 52, 124, 217, 280, 280, 244, 220, 268, 340, 364, 376, 424, 496, 592, 616, 688, 832,
     1072, 1260, 1344, 1392, 1380, 1296, 1128, 984, 1008, 1044, 1074, 924, 768, 780, 876, 804, 648,
     468, 516, 564, 582, 456, 312, 252, 192, 174, 156, 156, 192, 180, 144, 112, 100, 124, 124, 94,
     68, 56, 80, 80, 56, 28, 12, 12, 12, 12, 12, 12, 12, 12, 9, 8, 8, 8, 8, 5, 4, 4, 4, 4, 1,),
    Answer("collision", "p1", False, None),
    (
        Answer("p2_wait_leads_to_cs", "p2", True, None),
        Answer("p3_cs_infinitely_often", "p3", False, 22),
        Answer("p4_someone_in_cs", "p4", True, None),
    ),
))
_add(Instance(
    "bakery.1", "N=2, MAX=9", 1506, 2697, 101,
    (1, 2, 3, 4, 5, 6, 8, 11, 13, 15, 15, 14, 13, 13, 12, 11, 12, 13, 14, 15, 14, 12, 11, 11, 11,
     11, 13, 16, 18, 20, 18, 18, 17, 17, 17, 15, 16, 18, 20, 22, 20, 18, 17, 17, 17, 15, 16, 18, 20,
     22, 20, 18, 17, 17, 17, 15, 16, 18, 20, 22, 20, 18, 17, 17, 17, 15, 16, 18, 20, 22, 20, 18, 17,
     17, 17, 15, 16, 18, 20, 22, 20, 18, 17, 17, 17, 15, 16, 18, 18, 18, 15, 12, 11, 11, 11, 9, 8,
     7, 6, 5, 2,),
    Answer("collision", "p1", False, None),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 12),
        Answer("p3_cs_infinitely_often", "p3", False, 12),
        Answer("p4_someone_in_cs", "p4", False, 12),
    ),
))
_add(Instance(
    "bakery.2", "N=2, MAX=6, ERROR=1", 1146, 2085, 71,
    (1, 2, 3, 4, 5, 6, 8, 11, 13, 15, 16, 16, 17, 19, 20, 19, 19, 19, 18, 17, 15, 14, 15, 17, 17,
     17, 18, 20, 20, 20, 19, 20, 21, 23, 23, 21, 21, 22, 22, 22, 21, 20, 21, 23, 23, 21, 21, 22, 22,
     22, 21, 20, 21, 23, 23, 21, 21, 22, 20, 18, 15, 12, 11, 11, 9, 7, 6, 5, 4, 3, 2,),
    Answer("collision", "p1", True, 19),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 12),
        Answer("p3_cs_infinitely_often", "p3", False, 12),
        Answer("p4_someone_in_cs", "p4", False, 12),
    ),
))
_add(Instance(
    "bakery.3", "N=3, MAX=4", 32919, 85061, 117,
    (1, 3, 6, 10, 15, 21, 28, 38, 53, 75, 102, 137, 174, 216, 251, 282, 313, 336, 351, 362, 375,
     387, 394, 397, 409, 419, 436, 438, 444, 449, 452, 449, 446, 460, 486, 526, 561, 628, 677, 724,
     734, 757, 771, 775, 752, 713, 702, 707, 728, 717, 748, 752, 740, 676, 653, 630, 611, 579, 526,
     500, 483, 472, 447, 452, 433, 384, 318, 298, 274, 259, 228, 192, 169, 152, 140, 127, 129, 121,
     102, 83, 79, 71, 67, 60, 52, 52, 55, 62, 65, 77, 79, 75, 67, 66, 62, 60, 55, 44, 39, 36, 38,
     35, 39, 37, 28, 24, 25, 23, 21, 18, 13, 10, 7, 5, 3, 3, 2,),
    Answer("collision", "p1", False, None),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 15),
        Answer("p3_cs_infinitely_often", "p3", False, 15),
        Answer("p4_someone_in_cs", "p4", False, 15),
    ),
))
_add(Instance(
    "bakery.5", "N=4, MAX=7", 7866401, None, None,
    None,
    Answer("collision", "p1", False, None),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 18),
        Answer("p3_cs_infinitely_often", "p3", False, 18),
        Answer("p4_someone_in_cs", "p4", False, 18),
    ),
))
_add(Instance(
    "fischer.1", "N=3, K1=2, K2=3", 634, 1395, 18,
    (1, 3, 9, 22, 46, 70, 69, 69, 51, 39, 48, 27, 27, 33, 39, 42, 30, 9,),
    Answer("collision", "p1", False, None),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 2),
        Answer("p3_cs_infinitely_often", "p3", False, 2),
        Answer("p4_someone_in_cs", "p4", False, 2),
    ),
))
_add(Instance(
    "fischer.2", "N=4, K1=3, K2=3", 21733, 67590, 50,
    (1, 4, 14, 42, 115, 273, 537, 803, 920, 924, 888, 768, 776, 666, 744, 984, 1244, 1208, 1070,
     506, 488, 644, 828, 1140, 1308, 1104, 696, 312, 228, 300, 366, 288, 210, 162, 78, 126, 168,
     240, 252, 124, 16, 28, 40, 40, 40, 4, 4, 4, 4, 4,),
    Answer("collision", "p1", True, 15),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 2),
        Answer("p3_cs_infinitely_often", "p3", False, 2),
        Answer("p4_someone_in_cs", "p4", False, 2),
    ),
))
_add(Instance(
    "lamport.1", "N=3", 29242, 77286, 57,
    (1, 3, 6, 10, 18, 30, 45, 81, 130, 187, 263, 331, 377, 411, 415, 401, 391, 375, 355, 365, 415,
     496, 620, 766, 910, 1043, 1161, 1220, 1222, 1228, 1220, 1182, 1175, 1158, 1122, 1110, 1122,
     1065, 975, 923, 811, 657, 532, 445, 392, 349, 319, 288, 265, 234, 192, 162, 123, 81, 41, 17, 6,),
    Answer("collision", "p1", False, None),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 10),
        Answer("p3_cs_infinitely_often", "p3", False, 10),
        Answer("p4_someone_in_cs", "p4", True, None),
    ),
))
_add(Instance(
    "lamport.2", "N=3, ERROR=1", 110920, 303058, 81,
    (1, 3, 6, 10, 18, 30, 45, 81, 130, 199, 305, 385, 458, 551, 622, 680, 704, 747, 783, 814, 903,
     1001, 1117, 1263, 1407, 1617, 1884, 1966, 2048, 2237, 2454, 2598, 2663, 2778, 2830, 2893, 2936,
     2792, 2700, 2709, 2839, 2966, 3075, 3148, 3126, 3071, 3121, 3151, 3151, 2852, 2464, 2215, 2157,
     2114, 2116, 2087, 2004, 1962, 1912, 1742, 1561, 1306, 1025, 891, 838, 780, 732, 674, 596, 475,
     385, 321, 242, 141, 84, 69, 57, 39, 33, 18, 12,),
    Answer("collision", "p1", True, 30),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 10),
        Answer("p3_cs_infinitely_often", "p3", False, 10),
        Answer("p4_someone_in_cs", "p4", False, 10),
    ),
))
_add(Instance(
    "peterson.1", "N=3", 12498, 33369, 54,
    (1, 3, 6, 10, 15, 21, 31, 49, 77, 114, 148, 173, 188, 201, 211, 217, 218, 222, 234, 251, 277,
     317, 366, 414, 441, 442, 414, 377, 358, 372, 412, 459, 496, 506, 484, 438, 380, 323, 267, 219,
     183, 163, 161, 175, 209, 253, 293, 301, 262, 186, 103, 43, 12, 2,),
    Answer("collision", "p1", False, None),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 19),
        Answer("p3_cs_infinitely_often", "p3", False, 19),
        Answer("p4_someone_in_cs", "p4", True, None),
    ),
))
_add(Instance(
    "peterson.2", "N=3, ERROR=1", 124704, 399138, 52,
    (1, 3, 6, 10, 15, 21, 31, 51, 87, 144, 216, 300, 396, 513, 651, 810, 990, 1200, 1455, 1762,
     2149, 2642, 3249, 3963, 4760, 5613, 6465, 7233, 7830, 8187, 8268, 8087, 7696, 7151, 6502, 5772,
     4977, 4148, 3317, 2531, 1827, 1241, 803, 513, 348, 260, 204, 150, 93, 45, 15, 3,),
    Answer("collision", "p1", True, 23),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 19),
        Answer("p3_cs_infinitely_often", "p3", False, 19),
        Answer("p4_someone_in_cs", "p4", True, None),
    ),
))
_add(Instance(
    "peterson.4", "N=4", 1119560, None, None,
    None,
    Answer("collision", "p1", False, None),
    (
        Answer("p2_wait_leads_to_cs", "p2", False, 28),
        Answer("p3_cs_infinitely_often", "p3", False, 28),
        Answer("p4_someone_in_cs", "p4", True, None),
    ),
))
_add(Instance(
    "phils.1", "N=4", 80, 212, 10,
    (1, 4, 10, 16, 15, 12, 10, 4, 4, 4,),
    None,
    (
        Answer("p1_eat0_infinitely_often", "p1", False, 5),
        Answer("p2_one_leads_to_eat", "p2", False, 5),
        Answer("p3_someone_eats", "p3", False, 5),
    ),
))
_add(Instance(
    "phils.2", "N=5, ROOM=3", 581, 2350, 13,
    (1, 5, 15, 35, 65, 95, 105, 90, 75, 50, 20, 15, 10,),
    None,
    (
        Answer("p1_eat0_infinitely_often", "p1", False, 3),
        Answer("p2_one_leads_to_eat", "p2", False, 3),
        Answer("p3_someone_eats", "p3", False, 3),
    ),
))
_add(Instance(
    "phils.3", "N=6, LEFT=1", 729, 2916, 17,
    (1, 6, 20, 46, 77, 102, 114, 108, 89, 66, 43, 26, 17, 8, 3, 2, 1,),
    None,
    (
        Answer("p1_eat0_infinitely_often", "p1", False, 5),
        Answer("p2_one_leads_to_eat", "p2", False, 5),
        Answer("p3_someone_eats", "p3", True, None),
    ),
))
# fmt: on
