"""Teams of a summer school: forming them in one go (summerschools.team_formation), adjusting them by
hand, sharing them with the participants, and explaining what the current teams fail to meet.

Every write locks the edition's row first, so two organisers editing the same edition's teams at
once queue behind each other: numbering stays unique and a move never lands in a deleted team.
"""

import dataclasses
import math
from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consortium.models import FieldOfStudy, User
from consortium.permissions import require
from consortium.services.notifications import notify

from .. import permissions, team_formation
from ..models import Application, ApplicationStatus, Challenge, Edition, Team
from ..team_formation import MIN_COUNTRIES, MIN_INSTITUTIONS, Participant

NOTIFICATION_KIND = "summerschools.team"


def _lock(edition: Edition) -> Edition:
    return Edition.objects.select_for_update().get(pk=edition.pk)


def participants(edition: Edition) -> tuple[list[Application], list[Participant]]:
    """The confirmed participants (with student and institution) and what formation needs of them; two queries."""
    members = list(
        Application.objects.confirmed().filter(edition=edition).select_related("student", "institution").order_by("pk")
    )
    chosen = defaultdict(set)
    rows = Application.preferred_challenges.through.objects.filter(
        application__edition=edition, application__status=ApplicationStatus.CONFIRMED
    ).values_list("application_id", "challenge_id")
    for application_id, challenge_id in rows:
        chosen[application_id].add(challenge_id)
    return members, [
        Participant(a.pk, a.institution_id, a.institution.country.code, a.field_of_study, frozenset(chosen[a.pk]))
        for a in members
    ]


@transaction.atomic
def form_teams(*, edition: Edition, by: User | None, seed: int | None = None) -> list[Team]:
    """Replace the edition's teams with new ones formed from its confirmed participants.

    A fixed number of queries whatever the participants. The same participants and seed (the
    edition's id by default) give the same teams. Un-shares the teams: the new ones are the
    organisers' to check before they share them again. `by=None` is for the benchmark only.
    """
    if by is not None:
        require(permissions.can_manage_teams(by, edition))
    edition = _lock(edition)
    _, people = participants(edition)
    challenges = list(Challenge.objects.filter(edition=edition).order_by("pk").values_list("pk", flat=True))
    formed = team_formation.form_teams(
        people, size=edition.team_size, challenges=challenges, seed=edition.pk if seed is None else seed
    )
    Application.objects.filter(edition=edition, team__isnull=False).update(team=None)
    Team.objects.filter(edition=edition).delete()
    teams = Team.objects.bulk_create([Team(edition=edition, number=f.number, challenge_id=f.challenge) for f in formed])
    _assign([(pk, team.pk) for team, f in zip(teams, formed, strict=True) for pk in f.members])
    Edition.objects.filter(pk=edition.pk).update(teams_shared_at=None)
    return teams


