"""The trainer's screen (library check, reload on change, weak spots) and the library reload it relies on."""
