"""Pure builders of schema.org JSON-LD from the page model."""
