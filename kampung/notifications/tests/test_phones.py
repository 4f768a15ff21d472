import pytest

from kampung.core.errors import KampungError
from kampung.notifications.phones import mask_email, mask_phone, mask_recipient, phone_normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 789", "+628123456789"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("006281234567890", "+6281234567890"),
        ("(0812) 3456.7890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("0811234567", "+62811234567"),
    ],
)
def test_phone_normalise_accepts_indonesian_mobiles(raw, expected):
    assert phone_normalise(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "0333-424242", "021 5551234", "+6512345678", "0812", "08123456789012345", "0812abc45678", "budi"],
)
def test_phone_normalise_refuses_what_is_not_a_mobile_number(raw):
    with pytest.raises(KampungError) as info:
        phone_normalise(raw)
    assert info.value.code == "nomor_hp_tidak_sah"
    assert "Nomor HP" in info.value.message


def test_masks_keep_only_enough_to_recognise():
    assert mask_phone("+6281234567890") == "+62812*****890"
    assert mask_email("budi.santoso@gmail.com") == "bu**********@gmail.com"
    assert mask_email("ab@desa.id") == "a*@desa.id"
    assert mask_recipient("siti@desa.id") == "si**@desa.id"
    assert mask_recipient("+6281234567890") == "+62812*****890"
    assert "4567" not in mask_phone("+6281234567890")
