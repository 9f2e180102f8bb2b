import pytest

from centers.models import Role
from tests import factories


@pytest.fixture
def minister(home_center):
    return factories.user_with_role(Role.MINISTRY, home_center, username="ministerin")


@pytest.fixture
def ministry_client(client, minister):
    minister.first_name, minister.last_name = "Miriam", "Albers"
    minister.save(update_fields=["first_name", "last_name"])
    client.force_login(minister)
    return client
