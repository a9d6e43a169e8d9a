"""Build tools for the course (notebook runner, slide builder): kept apart from `helpers`, which notebooks import."""
