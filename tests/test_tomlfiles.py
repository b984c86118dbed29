"""The typed TOML loader that mappings, policies and (next) `codtool config` share."""

from __future__ import annotations

from pathlib import Path

import pytest

from codtool.tomlfiles import MAX_BYTES, Boolean, Integer, ListOf, OneOf, Table, Text, TomlFileError, load

SCHEMA = Table({
    "name": Text(max_chars=10, non_empty=True),
    "days": Integer(1, 31),
    "strict": Boolean(),
    "hours": ListOf(Integer(0, 23), min_items=1, max_items=3),
    "headers": Table(values=OneOf((Text(), ListOf(Text(), min_items=1)))),
}, required=("name",))


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "config.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_a_valid_file_comes_back_checked(tmp_path):
    path = write(tmp_path, 'name = "bella"\ndays = 7\nhours = [9, 14]\n[headers]\na = "A"\nb = ["B", "b"]\n')
    assert load(path, SCHEMA) == {"name": "bella", "days": 7, "hours": [9, 14], "headers": {"a": "A", "b": ["B", "b"]}}


@pytest.mark.parametrize(("text", "message"), [
    ('name = "x"\ndays = 99999999999999999999\n',
     "days: expected a whole number from 1 to 31, got a number 99999999999999999999"),
    ('name = "x"\ndays = true\n', "days: expected a whole number from 1 to 31, got a boolean True"),
    ('name = "x"\nhours = [1, 24]\n', "hours[1]: expected a whole number from 0 to 23, got a number 24"),
    ('name = "x"\nhours = []\n', "hours: expected a list of 1 to 3 items, each a whole number from 0 to 23, got a list"),
    ('name = "x"\nstrict = "yes"\n', "strict: expected true or false, got text 'yes'"),
    ('name = "x"\n[headers]\na = 5\n', "headers.a: expected text of at most 1,000 characters or a list of 1 to 1,000 "
                                       "items, each text of at most 1,000 characters, got a number 5"),
    ('name = "x"\nheaders = 3\n', "headers: expected a table ([headers]), got a number 3"),
    ('name = "x"\ncolour = 1\n', "unknown key colour (known: name, days, strict, hours, headers)"),
    ('name = "x"\n"a b\\n" = 1\n', 'unknown key "a b\\n" (known: name, days, strict, hours, headers)'),
    ("days = 2\n", "missing name"),
    ('name = ""\n', "name: expected non-empty text of at most 10 characters, got text ''"),
    ('name = "' + "x" * 500 + '"\n', "name: expected non-empty text of at most 10 characters, got text 'xxxxx"),
])
def test_errors_name_file_key_expected_and_found(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(TomlFileError) as err:
        load(path, SCHEMA)
    assert str(err.value).startswith(f"{path}: {message}")
    assert len(str(err.value)) < 400 and "\n" not in str(err.value)


@pytest.mark.parametrize(("content", "message"), [
    ("x = " + "[" * 5000 + "]" * 5000, "values nested too deeply"),
    (b"name = '\x81'", r"not UTF-8 text \(byte 0x81 at offset 8\)"),
    ("name = ", "not a valid TOML file"),
    ("# " + "x" * MAX_BYTES, f"larger than {MAX_BYTES:,} bytes"),
])
def test_files_that_cannot_be_read_are_refused_with_the_reason(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(TomlFileError, match=message):
        load(path, SCHEMA)


def test_a_missing_file_or_a_folder_is_named(tmp_path):
    with pytest.raises(TomlFileError, match="no such policy file"):
        load(tmp_path / "nope.toml", SCHEMA, what="policy file")
    with pytest.raises(TomlFileError, match="not a regular file"):
        load(tmp_path, SCHEMA)
