"""Contest mode (大比武): the contestant's app (round list, contest workbench, case-file review, knowledge paper
and case-analysis sheet, by the round kinds of kinds.py) and the organiser's leaderboard (terminal and web)."""
