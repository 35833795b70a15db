"""The markup stage: Markdown body -> HTML with media placeholders, body FAQ, headings."""
