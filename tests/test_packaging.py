"""The package metadata builds with the tools it names."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is new in Python 3.11")
def test_a_licence_expression_asks_for_a_setuptools_that_reads_it() -> None:
    import tomllib

    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    # ``license = "MIT"`` (an SPDX expression, PEP 639) needs setuptools 77 or newer.
    assert isinstance(data["project"]["license"], str)
    [requirement] = [r for r in data["build-system"]["requires"] if r.startswith("setuptools")]
    bound = re.fullmatch(r"setuptools>=(\d+)(\.\d+)*", requirement)
    assert bound is not None and int(bound[1]) >= 77
