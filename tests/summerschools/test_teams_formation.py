"""The team-formation algorithm on its own: mixing rules, sizes, preferences, determinism."""

import random
from collections import Counter

import pytest

from summerschools.team_formation import Participant, challenge_slots, form_teams

COUNTRIES = ["ES", "IT", "FR", "DE", "PL", "PT"]
FIELDS = ["03", "04", "05", "06", "07", "09"]


def people(n, *, weights, seed, challenges=(), countries=None):
    """`n` participants spread over institutions with the given weights, institution i in COUNTRIES[i]."""
    rng = random.Random(seed)
    result = []
    for pk in range(1, n + 1):
        institution = rng.choices(range(len(weights)), weights=weights)[0]
        chosen = frozenset(rng.sample(list(challenges), min(2, len(challenges)))) if challenges else frozenset()
        country = (countries or COUNTRIES)[institution % len(countries or COUNTRIES)]
        result.append(Participant(pk, institution, country, rng.choice(FIELDS), chosen))
    return result


def mixes(teams, participants):
    by_id = {p.id: p for p in participants}
    return [(len({by_id[m].institution for m in t.members}), len({by_id[m].country for m in t.members})) for t in teams]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("size", range(3, 9))
def test_teams_mix_three_institutions_and_two_countries_as_far_as_the_participants_allow(seed, size):
    weights = [[1, 1, 1, 1, 1], [6, 2, 1, 1, 1], [3, 3, 1, 1]][seed % 3]
    participants = people(60 + seed * 7, weights=weights, seed=seed, challenges=range(1, 5))
    teams = form_teams(participants, size=size, challenges=[1, 2, 3, 4], seed=seed)
    sizes = [len(t.members) for t in teams]
    assert max(sizes) <= size and max(sizes) - min(sizes) <= 1
    assert sorted(m for t in teams for m in t.members) == [p.id for p in participants]
    # A mixed team needs two members from outside the largest institution and one from outside the
    # two largest: as many teams as that allows are mixed.
    first, second = [count for _, count in Counter(p.institution for p in participants).most_common(2)]
    mixed = sum(institutions >= 3 and countries >= 2 for institutions, countries in mixes(teams, participants))
    assert mixed >= min(len(teams), (len(participants) - first) // 2, len(participants) - first - second)


def test_teams_mix_as_many_institutions_as_there_are_when_fewer_than_three():
    participants = people(20, weights=[1, 1], seed=1)
    teams = form_teams(participants, size=5, challenges=[], seed=1)
    assert mixes(teams, participants) == [(2, 2)] * 4


def test_a_dominant_institution_still_leaves_two_others_in_each_team_where_it_can():
    # 30 from institution 0, 10 from each of two others: 8 teams of 6 need 16 "others", there are 20.
    participants = [
        Participant(pk, 0 if pk <= 30 else 1 + pk % 2, "ES" if pk <= 30 else "IT", "04") for pk in range(1, 51)
    ]
    teams = form_teams(participants, size=6, challenges=[], seed=3)
    assert all(institutions == 3 for institutions, _ in mixes(teams, participants))


def test_fields_of_study_are_spread_evenly():
    participants = [Participant(pk, pk % 5, COUNTRIES[pk % 5], FIELDS[pk % 3]) for pk in range(1, 31)]
    teams = form_teams(participants, size=5, challenges=[], seed=2)
    by_id = {p.id: p for p in participants}
    for team in teams:
        assert max(Counter(by_id[m].field for m in team.members).values()) == 2  # 10 of each field over 6 teams


def test_preferences_are_honoured_when_possible():
    # Each institution's students all want the same challenge: every team can still get someone who chose it.
    participants = [
        Participant(pk, pk % 5, COUNTRIES[pk % 5], FIELDS[pk % 6], frozenset({1 + pk % 2})) for pk in range(1, 41)
    ]
    teams = form_teams(participants, size=5, challenges=[1, 2], seed=4)
    by_id = {p.id: p for p in participants}
    happy = sum(t.challenge in by_id[m].preferences for t in teams for m in t.members)
    assert happy == 40
    assert Counter(t.challenge for t in teams) == {1: 4, 2: 4}


def test_challenges_are_spread_fairly_the_remainder_to_the_most_chosen():
    participants = [Participant(pk, pk % 3, "ES", "04", frozenset({3})) for pk in range(1, 8)]
    assert challenge_slots(7, [1, 2, 3], participants) == [1, 2, 3, 1, 2, 3, 3]
    assert challenge_slots(2, [1, 2, 3], participants) == [3, 1]
    assert challenge_slots(2, [], participants) == [None, None]


def test_the_same_input_gives_the_same_teams():
    participants = people(90, weights=[3, 2, 2, 1, 1], seed=9, challenges=range(1, 7))
    first = form_teams(participants, size=5, challenges=list(range(1, 7)), seed=11)
    again = form_teams(list(participants), size=5, challenges=list(range(1, 7)), seed=11)
    assert first == again


def test_nobody_gives_no_teams_and_a_few_give_one():
    assert form_teams([], size=5, challenges=[1], seed=0) == []
    participants = people(3, weights=[1, 1, 1], seed=0)
    [team] = form_teams(participants, size=5, challenges=[1], seed=0)
    assert team.number == 1 and team.challenge == 1 and len(team.members) == 3
