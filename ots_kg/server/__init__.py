"""`ots-kg serve`: the HTTP app (app), its query worker processes (workers) and the page."""
