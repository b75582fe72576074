"""Contest mode (大比武): the contestant's app (round list, contest workbench, case-file review) and the
organiser's leaderboard."""
