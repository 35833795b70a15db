"""The content stage: Markdown files with YAML front matter -> validated page records."""
