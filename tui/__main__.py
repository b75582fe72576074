"""`python -m tui ...` is `lawdrill ...`."""

from tui.cli import main

raise SystemExit(main())