def _assign(pairs: list[tuple[int, int]]) -> None:
    """Set each (application, team) pair in one UPDATE … FROM (VALUES …) per thousand participants:
    bulk_update's CASE WHEN per row costs more in Python than forming the teams."""
    table = connection.ops.quote_name(Application._meta.db_table)
    for start in range(0, len(pairs), 1000):
        chunk = pairs[start : start + 1000]
        rows = ", ".join(["(CAST(%s AS integer), CAST(%s AS integer))"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET team_id = v.column2 FROM (VALUES {rows}) AS v WHERE {table}.id = v.column1",  # noqa: S608 - the table name is ours
                [value for pair in chunk for value in pair],
            )


def _team_of_edition(edition: Edition, team: Team | None) -> Team | None:
    """`team` as it is now in the locked edition; refuses a team deleted meanwhile or of another edition."""
    if team is None:
        return None
    current = Team.objects.filter(pk=team.pk, edition=edition).select_related("challenge", "edition").first()
    if current is None:
        raise ValidationError({"team": _("This team no longer exists; reload the page.")})
    return current


@transaction.atomic
def move_member(*, application: Application, team: Team | None, by: User) -> Application:
    """Put a confirmed participant in `team`, or in no team when None. Once the teams are shared,
    the participant is told about their new team."""
    require(permissions.can_manage_teams(by, application.edition))
    edition = _lock(application.edition)
    team = _team_of_edition(edition, team)
    application = Application.objects.select_for_update().select_related("student").get(pk=application.pk)
    if application.edition_id != edition.pk or application.status != ApplicationStatus.CONFIRMED:
        raise ValidationError({"team": _("Only the edition's confirmed participants join its teams.")})
    left = application.team_id
    application.team = team
    application.save(update_fields=["team", "updated_at"])
    # Both teams changed for the API's incremental sync.
    Team.objects.filter(pk__in=[pk for pk in (left, team and team.pk) if pk]).update(updated_at=timezone.now())
    if team is not None and edition.teams_shared_at:
        _tell(team, [application.student])
    return application


@transaction.atomic
def update_team(*, team: Team, name: str, challenge: Challenge | None, by: User) -> Team:
    require(permissions.can_manage_teams(by, team.edition))
    edition = _lock(team.edition)
    team = _team_of_edition(edition, team)
    if challenge is not None and challenge.edition_id != edition.pk:
        raise ValidationError({"challenge": _("Choose one of this summer school's challenges.")})
    team.name = name.strip()
    team.challenge = challenge
    team.save(update_fields=["name", "challenge", "updated_at"])
    return team


@transaction.atomic
def add_team(*, edition: Edition, by: User) -> Team:
    """An empty team numbered after the last one."""
    require(permissions.can_manage_teams(by, edition))
    edition = _lock(edition)
    last = Team.objects.filter(edition=edition).aggregate(last=Max("number"))["last"] or 0
    return Team.objects.create(edition=edition, number=last + 1)


@transaction.atomic
def delete_team(*, team: Team, by: User) -> None:
    require(permissions.can_manage_teams(by, team.edition))
    edition = _lock(team.edition)
    team = _team_of_edition(edition, team)
    if team.members.exists():
        raise ValidationError(_("Only an empty team can be deleted: move its members to other teams first."))
    team.delete()


@transaction.atomic
def share_teams(*, edition: Edition, by: User) -> Edition:
    """Open the team spaces to the members and mentors and tell each member their team, once per team."""
    require(permissions.can_manage_teams(by, edition))
    edition = _lock(edition)
    teams = list(Team.objects.filter(edition=edition).select_related("challenge__company", "edition"))
    if not teams:
        raise ValidationError(_("There are no teams to share yet: form them first."))
    edition.teams_shared_at = timezone.now()
    edition.save(update_fields=["teams_shared_at", "updated_at"])
    members = defaultdict(list)
    rows = Application.objects.confirmed().filter(team__in=teams).select_related("student")
    for application in rows:
        members[application.team_id].append(application.student)
    for team in teams:
        team.edition = edition
        _tell(team, members[team.pk])
    return edition


def _tell(team: Team, students: list[User]) -> None:
    notify(
        students,
        NOTIFICATION_KIND,
        context={"team": team, "edition": team.edition, "url": reverse("summerschools:team", args=[team.pk])},
        dedupe_key=f"team:{team.pk}",
    )


# What the current teams fail to meet


@dataclasses.dataclass
class Overview:
    teams: list[Team]  # each with `people` (its members' applications), `institution_count`, `country_count`
    unassigned: list[Application]
    challenges: list[Challenge]
    notes: list[str]


def overview(edition: Edition) -> Overview:
    """The edition's teams with their members, and in plain words what they fail to meet; four queries."""
    members, people = participants(edition)
    teams = list(Team.objects.filter(edition=edition).select_related("challenge__company", "challenge__mentor"))
    by_team = defaultdict(list)
    for application in members:
        by_team[application.team_id].append(application)
    for team in teams:
        team.people = by_team[team.pk]
        team.institution_count = len({a.institution_id for a in team.people})
        team.country_count = len({a.institution.country.code for a in team.people})
    team_of = {a.pk: a.team_id for a in members}
    challenges = list(edition.challenges.select_related("company"))
    notes = unmet_goals(teams, people, team_of, has_challenges=bool(challenges))
    return Overview(teams=teams, unassigned=by_team[None], challenges=challenges, notes=notes)


def unmet_goals(teams: list[Team], people: list[Participant], team_of: dict[int, int | None], *, has_challenges):
    """Why the teams as they stand miss a goal: mixing, challenges, sizes, fields, people left out."""
    if not teams:
        return []
    members = defaultdict(list)
    for p in people:
        members[team_of[p.id]].append(p)
    notes = []
    if members[None]:
        count = len(members[None])
        notes.append(
            ngettext(
                "%(count)s confirmed participant is in no team.",
                "%(count)s confirmed participants are in no team.",
                count,
            )
            % {"count": count}
        )
    notes += _mixing_notes(teams, people, members, "institution", MIN_INSTITUTIONS)
    notes += _mixing_notes(teams, people, members, "country", MIN_COUNTRIES)
    notes += _challenge_notes(teams, people, members, has_challenges)
    sizes = [len(members[t.pk]) for t in teams]
    if max(sizes) - min(sizes) > 1:
        notes.append(
            _("Team sizes range from %(smallest)s to %(largest)s members: they should differ by one at most.")
            % {"smallest": min(sizes), "largest": max(sizes)}
        )
    notes += _field_notes(teams, members)
    return notes


def _mixing_notes(teams, people, members, attribute: str, minimum: int) -> list[str]:
    total = Counter(getattr(p, attribute) for p in people)
    largest_count = max(total.values(), default=0)
    notes = []
    for team in teams:
        team_people = members[team.pk]
        distinct = len({getattr(p, attribute) for p in team_people})
        if not team_people or distinct >= minimum:
            continue
        if len(total) < minimum:
            why = _why_few_values(attribute, len(total))
        elif len(team_people) < minimum:
            why = ngettext("it has only %(count)s member", "it has only %(count)s members", len(team_people)) % {
                "count": len(team_people)
            }
        elif len(people) - largest_count < (minimum - 1) * len(teams):
            why = _why_skewed(attribute, largest_count, len(people))
        else:
            why = _("swap members with another team to mix it")
        notes.append(_mixing_message(attribute, team, distinct, why))
    return notes


def _why_skewed(attribute: str, largest: int, total: int) -> str:
    values = {"largest": largest, "total": total}
    if attribute == "institution":
        return _("%(largest)s of the %(total)s participants come from one institution, too many to mix every team") % (
            values
        )
    return _("%(largest)s of the %(total)s participants come from one country, too many to mix every team") % values


def _why_few_values(attribute: str, count: int) -> str:
    if attribute == "institution":
        return ngettext(
            "only %(count)s institution has participants", "only %(count)s institutions have participants", count
        ) % {"count": count}
    return ngettext(
        "all participants come from %(count)s country", "participants come from only %(count)s countries", count
    ) % {"count": count}


def _mixing_message(attribute: str, team: Team, distinct: int, why: str) -> str:
    values = {"team": team, "count": distinct, "why": why}
    if attribute == "institution":
        return (
            ngettext(
                "%(team)s has members from only %(count)s institution: %(why)s.",
                "%(team)s mixes only %(count)s institutions: %(why)s.",
                distinct,
            )
            % values
        )
    return (
        ngettext(
            "%(team)s has members from only %(count)s country: %(why)s.",
            "%(team)s mixes only %(count)s countries: %(why)s.",
            distinct,
        )
        % values
    )


def _challenge_notes(teams, people, members, has_challenges: bool) -> list[str]:
    notes = []
    choosers = Counter(c for p in people for c in p.preferences)
    spread = Counter(t.challenge_id for t in teams if t.challenge_id)
    for team in teams:
        if team.challenge_id is None:
            if has_challenges:
                notes.append(_("%(team)s has no challenge: choose one.") % {"team": team})
            else:
                notes.append(_("%(team)s has no challenge: the summer school has no challenges yet.") % {"team": team})
            continue
        team_people = members[team.pk]
        if not team_people or any(team.challenge_id in p.preferences for p in team_people):
            continue
        count = choosers[team.challenge_id]
        values = {"team": team, "challenge": team.challenge.title, "count": count, "teams": spread[team.challenge_id]}
        if not count:
            why = _("no participant chose “%(challenge)s”") % values
        elif count < spread[team.challenge_id]:
            why = (
                ngettext(
                    "only %(count)s participant chose “%(challenge)s”, fewer than the %(teams)s teams working on it",
                    "only %(count)s participants chose “%(challenge)s”, fewer than the %(teams)s teams working on it",
                    count,
                )
                % values
            )
        else:
            why = (
                ngettext(
                    "the participant who chose “%(challenge)s” is in another team",
                    "the %(count)s participants who chose “%(challenge)s” are in other teams",
                    count,
                )
                % values
            )
        notes.append(_("%(team)s has nobody who chose its challenge: %(why)s.") % {"team": team, "why": why})
    if has_challenges and spread and max(spread.values()) - min(spread.values()) > 1:
        titles = {t.challenge_id: t.challenge.title for t in teams if t.challenge_id}
        most, fewest = max(spread, key=spread.get), min(spread, key=spread.get)
        notes.append(
            _("Challenges are spread unevenly: “%(most)s” has %(many)s teams, “%(fewest)s” %(few)s.")
            % {"most": titles[most], "many": spread[most], "fewest": titles[fewest], "few": spread[fewest]}
        )
    return notes


def _field_notes(teams, members) -> list[str]:
    """A team with clearly more students of one field than an even spread over the teams would give it."""
    totals = Counter(p.field for t in teams for p in members[t.pk])
    labels = dict(FieldOfStudy.choices)
    notes = []
    for team in teams:
        for field, count in sorted(Counter(p.field for p in members[team.pk]).items()):
            even = math.ceil(totals[field] / len(teams))
            # One over the even share is the price of the mixing rules and preferences; two is worth a look.
            if count > even + 1:
                notes.append(
                    _(
                        "%(team)s has %(count)s students of %(field)s; spread evenly, no team would have more than "
                        "%(even)s."
                    )
                    % {"team": team, "count": count, "field": labels.get(field, field), "even": even}
                )
    return notes
