"""Complete records become text: theme, views, site pages, feeds, sitemap."""
