from datetime import date

import pytest

from netral_scan.errors import NetralScanError
from netral_scan.periods import Window, make_window


def test_named_period_covers_before_and_after_the_campaign():
    window = make_window(period="pemilu2024")
    assert window.contains("2023-10-19T00:00:00+07:00") and window.contains("2024-03-20T23:00:00+07:00")
    assert not window.contains("2024-03-21T00:00:00+07:00")


def test_since_and_until_narrow_a_period():
    assert make_window("2024-01-01", "2024-02-10", "pemilu2024") == Window(date(2024, 1, 1), date(2024, 2, 10))


def test_the_items_own_time_zone_decides_the_date():
    window = Window(since=date(2024, 2, 14))
    assert window.contains("2024-02-14T01:00:00+07:00")  # 13 Feb in UTC, 14 Feb in WIB
    assert not window.contains("2024-02-13T23:00:00+00:00")


def test_undated_items_are_neither_in_nor_out():
    assert Window(since=date(2024, 1, 1)).contains("") is None
    assert Window(since=date(2024, 1, 1)).contains("kemarin") is None


def test_no_options_means_no_window():
    assert make_window() is None


@pytest.mark.parametrize("kwargs, message", [({"period": "pemilu2019"}, "unknown period"),
                                             ({"since": "28/11/2023"}, "--since '28/11/2023' is not a date")])
def test_bad_window_options_are_errors(kwargs, message):
    with pytest.raises(NetralScanError, match=message):
        make_window(**kwargs)
