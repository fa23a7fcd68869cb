"""Demo and scale data. Later apps add their own seeders here."""
