"""Forming mixed teams from a summer school's confirmed participants: the pure algorithm, no database.

The number of teams is the participants divided by the team size, rounded up, so no team is larger
than the size asked for and sizes differ by at most one. Each challenge first gets its share of
teams: an equal number each, the remainder going to the challenges most participants chose.

Then two steps:

1. Greedy seeding. Participants are taken institution by institution, the largest institution
   first and in a seeded random order inside each, and each goes to the team with room where
   they add the most to the score below (ties to the emptier, then the lower-numbered team).
   Dealing the big institutions first spreads them over the teams before the small ones fill
   the gaps.
2. Local search. Seeded random pairs of participants in different teams are swapped, and random
   pairs of teams swap challenges, whenever that raises the sum of the two teams' scores. It
   stops after a budget proportional to the participants, or sooner after a long run without a
   gain. Swaps keep every team's size, so the sizes stay balanced.
3. Repair. Each team still short of the mixing rules tries every swap with every other team, as
   random sampling can miss the few swaps that fix it.

A team's score puts the mixing rules first (a large penalty for a team short of 3 institutions or
2 countries, plus a smaller one per institution or country missing), then the challenge
preferences (a bonus per member who chose the team's challenge), then spreading (a penalty per
pair of members from the same institution or with the same field of study, which balances the
fields across teams). The same input and seed give the same teams. Every move is scored from
counters in a few look-ups, so 300 participants take some tens of milliseconds.
"""

import dataclasses
import math
import random
from collections import Counter

MIN_INSTITUTIONS = 3
MIN_COUNTRIES = 2

# Weights of a team's score, in order of importance: see the module docstring.
UNMIXED_WEIGHT = 100
MISSING_WEIGHT = 20
PREFERENCE_WEIGHT = 6
SAME_INSTITUTION_WEIGHT = 2
SAME_FIELD_WEIGHT = 1


@dataclasses.dataclass(frozen=True, eq=False)
class Participant:
    id: int
    institution: int
    country: str
    field: str
    preferences: frozenset = frozenset()


@dataclasses.dataclass
class FormedTeam:
    number: int
    challenge: int | None
    members: list[int]


def team_count(participants: int, size: int) -> int:
    return math.ceil(participants / size) if participants else 0


class _Team:
    """A team's members with the counters its score needs; `value` is the score, kept up to date
    on every change so that trying a move costs a few dictionary look-ups."""

    __slots__ = ("challenge", "countries", "fields", "hits", "institutions", "members", "value")

    def __init__(self, challenge):
        self.challenge = challenge
        self.members: list[Participant] = []
        self.institutions = Counter()
        self.countries = Counter()
        self.fields = Counter()
        self.hits = 0
        self.value = -_penalty(0, 0)

    def gain(self, p: Participant) -> int:
        """How much the score rises when `p` joins (or falls when `p`, not a member, leaves after joining)."""
        institutions, countries = len(self.institutions), len(self.countries)
        mixing = _penalty(institutions, countries) - _penalty(
            institutions + (p.institution not in self.institutions), countries + (p.country not in self.countries)
        )
        return (
            mixing
            + PREFERENCE_WEIGHT * (self.challenge in p.preferences)
            - SAME_INSTITUTION_WEIGHT * self.institutions[p.institution]
            - SAME_FIELD_WEIGHT * self.fields[p.field]
        )

    def add(self, p: Participant) -> None:
        self.value += self.gain(p)
        self.members.append(p)
        self.institutions[p.institution] += 1
        self.countries[p.country] += 1
        self.fields[p.field] += 1
        self.hits += self.challenge in p.preferences

    def remove(self, p: Participant) -> None:
        self.members.remove(p)
        for counter, key in ((self.institutions, p.institution), (self.countries, p.country), (self.fields, p.field)):
            counter[key] -= 1
            if not counter[key]:
                del counter[key]
        self.hits -= self.challenge in p.preferences
        self.value -= self.gain(p)

    def swap_gain(self, out: Participant, into: Participant) -> int:
        """How much the score rises when member `out` leaves and `into` joins, without changing anything."""
        institutions, countries = len(self.institutions), len(self.countries)
        more_institutions = more_countries = pairs = 0
        if out.institution != into.institution:
            leaving, joining = self.institutions[out.institution], self.institutions.get(into.institution, 0)
            pairs += SAME_INSTITUTION_WEIGHT * (joining - leaving + 1)
            more_institutions = (joining == 0) - (leaving == 1)
        if out.country != into.country:
            leaving, joining = self.countries[out.country], self.countries.get(into.country, 0)
            more_countries = (joining == 0) - (leaving == 1)
        if out.field != into.field:
            pairs += SAME_FIELD_WEIGHT * (self.fields.get(into.field, 0) - self.fields[out.field] + 1)
        hits = (self.challenge in into.preferences) - (self.challenge in out.preferences)
        if not (more_institutions or more_countries):
            return PREFERENCE_WEIGHT * hits - pairs
        mixing = _penalty(institutions, countries) - _penalty(
            institutions + more_institutions, countries + more_countries
        )
        return mixing + PREFERENCE_WEIGHT * hits - pairs

    def set_challenge(self, challenge) -> None:
        self.value -= PREFERENCE_WEIGHT * self.hits
        self.challenge = challenge
        self.hits = sum(challenge in p.preferences for p in self.members)
        self.value += PREFERENCE_WEIGHT * self.hits


