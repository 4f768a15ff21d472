import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kampung.accounts.models import User
from kampung.accounts.roles import Role
from kampung.accounts.scope import scope_for
from kampung.regions.models import Level, Region


@pytest.mark.django_db
def test_init_sets_up_an_empty_regency_with_a_one_time_admin(capsys):
    call_command("init", "--regency", "73.24", "--admin", "Admin@Lutim.go.id")
    out = capsys.readouterr().out
    assert "Kata sandi sekali pakai" in out
    admin = User.objects.get(username="admin@lutim.go.id")
    assert admin.must_change_password
    scope = scope_for(admin)
    assert scope.roles == {Role.ADMIN}
    villages = Region.objects.filter(code__startswith="73.24.", level=Level.VILLAGE).count()
    assert len(scope.village_codes()) == villages > 100
    assert Region.objects.get(code="73.24").timezone == "Asia/Makassar"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("regency", "admin"), [("73.24.01", "a@b.id"), ("99.99", "a@b.id"), ("73.24", "bukan-surel")]
)
def test_init_refuses_bad_input(regency, admin):
    before = User.objects.count()
    with pytest.raises(CommandError):
        call_command("init", "--regency", regency, "--admin", admin)
    assert User.objects.count() == before
    assert not Region.objects.filter(code__startswith="73.24.01").exists() or regency == "73.24"
