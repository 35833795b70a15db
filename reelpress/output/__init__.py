"""The site folder: staged atomic commit and theme static files."""