def _penalty(institutions: int, countries: int) -> int:
    """A flat penalty for a team that misses the mixing rules at all, so that the search prefers one
    team fully mixed over two teams each one short, plus a smaller one per institution or country missing."""
    missing = max(0, MIN_INSTITUTIONS - institutions) + max(0, MIN_COUNTRIES - countries)
    return UNMIXED_WEIGHT * (missing > 0) + MISSING_WEIGHT * missing


def challenge_slots(count: int, challenges: list[int], participants: list[Participant]) -> list[int | None]:
    """The challenge of each of `count` teams: spread evenly, the remainder to the most chosen."""
    if not challenges:
        return [None] * count
    demand = Counter(c for p in participants for c in p.preferences)
    by_demand = sorted(challenges, key=lambda c: (-demand[c], challenges.index(c)))
    slots = [c for _ in range(count // len(challenges)) for c in challenges]
    return slots + by_demand[: count - len(slots)]


def form_teams(participants: list[Participant], *, size: int, challenges: list[int], seed: int = 0) -> list[FormedTeam]:
    """Teams numbered from 1, each with its challenge (None when there are none) and member ids."""
    count = team_count(len(participants), size)
    if not count:
        return []
    rng = random.Random(seed)  # noqa: S311 - repeatable teams, not secrets
    teams = [_Team(c) for c in challenge_slots(count, challenges, participants)]
    capacity = [len(participants) // count + (i < len(participants) % count) for i in range(count)]
    _seed(teams, capacity, participants, rng)
    _improve(teams, rng, budget=40 * len(participants))
    _repair(teams)
    return [FormedTeam(i + 1, t.challenge, sorted(p.id for p in t.members)) for i, t in enumerate(teams)]


def _seed(teams: list[_Team], capacity: list[int], participants: list[Participant], rng: random.Random) -> None:
    sizes = Counter(p.institution for p in participants)
    order = sorted(participants, key=lambda p: p.id)
    rng.shuffle(order)
    order.sort(key=lambda p: (-sizes[p.institution], p.institution))  # stable: random inside an institution
    open_teams = list(zip(teams, capacity, strict=True))
    for p in order:
        # The emptier team wins a tie, so the big institutions spread before the small ones fill the gaps.
        best, room = max(open_teams, key=lambda pair: (pair[0].gain(p), -len(pair[0].members)))
        best.add(p)
        if len(best.members) == room:
            open_teams.remove((best, room))


def _improve(teams: list[_Team], rng: random.Random, *, budget: int) -> None:
    if len(teams) < 2:
        return
    patience = max(200, budget // 4)
    idle = 0
    for _ in range(budget):
        if idle > patience:
            break
        a, b = rng.sample(teams, 2)
        before = a.value + b.value
        if rng.random() < 0.1:
            if a.challenge == b.challenge:
                continue
            first, second = a.challenge, b.challenge
            a.set_challenge(second)
            b.set_challenge(first)
            if a.value + b.value > before:
                idle = 0
            else:
                a.set_challenge(first)
                b.set_challenge(second)
                idle += 1
            continue
        p, q = rng.choice(a.members), rng.choice(b.members)
        if a.swap_gain(p, q) + b.swap_gain(q, p) > 0:
            a.remove(p)
            b.remove(q)
            a.add(q)
            b.add(p)
            idle = 0
        else:
            idle += 1


def _unmixed(team: _Team) -> bool:
    return len(team.institutions) < MIN_INSTITUTIONS or len(team.countries) < MIN_COUNTRIES


def _repair(teams: list[_Team]) -> None:
    """For each team still short of the mixing rules, try every swap with every other team and
    take the first that raises the two teams' score; random sampling can miss the few that do."""
    improved = True
    while improved:
        improved = False
        for a in [t for t in teams if _unmixed(t)]:
            for p in list(a.members):
                swap = next(
                    (
                        (b, q)
                        for b in teams
                        if b is not a
                        for q in b.members
                        if a.swap_gain(p, q) + b.swap_gain(q, p) > 0
                    ),
                    None,
                )
                if swap:
                    b, q = swap
                    a.remove(p)
                    b.remove(q)
                    a.add(q)
                    b.add(p)
                    improved = True
                    break
