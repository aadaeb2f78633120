"""Which role may do what: the whole table, checked cell by cell against the issue's wording."""

from __future__ import annotations

from itertools import pairwise, product

import pytest

from contract.access import Action, Role
from contract.spec import rest as spec
from server.accounts.roles import ALLOWED, role_actions, role_allows

READS = {Action.READ}
OPERATES = {Action.SEND_COMMAND, Action.ACKNOWLEDGE_ALERT, Action.WRITE_ROOM}
MANAGES = {Action.MANAGE_USERS, Action.MANAGE_DEVICES, Action.MANAGE_CREDENTIALS}
# viewer (reads), operator (also sends commands, acknowledges alerts, writes in rooms),
# admin (also manages users, devices and credentials): written out here, not derived.
EXPECTED = {
    Role.VIEWER: READS,
    Role.OPERATOR: READS | OPERATES,
    Role.ADMIN: READS | OPERATES | MANAGES,
}


@pytest.mark.parametrize(("role", "action"), list(product(Role, Action)))
def test_each_role_allows_exactly_the_actions_of_its_description(role: Role, action: Action) -> None:
    assert role_allows(role, action) is (action in EXPECTED[role])


@pytest.mark.parametrize("action", list(Action))
def test_without_a_role_nothing_is_allowed(action: Action) -> None:
    assert role_allows(None, action) is False


def test_every_action_belongs_to_some_role_and_every_role_is_in_the_table() -> None:
    assert set(ALLOWED) == set(Role)
    assert set(Action) == READS | OPERATES | MANAGES


def test_each_role_allows_everything_the_role_below_it_does_and_more() -> None:
    for lower, higher in pairwise([Role.VIEWER, Role.OPERATOR, Role.ADMIN]):
        assert ALLOWED[lower] < ALLOWED[higher]


def test_role_actions_lists_what_the_role_allows_in_the_contracts_order() -> None:
    for role in Role:
        assert role_actions(role) == [a for a in Action if a in EXPECTED[role]]
    assert role_actions(None) == []


def test_the_contract_offers_exactly_these_roles_and_actions() -> None:
    fields = {f.name: f.type for f in spec.CURRENT_USER.fields}
    assert fields["role"] == spec.ROLE
    assert spec.ROLE.values == ("viewer", "operator", "admin")
    assert spec.ACTIONS.item == spec.Choice(tuple(a.value for a in Action))
