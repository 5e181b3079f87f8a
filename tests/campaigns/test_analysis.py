"""Tube recommendations on hand-computed cases (reference pix-domain §7.1), each part of the formula."""

import pytest

from campaigns.analysis import analyse, bubbles, tube_recommendation_score


def test_nothing_validated_leaves_only_the_difficulty_part():
    # 30 × maxD / M = 30 × 4 / 6
    assert tube_recommendation_score(
        tube_levels=[1, 2, 3, 4], validated_levels=[], profile_max_level=6
    ) == pytest.approx(20)


def test_each_part_of_the_formula():
    # reached 2 of maxD 4 → 40 × 2/4 = 20; difficulty 30 × 4/6 = 20; progress 20 × 2/4 = 10; next step 10 × 2/3
    score = tube_recommendation_score(tube_levels=[1, 2, 3, 4], validated_levels=[1, 2], profile_max_level=6)
    assert score == pytest.approx(20 + 20 + 10 + 10 * 2 / 3)


def test_a_fully_mastered_hardest_tube_scores_one_hundred():
    assert tube_recommendation_score(
        tube_levels=[1, 2, 3], validated_levels=[1, 2, 3], profile_max_level=3
    ) == pytest.approx(100)


def test_the_next_step_is_the_easiest_skill_not_validated():
    # validated 1 and 3 (2 missed): reached 3 → 40 × 3/3 = 40; 30; progress 20 × 2/3; next 10 × 3/2
    score = tube_recommendation_score(tube_levels=[1, 2, 3], validated_levels=[1, 3], profile_max_level=3)
    assert score == pytest.approx(40 + 30 + 40 / 3 + 15)


@pytest.mark.parametrize(("score", "expected"), [(10, 4), (25, 4), (25.1, 3), (50, 3), (74, 2), (76, 1)])
def test_bubbles(score, expected):
    assert bubbles(score)[0] == expected


def test_averages_over_participants_who_shared():
    skills = [("@a1", "@a", 1, "1.1"), ("@a2", "@a", 2, "1.1"), ("@b1", "@b", 1, "1.2")]
    tube_scores, averages = analyse(skills=skills, validated_by_participant={1: {"@a1", "@a2", "@b1"}, 2: set()})
    # @a: participant 1 → 40 + 30 + 20 + 10 = 100, participant 2 → 30 ; mean 65
    assert tube_scores["@a"] == pytest.approx(65)
    # @b: maxD 1, M 2 → p1: 40 + 15 + 20 + 10 = 85, p2: 15 ; mean 50
    assert tube_scores["@b"] == pytest.approx(50)
    assert averages == {"1.1": 1.0, "1.2": 0.5}
    assert analyse(skills=skills, validated_by_participant={})[0] == {"@a": None, "@b": None}
