import gzip
from pathlib import Path

import msgspec
import pytest

from monitor.artifacts.read import decode_typed, describe_decode_error, read_bytes
from monitor.errors import MonitorError

DOC = b'{"metadata": {"dbt_schema_version": "x"}}'


def test_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "run_results.json"
    path.write_bytes(DOC)
    assert read_bytes(path) == DOC


def test_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "run_results.json.gz"
    path.write_bytes(gzip.compress(DOC))
    assert read_bytes(path) == DOC


def test_gzip_content_without_gz_name(tmp_path: Path) -> None:
    path = tmp_path / "run_results.json"
    path.write_bytes(gzip.compress(DOC))
    assert read_bytes(path) == DOC


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("run_results.json", b"", "empty file"),
        ("run_results.json", b"  \n\t ", "empty file"),
        ("run_results.json.gz", gzip.compress(b""), "empty file"),
        ("run_results.json.gz", DOC, "bad gzip: the name ends in .gz but the content is not gzip"),
        ("run_results.json.gz", gzip.compress(DOC)[:-12], "bad gzip:"),
        ("run_results.json.gz", b"\x1f\x8b\x08\x00garbage-garbage", "bad gzip:"),
    ],
)
def test_unreadable(tmp_path: Path, name: str, content: bytes, problem: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MonitorError) as caught:
        read_bytes(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {problem}")
    assert "\n" not in message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    with pytest.raises(MonitorError, match=r"nope\.json: cannot read the file: No such file"):
        read_bytes(path)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (DOC[:-5], "truncated JSON"),
        (b'{"a": 1', "truncated JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary data, not JSON"),
        (b"metadata: yes\n", "not JSON: "),
        (b"<html><body>502 Bad Gateway</body></html>", "not JSON: "),
    ],
)
def test_describe_decode_error(raw: bytes, problem: str) -> None:
    with pytest.raises(msgspec.DecodeError) as caught:
        msgspec.json.decode(raw)
    assert describe_decode_error(raw, caught.value).startswith(problem)


class _Shape(msgspec.Struct):
    results: list[int]


def test_decode_typed_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "run_results.json"
    with pytest.raises(MonitorError) as caught:
        decode_typed(path, "run-results v6", b'{"results": ["x"]}', _Shape)
    assert str(caught.value) == (
        f"{path}: not a valid run-results v6 file: Expected `int`, got `str` - at `$.results[0]`"
    )
