"""Run filmlog as ``python -m filmlog``."""

from filmlog.cli import main

raise SystemExit(main())
