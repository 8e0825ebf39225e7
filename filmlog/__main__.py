"""Run filmlog as ``python -m filmlog``."""

from filmlog.launcher import main

raise SystemExit(main())
