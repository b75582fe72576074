"""lawdrill's terminal front end: the Textual app (`tui.app`) and the command line.

Nothing here is imported by `sim`; the engine works without a terminal.
"""
