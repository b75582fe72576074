"""`python -m tui.cli ...` is `lawdrill ...` too (the form `lawdrill serve` spawns per browser connection)."""

from tui.cli import main

raise SystemExit(main())
