from monitor.render.sparkline import sparkline


def test_scaled_between_min_and_max() -> None:
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([10.0, 10.0, 40.0, 10.0]) == "▁▁█▁"


def test_flat_missing_empty_and_width() -> None:
    assert sparkline([3.0, 3.0]) == "▁▁"
    assert sparkline([1.0, None, 2.0]) == "▁ █"
    assert sparkline([None]) == " "
    assert sparkline([]) == ""
    assert sparkline([1, 2, 3, 4], width=2) == "▁█"
