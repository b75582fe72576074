"""Pieces every screen may use: dialogs and the app-wide commands, Chinese labels and text helpers, guards.

Nothing here imports a screen or an app."""
