"""The trainee's screens: case library, briefing, workbench and its forms, debrief, history, state graph."""
