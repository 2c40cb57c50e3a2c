import pytest

from bangfu.regions.models import Level, Region
from bangfu.regions.services import RegionCodeError, grid_ensure, regions_load


@pytest.mark.django_db
def test_loufan_has_its_seven_townships_and_116_villages():
    county = Region.objects.get(code="140123000000")
    assert county.name == "娄烦县"
    assert county.parent.name == "太原市" and county.parent.parent.name == "山西省"
    assert Region.objects.filter(parent=county, level=Level.TOWNSHIP).count() == 7
    assert Region.objects.filter(code__startswith="140123", level=Level.VILLAGE).count() == 116
    guanzhuang = Region.objects.get(code="140123100206")
    assert (guanzhuang.name, guanzhuang.parent.name) == ("官庄村", "娄烦镇")


@pytest.mark.django_db
def test_loading_another_county_is_one_call_and_idempotent():
    n = regions_load(code="140122")  # 阳曲县
    assert n == regions_load(code="140122")
    assert Region.objects.get(code="140122000000").name == "阳曲县"
    assert Region.objects.filter(code__startswith="140122", level=Level.VILLAGE).count() > 50


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["14012", "abc", "999999"])
def test_bad_codes_are_refused(code):
    with pytest.raises(RegionCodeError):
        regions_load(code=code)


@pytest.mark.django_db
def test_grids_live_under_villages_only():
    village = Region.objects.get(code="140123100206")
    grids = grid_ensure(village=village, count=3)
    assert [g.name for g in grids] == ["第1网格", "第2网格", "第3网格"]
    assert grid_ensure(village=village, count=2) == grids  # never removes
    with pytest.raises(ValueError, match="行政村"):
        grid_ensure(village=village.parent, count=1)
